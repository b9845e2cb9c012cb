"""People in the client systems of the new and of the running cases: by role, gender and age
band; minors apart. Each table has a column for the people in the cases registered in the
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

One query for the four tables: the counted involvements, read once and tallied here, since a
person's age depends on the earliest of their involvements in each column.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access.policy import unrestricted_for_aggregates
from cases.models import AgeBand, CaseParty, Gender, PartyRole

from .base import Table, Value
from .common import anonymous_rule, count_column, label_column, new_cases, running_cases
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
    roles: set[str] = field(default_factory=set)

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
            "role",
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
    for person_id, role, since, is_new, is_running, born, band, gender in _involvements(period):
        for column, counts in ((NEW, is_new), (RUNNING, is_running)):
            if not counts:
                continue
            person = people[column].get(person_id)
            if person is None:
                person = people[column][person_id] = _Person(born, band, gender, since)
            person.start = min(person.start, since)
            person.roles.add(role)
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
PER_ROLE = gettext_noop("Someone with different roles in different cases counts once per role.")


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
        title=_("People by role in the client system"),
        label=_("Role"),
        choices=PartyRole.choices,
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
        title=_("Children and young people (under 18) by role"),
        label=_("Role"),
        choices=PartyRole.choices,
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


def people_tables(period: Period) -> list[Table]:
    people = people_counted(period)
    return [
        people_by_role(period, people),
        people_by_gender(period, people),
        people_by_age(period, people),
        minors_by_role(period, people),
    ]
