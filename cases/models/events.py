"""Track moves, status changes and the case's domain timeline (separate from raw history)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Status, Track


class TrackChange(models.Model):
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="track_changes",
    )
    from_track = models.PositiveSmallIntegerField(_("from"), choices=Track.choices)
    to_track = models.PositiveSmallIntegerField(_("to"), choices=Track.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("track change")
        verbose_name_plural = _("track changes")
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_track} → {self.to_track}"

    @property
    def is_escalation(self) -> bool:
        return self.to_track > self.from_track


class StatusChange(models.Model):
    """One dated change of a case's status; never edited.

    The status on a day is the ``to_status`` of the last change dated on or before it
    (by ``changed_on``, then ``id``), else "registered"; the services refuse a change dated
    before the last one, so that order is also the order in which they were recorded.
    A closing carries its closing reason: the case row holds only the current closing, which
    reopening clears, and the figures count every closing in its own period.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    changed_on = models.DateField(_("date"))
    reason = models.TextField(_("reason"), blank=True)
    closing_reason = models.ForeignKey(
        "cases.ClosingReason",
        verbose_name=_("closing reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["changed_on", "id"]
        indexes = [models.Index(fields=["case", "changed_on"], name="status_change_case_day")]
        constraints = [
            # A closing has its reason; no other change has one.
            models.CheckConstraint(
                condition=(
                    models.Q(to_status=Status.CLOSED, closing_reason__isnull=False)
                    | (~models.Q(to_status=Status.CLOSED) & models.Q(closing_reason__isnull=True))
                ),
                name="status_change_closing_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Case registered")
    TRACK_CHANGED = "track_changed", _("Track changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CLOSED = "closed", _("Case closed")
    REOPENED = "reopened", _("Case reopened")
    DIRECTOR_CHANGED = "director_changed", _("Case director changed")
    OWNER_CHANGED = "owner_changed", _("Case handed over to another organisation")
    CO_DIRECTOR_ADDED = "co_director_added", _("Co-director added")
    CO_DIRECTOR_REMOVED = "co_director_removed", _("Co-director removed")
    PERSON_ADDED = "person_added", _("Person added to the client system")
    PARTNER_ADDED = "partner_added", _("Partner joined the care trajectory")
    PARTNER_ENDED = "partner_ended", _("Partner left the care trajectory")
    MEASURE_STARTED = "measure_started", _("Measure started")
    MEASURE_EXTENDED = "measure_extended", _("Measure extended")
    MEASURE_LIFTED = "measure_lifted", _("Restraining order lifted early")
    PROSECUTION_DECIDED = "prosecution_decided", _("Prosecution decision")
    CONDITIONS_IMPOSED = "conditions_imposed", _("Conditions imposed")
    BREACH_RECORDED = "breach_recorded", _("Breach recorded")
    POLICE_REPORT_ADDED = "police_report_added", _("Police report added")
    HEARING_PLANNED = "hearing_planned", _("Hearing planned")
    SHARED = "shared", _("Shared with an organisation")
    UNSHARED = "unshared", _("No longer shared with an organisation")
    SHARE_EXPIRED = "share_expired", _("Sharing with an organisation ended on its end date")
    MARKED_REPEAT = "marked_repeat", _("Marked as a repeat")
    RISK_ASSESSED = "risk_assessed", _("Risk assessed")
    JOINT_ASSESSMENT = "joint_assessment", _("Joint risk assessment")
    RISK_DECISION = "risk_decision", _("Decision on a risk level")
    REFERRAL_SENT = "referral_sent", _("Referred to a partner")
    REFERRAL_RECEIVED = "referral_received", _("Referral received from a partner")
    REFERRAL_ANSWERED = "referral_answered", _("Partner answered a referral")
    ACTION_ANSWERED = "action_answered", _("Partner answered an action")
    GAP_SIGNALLED = "gap_signalled", _("Gap in the care offer signalled")
    CONSULTATION_PLANNED = "consultation_planned", _("Put on a case consultation agenda")
    CONSULTATION_HELD = "consultation_held", _("Discussed in a case consultation")
    PLAN_MADE = "plan_made", _("Plan of approach made")
    PLAN_REVIEWED = "plan_reviewed", _("Plan of approach reviewed in a case consultation")


class CaseEvent(models.Model):
    """A line on the case's timeline: what happened, in words a case director uses.

    ``summary`` holds names of staff and organisations or dates only, never client data.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    summary = models.CharField(_("details"), max_length=300, blank=True)
    # The other case a line is about ("marked as a repeat" of it): access.policy shows the
    # line only to who may see that case, since it tells that the other case holds the pair.
    about_case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("about case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return self.get_kind_display()
