"""Running cases by their risk level at the end of the period."""

from django.utils.translation import gettext as _

from risk.models import RiskGrade

from .base import Table
from .common import anonymous_rule, counts_table, running_cases
from .onepass import count_by_grade_on
from .period import Period


def by_risk_level(period: Period) -> Table:
    # Track 1 (advice, consult, referral) is not assessed by design: its cases without an
    # assessment get a row of their own, so "no risk assessment" means the cases in tracks 2
    # and 3 that lack one. One pass: see ``onepass``.
    counts: dict[int | None, int] = {}
    unassessed_advice = 0
    for grade, advice, n in count_by_grade_on(running_cases(period), period.end):
        if grade is None and advice:
            unassessed_advice += n
        else:
            counts[grade] = counts.get(grade, 0) + n
    choices = sorted(RiskGrade.choices, key=lambda choice: -choice[0])
    return counts_table(
        key="cases_by_risk_level",
        title=_("Running cases by risk level"),
        label=_("Risk level"),
        choices=choices,
        counts=counts,
        count_label=_("Running cases"),
        extra=[
            ("none", _("No risk assessment (tracks 2 and 3)"), counts.get(None, 0)),
            ("none_track_1", _("Track 1, not assessed"), unassessed_advice),
        ],
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
                _(
                    "Cases in track 1 (advice, consult, referral) on that day are not assessed "
                    "by design: without an assessment they have a row of their own, apart "
                    "from the cases in tracks 2 and 3 without one."
                ),
                anonymous_rule(),
            ]
        ),
    )


def risk_tables(period: Period) -> list[Table]:
    return [by_risk_level(period)]
