"""Case references: ``YYYY-NNNNN``, numbered per year from a counter row.

The counter row of a year is locked ``FOR UPDATE`` while a registration takes the next
number, so parallel registrations queue instead of colliding (the old "highest + 1"
compared references as text and failed after ``YYYY-99999``). Numbers are zero-padded to
five digits and simply grow wider after 99,999 (``2025-100000``).
"""

from typing import Any

from django.db import models
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _

REFERENCE_DIGITS = 5


def format_reference(year: int, number: int) -> str:
    return f"{year}-{number:0{REFERENCE_DIGITS}d}"


def reference_sort_keys(prefix: str = "") -> tuple[Any, ...]:
    """Keys that order references numerically: the year (always four digits), then the
    width of the number (``99999`` before ``100000``), then the number itself as text."""
    field = f"{prefix}reference"
    return (Substr(field, 1, 4), Length(field), models.F(field))


class ReferenceCounter(models.Model):
    """The last case number handed out in a year."""

    year = models.PositiveIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("case reference counter")
        verbose_name_plural = _("case reference counters")
        default_permissions = ()

    def __str__(self) -> str:
        return format_reference(self.year, self.last)
