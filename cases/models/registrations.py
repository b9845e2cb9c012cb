"""Registrations (aanmeldingen) by partners, and their triage (issue 19, parts 1 and 2).

A partner (a police zone, a CAW, the VK, an OCMW, ...) registers a family with a Veilig Huis
organisation; the triage table of that organisation screens it and decides: taken on in a
track (it becomes a case), not taken on (with a reason), or the waiting list. The registrant
sees the status of what they registered, never the file that grows from it.

Who sees a registration is decided in ``access.policy`` (``restrict_registrations``): the
registrant's organisation and the triage of the receiving organisation, nobody else.
The status is a history of dated records (:class:`RegistrationStatusRecord`, written once);
the current status is the latest of them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.records import WrittenOnce

from .case import Track, Urgency
from .people import AgeBand, FamilyPosition, ViolenceRole
from .reference import ManagedCode


class RegistrationGround(models.TextChoices):
    """On what ground the registrant passes the data on."""

    CONSENT = "consent", _("Consent of the client")
    LEGAL = "legal", _("A legal ground without consent")


class LegalGround(models.TextChoices):
    POLICE_REPORT = "police_report", _("Police report (PV)")
    NECESSITY = "necessity", _("State of necessity")
    LEGAL_DUTY = "legal_duty", _("Legal duty or decree")


class RegistrationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_TRIAGE = "in_triage", _("In triage")
    TAKEN_ON = "taken_on", _("Taken on")
    NOT_TAKEN_ON = "not_taken_on", _("Not taken on")
    WAITING_LIST = "waiting_list", _("Waiting list")
    # The registrant took it back before a decision (issue 19): nothing is decided any more.
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The statuses a decision of the triage table leads to.
DECISIONS = (
    RegistrationStatus.TAKEN_ON,
    RegistrationStatus.NOT_TAKEN_ON,
    RegistrationStatus.WAITING_LIST,
)
# Statuses after which nothing is decided any more.
FINAL_STATUSES = (RegistrationStatus.TAKEN_ON, RegistrationStatus.NOT_TAKEN_ON)
# Statuses after which nothing changes any more: decided, or withdrawn by the registrant.
CLOSED_STATUSES = (*FINAL_STATUSES, RegistrationStatus.WITHDRAWN)


class NotTakenOnReasonCode(models.TextChoices):
    """The reasons shipped with the application (migration cases/0034 seeds them; until then
    they were the only choices). The list itself is managed data: :class:`NotTakenOnReason`."""

    NO_FAMILY_VIOLENCE = "no_family_violence", _("No intrafamily violence")
    OUTSIDE_AREA = "outside_area", _("Outside the area of this Veilig Huis")
    REGULAR_CARE = "regular_care", _("Referred to regular care")
    ALREADY_FOLLOWED = "already_followed", _("Already followed by a partner")
    CLIENT_REFUSES = "client_refuses", _("The client refuses")
    OTHER = "other", _("Other reason")


class NotTakenOnReason(ManagedCode):
    """A reason for not taking a registration on: a managed list (the admin, like the
    relationship contexts). The code is fixed once made (decisions point at it and the
    figures key their rows by it); labels, order and the active flag are the
    administrator's, who may add a reason but never delete one. Only active reasons are
    offered; a decision keeps an inactive reason it was given."""

    code = models.SlugField(
        _("code"),
        max_length=30,
        unique=True,
        help_text=_("A fixed short code (letters, digits, underscores); it cannot be changed."),
    )
    needs_explanation = models.BooleanField(
        _("needs an explanation"),
        default=False,
        help_text=_("The triage table must explain a decision with this reason."),
    )

    class Meta(ManagedCode.Meta):
        verbose_name = _("reason for not taking on")
        verbose_name_plural = _("reasons for not taking on")


# The change reason of the history row a correction by the registrant writes.
CORRECTION_REASON = "correction by the registrant"

# The risk indications a registrant answers yes or no (a screening, not a risk assessment).
RISK_FLAGS = (
    "risk_weapon",
    "risk_threat_to_kill",
    "risk_strangulation",
    "risk_escalation",
    "risk_separation",
)


class Registration(models.Model):
    """A registration of a family by a partner, addressed to a Veilig Huis organisation."""

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    owner_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("registered with"),
        on_delete=models.PROTECT,
        related_name="registrations_received",
    )
    registrant_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("registrant's organisation"),
        on_delete=models.PROTECT,
        related_name="registrations_made",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField(_("registered on"), default=timezone.now)
    description = models.TextField(_("what happened"))
    happened_on = models.DateField(_("date of the facts"), null=True, blank=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    risk_weapon = models.BooleanField(_("a weapon was used or threatened"), default=False)
    risk_threat_to_kill = models.BooleanField(_("threats to kill"), default=False)
    risk_strangulation = models.BooleanField(_("strangulation or choking"), default=False)
    risk_escalation = models.BooleanField(_("the violence is getting worse"), default=False)
    risk_separation = models.BooleanField(_("a recent or planned separation"), default=False)
    children_present = models.BooleanField(_("children present"), default=False)
    ground = models.CharField(_("ground"), max_length=10, choices=RegistrationGround.choices)
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    legal_ground = models.CharField(
        _("legal ground"), max_length=20, choices=LegalGround.choices, blank=True
    )
    pv_number = models.CharField(_("PV number"), max_length=60, blank=True)
    ground_details = models.TextField(_("explanation of the ground"), blank=True)
    # The case the registration became when it was taken on (never shown to the registrant).
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registration",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(
                fields=["owner_organisation", "-registered_at"], name="registration_owner"
            ),
            models.Index(
                fields=["registrant_organisation", "-registered_at"], name="registration_registrant"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ground="consent", consent_given_by__gt="")
                | models.Q(ground="legal", legal_ground__gt=""),
                name="registration_has_its_ground",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def risk_indications(self) -> list[str]:
        """The labels of the risk indications answered yes."""
        return [
            str(self._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
            for name in RISK_FLAGS
            if getattr(self, name)
        ]


class RegisteredRole(models.TextChoices):
    """Who someone is in a registration, in the registrant's words: one choice, as a partner
    sees the family at the door. Taking the registration on turns it into a family position and
    roles in the violence (:attr:`RegistrationPerson.party_fields`)."""

    VICTIM = "victim", _("Victim")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CHILD = "child", _("Child")
    FAMILY = "family", _("Other family member")
    OTHER = "other", _("Other")


# The involvement a registered role becomes: (family position, roles in the violence). A child
# is a position, not what happened: the case team records whether the child was a victim or a
# witness (the same reading as migration cases/0030).
PARTY_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    RegisteredRole.VICTIM: ("", (ViolenceRole.VICTIM,)),
    RegisteredRole.PERPETRATOR: ("", (ViolenceRole.PERPETRATOR,)),
    RegisteredRole.CHILD: (FamilyPosition.CHILD, ()),
    RegisteredRole.FAMILY: (FamilyPosition.OTHER, (ViolenceRole.INVOLVED,)),
    RegisteredRole.OTHER: ("", (ViolenceRole.INVOLVED,)),
}


class RegistrationPerson(models.Model):
    """Someone the registration is about: who they are and their role."""

    registration_access_path = "registration_id"

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="people",
        verbose_name=_("registration"),
    )
    role = models.CharField(_("role"), max_length=20, choices=RegisteredRole.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age_band = models.CharField(
        _("age band"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    municipality = models.ForeignKey(
        "partners.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Lower-case, accent-free "last first", as on Person: the hit check compares it.
    name_key = models.CharField(max_length=220, editable=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person in a registration")
        verbose_name_plural = _("people in a registration")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def party_fields(self) -> tuple[str, tuple[str, ...]]:
        """The family position and roles in the violence this person gets in the case."""
        return PARTY_FIELDS[self.role]


def _stored_name(instance: "RegistrationAttachment", filename: str) -> str:
    # A random name with the extension the content check settled: nothing of the client's.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"registration-attachments/{uuid.uuid4().hex}.{extension}"


class RegistrationAttachment(models.Model):
    """A file sent with a registration (the document rules of case documents). Private
    storage: served only by the audited, policy-checked download view."""

    registration_access_path = "registration_id"

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("registration"),
    )
    file = models.FileField(_("file"), upload_to=_stored_name, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded on"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class RegistrationStatusRecord(WrittenOnce):
    """A dated status of a registration; the current status is the latest record.

    A decision carries its particulars: the track, lead organisation, case director and case
    (taken on), the reason (not taken on). Written once: a later decision is a new record.
    """

    never_changed = _("A status of a registration is never changed; record a new one.")
    registration_access_path = "registration_id"

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="status_records",
        verbose_name=_("registration"),
    )
    status = models.CharField(_("status"), max_length=20, choices=RegistrationStatus.choices)
    recorded_at = models.DateTimeField(_("since"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.PositiveSmallIntegerField(
        _("track"), choices=Track.choices, null=True, blank=True
    )
    lead_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case director"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The managed reason, by its fixed code (the column holds the code, as it did when the
    # reasons were a fixed list: migration cases/0034 kept every value).
    reason = models.ForeignKey(
        NotTakenOnReason,
        verbose_name=_("reason"),
        to_field="code",
        db_column="reason",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The triage's explanation of a decision; the registrant's reason for a withdrawal.
    reason_text = models.TextField(_("explanation"), blank=True)
    # The triage-table consultation at which the decision was taken (issue 19): the
    # consultation's minutes list it. Set only for a decision, by registration_decide.
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("decided at the triage table of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="triage_decisions",
    )

    class Meta:
        verbose_name = _("status of a registration")
        verbose_name_plural = _("statuses of registrations")
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["registration", "-recorded_at", "-id"], name="registration_status")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="taken_on") | models.Q(track__isnull=False),
                name="registration_taken_on_has_track",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_taken_on") | models.Q(reason__isnull=False),
                name="registration_not_taken_on_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | models.Q(reason_text__gt=""),
                name="registration_withdrawn_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.status}"

    @property
    def is_withdrawal(self) -> bool:
        return self.status == RegistrationStatus.WITHDRAWN


class ScreeningNote(models.Model):
    """A note of the triage table on a registration (never shown to the registrant)."""

    registration_access_path = "registration_id"

    registration = models.ForeignKey(
        Registration,
        on_delete=models.CASCADE,
        related_name="screening_notes",
        verbose_name=_("registration"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written on"), default=timezone.now)
    text = models.TextField(_("screening note"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening note")
        verbose_name_plural = _("screening notes")
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.written_at:%Y-%m-%d}"


class RegistrationHit(models.Model):
    """A case that holds one of the registration's people (by name and known date of birth),
    found when the registration was made. Like ``RepeatMatch``, it has no access path of its
    own: only ``access.policy`` reads it, and a user is shown only the cases they may see."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="hits")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("registration hit")
        verbose_name_plural = _("registration hits")
        constraints = [
            models.UniqueConstraint(fields=["registration", "case"], name="registration_hit_once")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} ~ {self.case_id}"
