"""Running cases by their risk level at the end of the period."""

from django.db.models import Count
from django.utils.translation import gettext as _

from risk.current import current_grade_expression
from risk.models import RiskGrade

from .base import Table
from .common import anonymous_rule, counts_table, running_cases
from .period import Period


def by_risk_level(period: Period) -> Table:
    counts = dict(
        running_cases(period)
        .annotate(grade=current_grade_expression(on=period.end))
        .values("grade")
        .annotate(n=Count("id"))
        .values_list("grade", "n")
    )
    choices = sorted(RiskGrade.choices, key=lambda choice: -choice[0])
    return counts_table(
        key="cases_by_risk_level",
        title=_("Running cases by risk level"),
        label=_("Risk level"),
        choices=choices,
        counts=counts,
        count_label=_("Running cases"),
        extra=[("none", _("No risk assessment"), counts.get(None, 0))],
        note=" ".join(
            [
                _(
                    "The level on the last day of the period: the newest joint assessment, "
                    "or else the newest assessment (on the same date, the one recorded last), "
                    "on the FJC's common scale."
                ),
                _(
                    "Running cases by the dated status changes; an assessment counts with its "
                    "level on that day, so a level raised after the period does not change it."
                ),
                anonymous_rule(),
            ]
        ),
    )


def risk_tables(period: Period) -> list[Table]:
    return [by_risk_level(period)]
