"""Invitations and grants waiting for the person's own login in the audit trail (the password
the person then sets, and the grant when it takes effect, are account changes recorded by
:mod:`access.account_events`).

``accounts`` sits below ``access`` and cannot write audit rows itself: it sends signals, and
this module records them. The rows name the account, never the invitation's token.
"""

from typing import Any

from accounts.signals import access_requested, invitation_sent

from .account_events import organisation_detail
from .audit import record
from .models import AuditAction


def _invitation_sent(sender: Any, *, request: Any, user: Any, by: Any, **kwargs: Any) -> None:
    record(user=by, action=AuditAction.INVITATION, obj=user, request=request)


def _access_requested(
    sender: Any, *, user: Any, by: Any, roles: list[str], organisation: Any, **kwargs: Any
) -> None:
    if roles:
        record(
            user=by,
            action=AuditAction.ROLES_CHANGE,
            obj=user,
            detail={"pending": True, "added": roles},
        )
    if organisation is not None:
        record(
            user=by,
            action=AuditAction.ORGANISATION_CHANGE,
            obj=user,
            detail={"pending": True, "new": organisation_detail(organisation.pk)},
        )


def connect() -> None:
    invitation_sent.connect(_invitation_sent, dispatch_uid="access.invitation_sent")
    access_requested.connect(_access_requested, dispatch_uid="access.access_requested")
