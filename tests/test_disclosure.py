"""Disclosure control (issue 12): secondary suppression that survives differencing.

The protection's rules on small hand-made tables, then an attacker's view of a generated
year with many small counts: every table the dashboard publishes for every calendar month,
quarter and year, and the annual report's tables, put side by side. The attacker
(``tests.disclosure_attacker``, written apart from the protection) must not pin any hidden
cell to one number; the same attacker does recover cells from the same figures shown with
"< 5" only, so it can fail.
"""

import datetime
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from cases.models import ReferralStatus
from consultations.models import ConsultationStatus
from partners.models import Gap, GapKind, GapStatus, MunicipalityPopulation, OrganisationKind
from reporting.figures.base import (
    COMPLEMENTARY,
    SUPPRESSED,
    Cell,
    Column,
    Relation,
    Table,
    column_sums,
)
from reporting.figures.common import counts_table
from reporting.figures.disclosure import TimeSplit, protect, protect_periods
from reporting.figures.period import Period
from reporting.figures.places import place_tables
from reporting.figures.publication import (
    calendar_code,
    calendar_periods,
    dashboard_figures,
    month,
    quarter,
    year_publication,
)

from . import party_roles as pr
from .disclosure_attacker import Attacker, Published, zone_relations
from .factories import make_organisation
from .figures_helpers import REGION, D, close, make_director, make_region, new_case, person
from .test_dashboard import consult, refer

YEAR = 2025


def shown(table: Table) -> list[str]:
    return [row[1] for row in table.display_rows()]


def one_column(counts: dict[str, int]) -> Table:
    return counts_table(
        key="t",
        title="T",
        label="L",
        choices=list(zip(counts, counts, strict=True)),
        counts=counts,
        count_label="N",
    )


# --- the protection's rules ---


def test_a_single_small_count_gets_the_smallest_other_count_as_its_complement():
    # 2 = 18 - 7 - 9: hide 7 (the smallest non-zero other count), never the zero.
    t = one_column({"a": 2, "b": 9, "c": 7, "d": 0})
    assert shown(t) == [SUPPRESSED, "9", COMPLEMENTARY, "0", "18"]
    assert t.rows[0][1] == 2  # the raw value stays for the checksum


def test_two_small_counts_adding_up_to_two_are_not_enough():
    # "< 5" + "< 5" = 12 - 10 = 2 would pin both to 1: a third cell is hidden.
    t = one_column({"a": 1, "b": 1, "c": 10})
    assert shown(t) == [SUPPRESSED, SUPPRESSED, COMPLEMENTARY, "12"]
    # 4 + 4 = 8 pins both to 4 just the same.
    t = one_column({"a": 4, "b": 4, "c": 0})
    assert shown(t) == [SUPPRESSED, SUPPRESSED, "0", COMPLEMENTARY]


def test_two_small_counts_that_leave_room_need_nothing_more():
    t = one_column({"a": 1, "b": 2, "c": 10})
    assert shown(t) == [SUPPRESSED, SUPPRESSED, "10", "13"]


def test_a_small_total_of_small_parts_that_would_pin_it_is_shown_as_x():
    # Four parts of at least 1 make at least 4; a total "< 5" would say at most 4.
    t = one_column({"a": 1, "b": 1, "c": 1, "d": 1})
    assert shown(t) == [SUPPRESSED] * 4 + [COMPLEMENTARY]


def test_a_table_whose_rows_overlap_declares_nothing_and_hides_only_small_counts():
    t = counts_table(
        key="t",
        title="T",
        label="L",
        choices=[("a", "A"), ("b", "B")],
        counts={"a": 3, "b": 9},
        count_label="N",
        total=False,
    )
    assert t.relations == ()
    assert shown(t) == [SUPPRESSED, "9"]


def test_rates_and_shares_are_hidden_with_the_counts_they_come_from():
    t = Table(
        key="t",
        title="T",
        columns=(
            Column("label", "L", is_label=True),
            Column("n", "N", suppress_small=True),
            Column("rate", "R", suppress_with="n"),
        ),
        rows=[["a", 2, 1], ["b", 7, 2], ["c", 9, 3], ["total", 18, 4]],
        row_keys=["a", "b", "c", "total"],
        relations=column_sums(["a", "b", "c", "total"], ["n"]),
        derived=[(Cell("total", "rate"), (Cell("a", "n"),))],
    )
    assert [row[1:] for row in t.display_rows()] == [
        [SUPPRESSED, SUPPRESSED],
        [COMPLEMENTARY, COMPLEMENTARY],
        ["9", "3"],
        ["18", SUPPRESSED],
    ]


