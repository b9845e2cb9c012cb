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


def consultation_access_condition(
    user: Any, now: Any = None, path: str = "pk", *, by: str = "case_id"
) -> Q:
    """Cases (``by="case_id"``) or agenda items (``by="agenda_item_id"``) whose *consultation
    view* the user may open through an art. 458ter consultation.

    This is never a case grant: it opens the consultation view of an agenda case only, for a
    participant who confirmed the duty of secrecy and was not removed, inside the access
    window and until the access was ended. The window is checked here at every request, so a
    stopped scheduler (which only marks expired rows as ended) can never extend access.
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
        participant__removed_at__isnull=True,
        participant__user_id=user.pk,
    ).values(by)
    return Q(**{f"{path}__in": open_accesses})


def restrict_consultation_view[M: models.Model](
    queryset: models.QuerySet[M], user: Any, now: Any = None
) -> models.QuerySet[M]:
    """Cases, or agenda items, whose consultation view the user may open: the case team, or
    a participant with open consultation access.

    Access is per agenda item: a participant of consultation A with access to case X does
    not open case X's agenda item of consultation B. For :class:`Case` querysets it answers
    "which cases" (through any open access).
    """
    from consultations.models import AgendaItem

    if not may_hold_case_access(user):
        return queryset.none()
    if queryset.model is AgendaItem:
        condition = permitted_case_condition(
            user, Action.VIEW, "case_id"
        ) | consultation_access_condition(user, now, "pk", by="agenda_item_id")
        # An item taken off the agenda has no consultation view any more, for anyone.
        return queryset.filter(condition, removed_at__isnull=True)
    path = case_access_path(queryset.model)
    condition = permitted_case_condition(user, Action.VIEW, path) | consultation_access_condition(
        user, now, path
    )
    return queryset.filter(condition)


def _agenda_case_director_condition(user: Any) -> Q:
    """Consultations with a case on the agenda that the user (co-)directs."""
    from consultations.models import AgendaItem

    directed = AgendaItem.objects.filter(
        Q(case__case_director_id=user.pk) | Q(case__co_directors__user_id=user.pk),
        removed_at__isnull=True,
    ).values("consultation_id")
    return Q(pk__in=directed)


def restrict_consultations[M: models.Model](
    queryset: models.QuerySet[M], user: Any, action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """Consultations the user may see (``VIEW``) or manage (``CHANGE``).

    Seeing: the chair, the (co-)directors of agenda cases and participants who confirmed the
    duty of secrecy. A participant who has not confirmed it sees nothing of the consultation
    whatever else they are, until they confirm (only the confirmation page answers them).
    Managing (participants, agenda, date, cancelling): the chair alone, because adding a
    participant opens every agenda case to them — not only the adder's own case. A case's
    director prepares its agenda item and records its minutes through the case's own rights.
    """
    from consultations.models import Participant

    if not may_hold_case_access(user):
        return queryset.none()
    mine = Participant.objects.filter(user_id=user.pk, removed_at__isnull=True)
    unconfirmed = mine.filter(secrecy_confirmed_at__isnull=True).values("consultation_id")
    condition = Q(chair_id=user.pk)
    if action == Action.VIEW:
        confirmed = mine.filter(secrecy_confirmed_at__isnull=False).values("consultation_id")
        condition |= _agenda_case_director_condition(user) | Q(pk__in=confirmed)
    return queryset.filter(condition).exclude(pk__in=unconfirmed)


def restrict_secrecy_page[M: models.Model](
    queryset: models.QuerySet[M], user: Any
) -> models.QuerySet[M]:
    """Consultations whose secrecy page (legal basis and duty of secrecy, nothing else) the
    user may open: those they take part in as a staff participant."""
    from consultations.models import Participant

    if not may_hold_case_access(user):
        return queryset.none()
    mine = Participant.objects.filter(user_id=user.pk, removed_at__isnull=True)
    return queryset.filter(pk__in=mine.values("consultation_id"))


def may_manage_consultation(user: Any, consultation: models.Model) -> bool:
    from consultations.models import Consultation

    return restrict_consultations(
        Consultation.objects.filter(pk=consultation.pk), user, Action.CHANGE
    ).exists()


def may_use_annual_reports(user: Any) -> bool:
    """Who may ask for the annual figures PDF and download any run of it.

    The report holds aggregates only, but it is the FJC's official account: the operations
    lead, plus the roles an installation lists in ``FJC_REPORT_ROLES``.
    """
    from django.conf import settings

    from accounts.roles import RoleCode

    roles = {RoleCode.OPERATIONS_LEAD, *settings.FJC_REPORT_ROLES}
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_role(*roles)
    )


# --- art. 458ter consultations: minutes and the parket's reference ---


def may_record_minutes(user: Any, agenda_item: Any) -> bool:
    """The chair and the case directors of the agenda case record the minutes of an agenda
    item (disclosures, decisions, actions), while it is on the agenda of a consultation that
    is not cancelled."""
    from accounts.roles import RoleCode
    from consultations.models import ConsultationStatus

    if not may_hold_case_access(user) or agenda_item.removed_at is not None:
        return False
    consultation = agenda_item.consultation
    if consultation.status == ConsultationStatus.CANCELLED:
        return False
    if consultation.chair_id == user.pk:
        return True
    return user.has_role(RoleCode.CASE_DIRECTOR) and is_permitted(
        user, agenda_item.case, Action.CHANGE
    )


def may_enter_parket_reference(user: Any, agenda_item: Any, now: Any = None) -> bool:
    """A prosecutor liaison enters the parket's own reference of a track-3 agenda case only
    while they may open its consultation view as a participant who confirmed secrecy, inside
    the consultation's access window. Outside that window they change nothing of the case."""
    from django.utils import timezone

    from accounts.roles import RoleCode
    from cases.models import Track
    from consultations.models import ConsultationStatus, Participant

    if not (may_hold_case_access(user) and user.has_role(RoleCode.PROSECUTOR_LIAISON)):
        return False
    moment = now or timezone.now()
    consultation = agenda_item.consultation
    if (
        consultation.status == ConsultationStatus.CANCELLED
        or agenda_item.case.track != Track.CHAIN
        or not consultation.access_opens_at <= moment < consultation.access_closes_at
    ):
        return False
    confirmed = Participant.objects.filter(
        consultation_id=consultation.pk,
        user_id=user.pk,
        secrecy_confirmed_at__isnull=False,
        removed_at__isnull=True,
    ).exists()
    return confirmed and (
        restrict_consultation_view(
            type(agenda_item)._default_manager.filter(pk=agenda_item.pk), user, moment
        ).exists()
    )


def sees_judicial_information_as_participant(user: Any) -> bool:
    """Participants from the prosecutor's office or the police see the judicial information
    of the agenda cases they may open; other outside participants do not."""
    from partners.models import OrganisationKind

    organisation = getattr(user, "organisation", None)
    return (
        may_hold_case_access(user)
        and organisation is not None
        and organisation.kind in (OrganisationKind.PROSECUTOR, OrganisationKind.POLICE_ZONE)
    )


def may_see_judicial_information(user: Any, case: models.Model) -> bool:
    """PV numbers, the parket notice number, measures and hearings in a consultation view:
    the case team, and participants from the prosecutor's office or the police."""
    if not may_hold_case_access(user):
        return False
    return sees_judicial_information_as_participant(user) or is_permitted(user, case, Action.VIEW)
