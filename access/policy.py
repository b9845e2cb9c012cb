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

Two deliberate exceptions read case data without :func:`restrict`, each named here:
:func:`restrict_consultation_view` (an art. 458ter consultation's view of an agenda case)
and :func:`unrestricted_for_aggregates` (the counts of the figures and the dashboard).

This module imports no domain app: the apps register the models it needs in
:mod:`access.registry` when Django starts.
"""

import datetime
from collections.abc import Collection
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeGuard

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.roles import CASE_WORKING_ROLES, RoleCode
from accounts.types import AnyUser

from .registry import case_models, consultation_models

if TYPE_CHECKING:
    from accounts.models import User


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"


def may_hold_case_access(user: AnyUser) -> TypeGuard["User"]:
    """False for anyone who must never see case content, whatever grants exist."""
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and not user.is_administrator
    )


def may_work_with_cases(user: AnyUser) -> bool:
    """Whether the user's role is one that works with case files at all (lists, forms)."""
    return may_hold_case_access(user) and user.has_role(*CASE_WORKING_ROLES)


def case_access_path(model: type[models.Model]) -> str:
    """The lookup from ``model`` to the case's primary key."""
    if model is case_models().case:
        return "pk"
    path = getattr(model, "case_access_path", None)
    if not path:
        raise ImproperlyConfigured(
            f"{model._meta.label} has no case_access_path; access.policy cannot restrict it."
        )
    return str(path)


def permitted_case_condition(user: AnyUser, action: Action, path: str = "pk") -> Q:
    """A condition that selects the cases (or case children) the user may ``action``.

    Two ``IN (subquery)`` clauses, so each row is returned once and the query count
    does not depend on the number of cases.
    """
    grants = case_models()
    codename = f"{Action(action)}_case"
    by_user = grants.user_permission._default_manager.filter(
        user_id=user.pk, permission__codename=codename
    ).values("content_object_id")
    by_group = grants.group_permission._default_manager.filter(
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


def _journal_condition(user: AnyUser) -> Q:
    """Journal entries marked "case team only" need change access to the case."""
    return case_models().journal_open_to_viewers | permitted_case_condition(
        user, Action.CHANGE, "case_id"
    )


# Conditions on top of case access, per model: all rules stay in this module.
_EXTRA_CONDITIONS = {
    "cases.journalentry": _journal_condition,
}


def restrict[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser, action: Action = Action.VIEW
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


def is_permitted(user: AnyUser, obj: models.Model, action: Action = Action.VIEW) -> bool:
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, action).exists()


# --- directing a case: who steers it, decides on its risk and corrects its journal ---


def is_active_case_director(user: AnyUser) -> bool:
    """Who may direct or co-direct a case, or plan and chair a consultation: an active case
    director who is not an administrator."""
    return may_hold_case_access(user) and user.has_role(RoleCode.CASE_DIRECTOR)


def only_active_case_directors[U: models.Model](users: models.QuerySet[U]) -> models.QuerySet[U]:
    """:func:`is_active_case_director` for a queryset of users (choices in forms)."""
    return users.filter(
        is_active=True, is_superuser=False, roles__code=RoleCode.CASE_DIRECTOR
    ).exclude(roles__code=RoleCode.ADMINISTRATOR)


def _case_fields_prefix(path: str) -> str:
    """From a lookup to the case's primary key to the prefix of the case's own fields:
    ``"pk"`` (the case itself) → ``""``, ``"case_id"`` → ``"case__"``."""
    if path == "pk":
        return ""
    if not path.endswith("_id"):
        raise ImproperlyConfigured(f"{path!r} does not end in a case's _id.")
    return path.removesuffix("_id") + "__"


def directing_condition(user: AnyUser, path: str = "pk") -> Q:
    """The cases (or case children, through ``path`` to the case's primary key) that the
    user directs or co-directs. It grants nothing by itself: combine it with :func:`restrict`.

    Co-directors through an ``IN (subquery)``, so rows never repeat.
    """
    co_directed = (
        case_models().co_director._default_manager.filter(user_id=user.pk).values("case_id")
    )
    directs = Q(**{f"{_case_fields_prefix(path)}case_director_id": user.pk})
    return directs | Q(**{f"{path}__in": co_directed})


def directs_case(
    user: AnyUser, case: Any, *, co_director_ids: Collection[int] | None = None
) -> bool:
    """Whether the user is the case director or a co-director of ``case``.

    ``co_director_ids`` saves the query when the caller (the steering page) has them.
    """
    if user.pk == case.case_director_id:
        return True
    if co_director_ids is not None:
        return user.pk in co_director_ids
    co_directors = case_models().co_director._default_manager
    return co_directors.filter(case_id=case.pk, user_id=user.pk).exists()


def case_directors_condition(case: Any) -> Q:
    """A condition on users: the director and the co-directors of ``case``."""
    co_directors = (
        case_models().co_director._default_manager.filter(case_id=case.pk).values("user_id")
    )
    return Q(pk=case.case_director_id) | Q(pk__in=co_directors)


def may_decide_on_risk(
    user: AnyUser, case: Any, *, co_director_ids: Collection[int] | None = None
) -> bool:
    """The case director and co-directors decide on track 3 and a case consultation."""
    return directs_case(user, case, co_director_ids=co_director_ids)


def may_correct_entry(user: AnyUser, entry: Any, *, today: datetime.date | None = None) -> bool:
    """The author may correct the text of a journal entry on the day they wrote it, not later."""
    today = today or timezone.localdate()
    return entry.author_id == user.pk and timezone.localdate(entry.created_at) == today


# --- the figures: counts over every case ---


def unrestricted_for_aggregates[M: models.Model](
    queryset: models.QuerySet[M],
) -> models.QuerySet[M]:
    """Every row of ``queryset``, unrestricted: for the counts of the figures only.

    A deliberate exception to "everything goes through :func:`restrict`": the dashboard and
    the annual report count what the whole FJC did, across every organisation's cases, and no
    user may see all of those. So ``reporting`` reads case data through here and
    nowhere else, and only ever returns aggregates: counts of 1 to 4 are shown as "< 5"
    (``Table.display_rows``), no row names a case or a person, and the pages are for the
    reporting roles. Marking each such read keeps the exception visible and greppable.
    """
    return queryset


# --- art. 458ter consultations ---


def consultation_access_condition(
    user: AnyUser, now: Any = None, path: str = "pk", *, by: str = "case_id"
) -> Q:
    """Cases (``by="case_id"``) or agenda items (``by="agenda_item_id"``) whose *consultation
    view* the user may open through an art. 458ter consultation.

    This is never a case grant: it opens the consultation view of an agenda case only, for a
    participant who confirmed the duty of secrecy and was not removed, inside the access
    window and until the access was ended. The window is checked here at every request, so a
    stopped scheduler (which only marks expired rows as ended) can never extend access.
    """
    moment = now or timezone.now()
    open_accesses = (
        consultation_models()
        .access._default_manager.filter(
            user_id=user.pk,
            ended_at__isnull=True,
            valid_from__lte=moment,
            valid_until__gt=moment,
            participant__secrecy_confirmed_at__isnull=False,
            participant__removed_at__isnull=True,
            participant__user_id=user.pk,
        )
        .values(by)
    )
    return Q(**{f"{path}__in": open_accesses})


def restrict_consultation_view[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser, now: Any = None
) -> models.QuerySet[M]:
    """Cases, or agenda items, whose consultation view the user may open: the case team, or
    a participant with open consultation access.

    A deliberate exception to "everything goes through :func:`restrict`": art. 458ter lets a
    consultation's participants outside the case team see part of an agenda case (its
    consultation view, never the file) for a limited time, so a second source of access is
    added to the case grants here, and only the consultation pages use it.

    Access is per agenda item: a participant of consultation A with access to case X does
    not open case X's agenda item of consultation B. For :class:`Case` querysets it answers
    "which cases" (through any open access).
    """
    if not may_hold_case_access(user):
        return queryset.none()
    if queryset.model is consultation_models().agenda_item:
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


def _agenda_case_director_condition(user: AnyUser) -> Q:
    """Consultations with a case on the agenda that the user (co-)directs."""
    directed = (
        consultation_models()
        .agenda_item._default_manager.filter(directing_condition(user, "case_id"))
        .filter(removed_at__isnull=True)
        .values("consultation_id")
    )
    return Q(pk__in=directed)


def restrict_consultations[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser, action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """Consultations the user may see (``VIEW``) or manage (``CHANGE``).

    Seeing: the chair, the (co-)directors of agenda cases and participants who confirmed the
    duty of secrecy. A participant who has not confirmed it sees nothing of the consultation
    whatever else they are, until they confirm (only the confirmation page answers them).
    Managing (participants, agenda, date, cancelling): the chair alone, because adding a
    participant opens every agenda case to them — not only the adder's own case. A case's
    director prepares its agenda item and records its minutes through the case's own rights.
    """
    if not may_hold_case_access(user):
        return queryset.none()
    mine = consultation_models().participant._default_manager.filter(
        user_id=user.pk, removed_at__isnull=True
    )
    unconfirmed = mine.filter(secrecy_confirmed_at__isnull=True).values("consultation_id")
    condition = Q(chair_id=user.pk)
    if action == Action.VIEW:
        confirmed = mine.filter(secrecy_confirmed_at__isnull=False).values("consultation_id")
        condition |= _agenda_case_director_condition(user) | Q(pk__in=confirmed)
    return queryset.filter(condition).exclude(pk__in=unconfirmed)


def restrict_secrecy_page[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser
) -> models.QuerySet[M]:
    """Consultations whose secrecy page (legal basis and duty of secrecy, nothing else) the
    user may open: those they take part in as a staff participant."""
    if not may_hold_case_access(user):
        return queryset.none()
    mine = consultation_models().participant._default_manager.filter(
        user_id=user.pk, removed_at__isnull=True
    )
    return queryset.filter(pk__in=mine.values("consultation_id"))


def may_manage_consultation(user: AnyUser, consultation: models.Model) -> bool:
    consultations = consultation_models().consultation._default_manager
    return restrict_consultations(
        consultations.filter(pk=consultation.pk), user, Action.CHANGE
    ).exists()


def may_use_annual_reports(user: AnyUser) -> bool:
    """Who may ask for the annual figures PDF and download any run of it.

    The report holds aggregates only, but it is the FJC's official account: the operations
    lead, plus the roles an installation lists in ``FJC_REPORT_ROLES``.
    """
    roles = {RoleCode.OPERATIONS_LEAD, *settings.FJC_REPORT_ROLES}
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.has_role(*roles)
    )


def may_publish_annual_reports(user: AnyUser) -> bool:
    """Who may publish a finished run as the year's annual report (a frozen publication).

    Publishing makes a run the FJC's official account to the municipalities and the Flemish
    government, so it is the operations lead's decision alone: not the roles
    ``FJC_REPORT_ROLES`` adds for asking and downloading, and never an administrator (who
    manages accounts), even one who also holds the role.
    """
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_administrator
        and user.has_role(RoleCode.OPERATIONS_LEAD)
    )


# --- art. 458ter consultations: minutes and the parket's reference ---


def may_record_minutes(user: AnyUser, agenda_item: Any) -> bool:
    """The chair and the case directors of the agenda case record the minutes of an agenda
    item (disclosures, decisions, actions), while it is on the agenda of a consultation that
    is not cancelled."""
    if not may_hold_case_access(user) or agenda_item.removed_at is not None:
        return False
    consultation = agenda_item.consultation
    if consultation.is_cancelled:
        return False
    if consultation.chair_id == user.pk:
        return True
    return user.has_role(RoleCode.CASE_DIRECTOR) and is_permitted(
        user, agenda_item.case, Action.CHANGE
    )


def may_enter_parket_reference(user: AnyUser, agenda_item: Any, now: Any = None) -> bool:
    """A prosecutor liaison enters the parket's own reference of a track-3 agenda case only
    while they may open its consultation view as a participant who confirmed secrecy, inside
    the consultation's access window. Outside that window they change nothing of the case."""
    if not (may_hold_case_access(user) and user.has_role(RoleCode.PROSECUTOR_LIAISON)):
        return False
    moment = now or timezone.now()
    consultation = agenda_item.consultation
    if (
        consultation.is_cancelled
        or not agenda_item.case.is_chain_approach
        or not consultation.access_opens_at <= moment < consultation.access_closes_at
    ):
        return False
    confirmed = (
        consultation_models()
        .participant._default_manager.filter(
            consultation_id=consultation.pk,
            user_id=user.pk,
            secrecy_confirmed_at__isnull=False,
            removed_at__isnull=True,
        )
        .exists()
    )
    return confirmed and (
        restrict_consultation_view(
            type(agenda_item)._default_manager.filter(pk=agenda_item.pk), user, moment
        ).exists()
    )


def sees_judicial_information_as_participant(user: AnyUser) -> bool:
    """Participants from the prosecutor's office or the police see the judicial information
    of the agenda cases they may open; other outside participants do not."""
    organisation = getattr(user, "organisation", None)
    return (
        may_hold_case_access(user)
        and organisation is not None
        and organisation.receives_judicial_information
    )


def may_see_judicial_information(user: AnyUser, case: models.Model) -> bool:
    """PV numbers, the parket notice number, measures and hearings in a consultation view:
    the case team, and participants from the prosecutor's office or the police."""
    if not may_hold_case_access(user):
        return False
    return sees_judicial_information_as_participant(user) or is_permitted(user, case, Action.VIEW)


# --- legal bases of consultations and organisation kinds (issue 13, part 5) ---


def may_manage_legal_bases(user: AnyUser) -> bool:
    """Who creates, changes, widens and deactivates the legal bases of art. 458ter
    consultations: the operations lead, plus the roles an installation lists in
    ``FJC_LEGAL_BASIS_ROLES``.

    A legal basis decides which organisations may hear professional secrets, so it is kept
    by the FJC's management, not by every case director; never by an administrator (who
    manages accounts), even one who also holds the role.
    """
    roles = {RoleCode.OPERATIONS_LEAD, *settings.FJC_LEGAL_BASIS_ROLES}
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and not user.is_administrator
        and user.has_role(*roles)
    )