def test_a_zone_minus_its_shown_municipalities_gives_nothing_away():
    def municipalities(counts):
        rows = [["m", n] for n in counts.values()] + [["t", sum(counts.values())]]
        keys = [*counts, "total"]
        return Table(
            key="m",
            title="M",
            columns=(Column("l", "L", is_label=True), Column("n", "N", suppress_small=True)),
            rows=rows,
            row_keys=keys,
            relations=column_sums(keys, ["n"]),
        )

    # a and b make zone 1, c and d zone 2.
    towns = municipalities({"a": 3, "b": 20, "c": 6, "d": 40})
    zones = Table(
        key="z",
        title="Z",
        columns=(Column("l", "L", is_label=True), Column("n", "N", suppress_small=True)),
        rows=[["z1", 23], ["z2", 46], ["t", 69]],
        row_keys=["z1", "z2", "total"],
        relations=(
            *column_sums(["z1", "z2", "total"], ["n"]),
            Relation(Cell("z1", "n"), (Cell("a", "n", "m"), Cell("b", "n", "m"))),
            Relation(Cell("z2", "n"), (Cell("c", "n", "m"), Cell("d", "n", "m"))),
            Relation(Cell("total", "n"), (Cell("total", "n", "m"),)),
        ),
    )
    # On its own, the municipalities' table hides 6 with the 3: zone 1 (23) minus b (20)
    # would then give a away.
    assert shown(towns) == [SUPPRESSED, "20", COMPLEMENTARY, "40", "69"]
    together = protect([towns, zones])
    # Together: b covers a inside zone 1, and d covers c (the complement) inside zone 2.
    assert shown(together[0]) == [SUPPRESSED, COMPLEMENTARY, COMPLEMENTARY, COMPLEMENTARY, "69"]
    assert shown(together[1]) == ["23", "46", "69"]


def test_a_month_cannot_be_worked_out_from_the_year_and_the_other_months():
    # Row a: 1 in March; row b: 6 in March and 9 in July. Each period protected on its
    # own hides March's 6 and the year's 15 as complements, but the months and quarters are
    # related to the year: protected together, nothing can be pinned.
    year, months = Period.year(YEAR), [month(YEAR, m) for m in range(1, 13)]
    quarters = [quarter(YEAR, q) for q in range(1, 5)]

    def table(a: int, b: int) -> Table:
        keys = ["a", "b", "total"]
        return Table(
            key="t",
            title="T",
            columns=(
                Column("l", "L", is_label=True),
                Column("n", "N", suppress_small=True, adds_up_over_time=True),
            ),
            rows=[["a", a], ["b", b], ["t", a + b]],
            row_keys=keys,
            relations=column_sums(keys, ["n"]),
        )

    counts = dict.fromkeys(months, (0, 0))
    counts[months[2]] = (1, 6)  # March: a 1 and a 6
    counts[months[6]] = (0, 9)  # July: 9
    groups = [[table(1, 15)], *[[table(*counts[m])] for m in months]]
    groups.insert(1, [table(1, 6)])  # Q1
    groups.insert(2, [table(0, 0)])
    groups.insert(3, [table(0, 9)])
    groups.insert(4, [table(0, 0)])
    periods = [year, *quarters, *months]
    splits = [
        TimeSplit(year, tuple(months)),
        TimeSplit(year, tuple(quarters)),
        *(TimeSplit(quarters[q], tuple(months[3 * q : 3 * q + 3])) for q in range(4)),
    ]
    alone = [[t.as_protected() for t in group] for group in groups]
    assert shown(alone[0][0]) == [SUPPRESSED, COMPLEMENTARY, "16"]
    assert shown(alone[7][0])[1] == COMPLEMENTARY and shown(alone[11][0])[1] == "9"
    together = protect_periods(groups, periods=periods, splits=splits)
    published = Published()
    for period, group in zip(periods, together, strict=True):
        published.add(
            calendar_code(period),
            "t",
            ["a", "b", "total"],
            ["n"],
            [row[1:] for row in group[0].display_rows()],
        )
    assert attack(published, tables={"t": ["n"]}, additive={"t": ["n"]}) == {}


# --- the attacker's view of a generated year ---


