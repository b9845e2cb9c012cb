"""New cases by municipality and police zone, absolute and per 10,000 inhabitants.

The rate's numerator is the count in the same row (the same new cases the table counts);
its denominator is the municipality's population of the period's year, or else of the
latest earlier year entered (the year used is shown). A police zone never mixes years: it
takes the latest year up to the period's year in which every municipality of the zone has
a figure, and has no rate without one. A total's rate counts only the cases of the rows
in its denominator. The zone table declares each zone the sum of its municipalities, so
the protection (``disclosure``) hides what a zone minus its shown municipalities would
give away.
"""

from collections import defaultdict
from dataclasses import replace

from django.db.models import Count
from django.utils.translation import gettext as _

from partners.models import Municipality, MunicipalityPopulation, PoliceZone

from .base import TOTAL, Cell, Column, Relation, Table, Value, column_sums
from .common import anonymous_rule, count_column, label_column, new_cases, rate
from .period import Period

MUNICIPALITY_TABLE = "cases_by_municipality"
UNKNOWN = "unknown"


def population_years(year: int) -> dict[int, dict[int, int]]:
    """Per municipality id: {year: inhabitants} for every year up to ``year``. One query."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    rows = MunicipalityPopulation.objects.filter(year__lte=year).values_list(
        "municipality_id", "year", "inhabitants"
    )
    for municipality_id, figure_year, inhabitants in rows:
        found[municipality_id][figure_year] = inhabitants
    return found


def populations(year: int) -> dict[int, tuple[int, int]]:
    """Per municipality id: (inhabitants, year of the figure) for ``year``, or else the
    latest earlier year that has one. One query, whatever the number of years stored."""
    return {
        municipality_id: (by_year[max(by_year)], max(by_year))
        for municipality_id, by_year in population_years(year).items()
        if by_year
    }


def common_year(members: list[int], by_municipality: dict[int, dict[int, int]]) -> int | None:
    """The latest year in which every one of ``members`` has a figure, if any."""
    if not members:
        return None
    years = set.intersection(*(set(by_municipality.get(m, {})) for m in members))
    return max(years) if years else None


def _columns(place: str) -> tuple[Column, ...]:
    return (
        label_column("place", place),
        count_column("cases", _("New cases"), adds_up_over_time=True),
        Column("inhabitants", _("Inhabitants")),
        Column("population_year", _("Year of the inhabitants figure"), is_year=True),
        Column("per_10000", _("New cases per 10,000 inhabitants"), suppress_with="cases"),
    )


def _note(zones: bool) -> str:
    parts = [
        _(
            "Per 10,000 inhabitants: the new cases of the row divided by its inhabitants, "
            "rounded to one decimal, halves up; hidden when the number of cases is hidden."
        ),
        _(
            "A municipality's inhabitants are those of the year of the figures, or else of "
            "the latest earlier year entered (the year used is shown)."
        ),
    ]
    if zones:
        parts.append(
            _(
                "A police zone never mixes years: its inhabitants are those of the latest "
                "year (up to the year of the figures) in which every municipality of the "
                "zone has a figure; without such a year the zone has no rate."
            )
        )
    parts.append(
        _(
            "The total's rate counts only the cases of the rows whose inhabitants are in "
            "its denominator (not the cases without a municipality)."
        )
    )
    parts.append(anonymous_rule())
    return " ".join(parts)


def _total_row(rows: list[list[Value]], keys: list[str]) -> tuple[list[Value], list[Cell]]:
    """The total: every case; its rate over the rows with inhabitants only. Also the
    cells left out of the rate's numerator (its rate is hidden when one of them is)."""
    counted = [row for row in rows if row[2] is not None]
    inhabitants = sum(int(row[2] or 0) for row in counted) or None
    numerator = sum(int(row[1] or 0) for row in counted)
    left_out = [Cell(key, "cases") for row, key in zip(rows, keys, strict=True) if row[2] is None]
    total = sum(int(row[1] or 0) for row in rows)
    return [_("Total"), total, inhabitants, None, rate(numerator, inhabitants)], left_out


def _table(
    *, key: str, title: str, place: str, rows: list[list[Value]], keys: list[str], zones: bool
) -> Table:
    total, left_out = _total_row(rows, keys)
    rows, keys = [*rows, total], [*keys, TOTAL]
    return Table(
        key=key,
        title=title,
        columns=_columns(place),
        rows=rows,
        row_keys=keys,
        note=_note(zones),
        relations=column_sums(keys, ["cases"]),
        derived=[(Cell(TOTAL, "per_10000"), tuple(left_out))],
    )


def _municipality_counts(period: Period) -> dict[int | None, int]:
    return dict(
        new_cases(period)
        .values("municipality_id")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )


def by_municipality(period: Period) -> Table:
    counts = _municipality_counts(period)
    population = populations(period.end.year)
    rows: list[list[Value]] = []
    keys: list[str] = []
    for municipality in Municipality.objects.order_by("name"):
        count = counts.get(municipality.pk, 0)
        found = population.get(municipality.pk)
        inhabitants, year = found if found else (None, None)
        rows.append([municipality.name, count, inhabitants, year, rate(count, inhabitants)])
        keys.append(f"municipality:{municipality.name}")
    rows.append([_("Municipality not recorded"), counts.get(None, 0), None, None, None])
    keys.append(UNKNOWN)
    return _table(
        key=MUNICIPALITY_TABLE,
        title=_("New cases by municipality"),
        place=_("Municipality"),
        rows=rows,
        keys=keys,
        zones=False,
    )


def by_police_zone(period: Period) -> Table:
    counts = _municipality_counts(period)
    by_year = population_years(period.end.year)
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for municipality_id, name, zone_id in Municipality.objects.order_by("name").values_list(
        "pk", "name", "police_zone_id"
    ):
        members[zone_id].append((municipality_id, name))
    rows: list[list[Value]] = []
    keys: list[str] = []
    relations: list[Relation] = []
    for zone in PoliceZone.objects.order_by("name"):
        ids = [municipality_id for municipality_id, _name in members.get(zone.pk, [])]
        count = sum(counts.get(municipality_id, 0) for municipality_id in ids)
        year = common_year(ids, by_year)
        inhabitants = sum(by_year[m][year] for m in ids) if year is not None else None
        rows.append([zone.name, count, inhabitants, year, rate(count, inhabitants)])
        key = f"zone:{zone.name}"
        keys.append(key)
        # A zone is the sum of its municipalities in the municipality table.
        relations.append(
            Relation(
                Cell(key, "cases"),
                tuple(
                    Cell(f"municipality:{name}", "cases", table=MUNICIPALITY_TABLE)
                    for _id, name in members.get(zone.pk, [])
                ),
            )
        )
    rows.append([_("Municipality not recorded"), counts.get(None, 0), None, None, None])
    keys.append(UNKNOWN)
    table = _table(
        key="cases_by_police_zone",
        title=_("New cases by police zone (of the case's municipality)"),
        place=_("Police zone"),
        rows=rows,
        keys=keys,
        zones=True,
    )
    same = [
        Relation(Cell(key, "cases"), (Cell(key, "cases", table=MUNICIPALITY_TABLE),))
        for key in (UNKNOWN, TOTAL)
    ]
    return replace(table, relations=(*table.relations, *relations, *same))


def place_tables(period: Period) -> list[Table]:
    return [by_municipality(period), by_police_zone(period)]
