"""Multi-agency case consultation under article 458ter of the Criminal Code.

Sharing professional secrets is lawful here only for the cases on the agenda, only with the
participants and only under a legal basis. Participants from outside a case's team never get
a grant on the case: they get time-boxed :class:`ConsultationAccess` rows that open the
consultation view alone, and ``access.policy`` checks the window at every request.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class LegalBasisKind(models.TextChoices):
    PROTOCOL = "protocol", _("Cooperation protocol (art. 458ter Sw.)")
    AUTHORISATION = "authorisation", _("Reasoned authorisation of the public prosecutor")


class LegalBasis(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=LegalBasisKind.choices)
    reference = models.CharField(_("reference"), max_length=120, unique=True)
    dated_on = models.DateField(_("dated"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    purpose = models.TextField(_("purpose"))
    arrangements = models.TextField(_("arrangements"), blank=True)
    allowed_organisations = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("organisations that may take part"),
        related_name="legal_bases",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # A protocol is the partner agreement that holds it (its signed document is there).
    agreement = models.ForeignKey(
        "partners.Agreement",
        verbose_name=_("partner agreement that holds the protocol"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_bases",
    )
    # A reasoned authorisation: the prosecutor's office that gave it. Only that office's
    # prosecutor liaisons may confirm it in the application.
    issuing_office = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("prosecutor's office that gave the authorisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Private storage (MEDIA_ROOT), served only by the policy-checked, audited download view.
    signed_document = models.FileField(
        _("signed authorisation"), upload_to="legal-bases/%Y/", blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed by the parket at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[allowed_organisations])

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["-dated_on", "reference"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_authorisation(self) -> bool:
        return self.kind == LegalBasisKind.AUTHORISATION

    @property
    def is_confirmed(self) -> bool:
        """The parket confirmed it in the application."""
        return self.confirmed_at is not None

    @property
    def awaits_confirmation(self) -> bool:
        """A reasoned authorisation that neither the parket confirmed in the application nor
        a signed document backs: no consultation may use it (see :data:`USABLE`)."""
        return self.is_authorisation and not self.is_confirmed and not self.signed_document

    def is_valid_on(self, day: "datetime | None" = None) -> bool:
        if self.awaits_confirmation:
            return False
        if not self.is_active or day is None:
            return self.is_active
        on = day.date() if isinstance(day, datetime) else day
        return self.dated_on <= on and (self.valid_until is None or on <= self.valid_until)


# The bases a consultation may use, as a query: a protocol, or an authorisation that the
# parket confirmed or a signed document backs. ``LegalBasis.awaits_confirmation`` is its
# Python form.
USABLE = (
    ~Q(kind=LegalBasisKind.AUTHORISATION) | Q(confirmed_at__isnull=False) | ~Q(signed_document="")
)


class ConsultationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ConsultationKind(models.TextChoices):
    """Each kind has its own agenda rules (``services.planning``)."""

    TRIAGE = "triage", _("Triage table")
    EXPERT = "expert", _("Expert table (art. 458ter case consultation)")
    FOLLOW_UP = "follow_up", _("Follow-up consultation")


class Consultation(models.Model):
    kind = models.CharField(
        _("kind of consultation"),
        max_length=20,
        choices=ConsultationKind.choices,
        default=ConsultationKind.EXPERT,
    )
    legal_basis = models.ForeignKey(
        LegalBasis,
        verbose_name=_("legal basis"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    scheduled_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="chaired_consultations",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.PLANNED,
    )
    notes = models.TextField(_("practical notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case consultation")
        verbose_name_plural = _("case consultations")
        ordering = ["-scheduled_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_online=True) | ~Q(location=""),
                name="consultation_has_place_or_online",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == ConsultationStatus.CANCELLED

    @property
    def is_triage(self) -> bool:
        return self.kind == ConsultationKind.TRIAGE

    @property
    def is_planned(self) -> bool:
        """Only a planned consultation still changes; a held or cancelled one is a record."""
        return self.status == ConsultationStatus.PLANNED

    @property
    def access_opens_at(self) -> datetime:
        return self.scheduled_at - timedelta(days=settings.FJC_CONSULTATION_ACCESS_DAYS_BEFORE)

    @property
    def access_closes_at(self) -> datetime:
        return self.scheduled_at + timedelta(days=settings.FJC_CONSULTATION_ACCESS_DAYS_AFTER)


class Attendance(models.TextChoices):
    """The attendance register; empty: not recorded (the minutes then use the invitation list)."""

    PRESENT = "present", _("Present")
    APOLOGISED = "apologised", _("Apologised")
    REPRESENTED = "represented", _("Represented")


class SecrecyMethod(models.TextChoices):
    """How a duty of secrecy was confirmed: in the application, or to the chair on paper or
    orally (a representative without an account)."""

    IN_APP = "in_app", _("In the application")
    PAPER = "paper", _("On paper")
    ORAL = "oral", _("Orally")


class Participant(models.Model):
    """A staff user (who may get access) or a named representative without an account."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_participations",
    )
    name = models.CharField(_("name of the representative"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="consultation_participations",
    )
    secrecy_confirmed_at = models.DateTimeField(_("secrecy confirmed at"), null=True, blank=True)
    # How the participant's own confirmation was given (blank for older rows: in the app).
    secrecy_method = models.CharField(
        _("secrecy confirmed how"), max_length=10, choices=SecrecyMethod.choices, blank=True
    )
    # The attendance register (blank: not recorded).
    attendance = models.CharField(
        _("attendance"), max_length=20, choices=Attendance.choices, blank=True
    )
    represented_by_name = models.CharField(_("represented by"), max_length=200, blank=True)
    represented_by_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation of the representative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The representative's duty of secrecy, confirmed to the chair on paper or orally.
    representative_secrecy_at = models.DateTimeField(
        _("representative's secrecy confirmed at"), null=True, blank=True
    )
    representative_secrecy_method = models.CharField(
        _("representative's secrecy confirmed how"),
        max_length=10,
        choices=SecrecyMethod.choices,
        blank=True,
    )
    # Removed participants stay (their access rows and disclosures point here); only rows
    # with removed_at null take part.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["organisation__name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="participant_is_user_or_named",
            ),
            models.UniqueConstraint(
                fields=["consultation", "user"],
                condition=Q(user__isnull=False),
                name="participant_user_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def secrecy_given_to_chair(self) -> bool:
        """Confirmed on paper or orally to the chair (not in the application)."""
        return self.secrecy_method in (SecrecyMethod.PAPER, SecrecyMethod.ORAL)

    @property
    def takes_part(self) -> bool:
        """Present, or represented: who the minutes and disclosures count (register kept)."""
        return self.attendance in (Attendance.PRESENT, Attendance.REPRESENTED)

    @property
    def is_chair(self) -> bool:
        """The chair takes part in their own consultation and cannot be removed from it."""
        return self.user_id is not None and self.user_id == self.consultation.chair_id


class AgendaItem(models.Model):
    """A case on the agenda, with what the consultation view shows of it."""

    case_access_path = "case_id"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="agenda_items"
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    reason = models.CharField(_("why on the agenda"), max_length=300, blank=True)
    summary = models.TextField(_("summary for the consultation"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    discussed = models.BooleanField(_("discussed"), default=False)
    # Brings the case back: a later consultation's suggestions and the deadline board.
    review_on = models.DateField(_("back on the agenda from"), null=True, blank=True)
    # Taken off the agenda: the row stays for the access rows and minutes that refer to it;
    # only items with removed_at null are on the agenda.
    removed_at = models.DateTimeField(_("removed from the agenda at"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["consultation", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "case"], name="case_once_per_agenda"),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.case}"


class Consent(models.TextChoices):
    YES = "yes", _("Client consented")
    NO = "no", _("Client did not consent")
    NOT_ASKED = "not_asked", _("Consent not asked")


class Disclosure(models.Model):
    """Who shared what, with whom, when and on which legal basis (minutes per case)."""

    case_access_path = "agenda_item__case_id"

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="disclosures"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation that shared"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    shared_by = models.ForeignKey(
        Participant,
        verbose_name=_("shared by"),
        on_delete=models.PROTECT,
        related_name="disclosures",
    )
    content = models.TextField(_("what was shared"))
    # A snapshot: who was present when it was shared, even if the list changes later.
    shared_with = models.JSONField(_("shared with"), default=list)
    legal_basis = models.ForeignKey(
        LegalBasis, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="+"
    )
    client_consent = models.CharField(_("client consent"), max_length=20, choices=Consent.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.recorded_at:%Y-%m-%d}"


class ConsultationAction(models.Model):
    """Links an action decided in the consultation to the case action it became."""

    case_access_path = "agenda_item__case_id"

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="consultation_actions"
    )
    case_action = models.OneToOneField(
        "cases.CaseAction", on_delete=models.PROTECT, related_name="consultation_link"
    )

    class Meta:
        verbose_name = _("action from a consultation")
        verbose_name_plural = _("actions from consultations")

    def __str__(self) -> str:
        return f"{self.agenda_item} · {self.case_action_id}"


class AccessEndReason(models.TextChoices):
    EXPIRED = "expired", _("Access period over")
    PARTICIPANT_REMOVED = "participant_removed", _("Participant removed")
    ITEM_REMOVED = "item_removed", _("Case removed from the agenda")
    CANCELLED = "cancelled", _("Consultation cancelled")
    RESCHEDULED = "rescheduled", _("Consultation rescheduled")


class ConsultationAccess(models.Model):
    """Purpose-bound, time-boxed access of one participant to one agenda case's view.

    Not a case grant: it opens the consultation view only. Rows are never deleted, so
    every grant and its end stay traceable next to the audit trail.
    """

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="accesses")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consultation_accesses"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    granted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=AccessEndReason.choices, blank=True)

    class Meta:
        verbose_name = _("consultation access")
        verbose_name_plural = _("consultation accesses")
        indexes = [
            models.Index(
                fields=["user", "case"],
                condition=Q(ended_at__isnull=True),
                name="open_consultation_access",
            ),
            models.Index(
                fields=["valid_until"],
                condition=Q(ended_at__isnull=True),
                name="consultation_access_expiry",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_until")), name="access_window_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.case_id} · {self.valid_from:%Y-%m-%d} to {self.valid_until:%Y-%m-%d}"


class PlanReview(models.Model):
    """The review of a case's plan of approach in an art. 458ter consultation: part of the
    minutes of one agenda item (one review per item). ``cases`` reads it through the plan's
    reverse relation ``consultation_reviews`` (a layer below, it does not import this app)."""

    case_access_path = "agenda_item__case_id"

    agenda_item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="plan_review"
    )
    plan = models.ForeignKey(
        "cases.PlanOfApproach",
        verbose_name=_("plan of approach"),
        on_delete=models.PROTECT,
        related_name="consultation_reviews",
    )
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.TextField(_("outcome and decisions on the plan"))
    next_evaluation_on = models.DateField(_("next evaluation on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review of a plan of approach")
        verbose_name_plural = _("reviews of plans of approach")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.reviewed_on:%Y-%m-%d}"


class TriageItem(models.Model):
    """A registration on the agenda of a triage table. The registration's own rules
    (``access.policy.restrict_registrations``) decide who reads it; the decision itself is
    taken on the registration's decision page."""

    registration_access_path = "registration_id"

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="triage_items"
    )
    registration = models.ForeignKey(
        "cases.Registration",
        verbose_name=_("registration"),
        on_delete=models.PROTECT,
        related_name="triage_items",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("registration on a triage agenda")
        verbose_name_plural = _("registrations on a triage agenda")
        ordering = ["consultation", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "registration"], name="registration_once_per_agenda"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.registration_id}"