def attack(
    published: Published,
    *,
    tables: dict[str, list[str]],
    additive: dict[str, list[str]],
    grids: dict[str, list[str]] | None = None,
    zones: dict[str, list[str]] | None = None,
    same: list[list[tuple[str, str, str]]] | None = None,
) -> dict:
    attacker = Attacker(published)
    periods = sorted({period for period, _key in published.tables})
    for period in periods:
        for key, columns in tables.items():
            attacker.columns_add_up(period, key, columns)
        for key, columns in (grids or {}).items():
            attacker.rows_add_up(period, key, columns)
        if zones:
            zone_relations(attacker, period, zones)
        for cells in same or []:
            first, *others = cells
            for other in others:
                attacker.sum_of((period, *first), [(period, *other)])
        rows = published.rows(period, "consultation_participation")
        for row in rows:
            attacker.sum_of(
                (period, "consultation_participation", row, "held"),
                [(period, "consultation_participation", "total", "consultations")],
            )
    year = str(YEAR)
    quarters = [f"{YEAR}-Q{q}" for q in range(1, 5)]
    months = [f"{YEAR}-{m:02}" for m in range(1, 13)]
    for key, columns in additive.items():
        attacker.over_time(year, quarters, key, columns)
        attacker.over_time(year, months, key, columns)
        for q in range(4):
            attacker.over_time(quarters[q], months[3 * q : 3 * q + 3], key, columns)
    return attacker.recovered()


COLUMN_SUMS = {
    "cases_per_track": ["new", "running"],
    "track_moves": ["count"],
    "cases_by_referrer": ["count"],
    "cases_by_referrer_sector": ["count"],
    "people_by_gender": ["count"],
    "people_by_age": ["count"],
    "cases_by_municipality": ["cases"],
    "cases_by_police_zone": ["cases"],
    "cases_by_risk_level": ["count"],
    "duration_per_track": ["cases"],
    "duration_buckets": ["count"],
    "closing_reasons": ["count"],
    "referrals": ["pending", "accepted", "declined", "done", "total"],
    "gaps": ["new", "follow_up", "addressed", "closed", "total"],
    "referrals_per_partner": ["in", "out", "accepted", "declined"],
    "referrals_per_month": ["in", "out"],
}
GRIDS = {
    "referrals": ["pending", "accepted", "declined", "done"],
    "gaps": ["new", "follow_up", "addressed", "closed"],
}
OVER_TIME = {
    "referrals_per_partner": ["in", "out"],
    "referrals_per_month": ["in", "out"],
    "consultation_participation": ["consultations"],
    "cases_by_municipality": ["cases"],
    "gaps": ["total"],
}
SAME = [
    [
        ("cases_per_track", "total", "new"),
        ("cases_by_referrer", "total", "count"),
        ("cases_by_municipality", "total", "cases"),
        ("repeats", "new", "count"),
    ],
    [("cases_per_track", "total", "running"), ("cases_by_risk_level", "total", "count")],
    [("duration_per_track", "total", "cases"), ("closing_reasons", "total", "count")],
    [("people_by_gender", "total", "count"), ("people_by_age", "total", "count")],
    [("referrals", "in", "total"), ("referrals_per_partner", "total", "in")],
    [("referrals", "out", "total"), ("referrals_per_month", "total", "out")],
    [("consultations", "held", "count"), ("consultation_participation", "total", "held")],
]
COUNT_COLUMNS = {column for columns in COLUMN_SUMS.values() for column in columns} | {
    "count",
    "consultations",
    "held",
    "cases",
    "new",
    "running",
}


def _zones() -> dict[str, list[str]]:
    zones = defaultdict(list)
    for name, (_inhabitants, zone) in REGION.items():
        zones[zone].append(name)
    return dict(zones)


