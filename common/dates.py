"""Calendar arithmetic the standard library lacks."""

import calendar
import datetime


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
