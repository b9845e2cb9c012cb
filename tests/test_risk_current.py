"""The current risk level has one rule (``risk.current``): its SQL and Python forms agree."""

import datetime

import pytest
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import Case
from partners.models import OrganisationKind
from risk.current import current_grade_expression, current_risk, newest_first
from risk.models import Assessment, JointAssessment, RiskGrade
from risk.selectors import risk_overview
from risk.services import assessment_raise_level, joint_assessment_create

from .factories import make_case, make_organisation, make_user
from .risk_factories import CHECKLIST, answers_for, make_assessment, shipped

pytestmark = pytest.mark.django_db

LOW, MEDIUM, HIGH = 3, 11, 14  # "yes" answers on the checklist that give each level


@pytest.fixture
def director():
    city = make_organisation("Stad Actueel", OrganisationKind.CITY)
    return make_user("director_current", city, RoleCode.CASE_DIRECTOR)


@pytest.fixture
def start(time_machine):
    """The day the cases are registered; tests call ``a_month_later`` before assessing."""
    return timezone.localdate()


def a_month_later(time_machine, start: datetime.date) -> None:
    """Assessments are then dated between the registration and today."""
    time_machine.move_to(start + datetime.timedelta(days=30))


def assess(case: Case, yes: int, on: datetime.date) -> Assessment:
    return make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=yes), assessed_on=on)


def recorded(record: Assessment | JointAssessment, at: datetime.datetime) -> None:
    """Set the moment a record was recorded (saves set it to "now", which a test cannot order)."""
    field = "created_at" if isinstance(record, Assessment) else "recorded_at"
    type(record).objects.filter(pk=record.pk).update(**{field: at})


def sql_grades(on: datetime.date | None = None) -> dict[int, int | None]:
    return dict(
        Case.objects.annotate(grade=current_grade_expression(on=on)).values_list("pk", "grade")
    )


def python_grade(case: Case, on: datetime.date | None = None) -> int | None:
    found = current_risk(
        assessments=Assessment.objects.filter(case=case)
        .select_related("level")
        .prefetch_related("raises__from_level", "raises__to_level"),
        joints=JointAssessment.objects.filter(case=case),
        on=on,
    )
    return None if found is None else int(found.grade)


def steering_grade(case: Case) -> int | None:
    """What the steering page's risk panel shows."""
    found = risk_overview(case=case, user=case.case_director).current
    return None if found is None else int(found.grade)


