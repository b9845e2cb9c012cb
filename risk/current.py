"""The one home of the rule "what is a case's current risk level".

The current level is the level of the case's newest risk record, an individual assessment or
a joint assessment alike. "Newest" is one ordering, used everywhere:

1. the later date (``assessed_on`` / ``held_on``);
2. on the same date, the one recorded last (``created_at`` / ``recorded_at``);
3. recorded at the very same moment, a joint assessment before an individual one (it is what
   the partners agreed on after weighing the individual ones);
4. and finally the higher id, so the answer never depends on how the database returns rows.

On a day D (the figures of a period ask for its last day), only records dated on or before D
count, and an individual assessment counts with its level on D: the ``to_level`` of its last
raise (``LevelRaise``) dated on or before D, else the ``from_level`` of its first raise (its
level before any raise), else its level. A raise dated after D never changes D's answer.

This is the rule the steering page documents ("on the same date, what was recorded last
counts") and its chart draws. Step 2 uses the recording time rather than the id because it
has to compare two tables (whose ids say nothing about each other's order); using it within
one table too makes the ordering one total order instead of two rules that can disagree.

It comes in two forms built from the same parts: :func:`current_risk` (Python, for one case
whose records are loaded anyway: the steering page, the consultation view, the decision) and
:func:`current_grade_expression` (SQL, for many cases in one query: the agenda suggestions and
the annual figures). ``tests/test_risk_current.py`` asserts that both give the same answer.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull

from .models import Assessment, JointAssessment, Level, LevelRaise, RiskGrade

RiskRecord = Assessment | JointAssessment

# Per kind of record: the field with its date and the field with the moment it was recorded.
_DATE_AND_RECORDED: dict[type[RiskRecord], tuple[str, str]] = {
    Assessment: ("assessed_on", "created_at"),
    JointAssessment: ("held_on", "recorded_at"),
}

# Steps 1, 2 and 4 of the ordering, on the aliases that ``newest_first`` gives either model.
# (Step 3 only arises between the two kinds: see ``recency`` and ``current_grade_expression``.)
NEWEST_FIRST = ("-risk_date", "-risk_recorded_at", "-pk")


def newest_first[Record: (Assessment, JointAssessment)](
    queryset: QuerySet[Record],
) -> QuerySet[Record]:
    """Assessments or joint assessments, newest first by the one ordering."""
    date_field, recorded_field = _DATE_AND_RECORDED[queryset.model]
    return queryset.alias(risk_date=F(date_field), risk_recorded_at=F(recorded_field)).order_by(
        *NEWEST_FIRST
    )


def recency(record: RiskRecord) -> tuple[datetime.date, datetime.datetime, bool, int]:
    """The ordering as a Python sort key: the newest record has the largest key."""
    date_field, recorded_field = _DATE_AND_RECORDED[type(record)]
    return (
        getattr(record, date_field),
        getattr(record, recorded_field),
        isinstance(record, JointAssessment),
        record.pk,
    )


def risk_date(record: RiskRecord) -> datetime.date:
    return recency(record)[0]


def level_on(assessment: Assessment, on: datetime.date | None) -> Level:
    """The assessment's level on ``on`` (now if None), from its raises.

    Reads ``assessment.raises.all()``: callers that ask about many assessments prefetch
    ``raises`` with their levels.
    """
    if on is None:
        return assessment.level
    raises = sorted(assessment.raises.all(), key=lambda r: (r.raised_on, r.pk))
    before = [r for r in raises if r.raised_on <= on]
    if before:
        return before[-1].to_level
    if raises:
        return raises[0].from_level
    return assessment.level


def level_grade_on(on: datetime.date | None, *, assessment: str = "pk") -> Coalesce | F:
    """SQL for :func:`level_on`'s grade, on a model whose ``assessment`` path leads to the
    assessment (``"pk"`` on ``Assessment``)."""
    if on is None:
        return F("level__grade")
    raises = LevelRaise.objects.filter(assessment_id=OuterRef(assessment))
    last = raises.filter(raised_on__lte=on).order_by("-raised_on", "-id")
    first = raises.order_by("raised_on", "id")
    return Coalesce(
        Subquery(last.values("to_level__grade")[:1]),
        Subquery(first.values("from_level__grade")[:1]),
        F("level__grade"),
    )


@dataclass
class CurrentRisk:
    """The level that counts: that of the newest assessment or joint assessment."""

    on: datetime.date
    grade: RiskGrade
    label: str
    suggests_escalation: bool
    assessment: Assessment | None = None
    joint: JointAssessment | None = None

    @property
    def is_joint(self) -> bool:
        return self.joint is not None


def current_risk(
    *,
    assessments: Iterable[Assessment],
    joints: Iterable[JointAssessment],
    on: datetime.date | None = None,
) -> CurrentRisk | None:
    """The current level among the given records (in any order), or that of ``on`` if given.

    Callers that load only the newest of each kind pass ``newest_first(...)[:1]`` of each.
    With ``on``, an assessment's level is its level on that day (:func:`level_on`).
    """
    records: list[RiskRecord] = [*assessments, *joints]
    if on is not None:
        records = [r for r in records if risk_date(r) <= on]
    newest = max(records, key=recency, default=None)
    if isinstance(newest, JointAssessment):
        grade = RiskGrade(newest.level)
        return CurrentRisk(
            on=newest.held_on,
            grade=grade,
            label=str(grade.label),
            suggests_escalation=grade == max(RiskGrade),
            joint=newest,
        )
    if newest is None:
        return None
    level = level_on(newest, on)
    return CurrentRisk(
        on=newest.assessed_on,
        grade=RiskGrade(level.grade),
        label=level.label,
        suggests_escalation=level.suggests_escalation,
        assessment=newest,
    )


def current_grade_expression(*, case: str = "pk", on: datetime.date | None = None) -> models.Case:
    """The current level's grade (``RiskGrade``; NULL without any assessment) as SQL.

    ``case``: the path from the annotated model to the case's id (``"pk"`` on ``Case``).
    ``on``: the grade that counted on that day (records and raises dated after it do not
    count yet).
    The same ordering as :func:`current_risk`: the newest record of each kind by
    ``NEWEST_FIRST``, then the joint one if it is at least as recent as the individual one.
    """
    assessments = newest_first(Assessment.objects.filter(case_id=OuterRef(case)))
    joints = newest_first(JointAssessment.objects.filter(case_id=OuterRef(case)))
    if on is not None:
        assessments = assessments.filter(assessed_on__lte=on)
        joints = joints.filter(held_on__lte=on)
    assessment_date = Subquery(assessments.values("assessed_on")[:1])
    assessment_recorded = Subquery(assessments.values("created_at")[:1])
    assessment_grade = Subquery(
        assessments.annotate(grade_on=level_grade_on(on)).values("grade_on")[:1]
    )
    joint_date = Subquery(joints.values("held_on")[:1])
    joint_recorded = Subquery(joints.values("recorded_at")[:1])
    joint_grade = Subquery(joints.values("level")[:1])
    joint_is_current = (
        IsNull(assessment_date, True)
        | GreaterThan(joint_date, assessment_date)
        | (
            Exact(joint_date, assessment_date)
            & GreaterThanOrEqual(joint_recorded, assessment_recorded)
        )
    )
    return models.Case(
        When(IsNull(joint_date, True), then=assessment_grade),
        When(joint_is_current, then=joint_grade),
        default=assessment_grade,
        output_field=models.IntegerField(),
    )
