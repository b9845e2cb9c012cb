"""Forms for the children's trajectory. The rules live in cases.services.children."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from common.dates import DateKind, date_problem
from common.versioning import VersionField
from partners.models import Organisation

from ..models import ChildFile, ChildReportedTo
from ..services.children import ChildFileContent
from .core import DateInput


class _OrganisationField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


def _dated(form: forms.Form, name: str, kind: DateKind) -> Any:
    value = form.cleaned_data.get(name)
    if problem := date_problem(value, kind):
        raise forms.ValidationError(problem)
    return value


class ChildFileForm(forms.Form):
    """One version of a child's file (school, psychologist, VK/OCJ link, child plan)."""

    school_name = forms.CharField(label=_("School or childcare"), required=False, max_length=200)
    school_contacted_on = forms.DateField(
        label=_("School or childcare contacted on"), required=False, widget=DateInput()
    )
    school_note = forms.CharField(
        label=_("About the contact with the school"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    psychologist_involved = forms.BooleanField(
        label=_("Child psychologist involved"), required=False
    )
    psychologist_organisation = _OrganisationField(
        label=_("Child psychologist's organisation"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    psychologist_since = forms.DateField(
        label=_("Child psychologist involved since"), required=False, widget=DateInput()
    )
    reported = forms.BooleanField(label=_("Reported to the VK, OCJ or youth court"), required=False)
    reported_to = forms.ChoiceField(
        label=_("Reported to"),
        choices=[("", "---------"), *ChildReportedTo.choices],
        required=False,
    )
    reported_on = forms.DateField(label=_("Reported on"), required=False, widget=DateInput())
    report_reference = forms.CharField(label=_("Their reference"), required=False, max_length=100)
    plan_goals = forms.CharField(
        label=_("Goals of the child plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan_organisation = _OrganisationField(
        label=_("Who carries out the child plan"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    plan_next_evaluation_on = forms.DateField(
        label=_("Next evaluation of the child plan"), required=False, widget=DateInput()
    )
    version = VersionField()

    def __init__(self, *args: Any, child_file: ChildFile | None = None, **kwargs: Any) -> None:
        initial: dict[str, Any] = {"version": 0}
        if child_file is not None:
            initial = {
                name: getattr(child_file, name) for name in ChildFileContent.__dataclass_fields__
            }
            initial["version"] = child_file.version
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(is_active=True).order_by("name")
        for name in ("psychologist_organisation", "plan_organisation"):
            choice = self.fields[name]
            assert isinstance(choice, forms.ModelChoiceField)
            choice.queryset = organisations

    def clean_school_contacted_on(self) -> Any:
        return _dated(self, "school_contacted_on", DateKind.HAPPENED)

    def clean_psychologist_since(self) -> Any:
        return _dated(self, "psychologist_since", DateKind.HAPPENED)

    def clean_reported_on(self) -> Any:
        return _dated(self, "reported_on", DateKind.HAPPENED)

    def clean_plan_next_evaluation_on(self) -> Any:
        return _dated(self, "plan_next_evaluation_on", DateKind.PLANNED)

    def content(self) -> ChildFileContent:
        data = self.cleaned_data
        return ChildFileContent(
            **{name: data[name] for name in ChildFileContent.__dataclass_fields__}
        )


class ChildConversationForm(forms.Form):
    """A conversation with the child. What the child says is for the case team only."""

    held_on = forms.DateField(label=_("Held on"), initial=timezone.localdate, widget=DateInput())
    held_by = forms.ModelChoiceField(label=_("Held by"), queryset=User.objects.none())
    child_view = forms.CharField(
        label=_("What the child says and wants"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Confidential: for the case team only."),
    )

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        held_by = self.fields["held_by"]
        assert isinstance(held_by, forms.ModelChoiceField)
        held_by.queryset = users

    def clean_held_on(self) -> Any:
        return _dated(self, "held_on", DateKind.HAPPENED)
