"""Invitations and self-set passwords in the audit trail.

``accounts`` sits below ``access`` and cannot write audit rows itself: it sends signals, and
this module records them. The rows name the account, never the invitation's token.
"""

from typing import Any

from accounts.signals import invitation_sent, password_set

from .audit import record
from .models import AuditAction


def _invitation_sent(sender: Any, *, request: Any, user: Any, by: Any, **kwargs: Any) -> None:
    record(user=by, action=AuditAction.INVITATION, obj=user, request=request)


def _password_set(sender: Any, *, request: Any, user: Any, **kwargs: Any) -> None:
    # The person has no session yet: the row is theirs by name.
    record(
        user=None,
        username=user.get_username(),
        action=AuditAction.PASSWORD_SET,
        obj=user,
        request=request,
    )


def connect() -> None:
    invitation_sent.connect(_invitation_sent, dispatch_uid="access.invitation_sent")
    password_set.connect(_password_set, dispatch_uid="access.password_set")
