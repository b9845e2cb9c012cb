"""Granting and revoking access to a case (guardian grants on the case). Every grant and
revocation is audited through ``access.audit``; what a grant opens is ``access.policy``'s answer.

Organisation grants here are the *owning* organisation's. Another organisation reads a case
only through a share with a ground, a scope and an end (``cases.services.shares``), whose
grant carries the share.
"""

from django.contrib.auth.models import Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from access import audit
from access.models import AuditAction
from access.policy import Action
from accounts.models import User
from partners.models import Organisation

from ..models import Case


def _perm(action: Action) -> str:
    return f"cases.{Action(action)}_case"


@transaction.atomic
def grant_case_to_organisation(
    *,
    case: Case,
    organisation: Organisation,
    actions: tuple[Action, ...],
    by: User,
    reason: str = "",
) -> None:
    if organisation.pk != case.owner_organisation_id:
        raise ValueError(
            "Only the owning organisation is granted a case; share it with another "
            "(cases.services.shares.share_create)."
        )
    group: Group = organisation.group
    for action in actions:
        assign_perm(_perm(action), group, case)
    audit.record(
        user=by,
        action=AuditAction.GRANT,
        obj=case,
        purpose=reason,
        detail={"organisation": organisation.pk, "actions": [str(a) for a in actions]},
    )


@transaction.atomic
def revoke_case_from_organisation(
    *, case: Case, organisation: Organisation, by: User, reason: str = ""
) -> None:
    for action in Action:
        remove_perm(_perm(action), organisation.group, case)
    audit.record(
        user=by,
        action=AuditAction.REVOKE,
        obj=case,
        purpose=reason,
        detail={"organisation": organisation.pk},
    )


@transaction.atomic
def grant_case_to_user(
    *, case: Case, user: User, actions: tuple[Action, ...], by: User, reason: str = ""
) -> None:
    for action in actions:
        assign_perm(_perm(action), user, case)
    audit.record(
        user=by,
        action=AuditAction.GRANT,
        obj=case,
        purpose=reason,
        detail={"user": user.pk, "actions": [str(a) for a in actions]},
    )


@transaction.atomic
def revoke_case_from_user(*, case: Case, user: User, by: User, reason: str = "") -> None:
    for action in Action:
        remove_perm(_perm(action), user, case)
    audit.record(
        user=by, action=AuditAction.REVOKE, obj=case, purpose=reason, detail={"user": user.pk}
    )
