"""The whole suite runs on the day its shared world was built (tests/clock.py), even when it
runs across midnight: the failure of a CI run that started at 23:24 and ended after midnight."""

import datetime

import pytest
from django.utils import timezone

from .clock import BRUSSELS, TODAY, WORLD_BUILT_AT, runs_at_noon


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), BRUSSELS)


DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("now", "travels"),
    [
        (_at(TODAY, 0), False),
        (_at(TODAY, 15, 30), False),
        (_at(TODAY, 22, 59), False),
        # Too close to midnight: the test could end on the next day.
        (_at(TODAY, 23, 0), True),
        (_at(TODAY, 23, 59), True),
        # The suite started yesterday (or FJC_TEST_TODAY names a past day).
        (_at(TODAY + DAY, 0, 10), True),
        (_at(TODAY + 3 * DAY, 12), True),
        # FJC_TEST_TODAY names a day still to come.
        (_at(TODAY - DAY, 12), True),
    ],
)
def test_a_test_travels_to_noon_when_it_could_not_run_on_the_suites_day(now, travels):
    assert runs_at_noon(now) is travels


def test_every_test_runs_on_the_suites_day_after_the_world_was_built():
    """Trivially true in a run that stays within one day; `FJC_TEST_TODAY=<yesterday>
    ./scripts/test.sh` rehearses a run across midnight, where it holds only by the travel."""
    now = timezone.now()
    assert timezone.localdate(now) == TODAY
    assert now >= WORLD_BUILT_AT


@pytest.mark.django_db
def test_the_shared_world_is_of_the_suites_day(world):
    assert world.cases["city_a"].opened_on == TODAY
