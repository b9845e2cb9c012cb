"""The one place that decides what a user may see and change.

Every view, selector, export, background task and history page obtains case
data through :func:`restrict`. Rules, all default deny:

* Case access comes only from django-guardian object grants on the case, to
  the user or to a group the user is in (an organisation's case group).
  Model-level permissions are never consulted, so no global grant can widen it.
* Superusers and administrators get nothing: they manage accounts, not cases.
* Inactive and anonymous users get nothing.
* Objects inside a case (journal entries, assessments, ...) declare the path
  to their case in ``case_access_path`` and are visible exactly when the case is.
* Nothing is cached beyond the query: a revoked grant is gone on the next request.
"""

from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from accounts.roles import CASE_WORKING_ROLES


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


def may_hold_case_access(user: Any) -> bool:
    """False for anyone who must never see case content, whatever grants exist."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and not user.is_administrator
    )


def may_work_with_cases(user: Any) -> bool:
    """Whether the user's role is one that works with case files at all (lists, forms)."""
    return may_hold_case_access(user) and user.has_role(*CASE_WORKING_ROLES)


def case_access_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to the case's primary key."""
    from cases.models import Case

    if model is Case:
        return "pk"
    path = getattr(model, "case_access_path", None)
    if not path:
        raise ImproperlyConfigured(
            f"{model._meta.label} has no case_access_path; access.policy cannot restrict it."
        )
    return str(path)


def permitted_case_condition(user: Any, action: Action, path: str = "pk") -> Q:
    """A condition that selects the cases (or case children) the user may ``action``.

    Two ``IN (subquery)`` clauses, so each row is returned once and the query count
    does not depend on the number of cases.
    """
    from cases.models import CaseGroupObjectPermission, CaseUserObjectPermission

    codename = f"{Action(action)}_case"
    by_user = CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename
    ).values("content_object_id")
    by_group = CaseGroupObjectPermission.objects.filter(
        group__user=user.pk, permission__codename=codename
    ).values("content_object_id")
    return Q(**{f"{path}__in": by_user}) | Q(**{f"{path}__in": by_group})


def _is_multi_valued(model: type[models.Model], path: str) -> bool:
    """Whether following ``path`` can reach several cases (then rows would repeat)."""
    current = model
    for name in path.split("__")[:-1]:
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        assert field.related_model is not None
        current = field.related_model  # type: ignore[assignment]
    return False


def _journal_condition(user: Any) -> Q:
    """Journal entries marked "case team only" need change access to the case."""
    from cases.models import Visibility

    return Q(visibility=Visibility.ALL) | permitted_case_condition(user, Action.CHANGE, "case_id")


# Conditions on top of case access, per model: all rules stay in this module.
_EXTRA_CONDITIONS = {
    "cases.journalentry": _journal_condition,
}


def restrict[M: models.Model](
    queryset: models.QuerySet[M], user: Any, action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """The only way to get case data a user may see (or change)."""
    model = queryset.model
    path = case_access_path(model)
    if not may_hold_case_access(user):
        return queryset.none()
    condition = permitted_case_condition(user, action, path)
    extra = _EXTRA_CONDITIONS.get(model._meta.label_lower)
    if extra is not None:
        condition &= extra(user)
    if path != "pk" and _is_multi_valued(model, path):
        permitted = model._base_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=permitted)
    return queryset.filter(condition)


def is_permitted(user: Any, obj: models.Model, action: Action = Action.VIEW) -> bool:
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, action).exists()


def consultation_access_condition(user: Any, now: Any = None, path: str = "pk") -> Q:
    """Cases whose *consultation view* the user may open through an art. 458ter consultation.

    This is never a case grant: it opens the consultation view of an agenda case only, for a
    participant who confirmed the duty of secrecy, inside the access window and until the
    access was ended. The window is checked here at every request, so a stopped scheduler
    (which only marks expired rows as ended) can never extend access.
    """
    from django.utils import timezone

    from consultations.models import ConsultationAccess

    moment = now or timezone.now()
    open_accesses = ConsultationAccess.objects.filter(
        user_id=user.pk,
        ended_at__isnull=True,
        valid_from__lte=moment,
        valid_until__gt=moment,
        participant__secrecy_confirmed_at__isnull=False,
        participant__user_id=user.pk,
    ).values("case_id")
    return Q(**{f"{path}__in": open_accesses})


def restrict_consultation_view[M: models.Model](
    queryset: models.QuerySet[M], user: Any, now: Any = None
) -> models.QuerySet[M]:
    """Case (children) whose consultation view the user may open: the case team, or a
    participant with open consultation access."""
    path = case_access_path(queryset.model)
    if not may_hold_case_access(user):
        return queryset.none()
    condition = permitted_case_condition(user, Action.VIEW, path) | consultation_access_condition(
        user, now, path
    )
    return queryset.filter(condition)
