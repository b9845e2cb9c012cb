"""Account administration in the audit trail, whichever path made the change.

The Django admin, the account services, a management command, a shell: every write of an
account passes the model's signals, so the receivers here see them all. A row names the
account, the fields that changed with their old and new values (role codes, organisation id
and name, group names, flags; never a password or its hash, only that it was set) and who
made the change: the user a service named with ``common.history.attribute``, else the user of
the current request (django-simple-history's ``HistoryRequestMiddleware`` keeps it), else
nobody (a background task or the shell).

An administrator's unlock in the django-axes admin (deleting the access attempt) is recorded
as an UNLOCK; axes' own reset after a successful login (the person themselves) is not.
"""

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import HttpRequest
from simple_history.models import HistoricalRecords

from accounts.models import Role
from accounts.types import AnyUser

from .audit import record
from .models import AuditAction

# Plain fields whose old and new values go into the row as they are.
PLAIN_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
)
TRACKED_FIELDS = frozenset({*PLAIN_FIELDS, "organisation", "organisation_id", "password"})


def _request() -> HttpRequest | None:
    return getattr(HistoricalRecords.context, "request", None)


def _actor(instance: Any = None) -> tuple[AnyUser | None, HttpRequest | None]:
    request = _request()
    named = getattr(instance, "_history_user", None)
    if named is not None:
        return named, request
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, request
    return None, request


def organisation_detail(organisation_id: int | None) -> dict[str, Any] | None:
    if organisation_id is None:
        return None
    model = get_user_model()._meta.get_field("organisation").related_model
    assert isinstance(model, type) and issubclass(model, models.Model)
    found = model._default_manager.filter(pk=organisation_id).first()
    return {"id": organisation_id, "name": str(found) if found is not None else ""}


def _snapshot(user: Any) -> dict[str, Any]:
    return {
        **{name: getattr(user, name) for name in PLAIN_FIELDS},
        "organisation_id": user.organisation_id,
        "password": user.password,
    }


def _record(
    user: Any, action: AuditAction, detail: dict[str, Any], actor_source: Any = None
) -> None:
    actor, request = _actor(actor_source if actor_source is not None else user)
    record(user=actor, action=action, obj=user, request=request, detail=detail)


def before_user_save(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # A save of other fields only (the last login) changes nothing administrative.
    if update_fields is not None and not TRACKED_FIELDS.intersection(update_fields):
        instance._audit_before = None
        return
    if instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = _snapshot(old) if old is not None else None


def after_user_save(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    now = _snapshot(instance)
    if created:
        _record(
            instance,
            AuditAction.ACCOUNT_CREATE,
            {
                **{name: now[name] for name in PLAIN_FIELDS},
                "organisation": organisation_detail(now["organisation_id"]),
                "usable_password": instance.has_usable_password(),
            },
        )
        return
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if before is None:
        return
    changed = {
        name: {"old": before[name], "new": now[name]}
        for name in PLAIN_FIELDS
        if before[name] != now[name]
    }
    if changed:
        _record(instance, AuditAction.ACCOUNT_CHANGE, changed)
    if before["organisation_id"] != now["organisation_id"]:
        _record(
            instance,
            AuditAction.ORGANISATION_CHANGE,
            {
                "organisation": {
                    "old": organisation_detail(before["organisation_id"]),
                    "new": organisation_detail(now["organisation_id"]),
                }
            },
        )
    if before["password"] != now["password"]:
        # That it was set, and whether it can be used: never the hash.
        _record(
            instance,
            AuditAction.PASSWORD_SET,
            {"usable_password": instance.has_usable_password()},
        )


def _membership_receiver(
    *, audit_action: AuditAction, field: str, member_model: type[models.Model], label: str
) -> Any:
    """A receiver of ``m2m_changed`` for ``User.<field>``: one row per account whose
    membership changed, with the names (``label``: role codes, group names) before and after."""
    user_model = get_user_model()
    relation: Any = user_model._meta.get_field(field)
    members_of: str = relation.related_query_name()
    members_accessor: str = relation.remote_field.get_accessor_name()

    def names(user_id: int) -> list[str]:
        members = member_model._default_manager.filter(**{members_of: user_id})
        return sorted(members.values_list(label, flat=True))

    def accounts_concerned(instance: Any, change: str, reverse: bool, pk_set: Any) -> list[int]:
        # Forward (user.roles.add(role)) names one account; reverse (role.users.add(user))
        # names the accounts in pk_set, or, when cleared, every member before the clear.
        if not reverse:
            return [instance.pk]
        if change == "pre_clear":
            members = getattr(instance, members_accessor)
            instance._audit_clear_ids = list(members.values_list("pk", flat=True))
        if change.endswith("clear"):
            return list(getattr(instance, "_audit_clear_ids", []))
        return sorted(pk_set or ())

    def receiver(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        user_ids = accounts_concerned(instance, action, reverse, pk_set)
        if action.startswith("pre_"):
            instance._audit_members_before = {uid: names(uid) for uid in user_ids}
            return
        before = getattr(instance, "_audit_members_before", None) or {}
        instance._audit_members_before = None
        accounts = user_model._default_manager.in_bulk(user_ids)
        for uid in user_ids:
            old, new = before.get(uid, []), names(uid)
            if old != new and uid in accounts:
                _record(accounts[uid], audit_action, {field: {"old": old, "new": new}}, instance)

    return receiver


def access_attempt_deleted(sender: Any, instance: AccessAttempt, **kwargs: Any) -> None:
    actor, request = _actor()
    # Deleted by someone other than the account itself (axes resets it on a successful
    # login): an administrator lifting the lock. A cleanup without a user is no unlock.
    if actor is None or actor.get_username() == instance.username:
        return
    record(
        user=actor,
        action=AuditAction.UNLOCK,
        object_type="accounts.user",
        object_id=get_user_model()
        ._default_manager.filter(username=instance.username)
        .values_list("pk", flat=True)
        .first()
        or "",
        request=request,
        detail={
            "username": instance.username,
            "source": instance.ip_address,
            "failures": instance.failures_since_start,
        },
    )


def connect() -> None:
    user_model = get_user_model()
    pre_save.connect(before_user_save, sender=user_model, dispatch_uid="access.audit.user_pre")
    post_save.connect(after_user_save, sender=user_model, dispatch_uid="access.audit.user_post")
    m2m_changed.connect(
        _membership_receiver(
            audit_action=AuditAction.ROLES_CHANGE, field="roles", member_model=Role, label="code"
        ),
        sender=user_model.roles.through,
        dispatch_uid="access.audit.roles",
        weak=False,
    )
    m2m_changed.connect(
        _membership_receiver(
            audit_action=AuditAction.GROUPS_CHANGE, field="groups", member_model=Group, label="name"
        ),
        sender=user_model.groups.through,
        dispatch_uid="access.audit.groups",
        weak=False,
    )
    post_delete.connect(
        access_attempt_deleted, sender=AccessAttempt, dispatch_uid="access.audit.unlock"
    )
