"""Disclosure records: a case shared with another organisation on a ground, with a scope and
an end, and the moves of a case from one organisation to another.

A share is what gives another organisation's case workers read access: its group grant
carries the share (``CaseGroupObjectPermission.share``), and ``access.policy`` counts that
grant only while the share is open and only for the parts of its scope. Rows are never
deleted; ending a share fills in who ended it, when and why.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.parts import ShareScope


class ShareGround(models.TextChoices):
    """The grounds on which professional secrecy allows sharing (the fixed list)."""

    CONSENT = "consent", _("The client's consent")
    CONSULTATION_458TER = "art_458ter", _("Art. 458ter case consultation")
    NECESSITY = "necessity", _("State of necessity")
    LEGAL_DUTY = "legal_duty", _("Legal duty")
    # Only for shares made before grounds were recorded (migration 0015_legacy_shares): a director must
    # confirm a ground by sharing again, or stop sharing.
    LEGACY = "legacy", _("Shared before grounds were recorded: to be confirmed")


class ShareEndReason(models.TextChoices):
    REVOKED = "revoked", _("Stopped by the case team")
    EXPIRED = "expired", _("End date passed")
    REPLACED = "replaced", _("Replaced by a new share")
    BECAME_OWNER = "became_owner", _("The organisation took over the case")


class CaseShare(models.Model):
    """One disclosure: who shared which part of the case with which organisation, on which
    ground, from when until when, and how it ended."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="shares"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("shared with"),
        on_delete=models.PROTECT,
        related_name="case_shares",
    )
    ground = models.CharField(_("ground"), max_length=20, choices=ShareGround.choices)
    # The ground's particulars: only those of its own ground are filled in (constraints).
    consent_given_by = models.CharField(_("consent given by"), max_length=200, blank=True)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    consent_purpose = models.CharField(_("consent given for"), max_length=300, blank=True)
    consultation_reference = models.CharField(
        _("reference of the art. 458ter consultation"), max_length=200, blank=True
    )
    necessity_reason = models.TextField(_("why the state of necessity"), blank=True)
    legal_duty = models.CharField(_("which legal duty"), max_length=300, blank=True)
    # A share made before grounds were recorded keeps the reason it was given then.
    legacy_reason = models.CharField(_("reason given then"), max_length=200, blank=True)

    scope = models.CharField(_("what is shared"), max_length=30, choices=ShareScope.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (included)"))
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        on_delete=models.PROTECT,
        null=True,  # shares made before they were recorded may not know it
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,  # the scheduler ends expired shares for nobody
        blank=True,
        related_name="+",
    )
    end_reason = models.CharField(
        _("why it ended"), max_length=20, choices=ShareEndReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-starts_on", "-id"]
        indexes = [
            # The scheduler's tidy-up: open shares by end date.
            models.Index(
                fields=["ends_on"], condition=Q(ended_at__isnull=True), name="share_open_by_end"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ground__in=ShareGround.values), name="share_has_a_ground"
            ),
            models.CheckConstraint(
                condition=Q(scope__in=ShareScope.values), name="share_has_a_scope"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="share_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(ground=ShareGround.CONSENT)
                | (
                    ~Q(consent_given_by="")
                    & Q(consent_given_on__isnull=False)
                    & ~Q(consent_purpose="")
                ),
                name="share_consent_has_who_when_what",
            ),
            models.CheckConstraint(
                condition=~Q(ground=ShareGround.CONSULTATION_458TER)
                | ~Q(consultation_reference=""),
                name="share_458ter_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(ground=ShareGround.NECESSITY) | ~Q(necessity_reason=""),
                name="share_necessity_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(ground=ShareGround.LEGAL_DUTY) | ~Q(legal_duty=""),
                name="share_legal_duty_named",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, end_reason="")
                | (Q(ended_at__isnull=False) & ~Q(end_reason="")),
                name="share_end_has_reason",
            ),
            # One open share per organisation and case: its grant carries it.
            models.UniqueConstraint(
                fields=["case", "organisation"],
                condition=Q(ended_at__isnull=True),
                name="one_open_share_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.organisation}"

    @property
    def is_legacy(self) -> bool:
        return self.ground == ShareGround.LEGACY

    @property
    def is_open(self) -> bool:
        """Whether it gives access today (``access.policy.share_grant_condition``)."""
        today = timezone.localdate()
        return self.ended_at is None and self.starts_on <= today <= self.ends_on

    @property
    def ground_particulars(self) -> list[tuple[str, object]]:
        """The particulars of its ground, as (label, value), for the disclosure record."""
        particulars: dict[str, tuple[str, ...]] = {
            ShareGround.CONSENT: ("consent_given_by", "consent_given_on", "consent_purpose"),
            ShareGround.CONSULTATION_458TER: ("consultation_reference",),
            ShareGround.NECESSITY: ("necessity_reason",),
            ShareGround.LEGAL_DUTY: ("legal_duty",),
            ShareGround.LEGACY: ("legacy_reason",),
        }
        return [
            (str(getattr(self._meta.get_field(name), "verbose_name", name)), getattr(self, name))
            for name in particulars.get(self.ground, ())
        ]


class OwnershipChange(models.Model):
    """A case handed over to a case director of another organisation: the file moved.

    A dated record (the owner on a day can be read from them), with the reason given.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="ownership_changes",
    )
    from_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("from"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change of owning organisation")
        verbose_name_plural = _("changes of owning organisation")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_organisation=models.F("to_organisation")),
                name="ownership_moves_to_another_organisation",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="ownership_change_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.from_organisation} → {self.to_organisation}"
