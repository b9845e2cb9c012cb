"""Reads for cases. Every one starts from ``access.policy.restrict``."""

from typing import Any

from django.db.models import QuerySet

from access.policy import Action, restrict
from partners.models import Organisation

from ..models import Case, CaseGroupObjectPermission


def case_list(*, user: Any, action: Action = Action.VIEW) -> QuerySet[Case]:
    return restrict(Case.objects.for_list(), user, action)


def case_history(*, user: Any, case_pk: int) -> QuerySet[Any]:
    """History rows of one case, only if the user may see that case now.

    ``Case.history`` also holds rows of deleted cases; filtering by the visible case ids
    keeps those (and every other case's) out.
    """
    visible = restrict(Case.objects.all(), user, Action.VIEW).values("pk")
    return (
        Case.history.filter(id=case_pk, id__in=visible)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


def organisations_with_access(*, case: Case) -> QuerySet[Organisation]:
    group_ids = CaseGroupObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case"
    ).values("group_id")
    return Organisation.objects.filter(group_id__in=group_ids).order_by("name")
