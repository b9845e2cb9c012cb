"""The case lists: scopes, filters, sorting and search. Page and CSV export share this."""

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import django_filters
from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as ExpressionCase
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.policy import (
    Action,
    case_part_of,
    directing_condition,
    permitted_case_exists,
    restrict,
    restrict_rows,
    visible_repeat_condition,
    visible_repeat_exists,
)
from accounts.models import User
from accounts.roles import RoleCode
from common.widgets import ModelChoiceFilter, PlainSelect
from partners.models import Municipality

from ..models import (
    Case,
    CaseAction,
    CaseParty,
    FormOfViolence,
    RelationshipContext,
    Status,
    Track,
    Urgency,
    reference_sort_keys,
)
from .journal import overdue
from .labels import case_label_expression


class Scope(StrEnum):
    # Every case the user may see: the tab a search shows first (issue 16).
    ALL = "all"
    MINE = "mine"
    ORGANISATION = "organisation"
    SHARED = "shared"


SCOPE_LABELS = {
    Scope.ALL: _("All"),
    Scope.MINE: _("My cases"),
    Scope.ORGANISATION: _("My organisation's cases"),
    Scope.SHARED: _("Shared with my organisation"),
}


def scopes_for(user: User) -> list[Scope]:
    """The list tabs a user gets: "all", then filters that together cover it.

    Only case directors direct cases, so only they get "mine". "Shared" holds every
    visible case another organisation owns (shared with the organisation or personally).
    """
    if user.has_role(RoleCode.CASE_DIRECTOR):
        return [Scope.ALL, Scope.MINE, Scope.ORGANISATION, Scope.SHARED]
    # Prosecutor liaisons and partner professionals mostly see what others shared.
    return [Scope.ALL, Scope.SHARED, Scope.ORGANISATION]


def default_scope(user: User) -> Scope:
    """The tab the list opens on without a search: the user's own work (a search opens on
    "all", see ``cases.views.lists.CaseSearchView``)."""
    return scopes_for(user)[1]


def parse_scope(user: User, value: str | None) -> Scope:
    """The requested scope if the user has that tab, else their default."""
    return next((s for s in scopes_for(user) if s.value == value), default_scope(user))


def normalise_name(text: str) -> str:
    """Lower-case and accent-free with single spaces: the form ``Person.name_key`` is kept in."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _in_scope(queryset: QuerySet[Case], user: User, scope: Scope | None) -> QuerySet[Case]:
    if scope is None or scope == Scope.ALL:
        return queryset
    organisation_id = getattr(user, "organisation_id", None)
    if scope == Scope.MINE:
        return queryset.filter(directing_condition(user))
    if scope == Scope.ORGANISATION:
        if organisation_id is None:
            return queryset.none()
        return queryset.filter(owner_organisation_id=organisation_id)
    if organisation_id is None:
        return queryset
    return queryset.exclude(owner_organisation_id=organisation_id)


def _matching(queryset: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Cases whose reference, or a person's name in the case, contains ``term``.

    Callers pass an already restricted queryset: the party subquery only narrows it,
    so a person in an out-of-scope case can never bring that case in. ``pk__in``
    keeps one row per case however many people match.
    """
    text = " ".join(term.split())
    key_words = normalise_name(text).split()
    if not key_words:
        return queryset
    # Every word somewhere in "last first", so "Jan Peeters" finds "peeters jan".
    by_key = Q()
    for word in key_words:
        by_key &= Q(person__name_key__icontains=word)
    people = by_key | Q(person__first_name__icontains=text) | Q(person__last_name__icontains=text)
    parties = CaseParty.objects.filter(people).values("case_id")
    return queryset.filter(Q(reference__icontains=text) | Q(pk__in=parties))


def overdue_actions_count(user: User) -> ExpressionCase:
    """The number of open actions past their date, as a subquery (one query for any rows);
    None for a case whose actions the user does not read (a share whose scope leaves out the
    rest of the file: the count would tell what the scope hides)."""
    today = timezone.localdate()
    counts = (
        CaseAction.objects.filter(overdue(today), case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return ExpressionCase(
        When(
            permitted_case_exists(user, Action.VIEW, part=case_part_of(CaseAction)),
            then=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)),
        ),
        default=Value(None),
        output_field=IntegerField(),
    )


OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open (not closed)")), *Status.choices]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
_STATUS_ORDER = models.Case(
    *[When(status=s.value, then=Value(i)) for i, s in enumerate(Status)],
    default=Value(len(Status)),
    output_field=IntegerField(),
)
# The sort keys offered in the URL, each with its database ordering (a whitelist).
SORTS: dict[str, tuple[Any, ...]] = {
    "reference": reference_sort_keys(),
    "registered": (F("opened_on"),),
    "track": (F("track"),),
    "status": (_STATUS_ORDER,),
    "municipality": (F("municipality__name"),),
}
DEFAULT_SORT = "-registered"
# The sort keys whose column may be empty: only they sort with NULLS LAST. The others are
# never null, and a plain ``DESC`` lets the (-opened_on, -id) indexes give the order.
NULLABLE_SORTS = frozenset({"municipality"})
SORT_CHOICES = [(f"{prefix}{key}", key) for key in SORTS for prefix in ("", "-")]


