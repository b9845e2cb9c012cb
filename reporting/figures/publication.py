"""Everything published about one calendar year, protected together.

The dashboard publishes its tables for every calendar month, quarter and year, the annual
report its chapters for the year; anyone can put them side by side. So the protection
(``disclosure.protect_periods``) runs once over all of them: each table's own relations,
a police zone and its municipalities, the cells several tables show of one quantity
(``SAME``), and each year as its quarters and its months, and each quarter as its months
(for counts of dated events). Both outputs read their tables from this one result, so a
table shows the same hidden cells on the dashboard and in the PDF.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field, replace

import kombu.exceptions
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from cases.models import ReferralDirection, ReferrerKind

from .annual import annual_chapters
from .base import TOTAL, Chapter, Table
from .disclosure import Same, TimeSplit, protect_periods
from .partnership import dashboard_tables
from .people import MINOR_BANDS, people_counted_per_period
from .period import Period

logger = logging.getLogger(__name__)

_NEW = (
    ("cases_per_track", TOTAL, "new"),
    ("cases_by_referrer", TOTAL, "count"),
    ("cases_by_municipality", TOTAL, "cases"),
    ("cases_by_police_zone", TOTAL, "cases"),
    ("repeats", "new", "count"),
)
_RUNNING = (("cases_per_track", TOTAL, "running"), ("cases_by_risk_level", TOTAL, "count"))
_CLOSED = (
    ("duration_per_track", TOTAL, "cases"),
    ("duration_buckets", TOTAL, "count"),
    ("closing_reasons", TOTAL, "count"),
)
_PEOPLE = (("people_by_gender", TOTAL, "count"), ("people_by_age", TOTAL, "count"))
_INCOMING = (
    ("referrals", ReferralDirection.INCOMING.value, "total"),
    ("referrals_per_partner", TOTAL, "in"),
    ("referrals_per_month", TOTAL, "in"),
)
_OUTGOING = (
    ("referrals", ReferralDirection.OUTGOING.value, "total"),
    ("referrals_per_partner", TOTAL, "out"),
    ("referrals_per_month", TOTAL, "out"),
)
_HELD = (("consultations", "held", "count"), ("consultation_participation", TOTAL, "consultations"))


def _equal(cells: tuple[tuple[str, str, str], ...]) -> list[Same]:
    return [Same(cells[0], (other,)) for other in cells[1:]]


# The same quantity shown by several tables of one period: hiding it in one table is no
# use if another shows it.
SAME: tuple[Same, ...] = (
    *_equal(_NEW),
    *_equal(_RUNNING),
    *_equal(_CLOSED),
    *_equal(_PEOPLE),
    *_equal(_INCOMING),
    *_equal(_OUTGOING),
    *_equal(_HELD),
    Same(
        ("cases_by_referrer", ReferrerKind.PARTNER.value, "count"),
        (("cases_by_referrer_sector", TOTAL, "count"),),
    ),
    # Every registration of the period, by sector and by its status at the end.
    Same(
        ("registrations_by_sector", TOTAL, "count"),
        (("registration_decisions", TOTAL, "count"),),
    ),
    Same(
        ("referrals", ReferralDirection.OUTGOING.value, "total"),
        (("referrals_answered", TOTAL, "count"),),
    ),
    # Minors, each person once: the minor age bands together.
    Same(
        ("minors_by_role", TOTAL, "count"),
        tuple(("people_by_age", band.value, "count") for band in MINOR_BANDS),
    ),
)


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * number - 2, 1)
    return Period(start, month(year, 3 * number).end)


def month(year: int, number: int) -> Period:
    start = datetime.date(year, number, 1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return Period(start, following - datetime.timedelta(days=1))


def calendar_periods(year: int) -> list[Period]:
    """The year, its quarters and its months: every period the dashboard publishes."""
    return [
        Period.year(year),
        *(quarter(year, q) for q in range(1, 5)),
        *(month(year, m) for m in range(1, 13)),
    ]


def time_splits(year: int) -> list[TimeSplit]:
    months = [month(year, m) for m in range(1, 13)]
    quarters = [quarter(year, q) for q in range(1, 5)]
    return [
        TimeSplit(Period.year(year), tuple(quarters)),
        TimeSplit(Period.year(year), tuple(months)),
        *(TimeSplit(quarters[q], tuple(months[3 * q : 3 * q + 3])) for q in range(4)),
    ]


@dataclass(frozen=True)
class YearPublication:
    year: int
    chapters: list[Chapter]
    dashboard: dict[Period, list[Table]]
    computed_at: datetime.datetime = field(default_factory=timezone.now)


def year_publication(year: int) -> YearPublication:
    """The annual chapters of ``year`` and the dashboard of each of its calendar periods,
    protected together. A fixed number of queries per period, whatever the data."""
    periods = calendar_periods(year)
    chapters = annual_chapters(year)
    annual = [table for chapter in chapters for table in chapter.tables]
    annual_keys = {table.key for table in annual}
    # The people of all seventeen periods in one query: per period it was most of the time.
    people_counts = people_counted_per_period(periods)
    dashboards = {period: dashboard_tables(period, people_counts[period]) for period in periods}
    groups: list[list[Table]] = []
    for index, period in enumerate(periods):
        tables = list(dashboards[period])
        if index == 0:
            # The year: the annual tables, and the dashboard's own ones it has not.
            tables = annual + [t for t in tables if t.key not in annual_keys]
        groups.append(tables)
    protected = protect_periods(groups, periods=periods, splits=time_splits(year), same=SAME)
    year_tables = {table.key: table for table in protected[0]}
    shown_chapters = [
        replace(chapter, tables=[year_tables[table.key] for table in chapter.tables])
        for chapter in chapters
    ]
    dashboard = {
        period: (
            [year_tables[t.key] for t in dashboards[period]] if index == 0 else protected[index]
        )
        for index, period in enumerate(periods)
    }
    return YearPublication(year=year, chapters=shown_chapters, dashboard=dashboard)


# How long a kept publication may still be shown while a newer one is computed; after this
# (a server idle for a day) a request computes afresh.
KEPT_AT_MOST = datetime.timedelta(days=1)


def _kept_key(year: int, language: str | None) -> str:
    return f"figures:year-publication:{year}:{language}"


def _refreshing_key(kept_key: str) -> str:
    """Held while the worker computes the kept figures again: one refresh at a time."""
    return f"{kept_key}:refreshing"


def keep_year_publication(year: int) -> YearPublication:
    """Compute ``year_publication(year)`` and keep it, in the current language (the tables
    carry translated titles), for ``kept_year_publication``."""
    key = _kept_key(year, translation.get_language())
    publication = year_publication(year)
    cache.set(key, publication, int(KEPT_AT_MOST.total_seconds()))
    cache.delete(_refreshing_key(key))
    return publication


def kept_year_publication(year: int) -> YearPublication:
    """``year_publication(year)`` as kept in the cache: at most ``FJC_FIGURES_CACHE_SECONDS``
    old, or older while a newer one is being computed.

    Protecting a year means computing all seventeen of its periods (about 10 s at 100,000
    cases), which a dashboard request should not pay: every request within that time shows
    the same protected tables, whichever period it asks for, with the moment they were
    computed. When they are older, the request still shows them (with that moment) and asks
    the worker to compute them again (``reporting.tasks.refresh_year_publication``, once,
    however many requests see them old); only a request with nothing kept computes in
    place. The annual report computes afresh.
    """
    seconds = settings.FJC_FIGURES_CACHE_SECONDS
    if not seconds:
        return year_publication(year)
    language = translation.get_language()
    key = _kept_key(year, language)
    publication = cache.get(key)
    if publication is None:
        return keep_year_publication(year)
    age = timezone.now() - publication.computed_at
    if age > datetime.timedelta(seconds=seconds) and cache.add(_refreshing_key(key), True, 600):
        from reporting.tasks import refresh_year_publication

        try:
            refresh_year_publication.delay(year, language)
        except kombu.exceptions.OperationalError:
            # No broker: the kept figures are shown (with their moment) and asked again later.
            logger.warning("Dashboard figures: the refresh could not be queued")
            cache.delete(_refreshing_key(key))
    return publication


def dashboard_figures(period: Period) -> tuple[list[Table], datetime.datetime]:
    """The dashboard's tables for a calendar month, quarter or year, protected with
    everything else published about that year, and when they were computed."""
    publication = kept_year_publication(period.start.year)
    if period not in publication.dashboard:
        raise ValueError("the dashboard publishes calendar months, quarters and years only")
    return publication.dashboard[period], publication.computed_at


_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


def parse_calendar_period(code: str) -> Period | None:
    """``2025``, ``2025-Q2`` or ``2025-03`` as a period; None for anything else (a free
    range of days would let two overlapping periods be subtracted)."""
    found = _CODE.match(code.strip().upper())
    if found is None:
        return None
    year = int(found["year"])
    if found["quarter"]:
        return quarter(year, int(found["quarter"]))
    if found["month"]:
        return month(year, int(found["month"]))
    return Period.year(year)


def calendar_code(period: Period) -> str:
    """The code ``parse_calendar_period`` reads back: ``2025``, ``2025-Q2``, ``2025-03``."""
    if period == Period.year(period.start.year):
        return f"{period.start.year}"
    if period == month(period.start.year, period.start.month):
        return f"{period.start:%Y-%m}"
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
