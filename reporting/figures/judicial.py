"""Temporary restraining orders (THV): started, in force and extended in the period."""

import datetime

from django.db.models import Case, Count, F, OuterRef, Subquery, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import (
    Measure,
    MeasureExtension,
    MeasureKind,
    ProsecutionDecision,
    ProsecutionDecisionKind,
)

from .base import Table
from .common import count_column, counts_table, label_column
from .period import Period


def end_as_known_on(day: datetime.date) -> Least:
    """A measure's end as it was known on ``day``: the new end of its last extension decided
    on or before that day (by decision date, then id), else its original end; and if it was
    lifted early on or before ``day``, the day it was lifted.

    ``Measure.ends_on`` holds the end now (an extension writes over it), so the original
    end is the previous end of its first extension (the first recorded), else ``ends_on``.
    """
    extensions = unrestricted_for_aggregates(MeasureExtension.objects.all()).filter(
        measure_id=OuterRef("pk")
    )
    last = extensions.filter(decided_on__lte=day).order_by("-decided_on", "-id")
    first = extensions.order_by("id")
    planned = Coalesce(
        Subquery(last.values("new_end")[:1]),
        Subquery(first.values("previous_end")[:1]),
        F("ends_on"),
    )
    # A lift dated after ``day`` was not known then. (The lift is always before the planned
    # end, so Least only matters when the lift is known.)
    lifted = Case(When(lifted_on__lte=day, then=F("lifted_on")), default=planned)
    return Least(lifted, planned)


def restraining_orders(period: Period) -> Table:
    span = (period.start, period.end)
    orders = unrestricted_for_aggregates(Measure.objects.all()).filter(
        kind=MeasureKind.RESTRAINING_ORDER
    )
    started = orders.filter(starts_on__range=span).aggregate(
        orders=Count("id"), cases=Count("case_id", distinct=True)
    )
    in_force = (
        orders.filter(starts_on__lte=period.end)
        .alias(end_on=end_as_known_on(period.end))
        .filter(end_on__gte=period.start)
        .aggregate(orders=Count("id"), cases=Count("case_id", distinct=True))
    )
    extended = (
        unrestricted_for_aggregates(MeasureExtension.objects.all())
        .filter(measure__kind=MeasureKind.RESTRAINING_ORDER, decided_on__range=span)
        .aggregate(extensions=Count("id"), orders=Count("measure_id", distinct=True))
    )
    return Table(
        key="restraining_orders",
        title=_("Temporary restraining orders"),
        columns=(label_column("label", _("What")), count_column("count", _("Number"))),
        rows=[
            [_("Restraining orders started"), started["orders"]],
            [_("Cases with a restraining order started"), started["cases"]],
            [_("Restraining orders in force during the period"), in_force["orders"]],
            [_("Cases with a restraining order in force"), in_force["cases"]],
            [_("Extensions decided"), extended["extensions"]],
            [_("Restraining orders extended"), extended["orders"]],
        ],
        row_keys=["started", "cases", "in_force", "cases_in_force", "extensions", "extended"],
        note=_(
            "Started: the order's start date falls in the period. In force: the order "
            "started on or before the last day of the period and its end, as known on that "
            "day (the end set by the last extension decided by then, else the original "
            "end, or the day it was lifted early if that was recorded by then), is on or after "
            "the first day. Extended: the family court's decision "
            "falls in the period."
        ),
    )


def prosecution_decisions(period: Period) -> Table:
    """Decisions on prosecution by kind, each counted in the period of its own date (a case
    with a dismissal in one year and a summons the next counts once in each)."""
    rows = (
        unrestricted_for_aggregates(ProsecutionDecision.objects.all())
        .filter(decided_on__range=(period.start, period.end))
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return counts_table(
        key="prosecution_decisions",
        title=_("Prosecution decisions"),
        label=_("Decision"),
        choices=ProsecutionDecisionKind.choices,
        counts={row["kind"]: row["n"] for row in rows},
        count_label=_("Number"),
        note=_(
            "Every decision on prosecution recorded in a case, counted by the date of the "
            "decision; a later decision in the same case counts in its own period."
        ),
    )


def judicial_tables(period: Period) -> list[Table]:
    return [restraining_orders(period), prosecution_decisions(period)]
