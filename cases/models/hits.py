"""Hit/no-hit: what repeat and duplicate detection across organisations keeps and tells.

Detection runs over every case (the figures count repeats system-wide), but a user is told
only about cases they may see; the team of a case they may not see gets a :class:`HitNotice`
instead (cases.services.hits).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RepeatMatch(models.Model):
    """``later`` is a repeat of ``earlier`` under the rule (cases.services.people): every
    earlier case with the same victim and perpetrator inside the window, not only the most
    recent one that ``Case.repeat_of`` keeps for the figures.

    What a user is shown is a repeat of a case *they* may see (``access.policy``
    ``visible_repeat_condition``), so every match must be known: with only the most recent
    one, a visible earlier case hidden behind an invisible more recent one would show no
    badge, and that silence would itself tell that the other case exists.

    Derived data, maintained by ``refresh_repeats`` in the transaction that changes people or
    dates; no history of its own (the case's ``repeat_of``/``repeat_since`` have it). It has
    no ``case_access_path`` on purpose: restricting it by the later case would hand out the
    ids of earlier cases the user may not see, so only ``access.policy`` reads it.
    """

    later = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="repeat_matches")
    earlier = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("repeat match")
        verbose_name_plural = _("repeat matches")
        constraints = [
            models.UniqueConstraint(fields=["later", "earlier"], name="repeat_match_once"),
            models.CheckConstraint(
                condition=~models.Q(later=models.F("earlier")), name="repeat_match_not_self"
            ),
        ]
        indexes = [models.Index(fields=["earlier"], name="repeat_match_earlier")]

    def __str__(self) -> str:
        return f"{self.later_id} → {self.earlier_id}"


class HitNotice(models.Model):
    """ "A case at organisation X concerns people in your case Y; contact them."

    Sent to a director (or co-director) of case Y when someone who may not see Y adds or
    links a person who is also in Y, or makes a case share a victim-perpetrator pair with Y.
    It names the other organisation only: never the other case's reference, nor any person.
    One per recipient and pair of cases, however often the hit is made again.
    """

    case_access_path = "case_id"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="hit_notices",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="hit_notices",
    )
    # Never shown: it keeps the notice once per pair of cases.
    other_case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    other_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("other organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A registration (issue 19) that holds people of this case: the notice then says "a
    # registration at organisation X"; never shown beyond that.
    registration = models.ForeignKey(
        "cases.Registration", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hit notice")
        verbose_name_plural = _("hit notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "case", "other_case"], name="hit_notice_once_per_pair"
            ),
            models.UniqueConstraint(
                fields=["recipient", "case", "registration"],
                condition=models.Q(registration__isnull=False),
                name="hit_notice_once_per_registration",
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="hit_notice_unread")]

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.other_organisation_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
