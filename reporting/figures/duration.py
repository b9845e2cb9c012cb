"""How long the cases closed in the period ran; why they were closed; repeats."""

import datetime
import functools
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cases.models import ClosingReason

from .base import Cell, Column, Table, Value, column_sums
from .common import (
    ONE_DECIMAL,
    anonymous_rule,
    closings,
    count_column,
    counts_table,
    label_column,
    new_cases,
    share,
    track_choices,
)
from .onepass import closings_with_track
from .period import Period

BUCKETS = (
    ("lt_3m", 3),
    ("3_6m", 6),
    ("6_12m", 12),
)


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@functools.lru_cache(maxsize=4096)
def _limits(opened: datetime.date) -> tuple[datetime.date, ...]:
    """The first day of each bucket after the first, for cases registered on ``opened``
    (computed once per registration day: ``relativedelta`` is slow per closing)."""
    return tuple(opened + relativedelta(months=months) for _key, months in BUCKETS)


def _bucket(opened: datetime.date, closed: datetime.date) -> str:
    for (key, _months), limit in zip(BUCKETS, _limits(opened), strict=True):
        if closed < limit:
            return key
    return "ge_12m"


def duration(period: Period) -> list[Table]:
    """Days from registration to closing, for each case's last closing in the period. One
    query; the median is taken in Python so it runs on any database."""
    days: dict[int, list[int]] = defaultdict(list)
    buckets: dict[str, int] = defaultdict(int)
    for track, opened, closed in closings_with_track(closings(period)):
        days[track].append((closed - opened).days)
        buckets[_bucket(opened, closed)] += 1

    def row(label: str, values: list[int]) -> list[Value]:
        if not values:
            return [label, 0, None, None]
        return [
            label,
            len(values),
            _one_decimal(Decimal(sum(values)) / len(values)),
            _one_decimal(statistics.median(values)),
        ]

    rows = [row(label, days.get(value, [])) for value, label in track_choices()]
    rows.append(row(_("Total"), [d for values in days.values() for d in values]))
    per_track = Table(
        key="duration_per_track",
        title=_("Duration of the cases closed, per track"),
        columns=(
            label_column("track", _("Track")),
            count_column("cases", _("Cases closed")),
            Column("mean_days", _("Mean (days)"), suppress_with="cases"),
            Column("median_days", _("Median (days)"), suppress_with="cases"),
        ),
        rows=rows,
        row_keys=[*(str(value) for value, _label in track_choices()), "total"],
        relations=column_sums(
            [*(str(value) for value, _label in track_choices()), "total"], ["cases"]
        ),
        note=" ".join(
            [
                _(
                    "Cases closed in the period, by the closing records: a case closed more "
                    "than once in the period counts once, with its last closing in it (its "
                    "date and its track on that date), also when it was reopened later; days "
                    "from registration to that closing, rounded to one decimal, halves up."
                ),
                anonymous_rule(),
            ]
        ),
    )
    labels = {
        "lt_3m": _("Less than 3 months"),
        "3_6m": _("3 to 6 months"),
        "6_12m": _("6 to 12 months"),
        "ge_12m": _("12 months or more"),
    }
    spread = counts_table(
        key="duration_buckets",
        title=_("Duration of the cases closed"),
        label=_("Duration"),
        choices=list(labels.items()),
        counts=buckets,
        count_label=_("Cases closed"),
        note=_("Calendar months: a case closed on the day it turns 3 months counts as 3 to 6."),
    )
    return [per_track, spread]


def closing_reasons(period: Period) -> Table:
    counts = dict(
        closings(period)
        .order_by()
        .values("closing_reason_id")
        .annotate(n=Count("id"))
        .values_list("closing_reason_id", "n")
    )
    reasons = ClosingReason.objects.filter(Q(is_active=True) | Q(pk__in=list(counts)))
    return counts_table(
        key="closing_reasons",
        title=_("Cases closed by closing reason"),
        label=_("Closing reason"),
        choices=[(reason.pk, str(reason)) for reason in reasons.order_by("order", "name_nl")],
        counts=counts,
        count_label=_("Cases closed"),
        note=" ".join(
            [
                _(
                    "Cases closed in the period, by the reason recorded with the closing: a "
                    "case closed more than once in the period counts once, with the reason of "
                    "its last closing in it, also when it was reopened later."
                ),
                anonymous_rule(),
            ]
        ),
    )


def repeats(period: Period) -> Table:
    """The new cases of the period, and those that were repeats by its end.

    By the dated records (``Case.repeat_since``, see cases.services.people.repeat_facts): a
    case that became a repeat only when someone was linked to it (or to the earlier case)
    after the period is not a repeat in the period's figures.
    """
    counts = new_cases(period).aggregate(
        new=Count("id"),
        repeats=Count("id", filter=Q(repeat_of__isnull=False, repeat_since__lte=period.end)),
    )
    return Table(
        key="repeats",
        title=_("Repeats"),
        columns=(
            label_column("label", _("New cases")),
            count_column("count", _("Number")),
            Column("share", _("Share of the new cases (%)"), suppress_with="count"),
        ),
        rows=[
            [_("New cases"), counts["new"], None],
            [
                _("Of which repeats"),
                counts["repeats"],
                share(counts["repeats"], counts["new"]),
            ],
        ],
        row_keys=["new", "repeats"],
        # The share would give the number of new cases away when that is hidden.
        derived=[(Cell("repeats", "share"), (Cell("new", "count"),))],
        note=" ".join(
            [
                _(
                    "A repeat: a new case with the same victim and the same perpetrator as an "
                    "earlier case opened at most %(months)s calendar months before it (the "
                    "day of the month kept, or the month's last day). Counted as a repeat if "
                    "it was one by the end of the period: both people were involved in both "
                    "cases by then. Share rounded to one decimal, halves up."
                )
                % {"months": settings.FJC_REPEAT_WINDOW_MONTHS},
                anonymous_rule(),
            ]
        ),
    )


def duration_tables(period: Period) -> list[Table]:
    return duration(period)


def closing_tables(period: Period) -> list[Table]:
    return [closing_reasons(period)]


def repeat_tables(period: Period) -> list[Table]:
    return [repeats(period)]
