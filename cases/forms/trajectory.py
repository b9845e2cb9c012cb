"""Forms for the judicial and care trajectory. They check input; the rules live in the services."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.versioning import VersionField
from partners.models import Organisation, PoliceZone

from ..models import Case, MeasureKind
from .core import DateInput, active_organisations


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PoliceReportForm(forms.Form):
    number = forms.CharField(label=_("PV number"), max_length=60)
    drawn_up_on = forms.DateField(label=_("Date of the PV"), widget=DateInput)
    police_zone = forms.ModelChoiceField(
        label=_("Police zone"), queryset=PoliceZone.objects.all(), required=False
    )


class TrajectoryNotesForm(forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Case
        fields = ["parket_notice_number", "alignment_notes"]
        widgets = {"alignment_notes": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "alignment_notes": _(
                "How the judicial and the care trajectory are aligned: agreements, who informs whom."
            ),
        }


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=MeasureKind.choices)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput)
    ends_on = forms.DateField(label=_("End"), widget=DateInput, required=False)
    decided_by = forms.ModelChoiceField(
        label=_("Decided by"), queryset=active_organisations(), required=False
    )
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The limit is configuration (settings), so the help text is built per form.
        self.fields["ends_on"].help_text = _(
            "Required for a temporary restraining order, which lasts at most %(days)d days."
        ) % {"days": settings.FJC_RESTRAINING_ORDER_MAX_DAYS}


class MeasureExtendForm(forms.Form):
    new_end = forms.DateField(label=_("New end"), widget=DateInput)
    decided_on = forms.DateField(
        label=_("Decided on"), widget=DateInput, initial=timezone.localdate
    )
    decided_by = forms.ModelChoiceField(
        label=_("Decided by"),
        queryset=active_organisations(),
        required=False,
        help_text=_("For a restraining order: the family court."),
    )
    version = VersionField()


class HearingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput)
    court = forms.CharField(label=_("Court"), max_length=120)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)


class PartnerAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Organisation.objects.filter(is_active=True)
    )
    role = forms.CharField(label=_("What the partner does"), max_length=200)
    since = forms.DateField(label=_("Since"), widget=DateInput, initial=timezone.localdate)


class PartnerEndForm(forms.Form):
    until = forms.DateField(label=_("Until"), widget=DateInput, initial=timezone.localdate)
