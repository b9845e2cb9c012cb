"""New cases by municipality and police zone, absolute and per 10,000 inhabitants."""

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _

from partners.models import Municipality, MunicipalityPopulation, PoliceZone

from .base import Column, Table, Value
from .common import anonymous_rule, count_column, label_column, new_cases, rate
from .period import Period


def populations(year: int) -> dict[int, tuple[int, int]]:
    """Per municipality id: (inhabitants, year of the figure) for ``year``, or else the
    latest earlier year that has one. One query, whatever the number of years stored."""
    found: dict[int, tuple[int, int]] = {}
    rows = (
        MunicipalityPopulation.objects.filter(year__lte=year)
        .order_by("municipality_id", "-year")
        .values_list("municipality_id", "inhabitants", "year")
    )
    for municipality_id, inhabitants, figure_year in rows:
        found.setdefault(municipality_id, (inhabitants, figure_year))
    return found


def _columns(place: str) -> tuple[Column, ...]:
    return (
        label_column("place", place),
        count_column("cases", _("New cases")),
        Column("inhabitants", _("Inhabitants")),
        Column("population_year", _("Year of the inhabitants figure"), is_year=True),
        Column("per_10000", _("New cases per 10,000 inhabitants"), suppress_with="cases"),
    )


def _note() -> str:
    return " ".join(
        [
            _(
                "Inhabitants of the year of the figures, or else of the latest earlier year "
                "entered. Per 10,000 inhabitants: rounded to one decimal, halves up; shown "
                'as "< 5" when the number of cases is below 5.'
            ),
            anonymous_rule(),
        ]
    )


def by_municipality(period: Period) -> Table:
    counts: dict[int | None, int] = dict(
        new_cases(period)
        .values("municipality_id")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )
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
    keys.append("unknown")
    total_inhabitants = sum(int(row[2] or 0) for row in rows) or None
    total = sum(counts.values())
    rows.append([_("Total"), total, total_inhabitants, None, rate(total, total_inhabitants)])
    keys.append("total")
    return Table(
        key="cases_by_municipality",
        title=_("New cases by municipality"),
        columns=_columns(_("Municipality")),
        rows=rows,
        row_keys=keys,
        note=_note(),
    )


def by_police_zone(period: Period) -> Table:
    counts: dict[int | None, int] = dict(
        new_cases(period)
        .values("municipality__police_zone_id")
        .annotate(n=Count("id"))
        .values_list("municipality__police_zone_id", "n")
    )
    population = populations(period.end.year)
    zone_inhabitants: dict[int, int] = defaultdict(int)
    zone_years: dict[int, set[int]] = defaultdict(set)
    for municipality_id, zone_id in Municipality.objects.values_list("pk", "police_zone_id"):
        if municipality_id in population:
            zone_inhabitants[zone_id] += population[municipality_id][0]
            zone_years[zone_id].add(population[municipality_id][1])
    rows: list[list[Value]] = []
    keys: list[str] = []
    for zone in PoliceZone.objects.order_by("name"):
        count = counts.get(zone.pk, 0)
        zone_total = zone_inhabitants.get(zone.pk) or None
        years = zone_years.get(zone.pk, set())
        rows.append(
            [
                zone.name,
                count,
                zone_total,
                max(years) if years else None,
                rate(count, zone_total),
            ]
        )
        keys.append(f"zone:{zone.name}")
    rows.append([_("Municipality not recorded"), counts.get(None, 0), None, None, None])
    keys.append("unknown")
    total_inhabitants = sum(int(row[2] or 0) for row in rows) or None
    total = sum(counts.values())
    rows.append([_("Total"), total, total_inhabitants, None, rate(total, total_inhabitants)])
    keys.append("total")
    return Table(
        key="cases_by_police_zone",
        title=_("New cases by police zone (of the case's municipality)"),
        columns=_columns(_("Police zone")),
        rows=rows,
        row_keys=keys,
        note=_note(),
    )


def place_tables(period: Period) -> list[Table]:
    return [by_municipality(period), by_police_zone(period)]
