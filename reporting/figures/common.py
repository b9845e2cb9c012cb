"""Building blocks the theme selectors share: which cases count, rates, standard tables."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models as db
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from access.policy import unrestricted_for_aggregates
from cases.models import Case, ReferralStatus, Status, StatusChange, Track, TrackChange
from partners.models import GapStatus, GapStatusChange

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


def _status_changes() -> QuerySet[StatusChange]:
    return unrestricted_for_aggregates(StatusChange.objects.all())


def status_on(day: Any, *, case: str = "pk") -> Coalesce:
    """The status on ``day`` (a date or an expression): the ``to_status`` of the case's last
    status change dated on or before it (by date, then id), else "registered".

    ``case``: the path from the annotated model to the case's id.
    """
    latest = (
        _status_changes()
        .filter(case_id=OuterRef(case), changed_on__lte=day)
        .order_by("-changed_on", "-id")
    )
    return Coalesce(Subquery(latest.values("to_status")[:1]), db.Value(Status.REGISTERED.value))


def running_cases(period: Period) -> QuerySet[Case]:
    """Open on at least one day of the period, by the dated status changes (never the case's
    status now): registered by its end, and not closed on the day before its start unless it
    was reopened in the period. A case closed on the first day ran that day.

    "Closed on the day before" is ``status_on(day_before) == CLOSED``: the case has a closing
    dated by then with no later status change by then. It is written as ``NOT EXISTS`` of
    such a closing (itself ``NOT EXISTS`` of a later change), not as ``status_on``'s scalar
    subquery: PostgreSQL turns ``NOT EXISTS`` into anti-joins, one pass over the status
    changes for all cases instead of a lookup per case.
    """
    day_before = period.start - datetime.timedelta(days=1)
    later = (
        _status_changes()
        .filter(case_id=OuterRef("case_id"), changed_on__lte=day_before)
        .filter(
            Q(changed_on__gt=OuterRef("changed_on"))
            | Q(changed_on=OuterRef("changed_on"), id__gt=OuterRef("id"))
        )
    )
    reopened = _status_changes().filter(
        from_status=Status.CLOSED, changed_on__range=(period.start, period.end)
    )
    closed_before = (
        _status_changes()
        .filter(case_id=OuterRef("pk"), to_status=Status.CLOSED, changed_on__lte=day_before)
        .exclude(Exists(later))
        .exclude(Exists(reopened.filter(case_id=OuterRef("case_id"))))
    )
    return case_files().filter(opened_on__lte=period.end).exclude(Exists(closed_before))


def closings(period: Period) -> QuerySet[StatusChange]:
    """Each case closed in the period once, by its last closing dated in the period (a
    closing record keeps its own reason and date, whatever happened to the case since)."""
    later = (
        _status_changes()
        .filter(
            case_id=OuterRef("case_id"),
            to_status=Status.CLOSED,
            changed_on__range=(period.start, period.end),
        )
        .filter(
            Q(changed_on__gt=OuterRef("changed_on"))
            | Q(changed_on=OuterRef("changed_on"), id__gt=OuterRef("id"))
        )
    )
    return (
        _status_changes()
        .filter(
            to_status=Status.CLOSED,
            changed_on__range=(period.start, period.end),
            case__is_anonymous_consult=False,
        )
        .exclude(Exists(later))
    )


def initial_track() -> Coalesce:
    """The track a case was registered in: the first move's origin, else its track now."""
    first = (
        unrestricted_for_aggregates(TrackChange.objects.all())
        .filter(case=OuterRef("pk"))
        .order_by("changed_on", "id")
    )
    return Coalesce(Subquery(first.values("from_track")[:1]), F("track"))


def track_on(day: Any, *, case: str = "pk") -> Coalesce:
    """The track on ``day`` (a date or an expression such as ``OuterRef("changed_on")``), so
    a report over a past year does not move with later changes.

    ``case``: the path from the annotated model to the case (``"pk"`` on ``Case``,
    ``"case_id"`` on a model inside a case).
    """
    moves = unrestricted_for_aggregates(TrackChange.objects.all()).filter(case=OuterRef(case))
    latest = moves.filter(changed_on__lte=day).order_by("-changed_on", "-id")
    first = moves.order_by("changed_on", "id")
    current = F("track") if case == "pk" else F(f"{case.removesuffix('_id')}__track")
    return Coalesce(
        Subquery(latest.values("to_track")[:1]),
        Subquery(first.values("from_track")[:1]),
        current,
    )


def referral_status_on(day: Any) -> db.Case:
    """A referral's status on ``day``: pending until its answer's date, done from the day it
    was done, in between its answer (a referral done now was accepted before, or done at
    once: then it is done from its answer's day)."""
    return db.Case(
        When(
            Q(answered_on__isnull=True) | Q(answered_on__gt=day),
            then=db.Value(ReferralStatus.PENDING.value),
        ),
        When(done_on__lte=day, then=db.Value(ReferralStatus.DONE.value)),
        When(status=ReferralStatus.DONE, then=db.Value(ReferralStatus.ACCEPTED.value)),
        default=F("status"),
        output_field=CharField(),
    )


def gap_status_on(day: Any) -> Coalesce:
    """A gap's status on ``day``: that of its last status change dated on or before it (by
    date, then id), else "new"."""
    latest = GapStatusChange.objects.filter(gap_id=OuterRef("pk"), changed_on__lte=day).order_by(
        "-changed_on", "-id"
    )
    return Coalesce(Subquery(latest.values("to_status")[:1]), db.Value(GapStatus.NEW.value))


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
    adds_up_over_time: bool = False,
    sheet_title: str = "",
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
        columns=(
            label_column("label", label),
            count_column("count", count_label, adds_up_over_time=adds_up_over_time),
        ),
        rows=rows,
        row_keys=keys,
        note=note,
        relations=column_sums(keys, ["count"]) if total else (),
        sheet_title=sheet_title,
    )
