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


class CaseQuerySet(models.QuerySet["Case"]):
    def for_list(self) -> "CaseQuerySet":
        return self.select_related("owner_organisation", "case_director")


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
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every service write bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-id"]
        default_permissions = ("view", "change")
        indexes = [models.Index(fields=["owner_organisation", "status"])]

    def __str__(self) -> str:
        return self.reference


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("case permission for a user")


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("case permission for an organisation")
