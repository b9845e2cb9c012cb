from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .roles import RoleCode


class Role(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, choices=RoleCode.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(RoleCode(self.code).label)


class User(AbstractUser):
    """A staff member. Belongs to one organisation, holds one or more roles."""

    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    # Raised whenever the second factor changes (a new TOTP device, new recovery codes, a
    # device removed). It is part of the session hash, so every other session ends then, as
    # Django already does for a password change; a remembered device is bound to it too.
    second_factor_version = models.PositiveIntegerField(
        _("second factor version"), default=0, editable=False
    )
    # How many of the user's notices (notices.Notification) are unread, for the badge in the
    # navigation: the user's row is read on every request anyway, so the badge costs no query.
    # Never incremented blindly: notices.services recounts it in one statement from the
    # notices themselves at every change, so it cannot drift.
    unread_notices = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def clean(self) -> None:
        super().clean()
        if self.shares_address():
            raise ValidationError(
                {
                    "email": _(
                        "Another account already has this e-mail address. One person has one "
                        "account: an invitation to this address would give its owner a second "
                        "one."
                    )
                }
            )

    def shares_address(self) -> bool:
        """Whether another account has this account's e-mail address (in any case): an
        invitation sent there would give that account's owner, an administrator included, a
        second account with other grants."""
        if not self.email:
            return False
        # Unsaved (no pk yet): ``exclude(pk=None)`` leaves every account in.
        return User.objects.filter(email__iexact=self.email).exclude(pk=self.pk).exists()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's own hash (of the password) extended with the second factor's version;
        # Django checks it on every request, fallback secrets included.
        return salted_hmac(
            "accounts.User.get_session_auth_hash",
            f"{self.password}:{self.second_factor_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @cached_property
    def role_codes(self) -> frozenset[str]:
        # Cached per instance, and an instance lives one request: a changed role
        # takes effect on the next request.
        return frozenset(self.roles.values_list("code", flat=True))

    def has_role(self, *codes: str) -> bool:
        return bool(self.role_codes.intersection(codes))

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.has_role(RoleCode.ADMINISTRATOR)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Invitation(models.Model):
    """A one-time, expiring link by which a person sets their own password.

    Only a hash of the token is stored: whoever reads the database (or a backup) cannot use a
    link still on its way. A new invitation for the same person revokes the ones before it.
    """

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class PendingAccountChange(models.Model):
    """A grant that waits for the person's own factors.

    Roles added and a new organisation are kept here, not on the account, until the person
    completes a login with their password and second factor (``accounts.signals
    .second_factor_verified``): an administrator alone cannot make an account that reads
    cases. Revocations never wait and never come here.
    """

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="pending_changes"
    )
    roles = models.ManyToManyField(Role, verbose_name=_("roles to add"), blank=True)
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("new organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        User,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending account change")
        verbose_name_plural = _("pending account changes")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.requested_at:%Y-%m-%d %H:%M}"
