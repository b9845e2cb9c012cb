"""Writes for staff accounts.

Membership of an organisation's case group follows from the user's
organisation, roles and active flag; it is recomputed whenever one changes,
so a grant to the organisation reaches exactly its case-working staff.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from .models import Role, User
from .roles import CASE_WORKING_ROLES, RoleCode

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
    password: str | None,
    organisation: "Organisation | None",
    roles: Iterable[RoleCode | str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    is_active: bool = True,
) -> User:
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        is_staff=is_staff,
        is_superuser=is_superuser,
        is_active=is_active,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[RoleCode | str]) -> None:
    user.roles.set(Role.objects.filter(code__in=[str(r) for r in roles]))
    user.__dict__.pop("role_codes", None)
    sync_case_group_membership(user)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    sync_case_group_membership(user)
