from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .purposes import purpose_label


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    LIST = "list", _("Listed")
    EXPORT = "export", _("Exported")
    CHANGE = "change", _("Changed")
    DENIED = "denied", _("Denied")
    GRANT = "grant", _("Access granted")
    REVOKE = "revoke", _("Access revoked")
    NOTICE = "notice", _("Notice sent")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOCKOUT = "lockout", _("Locked out")
    UNLOCK = "unlock", _("Lockout lifted")
    ACCOUNT_CREATE = "account_create", _("Account created")
    ACCOUNT_CHANGE = "account_change", _("Account changed")
    ROLES_CHANGE = "roles_change", _("Roles changed")
    ORGANISATION_CHANGE = "organisation_change", _("Organisation changed")
    GROUPS_CHANGE = "groups_change", _("Group membership changed")
    INVITATION = "invitation", _("Invitation sent")
    PASSWORD_SET = "password_set", _("Password set")
    SECOND_FACTOR_CHANGE = "second_factor_change", _("Second factor changed")
    BREAK_GLASS = "break_glass", _("Emergency access opened")
    BREAK_GLASS_REVIEW = "break_glass_review", _("Emergency access reviewed")


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail cannot be changed.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit trail cannot be changed.")


class AuditEvent(models.Model):
    """One read, denial, change or grant. Append-only: the application never changes a row.

    It holds ids and names of staff, never case content or a client's personal data.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150)
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The case the object belongs to, kept as a plain number so the row outlives the case.
    case_id = models.BigIntegerField(_("case id"), null=True, blank=True, db_index=True)
    view_name = models.CharField(_("page"), max_length=120, blank=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail cannot be changed.")

    def purpose_label(self) -> str:
        """The purpose in the reader's language (codes translated, free text as written)."""
        return purpose_label(self.purpose)
