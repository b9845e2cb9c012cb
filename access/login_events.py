"""Logins, logouts, failed logins and lockouts in the audit trail.

Signal receivers, kept to one line of work each: they only write the audit row. The row of a
failed login or a lockout names the username as typed (a snapshot: it may name no account)
and the source address; never the password.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.http import HttpRequest

from accounts.signals import second_factor_verified
from accounts.types import AnyUser

from .audit import record
from .models import AuditAction

ACCOUNT = "accounts.user"


def _source(request: HttpRequest | None) -> dict[str, Any]:
    address = getattr(request, "axes_ip_address", None)
    if address is None and request is not None:
        address = request.META.get("REMOTE_ADDR")
    return {"source": address} if address else {}


def logged_in(sender: Any, request: HttpRequest, user: AnyUser, **kwargs: Any) -> None:
    # Received from second_factor_verified, not user_logged_in: a login is complete (one
    # LOGIN row) only with the second factor; the password alone writes no row, a wrong
    # code a LOGIN_FAILED row.
    record(
        user=user,
        action=AuditAction.LOGIN,
        object_type=ACCOUNT,
        object_id=user.pk,
        request=request,
        detail=_source(request),
    )


def logged_out(sender: Any, request: HttpRequest, user: AnyUser | None, **kwargs: Any) -> None:
    if user is None:  # a logout without a session: nobody to record
        return
    record(
        user=user,
        action=AuditAction.LOGOUT,
        object_type=ACCOUNT,
        object_id=user.pk,
        request=request,
        detail=_source(request),
    )


def login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password in `credentials`; only the username is kept.
    record(
        user=None,
        username=str(credentials.get("username") or ""),
        action=AuditAction.LOGIN_FAILED,
        object_type=ACCOUNT,
        request=request,
        detail={**_source(request), "locked_out": bool(getattr(request, "axes_locked_out", False))},
    )


def locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    # axes also sends this for every attempt refused while the lock lasts; only the failure
    # that was counted in this request (the one that reached the limit) starts a lockout.
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    record(
        user=None,
        username=username or "",
        action=AuditAction.LOCKOUT,
        object_type=ACCOUNT,
        request=request,
        detail={"source": ip_address} if ip_address else {},
    )


def connect() -> None:
    second_factor_verified.connect(logged_in, dispatch_uid="access.audit.logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="access.audit.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="access.audit.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="access.audit.locked_out")
