"""The moments the tests agree on.

The shared world is committed once per worker, so it is built on the day the suite runs, at
``WORLD_BUILT_AT``: the start of that day, so that it is never later than the moment a test
runs (a test's own rows are always newer than the world's). Tests that need a fixed moment of
that day (well away from midnight, so "today", "yesterday" and "an hour ago" mean the same
thing on every run) travel to ``NOON``, after the world was built. A test that would start
after midnight, or too close to it, runs at ``NOON`` as well (``runs_at_noon``): the whole
suite stays on the world's day, however long it runs.
"""

import datetime
import os
import zoneinfo

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def _suite_day() -> datetime.date:
    """The day the suite started, or the day ``FJC_TEST_TODAY`` (ISO) names: the whole suite
    then runs as if it had started on that day, to rehearse a run across midnight, a year's
    end or a clock change."""
    named = os.environ.get("FJC_TEST_TODAY")
    return datetime.date.fromisoformat(named) if named else datetime.datetime.now(BRUSSELS).date()


TODAY = _suite_day()
WORLD_BUILT_AT = datetime.datetime.combine(TODAY, datetime.time(0, 0), BRUSSELS)
NOON = datetime.datetime.combine(TODAY, datetime.time(12, 0), BRUSSELS)
# A day well into the suite's year, for a test about "this year so far": in the first days of
# January the year has hardly begun, and nothing may be dated after today.
MIDYEAR = datetime.datetime.combine(datetime.date(TODAY.year, 7, 1), datetime.time(12, 0), BRUSSELS)


def iso(days: int) -> str:
    """``TODAY`` plus ``days``, as a form field holds a date."""
    return (TODAY + datetime.timedelta(days=days)).isoformat()


# A test that starts this late could still be running at midnight.
LAST_SAFE_START = datetime.datetime.combine(TODAY, datetime.time(23, 0), BRUSSELS)


def runs_at_noon(now: datetime.datetime) -> bool:
    """Whether a test that starts at ``now`` (the real clock) must travel to ``NOON`` to run
    on the suite's day."""
    return not WORLD_BUILT_AT <= now < LAST_SAFE_START
