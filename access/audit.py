"""Writing the audit trail. Every read of case data and every denial passes here.

Rows recorded while a request that changes nothing is answered (``batched``, opened by
``fjc.middleware.AuditBatchMiddleware`` around GET, HEAD and OPTIONS requests) are kept in
memory and written together, in one INSERT, when the request ends, whatever its end: a
response, an error page, an exception. A row recorded inside a transaction (a service's
write) is written at once, in that transaction, and shares its fate, as before; so is every
row outside a batch (POST requests, background tasks, the shell).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.http import HttpRequest

from accounts.types import AnyUser

from .models import AuditAction, AuditEvent
from .registry import case_models


@dataclass
class _Batch:
    # How many transactions were open when the batch began: a row recorded inside one more
    # (a service's write) is written at once, in it.
    depth: int
    rows: list[AuditEvent] = field(default_factory=list)


# The current batch; None outside one. A context variable, so that threads (and async tasks)
# each have their own.
_batch: ContextVar[_Batch | None] = ContextVar("audit_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Audit rows recorded inside are written in one INSERT when the block ends, also when it
    ends in an exception. Nested batches join the outer one."""
    if _batch.get() is not None:
        yield
        return
    batch = _Batch(depth=len(connection.atomic_blocks))
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
        if batch.rows:
            AuditEvent.objects.bulk_create(batch.rows)


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
    """One row of the audit trail; inside a batch (``batched``) it is saved when the batch ends."""
    # None: a background task (the scheduler ending expired accesses) acts for nobody.
    actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None) if request is not None else None
    event = AuditEvent(
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
    batch = _batch.get()
    if batch is not None and len(connection.atomic_blocks) <= batch.depth:
        batch.rows.append(event)  # saved when the batch ends
    else:
        event.save(force_insert=True)
    return event


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
