from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords


class Track(models.IntegerChoices):
    ADVICE = 1, _("Track 1: advice, consult, referral")
    OUTREACH = 2, _("Track 2: outreaching trajectory")
    CHAIN = 3, _("Track 3: chain approach")


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INTAKE = "intake", _("Intake")
    ACTIVE = "active", _("Active")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class ReferrerKind(models.TextChoices):
    PARTNER = "partner", _("Partner organisation")
    CLIENT = "client", _("The client")
    ANONYMOUS = "anonymous", _("Anonymous")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    ACUTE = "acute", _("Acute danger")


class CaseQuerySet(models.QuerySet["Case"]):
    def for_list(self) -> "CaseQuerySet":
        return self.select_related("owner_organisation", "case_director", "municipality")


class Case(models.Model):
    """A file (dossier) of the FJC. Who may see it is decided by ``access.policy``."""

    reference = models.CharField(_("reference"), max_length=30, unique=True, editable=False)
    owner_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("owning organisation"),
        on_delete=models.PROTECT,
        related_name="owned_cases",
    )
    case_director = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case director"),
        on_delete=models.PROTECT,
        related_name="directed_cases",
    )
    track = models.PositiveSmallIntegerField(
        _("track"), choices=Track.choices, default=Track.ADVICE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    opened_on = models.DateField(_("registered on"), default=timezone.localdate)

    # Registration (aanmelding)
    referrer_kind = models.CharField(
        _("reported by"), max_length=20, choices=ReferrerKind.choices, default=ReferrerKind.PARTNER
    )
    referrer_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("referring organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_cases",
    )
    referrer_contact = models.CharField(_("contact at the referrer"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # Two dimensions of the violence (issue 18): in which relationship, and what it is.
    relationship_contexts = models.ManyToManyField(
        "cases.RelationshipContext",
        verbose_name=_("relationship context"),
        blank=True,
        related_name="+",
    )
    forms_of_violence = models.ManyToManyField(
        "cases.FormOfViolence", verbose_name=_("forms of violence"), blank=True, related_name="+"
    )
    # The former list (relationship types called "forms"), empty since migration 0029 mapped
    # it onto the contexts; kept so that the history rows before it still show their values.
    violence_forms = models.ManyToManyField(
        "cases.ViolenceForm",
        verbose_name=_("forms of violence (former list)"),
        blank=True,
        related_name="+",
    )
    description = models.TextField(_("short description"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )

    # Track 1: an anonymous consult holds no personal data at all.
    is_anonymous_consult = models.BooleanField(_("anonymous consult"), default=False)
    consult_question = models.TextField(_("question"), blank=True)
    advice_given = models.TextField(_("advice given"), blank=True)
    referral_made = models.TextField(_("referral made"), blank=True)

    # Track 3: the parket's notice number and how judicial and care trajectories are aligned.
    parket_notice_number = models.CharField(_("parket notice number"), max_length=60, blank=True)
    alignment_notes = models.TextField(_("alignment of judicial and care trajectory"), blank=True)

    # Repeat: the most recent earlier case with the same victim-perpetrator pair opened within
    # FJC_REPEAT_WINDOW_MONTHS calendar months before this one (cases.services.people).
    # System-wide, for the figures: never shown as such (see RepeatMatch and HitNotice).
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The day the case became a repeat according to the dated records: the earliest day on
    # which a victim and a perpetrator it shares with an earlier case in the window were
    # involved in both cases (the later of their four ``CaseParty.involved_since`` and this
    # case's opening). Kept with ``repeat_of`` by refresh_repeats; the figures count a case
    # as a repeat in a period only if it was one by the period's end.
    repeat_since = models.DateField(_("repeat since"), null=True, blank=True, editable=False)

    closing_reason = models.ForeignKey(
        "cases.ClosingReason",
        verbose_name=_("closing reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every service write bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(
        excluded_fields=["updated_at"],
        m2m_fields=[violence_forms, relationship_contexts, forms_of_violence],
    )
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        default_permissions = ("view", "change")
        indexes = [
            models.Index(fields=["owner_organisation", "status"]),
            # The lists' order (-opened_on, -id; never null, so no NULLS LAST): the whole list,
            # an organisation's cases, and the open cases (issue 20).
            models.Index(fields=["-opened_on", "-id"], name="case_recent"),
            models.Index(
                fields=["owner_organisation", "-opened_on", "-id"], name="case_organisation_recent"
            ),
            models.Index(
                fields=["-opened_on", "-id"],
                condition=~models.Q(status=Status.CLOSED),
                name="case_open_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closing_reason__isnull=False),
                name="closed_case_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def is_chain_approach(self) -> bool:
        """Track 3, where the judicial side takes part."""
        return self.track == Track.CHAIN

    # No ``is_repeat`` here on purpose: ``repeat_of`` is system-wide, for the figures, and may
    # point at a case the viewer may not see. Pages ask access.policy (visible_repeat_condition,
    # annotated as ``shown_repeat`` by the selectors) what they may show.


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    # The emergency access that made this grant; empty for every other personal grant.
    # access.policy counts a grant with one only while it is open, and never for a change
    # (break_glass_grant_condition).
    break_glass = models.ForeignKey(
        "cases.BreakGlassAccess",
        verbose_name=_("emergency access"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case permission for a user")
        # guardian's unique (user, permission, case) serves "the user's cases"; this one
        # serves "may the user see this case" row by row (access.policy).
        indexes = [
            models.Index(
                fields=["content_object", "permission", "user"], name="case_user_grant_by_case"
            )
        ]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)
    # The share that made this grant; empty for the owning organisation's grants.
    # access.policy counts a grant with a share only while the share is open and only for the
    # parts of its scope (share_grant_condition).
    share = models.ForeignKey(
        "cases.CaseShare",
        verbose_name=_("share"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants",
    )

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("case permission for an organisation")
        indexes = [
            models.Index(
                fields=["content_object", "permission", "group"], name="case_group_grant_by_case"
            )
        ]