def test_the_sql_expression_and_the_python_function_agree_on_every_case(
    director, start, time_machine
):
    cases = {
        name: make_case(director)
        for name in [
            "same_day_pk_against_time",
            "raised_by_judgement",
            "joint_then_assessment_same_day",
            "assessment_then_joint_same_day",
            "joint_and_assessment_same_moment",
            "assessed_after_the_day",
            "raised_twice",
            "never_assessed",
        ]
    }
    a_month_later(time_machine, start)
    day = start + datetime.timedelta(days=10)
    later = start + datetime.timedelta(days=20)
    noon = timezone.make_aware(datetime.datetime.combine(later, datetime.time(12)))

    # Two assessments the same day: the one with the higher id was recorded earlier.
    c = cases["same_day_pk_against_time"]
    high_first, low_second = assess(c, HIGH, day), assess(c, LOW, day)
    recorded(high_first, noon)
    recorded(low_second, noon - datetime.timedelta(hours=1))

    # A low assessment raised to high by professional judgement today (after the day).
    c = cases["raised_by_judgement"]
    raised = assess(c, LOW, day)
    high = shipped(CHECKLIST).levels.get(grade=RiskGrade.HIGH)
    medium = shipped(CHECKLIST).levels.get(grade=RiskGrade.MEDIUM)
    assessment_raise_level(assessment=raised, by=director, level=high, reason="Nieuwe dreiging.")

    # Low on the day before, raised to medium on the day, to high later: each day its level.
    c = cases["raised_twice"]
    twice = assess(c, LOW, day - datetime.timedelta(days=1))
    twice = assessment_raise_level(
        assessment=twice, by=director, level=medium, reason="Dreiging.", raised_on=day
    )
    assessment_raise_level(
        assessment=twice, by=director, level=high, reason="Wapen.", raised_on=later
    )

    # A joint assessment, then later the same day a new individual assessment: it counts.
    c = cases["joint_then_assessment_same_day"]
    pair = [assess(c, MEDIUM, day), assess(c, MEDIUM, day)]
    joint = joint_assessment_create(
        case=c, by=director, assessments=pair, held_on=later, level=RiskGrade.HIGH
    )
    recorded(joint, noon)
    recorded(assess(c, LOW, later), noon + datetime.timedelta(minutes=5))

    # An individual assessment, then later the same day a joint one: the joint one counts.
    c = cases["assessment_then_joint_same_day"]
    pair = [assess(c, LOW, later), assess(c, LOW, later)]
    recorded(pair[0], noon - datetime.timedelta(hours=2))
    recorded(pair[1], noon - datetime.timedelta(hours=1))
    joint = joint_assessment_create(
        case=c, by=director, assessments=pair, held_on=later, level=RiskGrade.MEDIUM
    )
    recorded(joint, noon)

    # Recorded at the very same moment: the joint assessment counts.
    c = cases["joint_and_assessment_same_moment"]
    pair = [assess(c, LOW, later), assess(c, LOW, later)]
    joint = joint_assessment_create(
        case=c, by=director, assessments=pair, held_on=later, level=RiskGrade.HIGH
    )
    recorded(joint, noon)
    for assessment in pair:
        recorded(assessment, noon)

    # Medium, then high after the day the figures ask about.
    c = cases["assessed_after_the_day"]
    assess(c, MEDIUM, day)
    assess(c, HIGH, later)

    expected_now = {
        "same_day_pk_against_time": RiskGrade.HIGH,
        "raised_by_judgement": RiskGrade.HIGH,
        "joint_then_assessment_same_day": RiskGrade.LOW,
        "assessment_then_joint_same_day": RiskGrade.MEDIUM,
        "joint_and_assessment_same_moment": RiskGrade.HIGH,
        "assessed_after_the_day": RiskGrade.HIGH,
        "raised_twice": RiskGrade.HIGH,
        "never_assessed": None,
    }
    # A raise dated after the day does not count on it (it used to: the level was edited in
    # place, so the day's figures moved with a later raise).
    expected_on_day = {
        **dict.fromkeys(expected_now, None),
        "same_day_pk_against_time": RiskGrade.HIGH,
        "raised_by_judgement": RiskGrade.LOW,
        "joint_then_assessment_same_day": RiskGrade.MEDIUM,
        "assessed_after_the_day": RiskGrade.MEDIUM,
        "raised_twice": RiskGrade.MEDIUM,
    }
    the_day_before = {
        **dict.fromkeys(expected_now, None),
        "raised_twice": RiskGrade.LOW,  # the level before its first raise
    }
    checks = [
        (None, expected_now),
        (timezone.localdate(), expected_now),
        (day, expected_on_day),
        (day - datetime.timedelta(days=1), the_day_before),
    ]
    for on, expected in checks:
        in_sql = sql_grades(on)
        for name, case in cases.items():
            assert in_sql[case.pk] == python_grade(case, on) == expected[name], (name, on)
    for name, case in cases.items():
        assert steering_grade(case) == expected_now[name], name


def test_on_the_same_day_the_assessment_recorded_last_counts_not_the_higher_id(
    director, start, time_machine
):
    """The steering page used to break this tie by id while the agenda suggestions and the
    annual figures used the recording time, so they could show different levels."""
    case = make_case(director)
    a_month_later(time_machine, start)
    day = start + datetime.timedelta(days=10)
    high_first, low_second = assess(case, HIGH, day), assess(case, LOW, day)
    assert low_second.pk > high_first.pk
    recorded(low_second, high_first.created_at - datetime.timedelta(minutes=1))

    overview = risk_overview(case=case, user=director)
    assert overview.current is not None and overview.current.assessment == high_first
    assert overview.points[-1].grade == RiskGrade.HIGH  # the chart ends on the current level
    assert list(newest_first(Assessment.objects.filter(case=case))) == [high_first, low_second]
    assert sql_grades()[case.pk] == RiskGrade.HIGH
