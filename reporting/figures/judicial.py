"""Temporary restraining orders (THV): started and extended in the period."""

from django.db.models import Count
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from cases.models import Measure, MeasureExtension, MeasureKind

from .base import Table
from .common import count_column, label_column
from .period import Period


def restraining_orders(period: Period) -> Table:
    span = (period.start, period.end)
    started = (
        unrestricted_for_aggregates(Measure.objects.all())
        .filter(kind=MeasureKind.RESTRAINING_ORDER, starts_on__range=span)
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
            [_("Extensions decided"), extended["extensions"]],
            [_("Restraining orders extended"), extended["orders"]],
        ],
        row_keys=["started", "cases", "extensions", "extended"],
        note=_(
            "Started: the order's start date falls in the period. Extended: the family "
            "court's decision falls in the period."
        ),
    )


def judicial_tables(period: Period) -> list[Table]:
    return [restraining_orders(period)]
