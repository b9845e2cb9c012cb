"""Joint assessments, the current level, the decision after a high level, and the chart."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases.models import EventKind, Track, TrackChange
from risk.charts import ChartPoint, risk_chart_svg
from risk.models import JointAssessment, RiskDecision, RiskGrade
from risk.selectors import CurrentRisk, risk_overview
from risk.services import joint_assessment_create, risk_decision_record

from .factories import make_case
from .risk_factories import (
    CHECKLIST,
    CHILD,
    DANGER,
    add_party,
    answers_for,
    make_assessment,
    shipped,
    weighted_answers,
)


@pytest.fixture(autouse=True)
def _english_messages():
    """The rules' messages are asserted in their English source form."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def case(world):
    """A fresh case of city A with its two people, without the matrix children."""
    return make_case(world.users["director_city_a"])


@pytest.fixture
def partner_assessor(world, case):
    """A case director of CAW A who co-directs the case and assesses on behalf of the CAW."""
    from cases.services import case_add_co_director

    user = world.users["director_caw_a"]
    case_add_co_director(case=case, by=case.case_director, user=user)
    return user


def test_joint_assessment_records_participants_level_and_differences(world, case, partner_assessor):
    version = shipped(CHECKLIST)
    victim = add_party(case)
    city = make_assessment(case, parties=[victim], answers=answers_for(version, yes=10))
    answers = answers_for(version, yes=10)
    answers["c01"], answers["c24"] = "unknown", "yes"
    caw = make_assessment(case, by=partner_assessor, parties=[victim], answers=answers)
    danger = make_assessment(
        case, by=partner_assessor, code=DANGER, answers=weighted_answers(shipped(DANGER), 3)
    )
    joint = joint_assessment_create(
        case=case,
        by=case.case_director,
        assessments=[city, caw, danger],
        held_on=TODAY(),
        level=RiskGrade.HIGH,
        differences_note="De CAW weegt de recente bedreiging zwaarder.",
        organisations=[world.orgs["police_a"]],
    )
    assert set(joint.assessments.all()) == {city, caw, danger}
    assert {o.name for o in joint.organisations.all()} == {
        "Stad Alfa",
        "CAW Alfa",
        "Politiezone Alfa",
    }
    assert (joint.level, joint.highest_level) == (RiskGrade.HIGH, RiskGrade.MEDIUM)
    assert joint.recorded_by == case.case_director
    # Only the two checklists are compared, item by item.
    assert [d["item"] for d in joint.differences] == ["c01", "c24"]
    c01 = joint.differences[0]
    assert [(a["organisation"], a["answer"]) for a in c01["answers"]] == [
        ("Stad Alfa", "yes"),
        ("CAW Alfa", "unknown"),
    ]
    assert joint.history.latest().history_user == case.case_director
    assert case.events.filter(kind=EventKind.JOINT_ASSESSMENT).exists()


def test_agreed_level_below_the_highest_needs_a_written_reason(case, partner_assessor):
    version = shipped(CHECKLIST)
    low = make_assessment(case, answers=answers_for(version, yes=2))
    high = make_assessment(case, by=partner_assessor, answers=answers_for(version, yes=15))
    with pytest.raises(ValidationError, match="lower than the highest level"):
        joint_assessment_create(
            case=case,
            by=case.case_director,
            assessments=[low, high],
            held_on=TODAY(),
            level=RiskGrade.MEDIUM,
        )
    assert not JointAssessment.objects.filter(case=case).exists()
    joint = joint_assessment_create(
        case=case,
        by=case.case_director,
        assessments=[low, high],
        held_on=TODAY(),
        level=RiskGrade.MEDIUM,
        lower_reason="Pleger is sinds gisteren in voorhechtenis.",
    )
    assert joint.is_below_highest and joint.lower_reason


def test_the_highest_level_includes_professional_judgement(case):
    version = shipped(CHILD)
    child = make_assessment(
        case,
        code=CHILD,
        answers=answers_for(version, yes=3),
        level=version.levels.get(code="acute"),
        judgement_reason="Kind vertelt over geweld met wapen.",
    )
    checklist = make_assessment(case)
    with pytest.raises(ValidationError, match="explain why"):
        joint_assessment_create(
            case=case,
            by=case.case_director,
            assessments=[child, checklist],
            held_on=TODAY(),
            level=RiskGrade.MEDIUM,
        )


def test_joint_assessment_rules(world, case):
    one = make_assessment(case)
    with pytest.raises(ValidationError, match="at least two"):
        joint_assessment_create(
            case=case, by=case.case_director, assessments=[one, one], held_on=TODAY(), level=1
        )
    other_case = make_assessment(world.cases["city_a_shared"])
    with pytest.raises(ValidationError, match="Only assessments of this case"):
        joint_assessment_create(
            case=case,
            by=case.case_director,
            assessments=[one, other_case],
            held_on=TODAY(),
            level=1,
        )
    two = make_assessment(case)
    with pytest.raises(ValidationError, match="future"):
        joint_assessment_create(
            case=case,
            by=case.case_director,
            assessments=[one, two],
            held_on=TODAY() + datetime.timedelta(days=1),
            level=1,
        )


# --- the current level and the decision it asks for ---


def current(case, user) -> CurrentRisk:
    found = risk_overview(case=case, user=user).current
    assert found is not None
    return found


