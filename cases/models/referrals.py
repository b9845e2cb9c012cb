"""Referrals between the FJC and its partners, in both directions, with the answer."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.partner}"

    @property
    def is_open(self) -> bool:
        """Whether an answer can still be recorded."""
        return self.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)