@pytest.fixture
def small_year(db):
    """A year of many small counts, made through the services where they exist."""
    rng = random.Random(12)
    director = make_director("director_attack")
    places = make_region()
    for index, (town, (inhabitants, _zone)) in enumerate(REGION.items()):
        # Some municipalities only have last year's figure: zones must not mix years.
        MunicipalityPopulation.objects.create(
            municipality=places[town], year=YEAR - index % 2, inhabitants=inhabitants
        )
    partners = [make_organisation(f"Partner {i}", OrganisationKind.PARTNER) for i in range(5)]

    def day() -> datetime.date:
        return D(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(365))

    names: list[str | None] = [*REGION, None, None]
    cases = []
    for _ in range(45):
        name = rng.choice(names)
        case = new_case(
            director,
            day(),
            rng.choice([1, 1, 2, 3]),
            municipality=places[name] if name else None,
        )
        person(case, rng.choice([pr.VICTIM, pr.CHILD]))
        cases.append(case)
    for case in rng.sample(cases, 12):
        closing = case.opened_on + datetime.timedelta(days=rng.randrange(1, 120))
        if closing.year == YEAR:
            close(case, closing)
    statuses = [ReferralStatus.PENDING, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED]
    for _ in range(30):
        case = rng.choice(cases)
        on = max(day(), case.opened_on)
        refer(case, rng.choice(partners), rng.choice(["in", "out"]), on, rng.choice(statuses))
    for _ in range(12):
        Gap.objects.create(
            kind=rng.choice(GapKind.values),
            description="Wachtlijst",
            signalled_on=day(),
            signalled_by=director,
            status=rng.choice(GapStatus.values),
        )
    brussels = ZoneInfo("Europe/Brussels")
    for _ in range(7):
        on = day()
        consult(
            director,
            datetime.datetime(on.year, on.month, on.day, 10, tzinfo=brussels),
            ConsultationStatus.HELD,
            [(partner, False) for partner in rng.sample(partners, 2)],
            [(case, True, False) for case in rng.sample(cases, 2)],
        )
    return places


def _published(publication) -> Published:
    published = Published()
    year = Period.year(YEAR)
    with translation.override("nl"):
        for chapter in publication.chapters:
            for table in chapter.tables:
                _add(published, year, table)
        for period, tables in publication.dashboard.items():
            for table in tables:
                _add(published, period, table)
    return published


def _add(published: Published, period: Period, table: Table) -> None:
    keep = [j for j, c in enumerate(table.columns) if c.suppress_small]
    published.add(
        calendar_code(period),
        table.key,
        table.row_keys,
        [table.columns[j].key for j in keep],
        [[row[j] for j in keep] for row in table.display_rows()],
    )


def _attack(published: Published) -> dict:
    return attack(
        published, tables=COLUMN_SUMS, additive=OVER_TIME, grids=GRIDS, zones=_zones(), same=SAME
    )


def test_no_hidden_cell_of_a_generated_year_can_be_recovered(small_year):
    publication = year_publication(YEAR)
    published = _published(publication)
    hidden = [
        (key, row, column)
        for key, (rows, columns, cells) in published.tables.items()
        for row, values in zip(rows, cells, strict=True)
        for column, value in zip(columns, values, strict=True)
        if value in (SUPPRESSED, COMPLEMENTARY)
    ]
    # Many small counts, and complements among them.
    assert len(hidden) > 200
    assert (
        sum(
            row.count(COMPLEMENTARY)
            for _rows, _cols, cells in published.tables.values()
            for row in cells
        )
        > 20
    )
    assert _attack(published) == {}
    # The dashboard serves exactly these tables, for a month, a quarter and the year.
    for period in (month(YEAR, 3), quarter(YEAR, 2), Period.year(YEAR)):
        assert [t.display_rows() for t in dashboard_figures(period)[0]] == [
            t.display_rows() for t in publication.dashboard[period]
        ]


def test_the_attacker_recovers_counts_from_small_counts_hidden_alone(small_year):
    """The same figures with "< 5" only, each table on its own (as before issue 12): the
    attacker pins hidden counts, so the test above can fail."""
    publication = year_publication(YEAR)
    published = Published()
    with translation.override("nl"):
        for period in calendar_periods(YEAR):
            tables = publication.dashboard[period]
            if period == Period.year(YEAR):
                tables = [*tables, *place_tables(period)[1:]]
            for table in tables:
                keep = [j for j, c in enumerate(table.columns) if c.suppress_small]
                published.add(
                    calendar_code(period),
                    table.key,
                    table.row_keys,
                    [table.columns[j].key for j in keep],
                    [
                        [SUPPRESSED if row[j] in (1, 2, 3, 4) else str(row[j]) for j in keep]
                        for row in table.rows
                    ],
                )
    assert len(_attack(published)) > 5


def test_the_published_relations_hold_for_the_raw_figures(small_year, caplog):
    """Every relation the tables declare holds on the generated data (a relation that did
    not would be left out of the protection, with a warning)."""
    with caplog.at_level("WARNING", logger="reporting.figures.disclosure"):
        year_publication(YEAR)
    assert caplog.records == []
