"""The moments the tests agree on.

The shared world is committed once per worker, so it is built on the day the suite runs, at
``WORLD_BUILT_AT``: the start of that day, so that it is never later than the moment a test
runs (a test's own rows are always newer than the world's). Tests that need a fixed moment of
that day (well away from midnight, so "today", "yesterday" and "an hour ago" mean the same
thing on every run) travel to ``NOON``, after the world was built. A suite that runs across
midnight (Brussels time) sees a world of yesterday in its tests that do not travel.
"""

import datetime
import zoneinfo

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")
TODAY = datetime.datetime.now(BRUSSELS).date()
WORLD_BUILT_AT = datetime.datetime.combine(TODAY, datetime.time(0, 0), BRUSSELS)
NOON = datetime.datetime.combine(TODAY, datetime.time(12, 0), BRUSSELS)


def iso(days: int) -> str:
    """``TODAY`` plus ``days``, as a form field holds a date."""
    return (TODAY + datetime.timedelta(days=days)).isoformat()
