"""People in the client systems of the new and of the running cases: by role in the violence,
family position, gender and age band; minors (children as direct victims and as witnesses) apart;
victims and perpetrators by family position. Each table has a column for the people in the cases registered in the
period and one for the people in the cases running in it (the new ones included).

The counting rule (shown under every table, see ``NOTE``):

* A person counts for a case from the day their involvement in it began
  (``CaseParty.involved_since``) if that day is on or before the period's last day, and, when
  their date of birth is known, if they were born by then: a person added to a case after the
  period, or a child born after it, never changes the period's figures.
* Each person once per column, also when they are in several of its cases.
* Age (and so minority) at the start of the involvement, at birth for a child born later; for
  someone in several cases of the column, at the start of their earliest involvement among
  those cases. Without a date of birth, the age band as entered.

* Roles in the violence and family positions as recorded on the involvement (a person can hold
  several roles; someone with different roles or positions in different cases of the column
  counts once under each).

One query for the six tables: the counted involvements, read once, since a person's age
depends on the earliest of their involvements in each column. On PostgreSQL they are folded per
person and then per key in the database (``_counted_in_sql``); elsewhere, and as the reference
the tests compare it with, they are tallied here (``_tallied(people_by_person(...))``).
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connections, router
from django.db.models import BooleanField, ExpressionWrapper, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access.policy import unrestricted_for_aggregates
from cases.models import (
    ROLE_FIELDS,
    AgeBand,
    CaseParty,
    ChildFile,
    ChildReportedTo,
    FamilyPosition,
    Gender,
    ViolenceRole,
)

from .base import Table, Value
from .common import (
    anonymous_rule,
    case_files,
    count_column,
    counts_table,
    label_column,
    new_cases,
    running_cases,
)
from .period import Period

# (lowest age of the band, band), youngest first; the 65+ band has no upper limit.
_BAND_STARTS = (
    (6, AgeBand.UNDER_6),
    (12, AgeBand.AGE_6_11),
    (18, AgeBand.AGE_12_17),
    (25, AgeBand.AGE_18_24),
    (45, AgeBand.AGE_25_44),
    (65, AgeBand.AGE_45_64),
)
MINOR_BANDS = (AgeBand.UNDER_6, AgeBand.AGE_6_11, AgeBand.AGE_12_17)

# The two columns of every table: people in the new cases, people in the running cases.
NEW, RUNNING = "new", "running"
COLUMNS = (NEW, RUNNING)


def _born_on_or_before(day: datetime.date, years: int) -> datetime.date:
    """Whoever was born on or before this date is at least ``years`` old on ``day``.

    Someone born on 29 February has their birthday on 1 March in other years.
    """
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # ``day`` is 29 February: born on 28 February or before that year
        return day.replace(year=day.year - years, day=28)


def age_band_at(date_of_birth: datetime.date, day: datetime.date) -> AgeBand:
    """The age band on ``day`` (at birth when ``day`` is before it)."""
    day = max(day, date_of_birth)
    for start, band in _BAND_STARTS:
        if date_of_birth > _born_on_or_before(day, start):
            return band
    return AgeBand.AGE_65_PLUS


@dataclass
class _Person:
    """One person as counted in one column."""

    date_of_birth: datetime.date | None
    age_band: str
    gender: str
    start: datetime.date  # the earliest of their involvements counted in the column
    roles: set[str] = field(default_factory=set)  # roles in the violence, or NO_ROLE
    positions: set[str] = field(default_factory=set)  # family positions, or UNKNOWN_POSITION
    # (role, family position) of each involvement, for victims and perpetrators by position
    pairs: set[tuple[str, str]] = field(default_factory=set)

    @property
    def band(self) -> str:
        if self.date_of_birth is None:
            return self.age_band
        return age_band_at(self.date_of_birth, self.start).value

    @property
    def is_minor(self) -> bool:
        return self.band in MINOR_BANDS


def _involvements(period: Period) -> QuerySet[Any]:
    """The involvements that count for the period, flagged by the columns they count in."""
    in_new = Q(case__in=new_cases(period).values("pk"))
    in_running = Q(case__in=running_cases(period).values("pk"))
    return (
        unrestricted_for_aggregates(CaseParty.objects.all())
        .filter(in_new | in_running)
        .filter(involved_since__lte=period.end)
        .filter(Q(person__date_of_birth__isnull=True) | Q(person__date_of_birth__lte=period.end))
        .annotate(
            in_new=ExpressionWrapper(in_new, output_field=BooleanField()),
            in_running=ExpressionWrapper(in_running, output_field=BooleanField()),
        )
        .order_by()
        .values_list(
            "person_id",
            "position",
            *ROLE_FIELDS.values(),
            "involved_since",
            "in_new",
            "in_running",
            "person__date_of_birth",
            "person__age_band",
            "person__gender",
        )
    )


def people_by_person(period: Period) -> dict[str, dict[int, _Person]]:
    """column -> person id -> the person as counted in that column. One query; every
    involvement is read into Python (the reference for ``_counted_in_sql``)."""
    people: dict[str, dict[int, _Person]] = {column: {} for column in COLUMNS}
    flags = len(ROLE_FIELDS)
    for row in _involvements(period):
        person_id, position = row[0], row[1] or UNKNOWN_POSITION
        roles = [role for role, held in zip(ROLE_FIELDS, row[2 : 2 + flags], strict=True) if held]
        since, is_new, is_running, born, band, gender = row[2 + flags :]
        for column, counts in ((NEW, is_new), (RUNNING, is_running)):
            if not counts:
                continue
            person = people[column].get(person_id)
            if person is None:
                person = people[column][person_id] = _Person(born, band, gender, since)
            person.start = min(person.start, since)
            person.roles.update(roles or [NO_ROLE])
            person.positions.add(position)
            person.pairs.update((role, position) for role in roles)
    return people


# The pairs the victims and perpetrators table counts: (role, family position).
PAIR_ROLES = (ViolenceRole.VICTIM, ViolenceRole.PERPETRATOR)


@dataclass
class PeopleCounts:
    """What the tables count: per column, how many people fall under each key (a person
    once per key and column)."""

    roles: dict[str, dict[str, int]]  # role in the violence, or NO_ROLE
    positions: dict[str, dict[str, int]]  # family position, or UNKNOWN_POSITION
    pairs: dict[str, dict[str, dict[str, int]]]  # role (PAIR_ROLES) -> column -> position
    genders: dict[str, dict[str, int]]
    bands: dict[str, dict[str, int]]
    minor_roles: dict[str, dict[str, int]]  # the roles of the minors only
    minors: dict[str, int]

    @classmethod
    def empty(cls) -> "PeopleCounts":
        def per_column() -> dict[str, dict[str, int]]:
            return {column: defaultdict(int) for column in COLUMNS}

        return cls(
            roles=per_column(),
            positions=per_column(),
            pairs={role: per_column() for role in PAIR_ROLES},
            genders=per_column(),
            bands=per_column(),
            minor_roles=per_column(),
            minors=dict.fromkeys(COLUMNS, 0),
        )


def _tallied(people: Mapping[str, Mapping[int, _Person]]) -> PeopleCounts:
    counts = PeopleCounts.empty()
    for column in COLUMNS:
        for person in people[column].values():
            for role in person.roles:
                counts.roles[column][role] += 1
            for position in person.positions:
                counts.positions[column][position] += 1
            for role, position in person.pairs:
                if role in PAIR_ROLES:
                    counts.pairs[role][column][position] += 1
            counts.genders[column][person.gender] += 1
            band = person.band
            counts.bands[column][band] += 1
            if band in MINOR_BANDS:
                counts.minors[column] += 1
                for role in person.roles:
                    counts.minor_roles[column][role] += 1
    return counts


def _band_sql(born: str, start: str) -> str:
    """``age_band_at`` in PostgreSQL: the band on ``start`` (at birth when before it). A date
    minus N years is the same day N years earlier, 29 February giving 28 February, as
    ``_born_on_or_before``."""
    day = f"GREATEST({start}, {born})"
    whens = " ".join(
        f"WHEN {born} > ({day} - INTERVAL '{years} years')::date THEN '{band.value}'"
        for years, band in _BAND_STARTS
    )
    return f"CASE {whens} ELSE '{AgeBand.AGE_65_PLUS.value}' END"


def _counted_in_sql(period: Period) -> PeopleCounts:
    """``_tallied(people_by_person(period))`` in one PostgreSQL query."""
    return _counted_in_sql_per_period([period])[period]


def _period_cases(periods: Sequence[Period]) -> tuple[str, list[Any]]:
    """``(idx, in_new, in_running, case_id)`` rows: the new and the running cases of each
    period (``new_cases``, ``running_cases``: which cases count stays decided there)."""
    parts: list[str] = []
    params: list[Any] = []
    for idx, period in enumerate(periods):
        for is_new, cases in ((True, new_cases(period)), (False, running_cases(period))):
            sql, case_params = cases.order_by().values("pk").query.sql_with_params()
            parts.append(
                f"SELECT {idx} AS idx, {is_new} AS in_new, {not is_new} AS in_running,"  # noqa: S608 - no user input in the SQL
                f" c.case_id FROM ({sql}) AS c(case_id)"
            )
            params.extend(case_params)
    return " UNION ALL ".join(parts), params


def _counted_in_sql_per_period(periods: Sequence[Period]) -> dict[Period, PeopleCounts]:
    """``_counted_in_sql`` of each of ``periods``, in one PostgreSQL query.

    Each involvement becomes a bit mask (its roles, "no role", its family position, and the
    position once more per role of ``PAIR_ROLES`` it holds), computed once whatever the
    number of periods (the involvements are read once, ``MATERIALIZED``). They are joined
    to the periods their case counts in (new; running, which the new ones are too); the
    masks of a person's involvements in a period's column are OR-ed together with the
    earliest start; the people are then grouped by (period, gender, age band and mask in
    each column) and only those groups (a few hundred per period) come back to Python. So
    Python's work does not grow with the people, and the dashboard's seventeen periods of a
    year read the involvements once, not seventeen times.
    """
    if not periods:
        return {}
    roles = list(ROLE_FIELDS)
    positions = [str(value) for value, _label in _position_rows()]
    role_bits = len(roles) + 1  # the roles, then "no role"
    pair_shift = role_bits + len(positions)
    # The columns of the involvements' query are named as its ``values_list`` fields.
    held = [f"{field}::int << {i}" for i, field in enumerate(ROLE_FIELDS.values())]
    none = " OR ".join(ROLE_FIELDS.values())
    position_bit = (
        "CASE COALESCE(NULLIF(position, ''), %s) "
        + " ".join(f"WHEN %s THEN {1 << i}" for i in range(len(positions)))
        + " END"
    )
    pairs = [
        f"({ROLE_FIELDS[role]}::int * ({position_bit})) << {pair_shift + n * len(positions)}"
        for n, role in enumerate(PAIR_ROLES)
    ]
    # PostgreSQL gives "<<", "|" and "*" no precedence over each other: every term in brackets.
    mask = " | ".join(
        f"({term})"
        for term in [
            *held,
            f"(NOT ({none}))::int << {len(roles)}",
            f"({position_bit}) << {role_bits}",
            *pairs,
        ]
    )
    position_params = [UNKNOWN_POSITION, *positions] * (1 + len(PAIR_ROLES))
    cases_sql, cases_params = _period_cases(periods)
    involvements_sql, involvement_params = (
        unrestricted_for_aggregates(CaseParty.objects.all())
        .order_by()
        .values_list(
            "case_id",
            "person_id",
            "position",
            *ROLE_FIELDS.values(),
            "involved_since",
            "person__date_of_birth",
            "person__age_band",
            "person__gender",
        )
        .query.sql_with_params()
    )
    ends = ", ".join(f"({idx}, %s::date)" for idx in range(len(periods)))
    per_column = ", ".join(
        f"BIT_OR(CASE WHEN in_{column} THEN mask END) AS mask_{column},"
        f" MIN(CASE WHEN in_{column} THEN involved_since END) AS start_{column}"
        for column in COLUMNS
    )
    bands = ", ".join(
        f"CASE WHEN born IS NULL THEN band ELSE {_band_sql('born', f'start_{column}')} END"
        for column in COLUMNS
    )
    masks = ", ".join(f"mask_{column}" for column in COLUMNS)
    query = (
        f"WITH period_end (idx, last_day) AS (VALUES {ends}),"  # noqa: S608 - no user input
        f" counted_case AS (SELECT idx, case_id, BOOL_OR(in_new) AS in_new,"
        f" BOOL_OR(in_running) AS in_running FROM ({cases_sql}) AS c GROUP BY idx, case_id),"
        " masked AS MATERIALIZED (SELECT case_id, person_id, involved_since,"
        " person__date_of_birth AS born, person__age_band AS band, person__gender AS gender,"
        f" ({mask})::bigint AS mask FROM ({involvements_sql}) AS i"
        " WHERE case_id IN (SELECT case_id FROM counted_case)),"
        " counted AS (SELECT c.idx, m.*, c.in_new, c.in_running FROM masked m"
        " JOIN counted_case c ON c.case_id = m.case_id"
        " JOIN period_end e ON e.idx = c.idx"
        " WHERE m.involved_since <= e.last_day AND (m.born IS NULL OR m.born <= e.last_day)),"
        f" person AS (SELECT idx, born, band, gender, {per_column} FROM counted"
        " GROUP BY idx, person_id, born, band, gender)"
        f" SELECT idx, gender, {bands}, {masks}, COUNT(*) FROM person GROUP BY 1, 2, 3, 4, 5, 6"
    )
    all_params = (
        *(period.end for period in periods),
        *cases_params,
        *position_params,
        *involvement_params,
    )
    per_period = {period: PeopleCounts.empty() for period in periods}
    # Raw SQL bypasses the router: ask it, so marked reporting reads reach the replica too.
    with connections[router.db_for_read(CaseParty)].cursor() as cursor:
        cursor.execute(query, all_params)
        found = cursor.fetchall()
    for idx, gender, band_new, band_running, mask_new, mask_running, n in found:
        counts = per_period[periods[idx]]
        for column, band, bits in (
            (NEW, band_new, mask_new),
            (RUNNING, band_running, mask_running),
        ):
            if bits is None:  # not in this column
                continue
            minor = band in MINOR_BANDS
            counts.genders[column][gender] += n
            counts.bands[column][band] += n
            if minor:
                counts.minors[column] += n
            for i, role in enumerate([*roles, NO_ROLE]):
                if bits >> i & 1:
                    counts.roles[column][role] += n
                    if minor:
                        counts.minor_roles[column][role] += n
            for i, position in enumerate(positions):
                if bits >> (role_bits + i) & 1:
                    counts.positions[column][position] += n
                for r, role in enumerate(PAIR_ROLES):
                    if bits >> (pair_shift + r * len(positions) + i) & 1:
                        counts.pairs[role][column][position] += n
    return per_period


def people_counted(period: Period) -> PeopleCounts:
    """How many people each table counts under each key, per column. One query: on
    PostgreSQL folded in the database (``_counted_in_sql``), elsewhere in Python."""
    return people_counted_per_period([period])[period]


def people_counted_per_period(periods: Sequence[Period]) -> dict[Period, PeopleCounts]:
    """``people_counted`` of each period: on PostgreSQL in one query for all of them."""
    if connections[router.db_for_read(CaseParty)].vendor == "postgresql":
        return _counted_in_sql_per_period(periods)
    return {period: _tallied(people_by_person(period)) for period in periods}


NOTE = gettext_noop(
    "People in the client systems, each person once per column (also when they are in "
    "several of its cases): in the new cases (registered in the period) and in the running "
    "cases (open on at least one day of the period, the new ones included). A person counts "
    "from the day their involvement in the case began, if that day is in the period or "
    "before it and they were born by the end of the period. Age at the start of the "
    "involvement (at birth for a child born later); for someone in several cases of the "
    "column, at the start of their earliest involvement among them. Without a date of birth, "
    "the age band as entered."
)
PER_ROLE = gettext_noop(
    "Roles in the violence as recorded for each person in the case; someone can hold several "
    "(a victim and a perpetrator in mutual violence, a child a direct victim and a witness) and "
    "counts once under each role they hold in one of the cases, so the rows do not add up. "
    '"No role recorded": people with a family position only (people registered as a child '
    "before roles were recorded have no role until the case team adds one)."
)
PER_POSITION = gettext_noop(
    "Family position as recorded for each person in the case; someone with different positions "
    "in different cases counts once under each, so the rows do not add up."
)
# Row keys of the involvements without a role in the violence, without a family position.
NO_ROLE = "none"
UNKNOWN_POSITION = "unknown"


def _role_rows() -> list[tuple[str, Any]]:
    return [*ViolenceRole.choices, (NO_ROLE, _("No role recorded"))]


def _position_rows() -> list[tuple[str, Any]]:
    return [*FamilyPosition.choices, (UNKNOWN_POSITION, _("Not known / not family"))]


def _table(
    *,
    key: str,
    title: str,
    label: str,
    choices: Iterable[tuple[Any, Any]],
    counts: Mapping[str, Mapping[str, int]],
    count_labels: tuple[str, str],
    note: str,
    total: bool = True,
    extra: Sequence[tuple[str, str, Mapping[str, int]]] = (),
    sheet_title: str = "",
) -> Table:
    """One row per choice (zeros included), optional extra rows ``(row key, label, counts
    per column)`` and a total row; a count column for the new and one for the running cases."""
    rows: list[list[Value]] = []
    keys: list[str] = []
    for value, text in choices:
        rows.append([str(text), *(counts[column].get(str(value), 0) for column in COLUMNS)])
        keys.append(str(value))
    for row_key, text, extra_counts in extra:
        rows.append([text, *(extra_counts.get(column, 0) for column in COLUMNS)])
        keys.append(row_key)
    if total:
        rows.append([_("Total"), *(sum(int(row[i] or 0) for row in rows) for i in (1, 2))])
        keys.append("total")
    return Table(
        key=key,
        title=title,
        columns=(
            label_column("label", label),
            count_column(NEW, count_labels[0]),
            count_column(RUNNING, count_labels[1]),
        ),
        rows=rows,
        row_keys=keys,
        note=note,
        sheet_title=sheet_title,
    )


def _people_labels() -> tuple[str, str]:
    return _("People in new cases"), _("People in running cases")


def people_by_role(period: Period, people: PeopleCounts | None = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_role",
        title=_("People by role in the violence"),
        label=_("Role in the violence"),
        choices=_role_rows(),
        counts=people.roles,
        count_labels=_people_labels(),
        total=False,
        note=" ".join([_(NOTE), _(PER_ROLE), anonymous_rule()]),
    )


def people_by_gender(period: Period, people: PeopleCounts | None = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_gender",
        title=_("People by gender"),
        label=_("Gender"),
        choices=Gender.choices,
        counts=people.genders,
        count_labels=_people_labels(),
        note=_(NOTE),
    )


def people_by_age(period: Period, people: PeopleCounts | None = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_age",
        title=_("People by age band"),
        label=_("Age band"),
        choices=AgeBand.choices,
        counts=people.bands,
        count_labels=_people_labels(),
        note=_(NOTE),
    )


def minors_by_role(period: Period, people: PeopleCounts | None = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="minors_by_role",
        title=_("Children and young people (under 18): direct victims, witnesses and other roles"),
        sheet_title=_("Children victim or witness"),
        label=_("Role in the violence"),
        choices=_role_rows(),
        counts=people.minor_roles,
        count_labels=(_("Minors in new cases"), _("Minors in running cases")),
        total=False,
        extra=[
            (
                "total",
                _("Minors in all (each person once)"),
                people.minors,
            )
        ],
        note=" ".join([_(NOTE), _(PER_ROLE)]),
    )


def people_by_position(period: Period, people: PeopleCounts | None = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_position",
        title=_("People by family position"),
        label=_("Family position"),
        choices=_position_rows(),
        counts=people.positions,
        count_labels=_people_labels(),
        total=False,
        note=" ".join([_(NOTE), _(PER_POSITION), anonymous_rule()]),
    )


BY_POSITION_NOTE = gettext_noop(
    "Victims and perpetrators by their family position in the case where they hold that role. "
    "Someone who is a victim and a perpetrator counts in both columns; someone with different "
    "positions in different cases counts once under each, so the rows do not add up."
)


def victims_and_perpetrators_by_position(
    period: Period, people: PeopleCounts | None = None
) -> Table:
    people = people_counted(period) if people is None else people
    roles = PAIR_ROLES
    labels = {
        (ViolenceRole.VICTIM, NEW): _("Victims in new cases"),
        (ViolenceRole.VICTIM, RUNNING): _("Victims in running cases"),
        (ViolenceRole.PERPETRATOR, NEW): _("Perpetrators in new cases"),
        (ViolenceRole.PERPETRATOR, RUNNING): _("Perpetrators in running cases"),
    }
    rows: list[list[Value]] = []
    keys: list[str] = []
    for value, text in _position_rows():
        rows.append(
            [
                str(text),
                *(people.pairs[role][column].get(value, 0) for role in roles for column in COLUMNS),
            ]
        )
        keys.append(value)
    return Table(
        key="victims_perpetrators_by_position",
        title=_("Victims and perpetrators by family position"),
        sheet_title=_("Victims, perpetrators, position"),
        columns=(
            label_column("label", _("Family position")),
            *(
                count_column(f"{role}_{column}", labels[role, column])
                for role in roles
                for column in COLUMNS
            ),
        ),
        rows=rows,
        row_keys=keys,
        note=" ".join([_(NOTE), _(BY_POSITION_NOTE), anonymous_rule()]),
    )


CHILD_TRAJECTORY_NOTE = gettext_noop(
    "A child plan counts in the period in which it was first written down (the first version "
    "of the child's file with goals); a report to the VK, the OCJ or the youth court counts on "
    "the day it was made, as the child's file recorded it by the end of the period: a later "
    "change of the file does not change a past period, a report recorded later but dated in "
    "the period (a correction) does. Each child once per row; anonymous consults not included."
)


def _reports(rows: Iterable[Mapping[str, Any]], period: Period) -> Counter[str]:
    """Per child file, its report as recorded by the end of ``period`` (the latest version
    of its history by then) when dated in the period; or, when it had none by then, the
    first report recorded afterwards if that one is dated in the period: a back-dated
    correction, the one later change that may change a past period (and that a published
    report shows as a difference). ``rows``: the history, per file in recording order."""
    start, end = period.start, period.end
    counts: Counter[str] = Counter()
    for _file, versions in groupby(rows, key=itemgetter("id")):
        at_end: Mapping[str, Any] | None = None
        later: Mapping[str, Any] | None = None
        for version in versions:
            recorded = timezone.localdate(version["history_date"])
            reported = version["reported"] and version["history_type"] != "-"
            if recorded <= end:
                at_end = version if reported else None
            elif reported and later is None:
                later = version
        report = at_end if at_end is not None else later
        day = None if report is None else report["reported_on"]
        if report is not None and day is not None and start <= day <= end:
            counts[report["reported_to"]] += 1
    return counts


def child_trajectory(period: Period) -> Table:
    """Child plans made and children reported to the VK / OCJ / youth court in the period
    (issue 18, part 5). Two queries over the child files' history, dated events as recorded
    by the period's end, so a later edit of a file never changes a past period's figures."""
    cases = case_files().values("pk")
    first_plans = (
        unrestricted_for_aggregates(
            ChildFile.history.filter(case_id__in=cases).exclude(plan_goals="")
        )
        .values("id")
        .annotate(first=Min("history_date"))
    )
    start, end = period.start, period.end
    plans = sum(1 for row in first_plans if start <= timezone.localdate(row["first"]) <= end)
    history = (
        unrestricted_for_aggregates(ChildFile.history.filter(case_id__in=cases))
        .order_by("id", "history_date", "history_id")
        .values("id", "history_date", "history_type", "reported", "reported_to", "reported_on")
    )
    reports = _reports(history, period)
    return counts_table(
        key="child_trajectory",
        title=_("Children: child plans and reports to the VK, OCJ or youth court"),
        sheet_title=_("Child plans and reports"),
        label=_("Event"),
        choices=[
            ("plan", _("Child plans made")),
            *(
                (value, _("Reported to: %(to)s") % {"to": text})
                for value, text in ChildReportedTo.choices
            ),
        ],
        counts={"plan": plans, **reports},
        count_label=_("Children"),
        total=False,
        adds_up_over_time=True,
        note=_(CHILD_TRAJECTORY_NOTE),
    )


def people_tables(period: Period) -> list[Table]:
    people = people_counted(period)
    return [
        people_by_role(period, people),
        people_by_position(period, people),
        victims_and_perpetrators_by_position(period, people),
        people_by_gender(period, people),
        people_by_age(period, people),
        minors_by_role(period, people),
        child_trajectory(period),
    ]