def may_read_legal_bases(user: AnyUser) -> bool:
    """Who reads the list of legal bases: those who keep them, case directors (who plan
    consultations under them) and prosecutor liaisons (who confirm the parket's
    authorisations)."""
    return may_manage_legal_bases(user) or bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_role(RoleCode.CASE_DIRECTOR, RoleCode.PROSECUTOR_LIAISON)
    )


def may_confirm_legal_basis(user: AnyUser, legal_basis: Any) -> bool:
    """A prosecutor's reasoned authorisation is confirmed in the application by a prosecutor
    liaison of the prosecutor's office that gave it, and by nobody else: not a liaison of
    another office, not an organisation that is not a prosecutor's office, not the person who
    recorded it (two people confirm what one wrote), never an administrator."""
    organisation = getattr(user, "organisation", None)
    return bool(
        may_hold_case_access(user)
        and user.has_role(RoleCode.PROSECUTOR_LIAISON)
        and organisation is not None
        and organisation.is_prosecutors_office
        and legal_basis.is_authorisation
        and legal_basis.issuing_office_id is not None
        and legal_basis.issuing_office_id == organisation.pk
        and legal_basis.created_by_id != user.pk
    )


def may_download_legal_basis_document(user: AnyUser, legal_basis: Any) -> bool:
    """A prosecutor's signed authorisation leaves the application only to those who keep the
    legal bases and to the prosecutor liaisons of the office that gave it."""
    if may_manage_legal_bases(user):
        return True
    organisation = getattr(user, "organisation", None)
    return bool(
        may_hold_case_access(user)
        and user.has_role(RoleCode.PROSECUTOR_LIAISON)
        and organisation is not None
        and legal_basis.issuing_office_id == organisation.pk
    )


def may_set_judicial_organisation_kind(user: AnyUser) -> bool:
    """Who may give an organisation a kind that opens judicial information to its staff
    (``Organisation.receives_judicial_information``: the prosecutor's office, the police), or
    change such a kind: administrators alone (in the Django admin), because the kind decides
    who reads PV numbers and measures in every consultation. The network coordinator keeps
    the directory with the other kinds."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and getattr(user, "is_administrator", False)
    )
