"""Forms for registrations by partners and their triage. Rules live in the services."""

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from access.policy import only_active_case_directors, organisations_receiving_registrations
from accounts.models import User
from common.versioning import VersionField
from partners.models import Municipality, Organisation

from ..models import (
    AgeBand,
    LegalGround,
    NotTakenOnReason,
    RegisteredRole,
    Registration,
    RegistrationGround,
    RegistrationStatus,
    Track,
    Urgency,
)
from ..models.registrations import DECISIONS, RISK_FLAGS
from ..selectors.registrations import triage_consultations
from ..services.registrations import PersonData
from .core import DateInput

# How many people one registration form offers (empty rows are left out).
PEOPLE_ROWS = 5
_ACCEPT = ".pdf,.docx,.odt,.jpg,.jpeg,.png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def receiving_organisations() -> Any:
    return organisations_receiving_registrations(Organisation.objects.all()).order_by("name")


class PersonForm(forms.Form):
    """One person of the registration; a row left empty is no person."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", "—")]
        + [(v, label) for v, label in RegisteredRole.choices if v != RegisteredRole.OTHER],
        required=False,
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    age_band = forms.ChoiceField(
        label=_("Age band (when the date of birth is not known)"),
        choices=AgeBand.choices,
        initial=AgeBand.UNKNOWN,
        required=False,
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.order_by("name"),
        required=False,
    )

    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(name) for name in ("role", "first_name", "last_name", "date_of_birth")
        )

    def person(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            role=data.get("role") or "",
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            date_of_birth=data.get("date_of_birth"),
            age_band=data.get("age_band") or AgeBand.UNKNOWN,
            municipality=data.get("municipality"),
        )


class RegistrationForm(forms.Form):
    """The minimum data set of a registration, with its people as numbered sub-forms."""

    owner_organisation = forms.ModelChoiceField(
        label=_("Register with"), queryset=Organisation.objects.none(), empty_label=None
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Briefly: the facts and why you register."),
    )
    happened_on = forms.DateField(label=_("Date of the facts"), required=False, widget=DateInput())
    municipality = forms.ModelChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.order_by("name"), required=False
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    risk_weapon = forms.BooleanField(label=_("A weapon was used or threatened"), required=False)
    risk_threat_to_kill = forms.BooleanField(label=_("Threats to kill"), required=False)
    risk_strangulation = forms.BooleanField(label=_("Strangulation or choking"), required=False)
    risk_escalation = forms.BooleanField(label=_("The violence is getting worse"), required=False)
    risk_separation = forms.BooleanField(label=_("A recent or planned separation"), required=False)
    children_present = forms.BooleanField(label=_("Children present"), required=False)
    ground = forms.ChoiceField(
        label=_("Ground for passing these data on"),
        choices=RegistrationGround.choices,
        widget=forms.RadioSelect,
    )
    consent_given_by = forms.CharField(label=_("Consent given by"), max_length=200, required=False)
    consent_given_on = forms.DateField(
        label=_("Consent given on"), required=False, widget=DateInput()
    )
    legal_ground = forms.ChoiceField(
        label=_("Legal ground"), choices=[("", "—"), *LegalGround.choices], required=False
    )
    pv_number = forms.CharField(label=_("PV number"), max_length=60, required=False)
    ground_details = forms.CharField(
        label=_("Explanation of the ground"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, Word (.docx), OpenDocument text (.odt), JPEG or PNG."),
    )
    conditionally_required = {
        "consent_given_by": _("required with consent"),
        "consent_given_on": _("required with consent"),
        "legal_ground": _("required without consent"),
        "pv_number": _("required with a police report"),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = receiving_organisations()
        self.people = [
            PersonForm(self.data or None, prefix=f"person-{n}") for n in range(1, PEOPLE_ROWS + 1)
        ]

    def is_valid(self) -> bool:
        # Every sub-form is checked, so each shows its own errors.
        valid = [form.is_valid() for form in self.people]
        return super().is_valid() and all(valid)

    def people_data(self) -> list[PersonData]:
        return [form.person() for form in self.people if not form.is_empty()]


class ScreeningNoteForm(forms.Form):
    text = forms.CharField(label=_("Screening note"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    version = VersionField()
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(s.value, s.label) for s in RegistrationStatus if s in DECISIONS],
        widget=forms.RadioSelect,
    )
    track = forms.TypedChoiceField(
        label=_("Track"),
        choices=[("", "—"), *Track.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    lead_organisation = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organisation.objects.none(), required=False
    )
    case_director = forms.ModelChoiceField(
        label=_("Case director"), queryset=User.objects.none(), required=False
    )
    reason = forms.ModelChoiceField(
        label=_("Reason for not taking on"),
        queryset=NotTakenOnReason.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
    )
    reason_text = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    conditionally_required = {
        "track": _("required when taken on"),
        "lead_organisation": _("required when taken on"),
        "case_director": _("required when taken on"),
        "reason": _("required when not taken on"),
    }

    consultation = forms.ModelChoiceField(
        label=_("Decided at the triage table of"),
        queryset=Registration.objects.none(),
        required=False,
        empty_label=_("— not at a triage table"),
        help_text=_("The triage-table consultation where this decision was taken, if any."),
    )

    def __init__(self, *args: Any, registration: Registration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        consultations = self.fields["consultation"]
        assert isinstance(consultations, forms.ModelChoiceField)
        candidates = triage_consultations(registration)
        if candidates is None:
            del self.fields["consultation"]
        else:
            consultations.queryset = candidates
            consultations.label_from_instance = lambda consultation: (  # type: ignore[method-assign, assignment]
                _("Triage table of %(when)s")
                % {
                    "when": formats.date_format(
                        timezone.localtime(consultation.scheduled_at), "SHORT_DATETIME_FORMAT"
                    )
                }
            )
        organisations = self.fields["lead_organisation"]
        directors = self.fields["case_director"]
        assert isinstance(organisations, forms.ModelChoiceField)
        assert isinstance(directors, forms.ModelChoiceField)
        organisations.queryset = receiving_organisations()
        directors.queryset = (
            only_active_case_directors(User.objects.all())
            .select_related("organisation")
            .order_by("last_name", "first_name")
            .distinct()
        )
        directors.label_from_instance = lambda user: (  # type: ignore[method-assign, assignment]
            f"{user.get_full_name() or user.username} ({user.organisation})"
        )


class RegistrationCorrectForm(RegistrationForm):
    """The registrant's correction: the same fields and people rows as a new registration,
    filled in, without the receiving organisation and the attachments (they stay)."""

    version = VersionField()

    def __init__(self, *args: Any, registration: Registration, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["owner_organisation"]
        del self.fields["attachments"]
        existing = list(registration.people.order_by("id"))
        self.existing_count = len(existing)
        rows = max(PEOPLE_ROWS, len(existing))
        self.people = [
            PersonForm(
                self.data or None,
                prefix=f"person-{n}",
                initial=_person_initial(existing[n - 1]) if n <= len(existing) else None,
            )
            for n in range(1, rows + 1)
        ]

    def people_data(self) -> list[PersonData | None]:  # type: ignore[override]
        """One entry per existing person (None: emptied, i.e. removed), then the new ones."""
        data: list[PersonData | None] = []
        for number, form in enumerate(self.people):
            if form.is_empty():
                if number < self.existing_count:
                    data.append(None)
                continue
            data.append(form.person())
        return data


def _person_initial(person: Any) -> dict[str, Any]:
    return {
        "role": person.role,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "date_of_birth": person.date_of_birth,
        "age_band": person.age_band,
        "municipality": person.municipality_id,
    }


def registration_initial(registration: Registration) -> dict[str, Any]:
    """The correction form's fields as the registration holds them."""
    names = [
        "description",
        "happened_on",
        "municipality",
        "urgency",
        "children_present",
        *RISK_FLAGS,
        "ground",
        "consent_given_by",
        "consent_given_on",
        "legal_ground",
        "pv_number",
        "ground_details",
    ]
    initial = {name: getattr(registration, name) for name in names}
    initial["municipality"] = registration.municipality_id
    initial["version"] = registration.version
    return initial


class WithdrawForm(forms.Form):
    version = VersionField()
    reason = forms.CharField(
        label=_("Why do you withdraw the registration?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The triage table reads this. A withdrawal cannot be undone."),
        error_messages={"required": _("Say why you withdraw the registration.")},
    )
