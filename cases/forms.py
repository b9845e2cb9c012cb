from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import RoleCode
from partners.models import Organisation

from .models import Case, Status, Track


class DateInput(forms.DateInput):
    input_type = "date"


class CaseCreateForm(forms.Form):
    track = forms.TypedChoiceField(label=_("Track"), choices=Track.choices, coerce=int)
    case_director = forms.ModelChoiceField(label=_("Case director"), queryset=User.objects.none())
    opened_on = forms.DateField(label=_("Opened on"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        director_field = self.fields["case_director"]
        assert isinstance(director_field, forms.ModelChoiceField)
        director_field.queryset = User.objects.filter(
            organisation=organisation, is_active=True, roles__code=RoleCode.CASE_DIRECTOR
        ).order_by("last_name", "first_name")

    def clean_opened_on(self) -> Any:
        value = self.cleaned_data["opened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The opening date cannot lie in the future."))
        return value


class CaseUpdateForm(forms.Form):
    track = forms.TypedChoiceField(label=_("Track"), choices=Track.choices, coerce=int)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_case(cls, case: Case) -> "CaseUpdateForm":
        return cls(initial={"track": case.track, "status": case.status, "version": case.version})


class CaseShareForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = Organisation.objects.filter(is_active=True).exclude(
            pk=case.owner_organisation_id
        )
