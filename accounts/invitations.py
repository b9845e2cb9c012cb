"""Invitations: the only way a password is set, by the person it belongs to.

An administrator creates an account without a usable password and sends an invitation: a
random token whose SHA-256 hash alone is stored, in a link that works once and expires after
``FJC_INVITATION_HOURS``. Sending a new one revokes the earlier links (that is also how a
forgotten password is reset). The e-mail names the installation and the account, nothing of
any case. The audit trail records the sending and the password set (``accounts.signals``).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.history import attribute

from .models import Invitation, User
from .signals import invitation_sent


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_send(*, user: User, by: User | None, request: HttpRequest) -> Invitation:
    """A new link for this person, by e-mail; earlier links stop working."""
    if not user.email:
        raise ValueError("An invitation needs the person's e-mail address.")
    if user.shares_address():
        raise ValueError("Another account has this e-mail address: no invitation goes there.")
    now = timezone.now()
    Invitation.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_hash(token),
        created_by=by,
        expires_at=now + timedelta(hours=settings.FJC_INVITATION_HOURS),
    )
    link = request.build_absolute_uri(reverse("accounts:invitation", args=[token]))
    subject = _("Your account at %(installation)s") % {
        "installation": settings.FJC_INSTALLATION_NAME
    }
    body = _(
        "An account was made for you at %(installation)s (username: %(username)s).\n\n"
        "Choose your own password through this link:\n%(link)s\n\n"
        "The link works once and expires on %(expires)s. After your password you set up "
        "your second factor. If you did not expect this message, ignore it and tell your "
        "administrator."
    ) % {
        "installation": settings.FJC_INSTALLATION_NAME,
        "username": user.get_username(),
        "link": link,
        "expires": timezone.localtime(invitation.expires_at).strftime("%d/%m/%Y %H:%M"),
    }
    # Sent after the commit: no mail for an invitation that was rolled back.
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=False))
    invitation_sent.send(sender=Invitation, request=request, user=user, by=by)
    return invitation


def invitation_valid(token: str | None) -> Invitation | None:
    """The open invitation of this token; None for an unknown, used, revoked or expired one."""
    if not token:
        return None
    return (
        Invitation.objects.select_related("user")
        .filter(
            token_hash=token_hash(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            user__is_active=True,
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, password: str, request: HttpRequest) -> User | None:
    """Set the person's own password and close the invitation; None when it is no longer open.

    The row is locked, so two submissions of the same link cannot both set a password.
    """
    valid = invitation_valid(token)
    if valid is None:
        return None
    invitation = Invitation.objects.select_for_update().get(pk=valid.pk)
    if invitation.used_at is not None or invitation.revoked_at is not None:
        return None
    user = invitation.user
    user.set_password(password)
    # The person sets it: the audit trail's account receiver (access.account_events) names them.
    attribute(user, user)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return user
