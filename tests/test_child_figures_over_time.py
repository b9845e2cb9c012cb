"""Issue 18, part 5: the children's figures count what was recorded by the period's end.

A report to the VK, the OCJ or the youth court counts as the child's file recorded it by
the end of the period (its history), so a later edit (another date, the report taken out)
never changes a past period. A report first recorded after the period but dated inside it
is a back-dated correction: like a back-dated closing (tests/test_figures_stay_put.py) it
is the one thing that changes a past period, and a published report shows it as a
difference. And the table is on the coordinator's dashboard, protected across a year, its
quarters and its months.
"""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cases.models import ChildReportedTo
from cases.services import ChildFileContent, child_file_save, person_create_in_case
from reporting.figures.base import SUPPRESSED
from reporting.figures.people import child_trajectory
from reporting.figures.period import Period
from reporting.figures.publication import month, quarter, year_publication

from . import party_roles as pr
from .clock import TODAY

pytestmark = pytest.mark.django_db

# Years after the world's: everything in them is recorded by the test.
YEAR = TODAY.year + 1
LATER = YEAR + 1


def _at(time_machine: Any, day: datetime.date) -> None:
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))


def _child(case: Any, name: str) -> Any:
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.CHILD,
        confirm_new=True,
        first_name=name,
        last_name="Kind",
    )


def _save(case: Any, party: Any, version: int, **content: Any) -> None:
    child_file_save(
        case=case,
        party=party,
        by=case.case_director,
        expected_version=version,
        content=ChildFileContent(**content),
    )


def _counts(period: Period) -> dict[str, int]:
    table = child_trajectory(period)
    return dict(zip(table.row_keys, (int(row[1] or 0) for row in table.rows), strict=True))


def _vk(on: datetime.date) -> dict[str, Any]:
    return {"reported": True, "reported_to": ChildReportedTo.VK, "reported_on": on}


def test_a_later_edit_of_the_report_leaves_the_past_period_as_it_was(world, time_machine):
    case = world.cases["city_a"]
    _at(time_machine, datetime.date(YEAR, 6, 15))
    moved, removed = _child(case, "Bo"), _child(case, "Mo")
    _save(case, moved, 0, **_vk(datetime.date(YEAR, 6, 10)))
    _save(case, removed, 0, **_vk(datetime.date(YEAR, 6, 12)))
    before = (_counts(Period.year(YEAR)), _counts(month(YEAR, 6)), _counts(quarter(YEAR, 2)))
    assert before[0]["vk"] == before[1]["vk"] == before[2]["vk"] == 2

    # The next year: one report gets another date (this year), the other is taken out.
    _at(time_machine, datetime.date(LATER, 2, 1))
    _save(case, moved, 1, **_vk(datetime.date(LATER, 1, 20)))
    _save(case, removed, 1)
    after = (_counts(Period.year(YEAR)), _counts(month(YEAR, 6)), _counts(quarter(YEAR, 2)))
    assert after == before
    # The moved report counts where its file put it by the end of that period: the new
    # year (not January: at January's end the file still said June of the year before).
    assert _counts(Period.year(LATER))["vk"] == 1
    assert _counts(month(LATER, 1))["vk"] == 0


def test_a_change_within_the_period_counts_as_recorded_at_its_end(world, time_machine):
    case = world.cases["city_a"]
    _at(time_machine, datetime.date(YEAR, 3, 5))
    child = _child(case, "Bo")
    _save(case, child, 0, **_vk(datetime.date(YEAR, 3, 1)))
    # Corrected in the same month: to the OCJ, another day of March.
    _at(time_machine, datetime.date(YEAR, 3, 20))
    _save(
        case,
        child,
        1,
        reported=True,
        reported_to=ChildReportedTo.OCJ,
        reported_on=datetime.date(YEAR, 3, 18),
    )
    assert _counts(month(YEAR, 3)) | {"plan": 0} == {
        "plan": 0,
        "vk": 0,
        "ocj": 1,
        "youth_court": 0,
    }


def test_a_back_dated_report_changes_the_past_period_only_once_recorded(world, time_machine):
    case = world.cases["city_a"]
    _at(time_machine, datetime.date(YEAR, 12, 1))
    child = _child(case, "Bo")
    _save(case, child, 0, school_name="De Regenboog")
    _at(time_machine, datetime.date(LATER, 1, 10))
    # As computed before it was recorded: nothing in the year.
    assert _counts(Period.year(YEAR))["vk"] == 0
    _save(case, child, 1, **_vk(datetime.date(YEAR, 12, 20)))
    # A correction dated inside the year: the one thing that changes it (and a published
    # report of the year shows it as a difference); in its month, its quarter, its year.
    assert _counts(Period.year(YEAR))["vk"] == 1
    assert _counts(quarter(YEAR, 4))["vk"] == 1
    assert _counts(month(YEAR, 12))["vk"] == 1
    assert _counts(Period.year(LATER))["vk"] == 0


def test_the_dashboard_hides_a_small_month_so_the_year_does_not_give_it_away(world, time_machine):
    """The attacker's sum: a hidden month = the year minus the other months shown."""
    case = world.cases["city_a"]
    days = [datetime.date(YEAR, 1, d) for d in range(2, 8)] + [datetime.date(YEAR, 5, 3)]
    for number, day in enumerate(days):
        _at(time_machine, day)
        child = _child(case, f"Kind{number}")
        _save(case, child, 0, **_vk(day))
    _at(time_machine, datetime.date(LATER, 1, 5))
    publication = year_publication(YEAR)

    def shown(period: Period) -> Any:
        (table,) = [t for t in publication.dashboard[period] if t.key == "child_trajectory"]
        rows = dict(zip(table.row_keys, table.display_rows(), strict=True))
        value = rows["vk"][1]
        return int(value) if value.isdigit() else value

    months = {m: shown(month(YEAR, m)) for m in range(1, 13)}
    assert months[5] == SUPPRESSED
    hidden = [m for m, value in months.items() if not isinstance(value, int)]
    # One hidden month alone would be the year minus the rest: at least two are hidden
    # (or the year is), and no quarter gives it away either.
    year = shown(Period.year(YEAR))
    assert len(hidden) >= 2 or not isinstance(year, int)
    quarter_two = shown(quarter(YEAR, 2))
    assert (
        not isinstance(quarter_two, int)
        or sum(1 for m in (4, 5, 6) if not isinstance(months[m], int)) >= 2
    )
