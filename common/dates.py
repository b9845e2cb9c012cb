"""Calendar arithmetic the standard library lacks, and the one rule for plausible dates and
numbers.

Every date a person types is one of a few kinds (:class:`DateKind`), each with its own window
around today; services call :func:`check_date` (and :func:`check_number` for counts and
amounts) before they write, so forms, the admin and imports are held to the same rule. A form
that wants to refuse early may call the same functions, never a rule of its own. The windows
also keep every accepted date far from ``date.max``, so arithmetic on it (an access window of
days after a meeting) cannot overflow.
"""

import calendar
import datetime
import enum
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Nobody alive and involved in a case was born before this day.
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# An agreement or a legal basis may be valid for years; a longer horizon is a typing slip.
VALIDITY_YEARS_AHEAD = 10


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months (negative: back), the day clamped to the month.

    31-01 + 1 month → 28-02 (29-02 in a leap year); 29-02-2024 - 12 months → 28-02-2023.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class DateKind(enum.Enum):
    """What a date means, which decides the window it must lie in."""

    # A date of birth: from 1900-01-01 up to today.
    BIRTH = "birth"
    # Something that happened in a case or the network (a registration, a police report, an
    # assessment, a decision, a training given): from FJC_SERVICE_START up to today.
    HAPPENED = "happened"
    # Something planned or a term that runs on (a hearing, a consultation, a review, the end of
    # an order, a task's deadline): from FJC_SERVICE_START up to FJC_MAX_YEARS_AHEAD ahead.
    PLANNED = "planned"
    # The end of an agreement or a legal basis: up to VALIDITY_YEARS_AHEAD years ahead.
    VALIDITY = "validity"


def date_bounds(
    kind: DateKind, *, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The first and the last day (both included) a date of ``kind`` may be."""
    today = today or timezone.localdate()
    if kind is DateKind.BIRTH:
        return EARLIEST_BIRTH, today
    earliest = settings.FJC_SERVICE_START
    if kind is DateKind.HAPPENED:
        return earliest, today
    years = settings.FJC_MAX_YEARS_AHEAD if kind is DateKind.PLANNED else VALIDITY_YEARS_AHEAD
    return earliest, add_months(today, 12 * years)


def _as_day(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            return timezone.localtime(value).date()
        return value.date()
    return value


def date_problem(
    value: datetime.date | None, kind: DateKind, *, today: datetime.date | None = None
) -> str | None:
    """Why ``value`` is not a plausible date of ``kind`` (a Dutch sentence), or None."""
    if value is None:
        return None
    day = _as_day(value)
    earliest, latest = date_bounds(kind, today=today)
    if day < earliest:
        return _("This date lies before %(earliest)s; check the year.") % {
            "earliest": formats.date_format(earliest, "SHORT_DATE_FORMAT")
        }
    if day > latest:
        if kind in (DateKind.BIRTH, DateKind.HAPPENED):
            return _("This date lies in the future; give the day it happened.")
        years = settings.FJC_MAX_YEARS_AHEAD if kind is DateKind.PLANNED else VALIDITY_YEARS_AHEAD
        return ngettext(
            "This date lies more than %(years)d year ahead; check the year.",
            "This date lies more than %(years)d years ahead; check the year.",
            years,
        ) % {"years": years}
    return None


def check_date(
    value: datetime.date | None,
    kind: DateKind,
    *,
    field: str,
    today: datetime.date | None = None,
) -> None:
    """Refuse an implausible date of ``kind``, keyed by ``field`` as services report rules."""
    problem = date_problem(value, kind, today=today)
    if problem is not None:
        raise ValidationError({field: problem})


def check_dates(kinds: dict[str, tuple[datetime.date | None, DateKind]]) -> None:
    """:func:`check_date` for several fields at once, every problem reported together."""
    problems = {
        field: problem
        for field, (value, kind) in kinds.items()
        if (problem := date_problem(value, kind)) is not None
    }
    if problems:
        raise ValidationError(problems)


# Upper bounds for numbers people type: far above anything real, far below what breaks a
# column or a sum. A count of people (at one training); the inhabitants of one municipality
# (Antwerp has ~530,000); staff of one line in full-time equivalents (the column holds
# 999.99). Euro amounts have their own rule with the funding (``reporting.services``).
MAX_COUNT = 100_000
MAX_POPULATION = 2_000_000
MAX_FTE = Decimal("999.99")


def check_year(value: int | None, *, field: str, earliest: int) -> None:
    """A year from ``earliest`` up to FJC_MAX_YEARS_AHEAD years after this one."""
    if value is None:
        return
    latest = timezone.localdate().year + settings.FJC_MAX_YEARS_AHEAD
    if not earliest <= value <= latest:
        raise ValidationError(
            {
                field: _("Give a year from %(earliest)d to %(latest)d.")
                % {"earliest": earliest, "latest": latest}
            }
        )


def check_number(
    value: int | Decimal | None,
    *,
    field: str,
    maximum: int | Decimal,
    minimum: int | Decimal = 0,
) -> None:
    """Refuse a count or amount outside ``minimum``..``maximum`` (both included)."""
    if value is None:
        return
    if value < minimum:
        if minimum == 0:
            raise ValidationError({field: _("This number cannot be negative.")})
        raise ValidationError(
            {field: _("This number is too small; at least %(minimum)s.") % {"minimum": minimum}}
        )
    if value > maximum:
        raise ValidationError(
            {
                field: _("This number is implausibly large; at most %(maximum)s.")
                % {"maximum": maximum}
            }
        )
