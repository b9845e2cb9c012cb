"""Break-glass: a case director's time-boxed access to a case outside their scope, in an
emergency, with a reason; reviewed afterwards by a second person.

The access is a personal *view* grant on the case that carries its break-glass record
(``CaseUserObjectPermission.break_glass``), the way a share's group grant carries its share:
``access.policy`` counts that grant only while the record is open (started, not past
``ends_at``, not ended), compared with the clock at every request, so the access ends by
itself without any task running. Rows are never deleted; ending fills in when and by whom.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.records import WrittenOnce


class BreakGlassAccess(models.Model):
    """One emergency access: who opened which case, why, from when until when."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="break_glass_accesses",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,  # the scheduler ends expired accesses for nobody
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(
                fields=["ends_at"],
                condition=Q(ended_at__isnull=True),
                name="break_glass_open_by_end",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="break_glass_has_reason"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="break_glass_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.requested_by})"

    def is_open(self, now: object = None) -> bool:
        """Whether it gives access now (``access.policy.break_glass_grant_condition``)."""
        moment = now or timezone.now()
        return self.ended_at is None and self.starts_at <= moment < self.ends_at  # type: ignore[operator]

    @property
    def closed_at(self) -> object:
        """When it stopped giving access (or will): ended early, or its end."""
        return self.ended_at or self.ends_at


class BreakGlassVerdict(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    UNJUSTIFIED = "unjustified", _("Not justified")


class BreakGlassReview(WrittenOnce):
    """A second person's verdict on one emergency access: written once, never changed."""

    never_changed = _("A review of an emergency access is never changed.")

    access = models.OneToOneField(
        BreakGlassAccess,
        verbose_name=_("emergency access"),
        on_delete=models.CASCADE,
        related_name="review",
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=BreakGlassVerdict.choices)
    comment = models.TextField(_("comment"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review of an emergency access")
        verbose_name_plural = _("reviews of emergency accesses")
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=BreakGlassVerdict.values),
                name="break_glass_review_has_verdict",
            ),
            models.CheckConstraint(condition=~Q(comment=""), name="break_glass_review_has_comment"),
        ]

    def __str__(self) -> str:
        return f"{self.access}: {self.verdict}"

    @property
    def is_unjustified(self) -> bool:
        return self.verdict == BreakGlassVerdict.UNJUSTIFIED
