"""Forms for legal bases and for planning a consultation. Rules live in the services."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import Action, restrict
from accounts.models import User
from accounts.roles import RoleCode
from cases.models import Case, Status
from common.versioning import VersionField
from partners.models import Agreement, AgreementKind, Organisation, OrganisationKind

from ..models import USABLE, Consultation, ConsultationKind, LegalBasis


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _set_queryset(form: forms.BaseForm, name: str, queryset: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.organisation})"


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.reference)


class LegalBasisForm(forms.ModelForm):
    version = VersionField(required=False)  # required when it edits (below)

    class Meta:
        model = LegalBasis
        fields = [
            "kind",
            "reference",
            "dated_on",
            "valid_until",
            "purpose",
            "arrangements",
            "allowed_organisations",
            "is_active",
            "agreement",
            "issuing_office",
            "signed_document",
        ]
        widgets = {
            "dated_on": DateInput(),
            "valid_until": DateInput(),
            "allowed_organisations": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "agreement": _(
                "For a protocol: the partner agreement (458ter protocol) that holds it."
            ),
            "issuing_office": _(
                "For a reasoned authorisation: the prosecutor's office that gave it. Its "
                "prosecutor liaison confirms it in the application."
            ),
            "signed_document": _(
                "For a reasoned authorisation not confirmed in the application: the signed "
                "copy (PDF, PNG, JPEG, DOCX, XLSX, ODT or ODS)."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "allowed_organisations", Organisation.objects.order_by("name"))
        _set_queryset(
            self,
            "agreement",
            Agreement.objects.filter(kind=AgreementKind.PROTOCOL_458TER).select_related(
                "organisation"
            ),
        )
        _set_queryset(
            self,
            "issuing_office",
            Organisation.objects.filter(kind=OrganisationKind.PROSECUTOR).order_by("name"),
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        dated_on, valid_until = cleaned.get("dated_on"), cleaned.get("valid_until")
        if dated_on and valid_until and valid_until < dated_on:
            self.add_error(
                "valid_until", _("The end of validity cannot be before the date of the basis.")
            )
        return cleaned

    def _post_clean(self) -> None:
        # The service checks the reference and saves; the form does not touch the instance.
        pass


class ConsultationFields(forms.Form):
    # Optional: an empty choice keeps the kind (a new consultation: the expert table).
    kind = forms.TypedChoiceField(
        label=_("kind of consultation"),
        choices=ConsultationKind.choices,
        required=False,
        empty_value=None,
        initial=ConsultationKind.EXPERT,
        help_text=_(
            "A triage table decides registrations; a follow-up consultation takes cases that "
            "were on an earlier agenda."
        ),
    )
    scheduled_at = forms.DateTimeField(label=_("date and time"), widget=DateTimeInput())
    location = forms.CharField(label=_("place"), max_length=200, required=False)
    is_online = forms.BooleanField(label=_("online"), required=False)
    notes = forms.CharField(label=_("practical notes"), widget=forms.Textarea, required=False)
    # Optional in the form, required in one case (clean()): the label says when (docs/ui.md).
    conditionally_required = {"location": _("required unless online")}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("is_online") and not (cleaned.get("location") or "").strip():
            self.add_error("location", _("Give a place, or mark the consultation online."))
        return cleaned


class ConsultationCreateForm(ConsultationFields):
    field_order = ["kind", "legal_basis", "scheduled_at", "location", "is_online", "notes"]

    legal_basis = forms.ModelChoiceField(
        label=_("legal basis"),
        queryset=LegalBasis.objects.none(),
        help_text=_("The protocol or the prosecutor's reasoned authorisation (art. 458ter Sw.)."),
    )
    secrecy_confirmed = forms.BooleanField(
        label=_(
            "As chair I confirm the duty of secrecy: what is shared in this consultation stays "
            "within it (art. 458ter Sw.)."
        ),
        error_messages={"required": _("Confirm the duty of secrecy to chair the consultation.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Validity on the meeting day is checked in clean() and again in the service.
        # An authorisation awaiting the parket's confirmation is not offered (nor accepted by
        # the service).
        _set_queryset(self, "legal_basis", LegalBasis.objects.filter(USABLE, is_active=True))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        basis, scheduled_at = cleaned.get("legal_basis"), cleaned.get("scheduled_at")
        if (
            basis is not None
            and scheduled_at is not None
            and not basis.is_valid_on(timezone.localtime(scheduled_at))
        ):
            self.add_error(
                "legal_basis", _("This legal basis is not valid on the day of the meeting.")
            )
        return cleaned


class ConsultationEditForm(ConsultationFields):
    version = VersionField()

    @classmethod
    def initial_for(cls, consultation: Consultation) -> dict[str, Any]:
        return {
            "kind": consultation.kind,
            "scheduled_at": timezone.localtime(consultation.scheduled_at),
            "location": consultation.location,
            "is_online": consultation.is_online,
            "notes": consultation.notes,
            "version": consultation.version,
        }


class ParticipantUserForm(forms.Form):
    user = StaffChoiceField(
        label=_("staff member"),
        queryset=User.objects.none(),
        error_messages={
            "invalid_choice": _(
                "This person cannot take part: their organisation is not allowed by the legal "
                "basis, or their account cannot hold case access."
            )
        },
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = consultation.legal_basis.allowed_organisations.all()
        taking_part = consultation.participants.filter(
            removed_at__isnull=True, user__isnull=False
        ).values("user_id")
        _set_queryset(
            self,
            "user",
            User.objects.filter(is_active=True, is_superuser=False, organisation__in=allowed)
            .exclude(roles__code=RoleCode.ADMINISTRATOR)
            .exclude(pk__in=taking_part)
            .select_related("organisation")
            .order_by("organisation__name", "last_name", "first_name")
            .distinct(),
        )


class ParticipantNamedForm(forms.Form):
    name = forms.CharField(label=_("name of the representative"), max_length=200)
    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        queryset=Organisation.objects.none(),
        error_messages={
            "invalid_choice": _(
                "The legal basis of this consultation does not allow this organisation to "
                "take part."
            )
        },
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self,
            "organisation",
            consultation.legal_basis.allowed_organisations.order_by("name"),
        )


class AgendaAddForm(forms.Form):
    """The case is chosen among those the user steers; any other id is "not a valid choice"
    whether it exists or not."""

    case = CaseChoiceField(
        label=_("case"),
        queryset=Case.objects.none(),
        error_messages={"invalid_choice": _("Choose a case you steer.")},
    )
    reason = forms.CharField(label=_("why on the agenda"), max_length=300, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self,
            "case",
            restrict(Case.objects.all(), user, Action.CHANGE)
            .exclude(status=Status.CLOSED)
            .order_by("reference"),
        )


class AgendaItemForm(forms.Form):
    summary = forms.CharField(
        label=_("summary for the consultation"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "What the participants see of this case. Share only what the purpose of the "
            "consultation needs."
        ),
    )
    version = VersionField()
