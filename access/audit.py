"""Writing the audit trail. Every read of case data and every denial passes here."""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.types import AnyUser

from .models import AuditAction, AuditEvent
from .registry import case_models


def _case_id_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, case_models().case):
        return obj.pk
    return getattr(obj, "case_id", None)


def record(
    *,
    user: AnyUser | None,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: object = "",
    case_id: int | None = None,
    request: HttpRequest | None = None,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    # None: a background task (the scheduler ending expired accesses) acts for nobody.
    actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None) if request is not None else None
    return AuditEvent.objects.create(
        user=actor,
        # Without an actor, the name someone typed (a failed login) may stand in.
        username=actor.get_username() if actor is not None else username[:150],
        organisation_id=actor.organisation_id if actor is not None else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk if obj is not None else object_id),
        case_id=case_id if case_id is not None else _case_id_of(obj),
        view_name=(match.view_name if match else "")[:120],
        purpose=str(purpose)[:200],
        detail=detail or {},
    )


def record_list(
    *,
    user: AnyUser,
    model: type[models.Model],
    ids: Iterable[object],
    request: HttpRequest,
    purpose: str,
    action: AuditAction = AuditAction.LIST,
) -> AuditEvent:
    return record(
        user=user,
        action=action,
        object_type=model._meta.label_lower,
        request=request,
        purpose=purpose,
        detail={"ids": [str(i) for i in ids]},
    )
