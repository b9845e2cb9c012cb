"""Forms for the minutes of an agenda case and the parket's reference. Rules live in the
services; these only offer the right choices."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms.core import DateInput
from cases.forms.journal import CaseActionForm
from common.dates import DateKind, date_problem
from common.versioning import VersionField
from partners.models import Organisation

from ..models import Consent, Consultation, Participant
from ..selectors.minutes import taking_part


def _participant_label(participant: Participant) -> str:
    return f"{participant} ({participant.organisation})"


class DisclosureForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation that shared"), queryset=Organisation.objects.none()
    )
    shared_by = forms.ModelChoiceField(
        label=_("Shared by"),
        queryset=Participant.objects.none(),
        help_text=_("A participant who represents that organisation."),
    )
    content = forms.CharField(
        label=_("What was shared"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Only what is needed to protect the people involved. A disclosure cannot be "
            "changed afterwards; record a correction as a new disclosure."
        ),
    )
    client_consent = forms.ChoiceField(
        label=_("Client consent"), choices=Consent.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Present or represented per the attendance register (the invitation list while no
        # register was kept): the same rule as the service.
        participants = Participant.objects.filter(
            pk__in=[p.pk for p in taking_part(consultation)]
        ).select_related("user", "organisation")
        organisation_field = self.fields["organisation"]
        assert isinstance(organisation_field, forms.ModelChoiceField)
        organisation_field.queryset = Organisation.objects.filter(
            pk__in=participants.values("organisation_id")
        ).order_by("name")
        shared_by_field = self.fields["shared_by"]
        assert isinstance(shared_by_field, forms.ModelChoiceField)
        shared_by_field.queryset = participants
        shared_by_field.label_from_instance = _participant_label  # type: ignore[method-assign,assignment]


class DecisionsForm(forms.Form):
    decisions = forms.CharField(
        label=_("Decisions"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Saving the decisions marks the case as discussed."),
    )
    version = VersionField()


class ConsultationActionForm(CaseActionForm):
    """The case's own action form: a decided action becomes an ordinary case action."""


class ParketReferenceForm(forms.Form):
    reference = forms.CharField(
        label=_("Parket reference (notice number)"),
        max_length=60,
        help_text=_("The prosecutor's office's own number for this case."),
    )
    version = VersionField()


class PlanReviewForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome and decisions on the plan"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the consultation concluded about the goals and agreements."),
    )
    next_evaluation_on = forms.DateField(label=_("Next evaluation on"), widget=DateInput())

    def clean_next_evaluation_on(self) -> Any:
        value = self.cleaned_data["next_evaluation_on"]
        if problem := date_problem(value, DateKind.PLANNED):
            raise forms.ValidationError(problem)
        return value
