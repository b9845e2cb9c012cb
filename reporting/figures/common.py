"""Building blocks the theme selectors share: which cases count, rates, standard tables."""

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access.policy import unrestricted_for_aggregates
from cases.models import Case, Track, TrackChange

from .base import Column, Table, Value, column_sums
from .period import Period

ONE_DECIMAL = Decimal("0.1")
PER = 10_000

# Shown under every table that counts cases: one rule for the whole report.
ANONYMOUS_RULE = gettext_noop(
    "Anonymous consults are not counted here (nor among the track-1 cases); "
    "they are counted only in the table of anonymous consults."
)


def anonymous_rule() -> str:
    return _(ANONYMOUS_RULE)


def case_files() -> QuerySet[Case]:
    """Every case except anonymous consults, which have their own count."""
    return unrestricted_for_aggregates(Case.objects.all()).filter(is_anonymous_consult=False)


def new_cases(period: Period) -> QuerySet[Case]:
    return case_files().filter(opened_on__range=(period.start, period.end))


def running_cases(period: Period) -> QuerySet[Case]:
    """Open at any moment in the period: registered by its end, not closed before its start."""
    return case_files().filter(opened_on__lte=period.end).exclude(closed_on__lt=period.start)


def initial_track() -> Coalesce:
    """The track a case was registered in: the first move's origin, else its track now."""
    first = (
        unrestricted_for_aggregates(TrackChange.objects.all())
        .filter(case=OuterRef("pk"))
        .order_by("changed_on", "id")
    )
    return Coalesce(Subquery(first.values("from_track")[:1]), F("track"))


def track_on(day: Any) -> Coalesce:
    """The track on ``day``, so a report over a past year does not move with later changes."""
    moves = unrestricted_for_aggregates(TrackChange.objects.all()).filter(case=OuterRef("pk"))
    latest = moves.filter(changed_on__lte=day).order_by("-changed_on", "-id")
    first = moves.order_by("changed_on", "id")
    return Coalesce(
        Subquery(latest.values("to_track")[:1]),
        Subquery(first.values("from_track")[:1]),
        F("track"),
    )


def track_choices() -> list[tuple[int, str]]:
    return [(int(value), str(label)) for value, label in Track.choices]


def rate(count: int, inhabitants: int | None) -> Decimal | None:
    """Per 10,000 inhabitants, one decimal, halves rounded up."""
    if not inhabitants:
        return None
    return (Decimal(count) * PER / Decimal(inhabitants)).quantize(
        ONE_DECIMAL, rounding=ROUND_HALF_UP
    )


def share(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, halves rounded up."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def label_column(key: str, label: str) -> Column:
    return Column(key, label, is_label=True)


def count_column(key: str, label: str, *, adds_up_over_time: bool = False) -> Column:
    """A count that could point to a person: "< 5" when small, protected by complements.
    ``adds_up_over_time``: see ``Column`` (events dated in the period, not states)."""
    return Column(key, label, suppress_small=True, adds_up_over_time=adds_up_over_time)


def counts_table(
    *,
    key: str,
    title: str,
    label: str,
    choices: Iterable[tuple[Any, Any]],
    counts: Mapping[Any, int],
    count_label: str,
    note: str = "",
    total: bool = True,
    extra: Sequence[tuple[str, str, int]] = (),
) -> Table:
    """One row per choice (zeros included, in the choices' order), optional extra rows
    ``(row key, label, count)`` and a total row, which is declared the sum of the rows
    (without a total row the rows may overlap, so no relation is declared)."""
    rows: list[list[Value]] = []
    keys: list[str] = []
    for value, text in choices:
        rows.append([str(text), counts.get(value, 0)])
        keys.append(str(value))
    for row_key, text, count in extra:
        rows.append([text, count])
        keys.append(row_key)
    if total:
        rows.append([_("Total"), sum(int(row[1] or 0) for row in rows)])
        keys.append("total")
    return Table(
        key=key,
        title=title,
        columns=(label_column("label", label), count_column("count", count_label)),
        rows=rows,
        row_keys=keys,
        note=note,
        relations=column_sums(keys, ["count"]) if total else (),
    )
