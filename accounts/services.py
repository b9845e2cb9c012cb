"""Writes for staff accounts.

Membership of an organisation's case group follows from the user's
organisation, roles and active flag; it is recomputed whenever one changes,
so a grant to the organisation reaches exactly its case-working staff.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from .models import PendingAccountChange, Role, User
from .roles import CASE_WORKING_ROLES, RoleCode
from .signals import access_requested

if TYPE_CHECKING:
    # partners sits above accounts (organisations hang on places and groups); the type only.
    from partners.models import Organisation


def sync_case_group_membership(user: User) -> None:
    org_groups = user.groups.filter(organisation__isnull=False)
    codes = set(user.roles.values_list("code", flat=True))
    wanted = (
        user.organisation.group
        if user.organisation is not None
        and user.is_active
        and not user.is_superuser
        and RoleCode.ADMINISTRATOR not in codes
        and codes & CASE_WORKING_ROLES
        else None
    )
    stale = [g for g in org_groups if wanted is None or g.pk != wanted.pk]
    if stale:
        user.groups.remove(*stale)
    if wanted is not None:
        user.groups.add(wanted)


@transaction.atomic
def user_create(
    *,
    username: str,
    organisation: "Organisation | None",
    roles: Iterable[RoleCode | str],
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
    by: User | None = None,
    effective_now: bool = False,
) -> User:
    """A new account.

    By default (the administrator's path) the account has no usable password and holds
    nothing yet: its organisation and roles wait in a :class:`PendingAccountChange` until the
    person completes their first login with their own factors.

    ``effective_now`` (with an optional ``password``) is for the demo seed, the benchmarks and
    the test factories only: they run from the command line or in tests, where whoever runs
    them already holds the database; no view or admin page ever passes it.
    """
    if password and not effective_now:
        raise ValueError("Only seeded accounts get a password from someone else.")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation if effective_now else None,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=is_active,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    if effective_now:
        user_set_roles(user=user, roles=roles)
    else:
        _pending_store(user=user, by=by, roles=_roles(roles), organisation=organisation)
    return user


def _roles(codes: Iterable[RoleCode | str]) -> list[Role]:
    return list(Role.objects.filter(code__in=[str(c) for c in codes]))


def _forget_cached_roles(user: User) -> None:
    user.__dict__.pop("role_codes", None)


def _pending_store(
    *,
    user: User,
    by: User | None,
    roles: list[Role],
    organisation: "Organisation | None",
) -> PendingAccountChange | None:
    """The administrator's latest request replaces any earlier one not yet applied."""
    PendingAccountChange.objects.filter(user=user, applied_at__isnull=True).delete()
    if not roles and organisation is None:
        return None
    pending = PendingAccountChange.objects.create(
        user=user, organisation=organisation, requested_by=by
    )
    pending.roles.set(roles)
    access_requested.send(
        sender=PendingAccountChange,
        user=user,
        by=by,
        roles=sorted(r.code for r in roles),
        organisation=organisation,
    )
    return pending


@transaction.atomic
def user_change_access(
    *,
    user: User,
    by: User | None,
    organisation: "Organisation | None",
    roles: Iterable[Role],
) -> None:
    """What an administrator asks for an account's organisation and roles.

    Revocations take effect at once: a role taken away, the organisation removed, and the old
    organisation when the person moves to another one (its cases must not stay open while the
    move waits). Grants wait for the person's own factors: roles added and a new organisation
    are stored as pending and applied by :func:`pending_changes_apply`.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    wanted = {r.pk: r for r in roles}
    current = set(user.roles.values_list("pk", flat=True))
    removed = current - set(wanted)
    if removed:
        user.roles.remove(*removed)
    added = [r for pk, r in wanted.items() if pk not in current]
    new_organisation = None
    if organisation is None or organisation.pk != user.organisation_id:
        if user.organisation_id is not None:
            user.organisation = None
            user.save(update_fields=["organisation"])
        new_organisation = organisation
    _pending_store(user=user, by=by, roles=added, organisation=new_organisation)
    _forget_cached_roles(user)
    sync_case_group_membership(user)


@transaction.atomic
def pending_changes_apply(*, user: User) -> None:
    """Apply what waited for this person's complete login (their password and second factor)."""
    now = timezone.now()
    pending = list(
        PendingAccountChange.objects.select_for_update()
        .filter(user=user, applied_at__isnull=True)
        .order_by("requested_at")
    )
    if not pending or not user.is_active:
        return
    for change in pending:
        user.roles.add(*change.roles.all())
        if change.organisation_id is not None:
            user.organisation_id = change.organisation_id
            user.save(update_fields=["organisation"])
        change.applied_at = now
        change.save(update_fields=["applied_at"])
    _forget_cached_roles(user)
    sync_case_group_membership(user)


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[RoleCode | str]) -> None:
    """Set the roles at once: for the seed and tests (see ``user_create``'s ``effective_now``)."""
    user.roles.set(_roles(roles))
    _forget_cached_roles(user)
    sync_case_group_membership(user)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    PendingAccountChange.objects.filter(user=user, applied_at__isnull=True).delete()
    sync_case_group_membership(user)