def test_current_level_is_the_newest_joint_unless_an_assessment_is_newer(case, time_machine):
    director = case.case_director
    version = shipped(CHECKLIST)
    start = TODAY()
    time_machine.move_to(start + datetime.timedelta(days=10))
    first = make_assessment(case, answers=answers_for(version, yes=3), assessed_on=start)
    second = make_assessment(case, answers=answers_for(version, yes=11), assessed_on=start)
    now = current(case, director)
    assert now.assessment == second and now.label == "Medium risk"
    joint = joint_assessment_create(
        case=case,
        by=director,
        assessments=[first, second],
        held_on=start + datetime.timedelta(days=2),
        level=RiskGrade.HIGH,
    )
    now = current(case, director)
    assert now.joint == joint and now.grade == RiskGrade.HIGH
    later = make_assessment(
        case, answers=answers_for(version, yes=1), assessed_on=start + datetime.timedelta(days=5)
    )
    assert current(case, director).assessment == later
    overview = risk_overview(case=case, user=director)
    assert [p.on for p in overview.points] == sorted(p.on for p in overview.points)
    assert len(overview.points) == 4


def test_a_highest_level_prompts_the_case_director_to_decide(world, case):
    director = case.case_director
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=14))
    overview = risk_overview(case=case, user=director)
    assert current(case, director).suggests_escalation and overview.prompt and overview.may_decide
    # The prosecutor's office or a colleague sees no prompt to act on.
    assert not risk_overview(case=case, user=world.users["director_city_b"]).may_decide


def test_a_severe_but_not_highest_level_does_not_prompt(case):
    make_assessment(case, code=DANGER, answers=weighted_answers(shipped(DANGER), 15))
    overview = risk_overview(case=case, user=case.case_director)
    assert current(case, case.case_director).label == "Severe danger" and not overview.prompt


def test_deciding_to_escalate_moves_the_case_to_track_3(case):
    director = case.case_director
    assessment = make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=16))
    decision = risk_decision_record(
        case=case,
        by=director,
        escalate=True,
        consultation_wanted=True,
        reason="Hoog risico volgens de checklist.",
    )
    case.refresh_from_db()
    assert case.track == Track.CHAIN
    change = TrackChange.objects.get(case=case)
    assert (change.to_track, change.reason) == (Track.CHAIN, "Hoog risico volgens de checklist.")
    assert decision.assessment == assessment and decision.consultation_wanted
    assert decision.history.get().history_user == director
    assert case.events.filter(kind=EventKind.RISK_DECISION).exists()
    assert not risk_overview(case=case, user=director).prompt


def test_deciding_not_to_escalate_is_recorded_and_ends_the_prompt(case):
    director = case.case_director
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=20))
    risk_decision_record(
        case=case,
        by=director,
        escalate=False,
        consultation_wanted=True,
        reason="Slachtoffer is opgevangen; eerst casusoverleg.",
    )
    case.refresh_from_db()
    assert case.track == Track.ADVICE
    overview = risk_overview(case=case, user=director)
    assert not overview.prompt and overview.decision is not None
    assert overview.decision.reason.startswith("Slachtoffer")
    # A new high assessment asks again.
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=21))
    assert risk_overview(case=case, user=director).prompt


def test_decision_rules(world, case):
    director = case.case_director
    with pytest.raises(ValidationError, match="no risk assessment"):
        risk_decision_record(
            case=case, by=director, escalate=False, consultation_wanted=False, reason="x"
        )
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=14))
    with pytest.raises(ValidationError, match="Give the reason"):
        risk_decision_record(
            case=case, by=director, escalate=True, consultation_wanted=False, reason=" "
        )
    with pytest.raises(ValidationError, match="case director"):
        risk_decision_record(
            case=case,
            by=world.users["director_city_b"],
            escalate=True,
            consultation_wanted=False,
            reason="x",
        )
    assert not RiskDecision.objects.filter(case=case).exists()


def test_a_failed_track_change_records_no_decision(case):
    from cases.models import ClosingReason
    from cases.services import case_close

    director = case.case_director
    make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=14))
    case_close(
        case=case, by=director, closing_reason=ClosingReason.objects.first(), closed_on=TODAY()
    )
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="reopened"):
        risk_decision_record(
            case=case, by=director, escalate=True, consultation_wanted=True, reason="Hoog."
        )
    assert not RiskDecision.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.track == Track.ADVICE


# --- the chart ---


def test_chart_svg_contains_every_point_and_is_accessible():
    day = datetime.date(2026, 3, 2)
    points = [
        ChartPoint(day, 1, "Standaard risico", "Checklist", score=5, max_score=24),
        ChartPoint(day + datetime.timedelta(days=20), 2, "Gemiddeld", "Checklist", 11, 24),
        ChartPoint(day + datetime.timedelta(days=30), 3, "Extreem", "Schaal", 20, 35),
        ChartPoint(day + datetime.timedelta(days=31), 3, "Hoog", "Joint", is_joint=True),
    ]
    svg = str(risk_chart_svg(points, chart_id="c"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">' in svg and '<desc id="c-desc">4 assessments' in svg
    # Each assessment in the level panel and, with a score, in the score panel too.
    assert svg.count('data-date="2026-03-02"') == 2
    assert svg.count('data-date="2026-04-02"') == 1  # the joint assessment: no score
    assert re.search(r'<rect class="risk-chart__point"[^>]*data-grade="3"', svg)
    assert 'data-score="20"' in svg and ">20</text>" in svg
    assert "style=" not in svg and "<script" not in svg


def test_chart_escapes_text():
    point = ChartPoint(
        datetime.date(2026, 1, 1), 1, "<b>laag</b>", 'x"><script>', score=1, max_score=2
    )
    svg = str(risk_chart_svg([point]))
    assert "<script>" not in svg and "<b>" not in svg


def test_chart_without_points_says_so():
    svg = str(risk_chart_svg([]))
    assert "risk-chart__point" not in svg and "<desc" in svg
