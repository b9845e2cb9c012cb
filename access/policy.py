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

A grant to another organisation's group comes from a share (a ground, a scope and an end):
it counts only while the share is open and only for the parts of the file in its scope
(:func:`share_grant_condition`, :func:`case_part_of`), checked at every request.

Two deliberate exceptions read case data without :func:`restrict`, each named here:
:func:`restrict_consultation_view` (an art. 458ter consultation's view of an agenda case)
and :func:`unrestricted_for_aggregates` (the counts of the figures and the dashboard).

One other entry decides a case's access once per request instead of once per query:
:func:`decide_case_access`, for a page of one case that was already fetched through
:func:`restrict` in the same request (the steering page and its print). Its
:class:`CaseAccess` reads that case's children by case id plus the same per-row rules,
declared once below for both (journal visibility, documents, timeline lines about another
case, hit notices), and nothing of a part outside the decided parts.

This module imports no domain app: the apps register the models it needs in
:mod:`access.registry` when Django starts.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeGuard

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.roles import CASE_WORKING_ROLES, RoleCode
from accounts.types import AnyUser

from .parts import ALL_PARTS, SCOPE_PARTS, CasePart
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


# The case permissions' ids, read once per process: constants of the schema (one row per
# codename, made by ``migrate``), never an access decision. Emptied and read again after every
# migrate or flush (:func:`forget_permission_ids`, ``access.apps``), where the rows are made anew.
_PERMISSION_IDS: dict[str, int] = {}


def _case_permissions() -> models.QuerySet[Any]:
    case = case_models().case
    return apps.get_model("auth", "Permission")._default_manager.filter(
        content_type__app_label=case._meta.app_label,
        content_type__model=case._meta.model_name,
    )


def forget_permission_ids(using: str = "default", **kwargs: Any) -> None:
    """Empty the per-process ids and read them again from ``using`` (after a migrate or a
    flush: the permission rows may have new ids). Nothing is kept when they are not there yet."""
    _PERMISSION_IDS.clear()
    try:
        with transaction.atomic(using=using):
            rows = list(_case_permissions().using(using).values_list("codename", "pk"))
    except DatabaseError:  # a partial migrate, before auth's tables: read them on first use
        return
    _PERMISSION_IDS.update(dict(rows))


def _permission_id(action: Action) -> int | Subquery:
    """The id of the case permission for ``action``: a constant in the statement.

    Read once per process (``_PERMISSION_IDS``): the grant tables are then read by
    ``permission_id`` like any other column, with their statistics, instead of through a join
    by codename whose estimate (a handful of rows) hid the user's thousands of grants from the
    planner, and no statement carries a lookup of its own (ORM work and planning on every
    query). Where the row does not exist (yet), the lookup as a scalar subquery, as before.
    """
    codename = f"{Action(action)}_case"
    if codename not in _PERMISSION_IDS:
        # Both actions' ids in one lookup, the first time either is asked.
        _PERMISSION_IDS.update(dict(_case_permissions().values_list("codename", "pk")))
    known = _PERMISSION_IDS.get(codename)
    if known is None:
        return Subquery(_case_permissions().filter(codename=codename).values("pk")[:1])
    return known


# The conditions built during one request, by their arguments (:func:`conditions_kept`). A
# condition holds no decision: the user's id, the permission's id and the clock, read when it
# is built; the grants themselves are read by each statement. Never kept beyond the request.
_REQUEST_CONDITIONS: contextvars.ContextVar[dict[tuple[Any, ...], Q] | None] = (
    contextvars.ContextVar("fjc_request_conditions", default=None)
)


@contextlib.contextmanager
def conditions_kept() -> Iterator[None]:
    """Inside the block, each permission condition is built once and reused by every query
    that asks for the same one (a list page asks the same ``EXISTS`` for its count, its ids
    and its rows): Django's work of building it, not the database's of checking it, is saved.
    For one request that reads (``fjc.middleware.AuditBatchMiddleware``): its clock is the
    clock of the first condition built in it."""
    token = _REQUEST_CONDITIONS.set({})
    try:
        yield
    finally:
        _REQUEST_CONDITIONS.reset(token)


def _kept(key: tuple[Any, ...], build: Any) -> Q:
    kept = _REQUEST_CONDITIONS.get()
    if kept is None:
        return build()  # type: ignore[no-any-return]
    condition = kept.get(key)
    if condition is None:
        condition = kept[key] = build()
    return condition


def kept_for_request[T](key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """``build()`` once per request that reads (as the conditions above, and with them): for
    an expression built on the user's conditions that many queries of the page annotate
    (the case label, ``cases.selectors.labels``). Never kept beyond the request."""
    return _kept(("expression", *key), build)  # type: ignore[return-value]


def _user_grants(user: AnyUser, action: Action) -> models.QuerySet[Any]:
    """The user's own grants that count now for ``action`` (an emergency access's only while
    it is open: :func:`break_glass_grant_condition`)."""
    grants = case_models().user_permission._default_manager
    return grants.filter(user_id=user.pk, permission_id=_permission_id(action)).filter(
        break_glass_grant_condition(action)
    )


def _group_grants(user: AnyUser, action: Action, part: CasePart) -> models.QuerySet[Any]:
    """The grants to the user's groups that count today for ``action`` and ``part`` (a share's
    only while it is open and its scope holds ``part``: :func:`share_grant_condition`)."""
    memberships = (
        apps.get_model(settings.AUTH_USER_MODEL)
        .groups.through._default_manager.filter(user_id=user.pk)
        .values("group_id")
    )
    grants = case_models().group_permission._default_manager
    return grants.filter(group_id__in=memberships, permission_id=_permission_id(action)).filter(
        share_grant_condition(action, part)
    )


def permitted_case_condition(
    user: AnyUser, action: Action, path: str = "pk", part: CasePart = CasePart.FILE
) -> Q:
    """A condition that selects the cases (or case children) the user may ``action``, for
    the ``part`` of the file they belong to (see :func:`case_part_of`).

    The shape for *filtering* (a list, a restricted queryset): ``path IN (personal grants
    UNION ALL group grants)``, one ``IN`` that PostgreSQL turns into a semi-join, so it can
    start from the user's grants or from the rows, whichever is cheaper, using the grant
    tables' (case, permission, user/group) indexes; rows are never repeated and the query
    count does not depend on the number of cases. A group grant made by a share counts only
    while the share is open and its scope holds ``part``; a personal grant made by an
    emergency access only while that access is open: conditions on the grant's own row,
    inside each arm.

    Inside an ``OR`` or a ``CASE`` (where no semi-join is possible) use
    :func:`permitted_case_exists`, which checks one row at a time.
    """
    action = Action(action)

    def build() -> Q:
        permitted = (
            _user_grants(user, action)
            .values("content_object_id")
            .union(_group_grants(user, action, part).values("content_object_id"), all=True)
        )
        return Q(**{f"{path}__in": permitted})

    return _kept(("set", user.pk, action, path, part), build)


def permitted_case_exists(
    user: AnyUser, action: Action, path: str = "pk", part: CasePart = CasePart.FILE
) -> Q:
    """The same rule as :func:`permitted_case_condition`, shaped for one row at a time: two
    correlated ``EXISTS`` on the grant tables' (case, permission, user/group) indexes.

    For a condition that sits inside an ``OR`` (a journal entry open to viewers *or* the case
    team's), a ``CASE`` (an annotation) or a check of one object: the cost follows the rows
    asked about, not the number of cases the user may see.
    """
    action = Action(action)

    def build() -> Q:
        case = OuterRef(path)
        return Q(Exists(_user_grants(user, action).filter(content_object_id=case))) | Q(
            Exists(_group_grants(user, action, part).filter(content_object_id=case))
        )

    return _kept(("rows", user.pk, action, path, part), build)


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


def _team_or(viewers: Q, user: AnyUser, team: bool | None, path: str) -> Q | None:
    """``viewers``, or the row's case team (change access). ``team``: ``None`` decides that
    row by row (:func:`restrict`); a bool is the case's access decided once
    (:class:`CaseAccess`): ``True`` needs no condition (None), ``False`` leaves ``viewers``."""
    if team is None:
        return viewers | permitted_case_exists(user, Action.CHANGE, path)
    return None if team else viewers


def _journal_condition(user: AnyUser, team: bool | None = None) -> Q | None:
    """Journal entries marked "case team only" need change access to the case."""
    return _team_or(case_models().journal_open_to_viewers, user, team, "case_id")


def _event_condition(user: AnyUser, team: bool | None = None) -> Q | None:
    """A timeline line about another case ("marked as a repeat" of it) needs access to that
    case too: otherwise the line itself would tell that a case the user may not see holds the
    same people (hit/no-hit). A line of that kind without its other case shows to nobody.
    (Access to the other case is never decided with this one: always a condition.)"""
    return ~case_models().event_about_another_case | permitted_case_exists(
        user, Action.VIEW, "about_case_id"
    )


def _hit_notice_condition(user: AnyUser, team: bool | None = None) -> Q | None:
    """A hit notice is addressed to one person: their colleagues on the case see none of it."""
    return Q(recipient_id=user.pk)


def _document_condition(user: AnyUser, team: bool | None = None, prefix: str = "") -> Q | None:
    """A case document that is confidential, or was removed, needs change access (the case
    team): a reader through a share sees the documents in use that are not confidential, and
    no trace of the others. The team keeps seeing a removed document (its history)."""
    viewers = Q(**{f"{prefix}confidential": False, f"{prefix}removed_at__isnull": True})
    return _team_or(viewers, user, team, f"{prefix}case_id")


def _document_version_condition(user: AnyUser, team: bool | None = None) -> Q | None:
    return _document_condition(user, team, prefix="document__")


# Conditions on top of case access, per model: all rules stay in this module.
_EXTRA_CONDITIONS = {
    "cases.casedocument": _document_condition,
    "cases.documentversion": _document_version_condition,
    "cases.journalentry": _journal_condition,
    "cases.caseevent": _event_condition,
    "cases.hitnotice": _hit_notice_condition,
}


def restrict[M: models.Model](
    queryset: models.QuerySet[M],
    user: AnyUser,
    action: Action = Action.VIEW,
    *,
    part: CasePart | None = None,
) -> models.QuerySet[M]:
    """The only way to get case data a user may see (or change).

    ``part``: the part of the file being read, for a page of one part that starts from the
    case (the journal, the risk list); by default the part ``queryset``'s model belongs to.
    """
    return _restricted(queryset, user, action, part, permitted_case_condition)


def restrict_rows[M: models.Model](
    queryset: models.QuerySet[M],
    user: AnyUser,
    action: Action = Action.VIEW,
    *,
    part: CasePart | None = None,
) -> models.QuerySet[M]:
    """:func:`restrict` in the row shape (:func:`permitted_case_exists`): the same rule (and
    the same extra condition of the model), checked one row at a time as the query meets it.

    For a query that starts from few rows of its own (the cases the user directs, an index
    walked in a list's order that stops after a page, the open actions of those cases): the
    cost follows the rows met, not the number of cases the user may see (which PostgreSQL
    cannot guess: the set shape would gather all of them first). ``tests/test_query_shapes.py``
    holds it to :func:`restrict`.
    """
    return _restricted(queryset, user, action, part, permitted_case_exists)


def _restricted[M: models.Model](
    queryset: models.QuerySet[M],
    user: AnyUser,
    action: Action,
    part: CasePart | None,
    condition_of: Callable[[AnyUser, Action, str, CasePart], Q],
) -> models.QuerySet[M]:
    """``queryset`` filtered by ``condition_of`` (the set or the row shape of the rule) and
    the model's extra condition: :func:`restrict` and :func:`restrict_rows`."""
    model = queryset.model
    path = case_access_path(model)
    if not may_hold_case_access(user):
        return queryset.none()
    condition = condition_of(user, action, path, part or case_part_of(model))
    extra = _EXTRA_CONDITIONS.get(model._meta.label_lower)
    row_rule = extra(user) if extra is not None else None
    if row_rule is not None:
        condition &= row_rule
    if path != "pk" and _is_multi_valued(model, path):
        permitted = model._base_manager.filter(condition).values("pk")
        return queryset.filter(pk__in=permitted)
    return queryset.filter(condition)


def is_permitted(
    user: AnyUser,
    obj: models.Model,
    action: Action = Action.VIEW,
    *,
    part: CasePart | None = None,
) -> bool:
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, action, part=part).exists()


# --- confidential details of people: declared once, asked by every output ---


@dataclass(frozen=True)
class ConfidentialField:
    """A field whose value only the case team sees.

    ``when``: the name of the flag that makes it confidential (an address is confidential when
    it is marked so); ``None``: always confidential (a safe way to make contact is never for
    anyone but the team: knowing it lets someone reach the victim unseen).
    """

    name: str
    when: str | None = None

    def is_confidential(self, obj: Any) -> bool:
        """Whether the value on ``obj`` (a row, or a historical row of it) is confidential."""
        return self.when is None or bool(getattr(obj, self.when, False))


# Model label -> its confidential fields. They sit on the involvement of a person in one case
# (``CaseParty``), never on the person shared by several cases, so a link never carries them.
# Name, date of birth, gender and language identify the person (a repeat, a duplicate, the
# consultation's minimal identity) and are not confidential; the flag "confidential address"
# itself is shown (it tells a reader not to use or pass on the address).
CONFIDENTIAL_FIELDS: Mapping[str, tuple[ConfidentialField, ...]] = {
    "cases.caseparty": (
        ConfidentialField("address", when="address_confidential"),
        ConfidentialField("safe_contact"),
    ),
    # A safety plan's safe places, people to call (names and numbers of trusted people) and
    # code word: whoever knows them can find the person, reach their helpers or raise a false
    # alarm. The warning signs, the agreements and the children's arrangements are not.
    "cases.safetyplan": (
        ConfidentialField("safe_places"),
        ConfidentialField("people_to_call"),
        ConfidentialField("code_word"),
    ),
    # The plan of approach: a goal's note for the case team and the notes on an evaluation's
    # outcomes hold the background (health, addiction, what a child told) that the goal itself
    # leaves out. The goals, the agreements (who does what by when) and the outcomes are not
    # confidential: they are what the partners and the consultation work from.
    "cases.plangoal": (ConfidentialField("team_note"),),
    "cases.plangoaloutcome": (ConfidentialField("note"),),
    # What a child said and wants in a conversation with the child: for the case team only.
    "cases.childconversation": (ConfidentialField("child_view"),),
}


class Hidden:
    """Stands in for a confidential value a user may not see (falsy, like a blank value:
    an output shows a fixed word for it, never the value nor a hint of its length)."""

    _instance: "Hidden | None" = None

    def __new__(cls) -> "Hidden":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "HIDDEN"


HIDDEN = Hidden()


def confidential_fields(model: type[models.Model] | str) -> tuple[ConfidentialField, ...]:
    """The declared confidential fields of ``model`` (a model, a historical model of it, or a
    label); none for a model that declares none."""
    if isinstance(model, str):
        label = model.lower()
    else:
        # A simple-history model (``HistoricalCaseParty``) holds the same fields.
        instance_type = getattr(model, "instance_type", model)
        label = instance_type._meta.label_lower
    return CONFIDENTIAL_FIELDS.get(label, ())


def may_see_confidential(user: AnyUser, case: Any, *, can_change: bool | None = None) -> bool:
    """Whether ``user`` sees the confidential details of the people in ``case``.

    The case team only: those who may change the case (its organisation's case workers, its
    director and co-directors). A view-only share (another organisation, the prosecutor's
    liaison), a consultation's participants, the network coordinator and administrators never
    do: the details serve the team that protects the person, and every extra reader is a risk
    to their safety. Per case, never per person: the same person's details in another case
    are that case's team's. ``can_change`` saves the query when the caller knows it.

    Outputs that others than the reader will see (a consultation's agenda and minutes, shown
    and printed for every participant) show none, whoever reads them.
    """
    if not may_hold_case_access(user):
        return False
    if can_change is not None:
        return can_change
    return is_permitted(user, case, Action.CHANGE)


def may_see_confidential_condition(user: AnyUser, path: str = "case_id") -> Q:
    """:func:`may_see_confidential` for querysets (``path``: the lookup to the case's primary
    key), for outputs that list involvements of several cases (exports). Checked row by row
    (:func:`permitted_case_exists`): it decides a column inside a ``CASE``, not the rows."""
    if not may_hold_case_access(user):
        return Q(pk__in=[])
    return permitted_case_exists(user, Action.CHANGE, path)


def shown_value(obj: Any, name: str, *, may_see: bool) -> Any:
    """The value of ``obj.name`` as an output may show it: :data:`HIDDEN` when it is a
    declared confidential field, confidential on ``obj``, and ``may_see`` is false."""
    value = getattr(obj, name)
    if may_see:
        return value
    for declared in confidential_fields(type(obj)):
        if declared.name == name and declared.is_confidential(obj):
            return HIDDEN
    return value


def shown_fields(obj: Any, *, may_see: bool) -> dict[str, Any]:
    """Every declared confidential field of ``obj`` as an output may show it (see
    :func:`shown_value`): what templates, forms and exports read instead of the fields."""
    return {
        declared.name: shown_value(obj, declared.name, may_see=may_see)
        for declared in confidential_fields(type(obj))
    }


def may_share_in_consultation(model: type[models.Model] | str, name: str) -> bool:
    """Whether the field ``name`` of ``model`` may be chosen at all to be shown in an art.
    458ter consultation: never a declared confidential field (see :func:`shown_in_consultation`)."""
    return all(declared.name != name for declared in confidential_fields(model))


def shown_in_consultation(obj: Any, chosen: Collection[str]) -> list[str]:
    """The fields of ``obj`` that a consultation view shows: those the case team chose to
    share (``chosen``), less every declared confidential field that is confidential on ``obj``.

    A consultation view is seen by every participant, so it follows the rule of
    :func:`may_see_confidential` for outputs that others than the reader see: no confidential
    value, whoever reads it and whatever was chosen (a choice stored before a field was
    declared confidential opens nothing).
    """
    confidential = {
        declared.name
        for declared in confidential_fields(type(obj))
        if declared.is_confidential(obj)
    }
    return [name for name in chosen if name not in confidential]


def hidden_in_history(records: list[Any], name: str, *, may_see: bool) -> bool:
    """Whether ``name`` is hidden in the history of one object (its historical rows).

    Hidden from a reader outside the team when any version was confidential: an earlier value
    of an address marked confidential later is as secret as the last (it may still be where the
    person lives), and a later value made public does not open the earlier ones.
    """
    if may_see:
        return False
    for declared in confidential_fields(type(records[0]) if records else ""):
        if declared.name == name:
            return any(declared.is_confidential(record) for record in records)
    return False


# --- hit/no-hit: repeats and duplicates across organisations ---


def visible_repeat_condition(user: AnyUser, path: str = "pk") -> Q:
    """The cases (through ``path`` to the case's primary key) that are, *for this user*, a
    repeat: of an earlier case with the same victim and perpetrator that the user may see.

    Why per viewer and not a stored "visible repeat" flag: who sees which case depends on the
    user (their organisation, personal grants, co-direction, shares) and changes at any request
    (a share ends, a co-director is removed), so a flag stored on the case would be right for
    one viewer and wrong, or stale, for the next. ``Case.repeat_of`` stays system-wide for the
    figures; every match (not only the most recent) is kept so that a visible earlier case
    always shows, whatever invisible cases lie between (the silence would tell otherwise).
    One ``IN (subquery)``: lists, filters and exports ask it in the same query.
    """
    if not may_hold_case_access(user):
        return Q(pk__in=[])
    matches = (
        case_models()
        .repeat_match._default_manager.filter(
            permitted_case_condition(user, Action.VIEW, "earlier_id")
        )
        .values("later_id")
    )
    return Q(**{f"{path}__in": matches})


def visible_repeat_exists(user: AnyUser, path: str = "pk") -> Q:
    """:func:`visible_repeat_condition` in the row shape: ``EXISTS`` (a match whose later case
    is this row and whose earlier case the user may see, :func:`permitted_case_exists`).

    For a page of a few rows (the case list's page, ``cases.selectors.lists``): each row is
    probed on the matches' index, where the ``IN`` shape always builds the user's whole set of
    visible cases first (a hashed subplan: tens of ms for a director who sees thousands).
    """
    if not may_hold_case_access(user):
        return Q(pk__in=[])

    def build() -> Q:
        matches = case_models().repeat_match._default_manager.filter(
            permitted_case_exists(user, Action.VIEW, "earlier_id"), later_id=OuterRef(path)
        )
        return Q(Exists(matches))

    return _kept(("repeat rows", user.pk, path), build)


def visible_repeated_cases(user: AnyUser, case: models.Model) -> models.QuerySet[Any]:
    """The earlier cases the user may see of which ``case`` is a repeat, most recent first:
    the full hit inside the user's own cases, nothing about the others."""
    case_model = case_models().case
    earlier = (
        case_models().repeat_match._default_manager.filter(later_id=case.pk).values("earlier_id")
    )
    return restrict(case_model._default_manager.filter(pk__in=earlier), user).order_by(
        "-opened_on", "-pk"
    )


def cases_out_of_sight(user: AnyUser, case_ids: Collection[int]) -> set[int]:
    """Those of ``case_ids`` the user may not see: a hit there is never shown to the user but
    sent as a hit notice to that case's directors (cases.services.hits)."""
    ids = set(case_ids)
    if not ids:
        return set()
    visible = restrict(case_models().case._default_manager.filter(pk__in=ids), user)
    return ids - set(visible.values_list("pk", flat=True))


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


def directing_condition(user: AnyUser, path: str = "pk") -> Q:
    """The cases (or case children, through ``path`` to the case's primary key) that the
    user directs or co-directs. It grants nothing by itself: combine it with :func:`restrict`.

    One ``IN (directed UNION ALL co-directed)``, so rows never repeat and PostgreSQL can
    start from the user's few cases (the director's index, the co-directors' user index)
    instead of testing ``director = me OR id IN (...)`` on every case.
    """

    def build() -> Q:
        cases = case_models()
        directed = cases.case._default_manager.filter(case_director_id=user.pk).values("pk")
        co_directed = cases.co_director._default_manager.filter(user_id=user.pk).values("case_id")
        return Q(**{f"{path}__in": directed.union(co_directed, all=True)})

    return _kept(("directing", user.pk, path), build)


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
        condition = permitted_case_exists(
            user, Action.VIEW, "case_id"
        ) | consultation_access_condition(user, now, "pk", by="agenda_item_id")
        # An item taken off the agenda has no consultation view any more, for anyone.
        return queryset.filter(condition, removed_at__isnull=True)
    path = case_access_path(queryset.model)
    condition = permitted_case_exists(user, Action.VIEW, path) | consultation_access_condition(
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


def may_see_consultation_identity(user: AnyUser, agenda_item: Any, now: Any = None) -> bool:
    """The client system's minimal identity (names, date of birth or age, role in the case,
    the case's municipality) in the consultation view of an agenda case.

    Partners prepare an art. 458ter consultation by checking their own records, which they
    cannot do without knowing who the family is; so whoever may open that consultation view
    now sees it: the case team, and a participant who confirmed the duty of secrecy, inside
    the access window only (checked here at every request). Nothing more of a person: a
    confidential address or safe contact is never part of it, for anyone. Each read is
    audited by the page.
    """
    items = consultation_models().agenda_item._default_manager.filter(pk=agenda_item.pk)
    return restrict_consultation_view(items, user, now).exists()


def may_see_judicial_information(user: AnyUser, case: models.Model) -> bool:
    """PV numbers, the parket notice number, measures and hearings in a consultation view:
    the case team, and participants from the prosecutor's office or the police."""
    if not may_hold_case_access(user):
        return False
    return sees_judicial_information_as_participant(user) or is_permitted(
        user, case, Action.VIEW, part=CasePart.JUDICIAL
    )


# --- sharing a case with another organisation: a ground, a scope and an end ---

# The part of the file each model's rows belong to; any other model is part of the rest of
# the file (CasePart.FILE), so a new model is never opened to a scoped share by accident.
_CASE_PARTS: dict[str, CasePart] = {
    "cases.case": CasePart.SUMMARY,
    "cases.person": CasePart.SUMMARY,
    "cases.caseparty": CasePart.SUMMARY,
    "cases.partyrelation": CasePart.SUMMARY,
    "cases.codirector": CasePart.SUMMARY,
    "cases.policereport": CasePart.JUDICIAL,
    "cases.measure": CasePart.JUDICIAL,
    "cases.measureextension": CasePart.JUDICIAL,
    "cases.hearing": CasePart.JUDICIAL,
    "cases.prosecutiondecision": CasePart.JUDICIAL,
    "cases.judicialcondition": CasePart.JUDICIAL,
    "cases.breach": CasePart.JUDICIAL,
    "risk.assessment": CasePart.RISK,
    "risk.answer": CasePart.RISK,
    "risk.levelraise": CasePart.RISK,
    "risk.jointassessment": CasePart.RISK,
    "risk.riskdecision": CasePart.RISK,
}


def case_part_of(model: type[models.Model]) -> CasePart:
    """The part of a case file that rows of ``model`` belong to (default: the rest of the file).

    A share opens only the parts of its scope: an organisation that received "summary and
    risk" reads the people and the risk assessments, never the journal. Declared here, once,
    so that every read through :func:`restrict` honours it.
    """
    return _CASE_PARTS.get(model._meta.label_lower, CasePart.FILE)


def scopes_including(part: CasePart) -> list[str]:
    """The share scopes that open ``part``."""
    return sorted(scope for scope, parts in SCOPE_PARTS.items() if part in parts)


def _open_share(today: datetime.date) -> Q:
    """On a group grant: its share is open today (started, not past its end date, the end
    date included, and not ended)."""
    return Q(share__ended_at__isnull=True, share__starts_on__lte=today, share__ends_on__gte=today)


def share_grant_condition(
    action: Action, part: CasePart = CasePart.FILE, today: datetime.date | None = None
) -> Q:
    """A condition on a case's *group* grants: the ones that count today for ``part``.

    A grant without a share is the owning organisation's. A grant made by a share counts only
    while the share is open: started, not past its end date (the end date included), not
    ended, and for a part its scope holds. It is checked here at every request, so a share
    past its end gives 404 on the next request without any task running (the beat task
    ``cases.tasks.end_expired_shares`` only tidies up). A share never gives change access.

    One join from the grant to its share inside the group-grant subquery: no OR across
    subqueries (the OR is on the joined row), so the subquery keeps using the grant's indexes.
    """
    if Action(action) != Action.VIEW:
        return Q(share__isnull=True)
    open_share = _open_share(today or timezone.localdate())
    scopes = scopes_including(part)
    if len(scopes) < len(SCOPE_PARTS):  # every scope holds the summary: no filter needed
        open_share &= Q(share__scope__in=scopes)
    return Q(share__isnull=True) | open_share


def visible_case_parts(user: AnyUser, case: models.Model) -> frozenset[CasePart]:
    """The parts of ``case`` the user may read: all of them through a personal grant or the
    owning organisation's; through shares only, the parts of the open shares' scopes.

    For pages that show several parts at once (the steering page): a page of one part asks
    :func:`restrict` with that part and answers 404.
    """
    if not may_hold_case_access(user):
        return frozenset()
    if _user_grants(user, Action.VIEW).filter(content_object_id=case.pk).exists():
        return ALL_PARTS
    # Every scope holds the summary: the owner's grants and those of every open share.
    scopes = (
        _group_grants(user, Action.VIEW, CasePart.SUMMARY)
        .filter(content_object_id=case.pk)
        .values_list("share__scope", flat=True)
    )
    parts: set[CasePart] = set()
    for scope in scopes:
        if scope is None:
            return ALL_PARTS
        parts |= SCOPE_PARTS.get(scope, frozenset())
    return frozenset(parts)


@dataclass(frozen=True)
class CaseAccess:
    """One user's access to one case, decided once (:func:`decide_case_access`).

    ``parts``: the parts of the file the user reads now (empty: none); ``can_change``: the
    case team's access (the whole file, the confidential details, the team's journal
    entries). Immutable and never kept beyond the request that decided it.
    """

    case_id: int
    user: Any = dataclass_field(repr=False)
    parts: frozenset[CasePart]
    can_change: bool

    @property
    def sees_case(self) -> bool:
        """Whether the user reads the case at all (every scope holds its summary): what a
        row that belongs to the case without being inside it needs (a gap signalled from it)."""
        return bool(self.parts)

    def children[M: models.Model](self, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        """The rows of ``queryset`` inside this case that the user may see: the case by its
        id, no permission subquery; the model's part must be one of ``parts`` (otherwise
        nothing) and its per-row rule holds, applied from this decision (the same rules as
        :func:`restrict`'s: ``_EXTRA_CONDITIONS``). A timeline line about another case still
        asks for access to that other case, row by row."""
        model = queryset.model
        path = case_access_path(model)
        if path == "pk" or _is_multi_valued(model, path):
            raise ImproperlyConfigured(
                f"{model._meta.label} is not a child of one case; use access.policy.restrict."
            )
        if case_part_of(model) not in self.parts:
            return queryset.none()
        queryset = queryset.filter(**{path: self.case_id})
        rule = _EXTRA_CONDITIONS.get(model._meta.label_lower)
        condition = rule(self.user, self.can_change) if rule is not None else None
        return queryset if condition is None else queryset.filter(condition)


def decide_case_access(
    user: AnyUser, case: models.Model, *, can_change: bool | None = None
) -> CaseAccess:
    """Decide once what ``user`` may read of ``case`` in this request, for a page of one case
    that read ``case`` itself through :func:`restrict` in the same request (the steering
    page). The one entry besides :func:`restrict` (see the module's docstring).

    The same rules as :func:`restrict`, asked once: the parts come from the grants that count
    now (:func:`visible_case_parts`: a personal grant or the owner's reads everything; a share
    only while open and only the parts of its scope; an emergency access only while open),
    and change access only from a grant that is neither a share nor an emergency access.
    Nobody who may not hold case access (anonymous, inactive, administrators) gets anything.
    ``can_change``: what ``restrict(..., Action.CHANGE)`` answered for ``case`` in the same
    request, when the caller has it (saves a query).
    """
    if not may_hold_case_access(user):
        return CaseAccess(case_id=case.pk, user=user, parts=frozenset(), can_change=False)
    if can_change is None:
        can_change = is_permitted(user, case, Action.CHANGE)
    # Change access comes only with the whole file (a share never gives it): no query then.
    parts = ALL_PARTS if can_change else visible_case_parts(user, case)
    return CaseAccess(case_id=case.pk, user=user, parts=parts, can_change=bool(can_change))


# --- break-glass: a case director's emergency access to a case outside their scope ---


def break_glass_grant_condition(action: Action, now: datetime.datetime | None = None) -> Q:
    """A condition on a case's *personal* grants: the ones that count now for ``action``.

    A grant without an emergency access is an ordinary personal grant (a co-director). A
    grant made by an emergency access counts only while it is open: started, before its
    ``ends_at``, not ended early; compared with the clock here at every request, so it ends
    by itself without any task running. It reads the whole file (the emergency is not
    limited to one part) but never gives change access: what needs the case team (the
    confidential details of people, the journal entries for the team only, every change)
    stays with the team (:func:`may_see_confidential`), so break-glass serves to find out
    what the emergency needs and whom to call, not to read counselling notes.
    """
    if Action(action) != Action.VIEW:
        return Q(break_glass__isnull=True)
    moment = now or timezone.now()
    open_access = Q(
        break_glass__ended_at__isnull=True,
        break_glass__starts_at__lte=moment,
        break_glass__ends_at__gt=moment,
    )
    return Q(break_glass__isnull=True) | open_access


def may_request_break_glass(user: AnyUser) -> bool:
    """Who may open emergency access to a case outside their scope: an active case director
    (never an administrator). Whether the case is out of their scope is the service's check."""
    return is_active_case_director(user)


def may_read_break_glass_reviews(user: AnyUser) -> bool:
    """Who opens the list of emergency accesses to review: the auditor role (every access)
    and case directors (the accesses to the cases they direct); never an administrator."""
    return may_hold_case_access(user) and user.has_role(RoleCode.AUDITOR, RoleCode.CASE_DIRECTOR)


def break_glass_review_condition(user: AnyUser, path: str = "case_id") -> Q:
    """The emergency accesses ``user`` sees on the review list: every one for the auditor
    role, those to the cases they (co-)direct for a case director. A condition on the access
    records (``path``: to the case's primary key); it opens nothing of the case itself."""
    if not (may_hold_case_access(user) and may_read_break_glass_reviews(user)):
        return Q(pk__in=[])
    if user.has_role(RoleCode.AUDITOR):
        return Q()
    return directing_condition(user, path)


def may_review_break_glass(user: AnyUser, access: Any) -> bool:
    """A second person reviews an emergency access: someone who sees it on the review list
    (the auditor role, a director of the case), never the person who opened it."""
    if not (may_hold_case_access(user) and may_read_break_glass_reviews(user)):
        return False
    if access.requested_by_id == user.pk:
        return False
    return user.has_role(RoleCode.AUDITOR) or directs_case(user, access.case)


def organisations_that_may_receive_cases[M: models.Model](
    organisations: models.QuerySet[M],
) -> models.QuerySet[M]:
    """Organisations a case may be shared with or handed over to: active ones with at least
    one member in their case group, i.e. an active case worker who is not an administrator
    (``accounts.services.sync_case_group_membership`` keeps the group so).

    A share to an organisation without case workers (the Flemish government's, an
    organisation of coordinators only) would reach nobody who may work with a file, so it is
    never offered nor accepted.
    """
    from django.contrib.auth import get_user_model

    members = (
        get_user_model()
        .groups.through._default_manager.filter(user__is_active=True, user__is_superuser=False)
        .values("group_id")
    )
    return organisations.filter(is_active=True, group_id__in=members)


def may_receive_case_access(organisation: models.Model) -> bool:
    """:func:`organisations_that_may_receive_cases` for one organisation."""
    return organisations_that_may_receive_cases(
        type(organisation)._default_manager.filter(pk=organisation.pk)
    ).exists()


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


# --- registrations by partners and their triage (issue 19, parts 1 and 2) ---

# Who registers a family with a Veilig Huis: the partners' staff (police, CAW, VK, OCMW, ...
# as partner professionals) and the prosecutor's liaisons. Case directors register cases.
REGISTERING_ROLES = frozenset({RoleCode.PARTNER_PROFESSIONAL, RoleCode.PROSECUTOR_LIAISON})
# Who sits at the triage table of the receiving organisation in the application: its case
# directors (who take the families on) and its operations lead (who keeps the capacity and the
# waiting list). The partners at the physical table (police, parket) hear a registration in
# the table's consultation, under its legal basis, not through the queue: the queue holds
# every partner's registrations, and a police zone must not read those of a CAW.
TRIAGE_ROLES = frozenset({RoleCode.CASE_DIRECTOR, RoleCode.OPERATIONS_LEAD})
# Rows only the triage table reads: the registrant hears the outcome, not the screening.
_TRIAGE_ONLY = frozenset({"cases.screeningnote"})


def may_register(user: AnyUser) -> bool:
    """A partner's staff member with an organisation (never an administrator)."""
    return (
        may_hold_case_access(user)
        and user.organisation_id is not None
        and user.has_role(*REGISTERING_ROLES)
    )


def may_triage(user: AnyUser) -> bool:
    """A member of a triage table: a case director or operations lead of an organisation."""
    return (
        may_hold_case_access(user)
        and user.organisation_id is not None
        and user.has_role(*TRIAGE_ROLES)
    )


def registration_access_path(model: type[models.Model]) -> str:
    """The lookup prefix from ``model`` to its registration's own fields ("" for the
    registration itself): rows inside a registration declare ``registration_access_path``."""
    path = getattr(model, "registration_access_path", None)
    if path is None:
        if model._meta.label_lower != "cases.registration":
            raise ImproperlyConfigured(
                f"{model._meta.label} has no registration_access_path; access.policy cannot "
                "restrict it."
            )
        return ""
    return str(path).removesuffix("_id") + "__"


def registration_condition(user: AnyUser, action: Action = Action.VIEW, prefix: str = "") -> Q:
    """The registrations (through ``prefix``) the user may see or change.

    Seeing: the registrant's organisation (its registering staff: the status of what they
    registered) and the triage table of the receiving organisation. Changing (screening,
    deciding): the triage table only. Never the case that grows from it: that is the case's
    own grants, which a registrant does not get. Administrators and anyone else: nothing.
    """
    if not may_hold_case_access(user) or user.organisation_id is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    if may_triage(user):
        condition |= Q(**{f"{prefix}owner_organisation_id": user.organisation_id})
    if Action(action) == Action.VIEW and may_register(user):
        condition |= Q(**{f"{prefix}registrant_organisation_id": user.organisation_id})
    return condition


def restrict_registrations[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser, action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """The only way to read registrations and the rows inside them (people, attachments,
    status records, screening notes)."""
    model = queryset.model
    prefix = registration_access_path(model)
    if model._meta.label_lower in _TRIAGE_ONLY:
        action = Action.CHANGE
    return queryset.filter(registration_condition(user, action, prefix))


def may_decide_registration(user: AnyUser, registration: models.Model) -> bool:
    """Screening and deciding: the triage table of the receiving organisation."""
    return restrict_registrations(
        type(registration)._default_manager.filter(pk=registration.pk), user, Action.CHANGE
    ).exists()


def may_correct_registration(user: AnyUser, registration: Any) -> bool:
    """Correcting and withdrawing a registration (issue 19): whoever may see it as its
    registrant, i.e. the registering staff of the registrant's organisation (the registrant
    and their colleagues). Not the triage table: what was registered is the registrant's word.
    Whether it is still open (not decided) is the service's rule, not an access rule."""
    return (
        may_register(user) and registration.registrant_organisation_id == user.organisation_id  # type: ignore[union-attr]
    )


def triage_members[U: models.Model](
    users: models.QuerySet[U], organisation_id: int
) -> models.QuerySet[U]:
    """The triage table of ``organisation_id`` (told when a registration is withdrawn)."""
    return _organisation_users_with_roles(users, organisation_id, TRIAGE_ROLES)


def _organisation_users_with_roles[U: models.Model](
    users: models.QuerySet[U], organisation_id: int, roles: Collection[str]
) -> models.QuerySet[U]:
    """The active users of ``organisation_id`` holding one of ``roles``; never an
    administrator nor a superuser, who are told nothing of case work."""
    return (
        users.filter(
            organisation_id=organisation_id,
            is_active=True,
            is_superuser=False,
            roles__code__in=list(roles),
        )
        .exclude(roles__code=RoleCode.ADMINISTRATOR)
        .distinct()
    )


def organisations_receiving_registrations[M: models.Model](
    organisations: models.QuerySet[M],
) -> models.QuerySet[M]:
    """The organisations a registration may be addressed to, and may lead a case taken on:
    active ones with an active case director (the Veilig Huis's own organisations)."""
    from django.contrib.auth import get_user_model

    directors = only_active_case_directors(get_user_model()._default_manager.all())
    return organisations.filter(is_active=True, pk__in=directors.values("organisation_id"))


def registration_hits(user: AnyUser, registration: Any) -> tuple[list[Any], bool]:
    """Hit/no-hit for the triage table: the cases holding the registration's people that the
    user may see (a link each: the full hit inside their own sight), and whether there are
    others. Of those the user learns only that they exist: their directors got a notice when
    the registration was made (cases.services.hits). Nothing for anyone outside the triage."""
    if not may_decide_registration(user, registration):
        return [], False
    case_model = case_models().case
    hit_ids = set(registration.hits.values_list("case_id", flat=True))
    if not hit_ids:
        return [], False
    visible = list(
        restrict(case_model._default_manager.filter(pk__in=hit_ids), user).order_by("reference")
    )
    return visible, len(visible) < len(hit_ids)


# --- the partner inbox (issue 19, part 3) ---

# Who works an organisation's inbox: its users who work with cases (partner professionals,
# prosecutor liaisons, case directors: a referral to a CAW reaches its case directors). The
# operations lead, the network coordinator and the auditor do not take on case work; an
# administrator never reads it.
INBOX_ROLES = CASE_WORKING_ROLES


def may_use_inbox(user: AnyUser) -> bool:
    """A user with an organisation and a case-working role (never an administrator)."""
    return (
        may_hold_case_access(user)
        and user.organisation_id is not None
        and user.has_role(*INBOX_ROLES)
    )


def inbox_recipients[U: models.Model](
    users: models.QuerySet[U], organisation_id: int
) -> models.QuerySet[U]:
    """The users of ``organisation_id`` who work its inbox (told when an item arrives)."""
    return _organisation_users_with_roles(users, organisation_id, INBOX_ROLES)


def _inbox_item(model: type[models.Model]) -> tuple[Q, str]:
    items = case_models().inbox_items
    label = model._meta.label_lower
    if label not in items:
        raise ImproperlyConfigured(f"{model._meta.label} is not an inbox item.")
    return items[label]


def inbox_condition(user: AnyUser, model: type[models.Model]) -> Q:
    """The inbox items of ``model`` addressed to the user's organisation."""
    if not may_hold_case_access(user) or not may_use_inbox(user):
        return Q(pk__in=[])
    is_item, addressee = _inbox_item(model)
    return is_item & Q(**{addressee: user.organisation_id})


def restrict_inbox[M: models.Model](
    queryset: models.QuerySet[M], user: AnyUser, action: Action = Action.VIEW
) -> models.QuerySet[M]:
    """The only way to read an inbox item (a referral to, or an action assigned to, an
    organisation) outside the case file.

    Seeing: the addressed organisation's inbox users, and the case team (change access to
    the case). Answering (accept, decline, complete): the addressed organisation's inbox
    users only. Neither gives access to the case: its grants stay as they are, so a partner
    gets 404 on the case unless it was shared with them. Administrators: nothing.
    """
    model = queryset.model
    if not may_hold_case_access(user):
        return queryset.none()
    is_item, _addressee = _inbox_item(model)
    condition = inbox_condition(user, model)
    if Action(action) == Action.VIEW:
        condition |= is_item & permitted_case_exists(user, Action.CHANGE, "case_id")
    return queryset.filter(condition)
