"""Referrals between the FJC and its partners, in both directions, with the answer."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.records import WrittenOnce

from .sharing import ShareGround


class ReferralDirection(models.TextChoices):
    OUTGOING = "out", _("Referred to a partner")
    INCOMING = "in", _("Referred by a partner")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class Referral(models.Model):
    """A case referred by the FJC to a partner (outgoing) or by a partner to the FJC (incoming).

    The answer (accepted, declined with a reason, done) is the partner's for an outgoing
    referral and the FJC's for an incoming one. The network dashboard counts referrals per
    partner and month, hence the indexes on ``referred_on``.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=ReferralDirection.choices)
    partner = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_on = models.DateField(_("referred on"))
    reason = models.TextField(_("reason"))
    # What the partner may know besides the reason (the referral letter's "information agreed
    # to pass on"): with the reason, the case reference, the requesting organisation and the
    # case director's contact, it is all the partner's inbox shows (issue 19, part 3).
    partner_information = models.TextField(_("information for the partner"), blank=True)
    # The ground for sharing with the partner (an outgoing referral): required on new
    # referrals by the service; NULL on referrals made before it was recorded ("not recorded").
    # NULL, not "": "not recorded" is a state of its own (brief: old rows stay NULL).
    ground = models.CharField(  # noqa: DJ001
        _("ground for sharing"),
        max_length=20,
        choices=[(g.value, g.label) for g in ShareGround if g != ShareGround.LEGACY],
        null=True,
        blank=True,
    )
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_purpose = models.CharField(_("consent given for"), max_length=300, blank=True)
    consultation_reference = models.CharField(
        _("reference of the art. 458ter consultation"), max_length=200, blank=True
    )
    necessity_reason = models.TextField(_("why the state of necessity"), blank=True)
    legal_duty = models.CharField(_("which legal duty"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReferralStatus.choices,
        default=ReferralStatus.PENDING,
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Optimistic locking: every answer bumps it; a stale answer form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "-id"]
        indexes = [
            models.Index(fields=["referred_on"], name="referral_referred_on"),
            models.Index(fields=["partner", "referred_on"], name="referral_partner_referred_on"),
        ]
        constraints = [
            # Answered exactly when no longer pending.
            models.CheckConstraint(
                condition=(
                    Q(status=ReferralStatus.PENDING, answered_on__isnull=True)
                    | (~Q(status=ReferralStatus.PENDING) & Q(answered_on__isnull=False))
                ),
                name="referral_answered_unless_pending",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="referral_declined_has_reason",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ReferralStatus.DONE, done_on__isnull=False)
                    | (~Q(status=ReferralStatus.DONE) & Q(done_on__isnull=True))
                ),
                name="referral_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("referred_on")),
                name="referral_answered_after_referred",
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=F("answered_on")),
                name="referral_done_after_answered",
            ),
            models.CheckConstraint(
                condition=Q(ground__isnull=True)
                | Q(
                    ground__in=[
                        ShareGround.CONSENT,
                        ShareGround.CONSULTATION_458TER,
                        ShareGround.NECESSITY,
                        ShareGround.LEGAL_DUTY,
                    ]
                ),
                name="referral_ground_known",
            ),
            models.CheckConstraint(
                condition=~Q(ground=ShareGround.CONSENT)
                | (~Q(consent_given_by="") & Q(consent_given_on__isnull=False)),
                name="referral_consent_has_who_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.partner}"

    @property
    def is_open(self) -> bool:
        """Whether an answer can still be recorded."""
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)

    @property
    def is_outgoing(self) -> bool:
        return self.direction == ReferralDirection.OUTGOING

    @property
    def ground_shown(self) -> str:
        """The ground for sharing as the case team reads it; an outgoing referral made before
        grounds were recorded says so."""
        if self.ground:
            return str(self.get_ground_display())
        return str(_("not recorded")) if self.is_outgoing else ""

    @property
    def partner_outcome_label(self) -> str:
        """The latest partner answer's outcome (annotated by ``with_partner_answer``)."""
        outcome = getattr(self, "partner_outcome", None)
        return str(PartnerAnswerOutcome(outcome).label) if outcome else ""

    @property
    def ground_particulars(self) -> list[tuple[str, object]]:
        """The particulars of its ground, as (label, value), for the case team."""
        particulars: dict[str, tuple[str, ...]] = {
            ShareGround.CONSENT: ("consent_given_by", "consent_given_on", "consent_purpose"),
            ShareGround.CONSULTATION_458TER: ("consultation_reference",),
            ShareGround.NECESSITY: ("necessity_reason",),
            ShareGround.LEGAL_DUTY: ("legal_duty",),
        }
        return [
            (str(getattr(self._meta.get_field(name), "verbose_name", name)), getattr(self, name))
            for name in particulars.get(self.ground or "", ())
            if getattr(self, name)
        ]


class PartnerAnswerOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    DONE = "done", _("Done")


class PartnerAnswer(WrittenOnce):
    """A partner organisation's answer in its inbox to a referral or an action addressed to
    it: a dated record, written once (who answered, for which organisation, what, when, and a
    short answer). The referral's own status and dates (which the figures count) are set by
    ``cases.services.referrals.referral_answer`` in the same transaction."""

    never_changed = _("An answer is never changed; a later answer is a new record.")
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_answers",
    )
    action = models.ForeignKey(
        "cases.CaseAction",
        verbose_name=_("action"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="partner_answers",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("answered for"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("answer"), max_length=10, choices=PartnerAnswerOutcome.choices)
    answered_on = models.DateField(_("answered on"))
    note = models.TextField(_("short answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner's answer")
        verbose_name_plural = _("partner's answers")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(referral__isnull=False, action__isnull=True)
                | Q(referral__isnull=True, action__isnull=False),
                name="partner_answer_one_item",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=PartnerAnswerOutcome.DECLINED) | ~Q(note=""),
                name="partner_answer_decline_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_outcome_display()}"
