"""Running cases by their risk level at the end of the period."""

import datetime

from django.db.models import Case as When_
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, When
from django.utils.translation import gettext as _

from access.policy import unrestricted_for_aggregates
from risk.models import Assessment, JointAssessment, RiskGrade

from .base import Table
from .common import anonymous_rule, counts_table, running_cases
from .period import Period


def risk_grade_on(day: datetime.date) -> tuple[When_, dict[str, Subquery]]:
    """The common-scale grade that counted on ``day``, per case, as one SQL expression
    (with the subqueries it reads, to annotate first).

    The same rule as ``risk.selectors.current_risk`` (the newest joint assessment, or else the
    newest assessment; on the same date what was recorded last), but for every case in one
    aggregate query instead of case by case.
    """
    assessments = (
        unrestricted_for_aggregates(Assessment.objects.all())
        .filter(case=OuterRef("pk"), assessed_on__lte=day)
        .order_by("-assessed_on", "-created_at", "-id")
    )
    joints = (
        unrestricted_for_aggregates(JointAssessment.objects.all())
        .filter(case=OuterRef("pk"), held_on__lte=day)
        .order_by("-held_on", "-recorded_at", "-id")
    )
    return When_(
        When(j_on__isnull=True, then=F("a_grade")),
        When(a_on__isnull=True, then=F("j_level")),
        When(j_on__gt=F("a_on"), then=F("j_level")),
        When(Q(j_on=F("a_on")) & Q(j_at__gte=F("a_at")), then=F("j_level")),
        default=F("a_grade"),
        output_field=IntegerField(),
    ), {
        "a_on": Subquery(assessments.values("assessed_on")[:1]),
        "a_at": Subquery(assessments.values("created_at")[:1]),
        "a_grade": Subquery(assessments.values("level__grade")[:1]),
        "j_on": Subquery(joints.values("held_on")[:1]),
        "j_at": Subquery(joints.values("recorded_at")[:1]),
        "j_level": Subquery(joints.values("level")[:1]),
    }


def by_risk_level(period: Period) -> Table:
    grade, parts = risk_grade_on(period.end)
    counts = dict(
        running_cases(period)
        .annotate(**parts)
        .annotate(grade=grade)
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
                anonymous_rule(),
            ]
        ),
    )


def risk_tables(period: Period) -> list[Table]:
    return [by_risk_level(period)]