class CaseListFilter(django_filters.FilterSet):
    """The list's filters, read from GET parameters (codes and ids only, no personal data).
    Their drop-down lists are written without the form renderer's templates (``PlainSelect``,
    the same markup): a few milliseconds of every list page (issue 20)."""

    track = django_filters.ChoiceFilter(
        label=_("Track"), choices=Track.choices, empty_label=_("All"), widget=PlainSelect
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=STATUS_CHOICES,
        method="filter_status",
        empty_label=_("All"),
        widget=PlainSelect,
    )
    municipality = ModelChoiceFilter(
        label=_("Municipality"),
        queryset=Municipality.objects.all(),
        empty_label=_("All"),
        widget=PlainSelect,
    )
    relationship_context = ModelChoiceFilter(
        label=_("Relationship context"),
        queryset=RelationshipContext.objects.all(),
        method="filter_tagged",
        empty_label=_("All"),
        widget=PlainSelect,
    )
    form_of_violence = ModelChoiceFilter(
        label=_("Form of violence"),
        queryset=FormOfViolence.objects.all(),
        method="filter_tagged",
        empty_label=_("All"),
        widget=PlainSelect,
    )
    repeat = django_filters.ChoiceFilter(
        label=_("Repeat"),
        choices=YES_NO,
        method="filter_repeat",
        empty_label=_("All"),
        widget=PlainSelect,
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue actions"),
        choices=YES_NO,
        method="filter_overdue",
        empty_label=_("All"),
        widget=PlainSelect,
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, empty_label=_("All"), widget=PlainSelect
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        method="filter_sort",
        empty_label=None,
        widget=PlainSelect,
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        if value == OPEN:
            return queryset.exclude(status=Status.CLOSED)
        return queryset.filter(status=value)

    def filter_tagged(
        self, queryset: QuerySet[Case], name: str, value: RelationshipContext | FormOfViolence
    ) -> QuerySet[Case]:
        # A subquery rather than a join, so no case is listed twice.
        field = "relationship_contexts" if name == "relationship_context" else "forms_of_violence"
        through = Case._meta.get_field(field).remote_field.through  # type: ignore[union-attr]
        column = f"{type(value)._meta.model_name}_id"
        tagged = through.objects.filter(**{column: value.pk}).values("case_id")
        return queryset.filter(pk__in=tagged)

    def filter_repeat(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # A repeat for this user (annotated by case_list), never the system-wide flag: that
        # filter would tell which cases repeat one out of the user's sight.
        return queryset.filter(Q(shown_repeat=value == "yes"))

    def filter_overdue(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        # The count is annotated by case_list (Q keeps the type checker off the alias).
        if value == "yes":
            return queryset.filter(Q(overdue_actions__gt=0))
        return queryset.filter(Q(overdue_actions=0))

    def filter_sort(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.order_by(*ordering(value))


def ordering(sort: str) -> list[Any]:
    """Database ordering for a whitelisted sort key; the id keeps pages stable."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    expressions = SORTS.get(key)
    if expressions is None:
        return ordering(DEFAULT_SORT)
    nulls_last = True if key in NULLABLE_SORTS else None
    if descending:
        return [*(e.desc(nulls_last=nulls_last) for e in expressions), "-pk"]
    return [*(e.asc(nulls_last=nulls_last) for e in expressions), "pk"]


# The columns a list row shows (the page, its CSV, the home page's shared cases): a list reads
# none of a case's free texts, nor its director's account beyond the name.
ROW_FIELDS = (
    "reference",
    "track",
    "status",
    "opened_on",
    "is_anonymous_consult",
    "owner_organisation__name",
    "case_director__first_name",
    "case_director__last_name",
    "case_director__username",
    "municipality__name",
)


def _rows() -> QuerySet[Case]:
    return Case.objects.for_list().only(*ROW_FIELDS)


def case_list(
    *,
    user: User,
    action: Action = Action.VIEW,
    scope: Scope | None = None,
    filters: Mapping[str, Any] | None = None,
    search: str = "",
    walk: bool = False,
    columns: bool = True,
) -> QuerySet[Case]:
    """The cases ``user`` may see (or change), narrowed by scope, filters and a search term.

    ``scope=None`` (or ``Scope.ALL``) means every visible case. Each case carries its short
    ``label`` (``cases.selectors.labels``). Invalid filter values are ignored here; the
    page shows their errors through :class:`CaseListFilter`'s form.

    ``walk``: the same cases, with the permission checked row by row
    (:func:`access.policy.restrict_rows`) instead of as one set: for a page that walks the
    list's index (:func:`case_list_page`). The default set shape suits a count, an export
    and a user who sees few cases.

    ``columns=False``: the same rows without the computed columns (overdue count, repeat,
    label) that no filter asks for: for a count or a page's ids, which never read them (each
    column is a subquery with its own permission check for Django to build and PostgreSQL to
    plan).
    """
    cases = _rows() if columns else Case.objects.all()
    queryset = restrict_rows(cases, user, action) if walk else restrict(cases, user, action)
    queryset = _in_scope(queryset, user, scope)
    if search:
        queryset = _matching(queryset, search)
    if columns:
        queryset = _with_columns(queryset, user, walk)
    elif filters is not None:
        queryset = _filtered_columns(queryset, user, walk, filters)
    queryset = queryset.order_by(*ordering(DEFAULT_SORT))
    if filters is not None and any(filters.get(name) for name in CaseListFilter.base_filters):
        # Without a value, every filter leaves the queryset as it is (and the default sort
        # is applied above): the FilterSet and its form are not built for nothing.
        queryset = CaseListFilter(filters, queryset=queryset).qs
    return queryset


def case_count(
    *, user: User, scope: Scope | None = None, search: str = "", filters: Any = None
) -> int:
    """The number of cases of :func:`case_list` (same arguments), in the shape that counts
    them fastest: "my cases" row by row from the user's own cases (the directors' and
    co-directors' indexes, a probe per case), the other tabs as one set."""
    return (
        case_list(
            user=user,
            scope=scope,
            filters=filters,
            search=search,
            walk=scope == Scope.MINE,
            columns=False,
        )
        .order_by()
        .count()
    )


def _with_columns(queryset: QuerySet[Case], user: User, walk: bool) -> QuerySet[Case]:
    """The list's computed columns (filters may read the first two)."""
    repeat = visible_repeat_exists(user) if walk else visible_repeat_condition(user)
    return queryset.annotate(
        overdue_actions=overdue_actions_count(user),
        shown_repeat=ExpressionWrapper(repeat, output_field=BooleanField()),
        label=case_label_expression(user),
    )


def _filtered_columns(
    queryset: QuerySet[Case], user: User, walk: bool, filters: Mapping[str, Any]
) -> QuerySet[Case]:
    """Only the computed columns the filters read (:class:`CaseListFilter`), by the same
    expressions as :func:`_with_columns`."""
    if filters.get("overdue"):
        queryset = queryset.annotate(overdue_actions=overdue_actions_count(user))
    if filters.get("repeat"):
        repeat = visible_repeat_exists(user) if walk else visible_repeat_condition(user)
        queryset = queryset.annotate(
            shown_repeat=ExpressionWrapper(repeat, output_field=BooleanField())
        )
    return queryset


# A page walks the list's index (row shape) when the tab holds more than WALK_FROM cases and
# the page lies within WALK_DEPTH cases of either end of the list; otherwise the user's whole
# set is joined and sorted (set shape). See docs/architecture.md, "Query shapes".
WALK_FROM = 500
WALK_DEPTH = 1000
# The sorts an index gives in order (``(-opened_on, -id)``, read either way): only they walk.
WALKING_SORTS = frozenset({"registered", "-registered"})


def case_list_page(
    *,
    user: User,
    scope: Scope | None,
    filters: Mapping[str, Any],
    search: str,
    offset: int,
    limit: int,
    total: int,
) -> list[Case]:
    """The rows ``offset`` to ``offset + limit`` of :func:`case_list` (whose count is ``total``).

    Two steps in one statement, as one writes it by hand: the page's ids first (the filters,
    the sort, ``LIMIT``/``OFFSET``), then the columns (overdue count, repeat, label) for those
    rows only, so PostgreSQL never computes them for the user's whole set. A page of a large
    tab in the order of an index walks that index and checks each row's permission (the row
    shape), from the nearer end of the list (a last page is the first page read backwards);
    the rest use the set shape. Both shapes apply the same rule (``restrict``), so the rows are
    the same; only the plan differs.
    """
    if total <= 0:
        return []
    sort = str(filters.get("sort") or DEFAULT_SORT)
    if sort not in dict(SORT_CHOICES):
        sort = DEFAULT_SORT
    walkable = sort in WALKING_SORTS and total > WALK_FROM
    from_end = total - offset - limit
    backwards = walkable and offset > WALK_DEPTH and from_end <= WALK_DEPTH
    # "My cases" starts from the cases the user directs (their own index) and probes each one's
    # permission, whatever the page and the sort: fewer probes than the user's grants to join.
    walk = scope == Scope.MINE or (walkable and (offset + limit <= WALK_DEPTH or backwards))
    ids = case_list(
        user=user, scope=scope, filters=filters, search=search, walk=walk, columns=False
    ).values("pk")
    if backwards:
        start = max(from_end, 0)
        ids = ids.reverse()[start : total - offset]
    else:
        ids = ids[offset : offset + limit]
    # The page's rows: the rule again (row shape, a probe per row), not the scope, filters
    # and search, which chose the ids already (their subqueries would run for nothing).
    rows = _with_columns(restrict_rows(_rows(), user), user, walk=True)
    return list(rows.filter(pk__in=ids).order_by(*ordering(sort)))
