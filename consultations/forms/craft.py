"""Forms for the attendance register, a secrecy confirmation given to the chair, the review
date of an agenda case and a triage table's registrations. Rules live in ``services.craft``."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import Registration
from common.versioning import VersionField

from ..models import Attendance, Consultation, Participant, SecrecyMethod
from ..services.craft import AttendanceEntry, registrations_awaiting_triage
from .planning import DateInput, DateTimeInput


class AttendanceForm(forms.Form):
    """One row per participant: present, apologised or represented (by whom, which
    organisation). The consultation's version guards against two chairs' windows."""

    version = VersionField()

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = list(
            consultation.participants.filter(removed_at__isnull=True).select_related(
                "user", "organisation"
            )
        )
        organisations = consultation.legal_basis.allowed_organisations.order_by("name")
        # Each row's fields name their participant: a screen reader reads a field's label
        # alone, and "name" three times over does not say whose representative it is.
        self.conditionally_required = {}
        for p in self.participants:
            self.fields[f"attendance_{p.pk}"] = forms.ChoiceField(
                label=_("%(who)s (%(organisation)s)") % {"who": p, "organisation": p.organisation},
                choices=Attendance.choices,
                initial=p.attendance or None,
                widget=forms.RadioSelect,
            )
            self.fields[f"represented_by_name_{p.pk}"] = forms.CharField(
                label=_("Name of the representative of %(who)s") % {"who": p},
                max_length=200,
                required=False,
                initial=p.represented_by_name,
            )
            self.fields[f"represented_by_organisation_{p.pk}"] = forms.ModelChoiceField(
                label=_("Organisation of the representative of %(who)s") % {"who": p},
                queryset=organisations,
                required=False,
                initial=p.represented_by_organisation_id,
            )
            for name in ("represented_by_name", "represented_by_organisation"):
                self.conditionally_required[f"{name}_{p.pk}"] = _("required when represented")
        self.initial.setdefault("version", consultation.version)

    def entries(self) -> dict[int, AttendanceEntry]:
        data = self.cleaned_data
        return {
            p.pk: AttendanceEntry(
                attendance=data[f"attendance_{p.pk}"],
                represented_by_name=data.get(f"represented_by_name_{p.pk}") or "",
                represented_by_organisation=data.get(f"represented_by_organisation_{p.pk}"),
            )
            for p in self.participants
        }


def secrecy_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """Who may confirm to the chair: a representative without an account on the list, and
    whoever represents a participant."""
    choices = []
    participants = consultation.participants.filter(removed_at__isnull=True).select_related(
        "organisation", "represented_by_organisation"
    )
    for p in participants:
        if p.user_id is None:
            choices.append((f"p{p.pk}", f"{p.name} ({p.organisation})"))
        if p.attendance == Attendance.REPRESENTED and p.represented_by_name:
            label = _("%(name)s (%(organisation)s), representing %(who)s") % {
                "name": p.represented_by_name,
                "organisation": p.represented_by_organisation,
                "who": p,
            }
            choices.append((f"r{p.pk}", str(label)))
    return choices


class SecrecyGivenForm(forms.Form):
    who = forms.ChoiceField(label=_("Who confirmed the duty of secrecy"), choices=())
    given_at = forms.DateTimeField(label=_("When"), widget=DateTimeInput())
    method = forms.ChoiceField(
        label=_("How"),
        choices=[
            (SecrecyMethod.PAPER.value, SecrecyMethod.PAPER.label),
            (SecrecyMethod.ORAL.value, SecrecyMethod.ORAL.label),
        ],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        who = self.fields["who"]
        assert isinstance(who, forms.ChoiceField)
        who.choices = secrecy_choices(consultation)
        self.consultation = consultation

    def chosen(self) -> tuple[Participant | None, bool]:
        value = self.cleaned_data["who"]
        participant = self.consultation.participants.filter(pk=int(value[1:])).first()
        return participant, value.startswith("r")


class ReviewDateForm(forms.Form):
    review_on = forms.DateField(
        label=_("Back on the agenda from"),
        widget=DateInput(),
        required=False,
        help_text=_(
            "From this date a later consultation suggests the case again and the deadline "
            "board shows it. Leave empty for no review."
        ),
    )
    version = VersionField()


class RegistrationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} ({obj.registrant_organisation})"


class TriageAddForm(forms.Form):
    registration = RegistrationChoiceField(
        label=_("Registration"),
        queryset=Registration.objects.none(),
        error_messages={
            "invalid_choice": _("Choose a registration awaiting triage that your table decides.")
        },
    )

    def __init__(self, *args: Any, consultation: Consultation, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["registration"]
        assert isinstance(field, forms.ModelChoiceField)
        waiting = registrations_awaiting_triage(consultation=consultation, user=user)
        field.queryset = Registration.objects.filter(pk__in=[r.pk for r in waiting]).select_related(
            "registrant_organisation"
        )
        self.waiting = waiting
