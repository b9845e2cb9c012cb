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

One query for the six tables: the counted involvements, read once and tallied here, since a
person's age depends on the earliest of their involvements in each column.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Q
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


def _involvements(period: Period) -> Iterable[tuple[Any, ...]]:
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


def people_counted(period: Period) -> dict[str, dict[int, _Person]]:
    """column -> person id -> the person as counted in that column. One query."""
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


def _tally(people: Mapping[str, Mapping[int, _Person]], keys: Any) -> dict[str, dict[str, int]]:
    """column -> key -> people, where ``keys(person)`` gives the keys a person counts under."""
    counts: dict[str, dict[str, int]] = {column: defaultdict(int) for column in COLUMNS}
    for column in COLUMNS:
        for person in people[column].values():
            for key in keys(person):
                counts[column][key] += 1
    return counts


def _people_labels() -> tuple[str, str]:
    return _("People in new cases"), _("People in running cases")


def people_by_role(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_role",
        title=_("People by role in the violence"),
        label=_("Role in the violence"),
        choices=_role_rows(),
        counts=_tally(people, lambda person: person.roles),
        count_labels=_people_labels(),
        total=False,
        note=" ".join([_(NOTE), _(PER_ROLE), anonymous_rule()]),
    )


def people_by_gender(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_gender",
        title=_("People by gender"),
        label=_("Gender"),
        choices=Gender.choices,
        counts=_tally(people, lambda person: [person.gender]),
        count_labels=_people_labels(),
        note=_(NOTE),
    )


def people_by_age(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_age",
        title=_("People by age band"),
        label=_("Age band"),
        choices=AgeBand.choices,
        counts=_tally(people, lambda person: [person.band]),
        count_labels=_people_labels(),
        note=_(NOTE),
    )


def minors_by_role(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    minors = {
        column: {person_id: p for person_id, p in people[column].items() if p.is_minor}
        for column in COLUMNS
    }
    return _table(
        key="minors_by_role",
        title=_("Children and young people (under 18): direct victims, witnesses and other roles"),
        sheet_title=_("Children victim or witness"),
        label=_("Role in the violence"),
        choices=_role_rows(),
        counts=_tally(minors, lambda person: person.roles),
        count_labels=(_("Minors in new cases"), _("Minors in running cases")),
        total=False,
        extra=[
            (
                "total",
                _("Minors in all (each person once)"),
                {column: len(minors[column]) for column in COLUMNS},
            )
        ],
        note=" ".join([_(NOTE), _(PER_ROLE)]),
    )


def people_by_position(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    return _table(
        key="people_by_position",
        title=_("People by family position"),
        label=_("Family position"),
        choices=_position_rows(),
        counts=_tally(people, lambda person: person.positions),
        count_labels=_people_labels(),
        total=False,
        note=" ".join([_(NOTE), _(PER_POSITION), anonymous_rule()]),
    )


BY_POSITION_NOTE = gettext_noop(
    "Victims and perpetrators by their family position in the case where they hold that role. "
    "Someone who is a victim and a perpetrator counts in both columns; someone with different "
    "positions in different cases counts once under each, so the rows do not add up."
)


def victims_and_perpetrators_by_position(period: Period, people: Any = None) -> Table:
    people = people_counted(period) if people is None else people
    roles = (ViolenceRole.VICTIM, ViolenceRole.PERPETRATOR)
    labels = {
        (ViolenceRole.VICTIM, NEW): _("Victims in new cases"),
        (ViolenceRole.VICTIM, RUNNING): _("Victims in running cases"),
        (ViolenceRole.PERPETRATOR, NEW): _("Perpetrators in new cases"),
        (ViolenceRole.PERPETRATOR, RUNNING): _("Perpetrators in running cases"),
    }
    counts: dict[tuple[str, str], dict[str, int]] = {
        (role, column): defaultdict(int) for role in roles for column in COLUMNS
    }
    for column in COLUMNS:
        for person in people[column].values():
            for role, position in person.pairs:
                if role in roles:
                    counts[role, column][position] += 1
    rows: list[list[Value]] = []
    keys: list[str] = []
    for value, text in _position_rows():
        rows.append(
            [
                str(text),
                *(counts[role, column].get(value, 0) for role in roles for column in COLUMNS),
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
    "the day it was made. Each child once per row; anonymous consults not included."
)


def child_trajectory(period: Period) -> Table:
    """Child plans made and children reported to the VK / OCJ / youth court in the period
    (issue 18, part 5). Two queries, dated events only, so a later edit of a file never
    changes a past period's figures."""
    cases = case_files().values("pk")
    files = unrestricted_for_aggregates(ChildFile.objects.filter(case_id__in=cases))
    first_plans = (
        unrestricted_for_aggregates(
            ChildFile.history.filter(case_id__in=cases).exclude(plan_goals="")
        )
        .values("id")
        .annotate(first=Min("history_date"))
    )
    start, end = period.start, period.end
    plans = sum(1 for row in first_plans if start <= timezone.localdate(row["first"]) <= end)
    reports = dict(
        files.filter(reported=True, reported_on__range=(start, end))
        .values_list("reported_to")
        .annotate(n=Count("pk"))
        .values_list("reported_to", "n")
    )
    return counts_table(
        key="child_trajectory",
        title=_("Children: child plans and reports to the VK, OCJ or youth court"),
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
