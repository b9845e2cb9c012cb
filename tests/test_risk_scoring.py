"""Scoring of each shipped instrument, professional judgement and the assessment rules."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases.models import CaseEvent, EventKind
from risk.models import Answer, Assessment
from risk.services import assessment_create, assessment_raise_level

from . import party_roles as pr
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


@pytest.fixture
def case(world):
    return world.cases["city_a"]


def level_of(version, name):
    return version.levels.get(code=name)


# --- checklist: count of "yes", 0-9 standard, 10-13 medium, 14-24 high ---


@pytest.mark.parametrize(
    ("yes", "level"),
    [
        (0, "standard"),
        (9, "standard"),
        (10, "medium"),
        (13, "medium"),
        (14, "high"),
        (24, "high"),
    ],
)
def test_checklist_level_at_the_band_edges(case, yes, level):
    assessment = make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=yes))
    assert assessment.score == yes
    assert assessment.computed_level.code == level
    assert assessment.level == assessment.computed_level


def test_dont_know_counts_as_not_yes_but_is_reported(case):
    version = shipped(CHECKLIST)
    # 13 yes and 11 don't know: still medium, with 11 unknowns to show.
    assessment = make_assessment(case, answers=answers_for(version, yes=13, unknown=11))
    assert (assessment.score, assessment.unknown_count) == (13, 11)
    assert assessment.computed_level.code == "medium"


# --- weighted scale: 0-7 variable, 8-13 increased, 14-17 severe, 18-35 extreme ---


@pytest.mark.parametrize(
    ("total", "level"),
    [
        (0, "variable"),
        (7, "variable"),
        (8, "increased"),
        (13, "increased"),
        (14, "severe"),
        (17, "severe"),
        (18, "extreme"),
        (35, "extreme"),
    ],
)
def test_weighted_scale_level_at_each_band_edge(case, total, level):
    version = shipped(DANGER)
    assessment = make_assessment(case, code=DANGER, answers=weighted_answers(version, total))
    assert assessment.score == total
    assert assessment.computed_level.code == level


def test_weighted_scale_uses_the_item_weights(case):
    version = shipped(DANGER)
    answers = dict.fromkeys(answers_for(version), "no")
    answers["d05"] = "yes"  # strangulation weighs 4
    answers["d01"] = "yes"  # escalation of violence weighs 1
    assessment = make_assessment(case, code=DANGER, answers=answers)
    assert assessment.score == 5


# --- child safety: no total, professional judgement only ---


def test_child_safety_has_no_score_and_the_level_is_set_by_judgement(case):
    version = shipped(CHILD)
    assessment = make_assessment(
        case,
        code=CHILD,
        answers=answers_for(version, yes=5, unknown=2),
        level=level_of(version, "high"),
        judgement_reason="Meerdere signalen en weinig beschermende factoren.",
    )
    assert assessment.score is None and assessment.computed_level is None
    assert assessment.level.code == "high" and assessment.unknown_count == 2


def test_child_safety_without_a_level_or_reason_is_refused(case):
    version = shipped(CHILD)
    before = Assessment.objects.count()
    with pytest.raises(ValidationError, match="choose the level"):
        make_assessment(case, code=CHILD, answers=answers_for(version, yes=1))
    with pytest.raises(ValidationError, match="Explain the level"):
        make_assessment(
            case, code=CHILD, answers=answers_for(version, yes=1), level=level_of(version, "low")
        )
    assert Assessment.objects.count() == before


# --- professional judgement: raise yes, lower never ---


def test_the_assessor_may_raise_the_computed_level_with_a_reason(case):
    version = shipped(CHECKLIST)
    assessment = make_assessment(
        case,
        answers=answers_for(version, yes=9),
        level=level_of(version, "high"),
        judgement_reason="Recente doodsbedreiging met mes.",
    )
    assert assessment.computed_level.code == "standard"
    assert assessment.level.code == "high" and assessment.is_raised


def test_raising_without_a_reason_is_refused_unless_escalation_is_recorded(case):
    version = shipped(CHECKLIST)
    with pytest.raises(ValidationError, match="Explain why you raise"):
        make_assessment(case, answers=answers_for(version, yes=2), level=level_of(version, "high"))
    assessment = make_assessment(
        case,
        answers=answers_for(version, yes=2),
        level=level_of(version, "medium"),
        escalation=True,
        escalation_incidents=3,
        escalation_note="Drie politie-interventies sinds de zomer.",
    )
    assert assessment.level.code == "medium" and assessment.escalation_incidents == 3


def test_lowering_below_the_computed_level_is_refused(case):
    version = shipped(CHECKLIST)
    before = Assessment.objects.count()
    with pytest.raises(ValidationError) as caught:
        make_assessment(
            case,
            answers=answers_for(version, yes=14),
            level=level_of(version, "medium"),
            judgement_reason="Slachtoffer verblijft nu veilig elders.",
        )
    assert "cannot be lower than the computed level" in caught.value.messages[0]
    assert Assessment.objects.count() == before


def test_raising_later_and_never_lowering(case):
    director = case.case_director
    version = shipped(DANGER)
    assessment = make_assessment(case, code=DANGER, answers=weighted_answers(version, 10))
    assert assessment.level.code == "increased"
    with pytest.raises(ValidationError, match="never lower"):
        assessment_raise_level(
            assessment=assessment, by=director, level=level_of(version, "variable"), reason="x"
        )
    with pytest.raises(ValidationError, match="can only be raised"):
        assessment_raise_level(
            assessment=assessment, by=director, level=level_of(version, "increased"), reason="x"
        )
    with pytest.raises(ValidationError, match="Explain why"):
        assessment_raise_level(
            assessment=assessment, by=director, level=level_of(version, "severe"), reason=" "
        )
    raised = assessment_raise_level(
        assessment=assessment,
        by=director,
        level=level_of(version, "extreme"),
        reason="Wapen gevonden bij huiszoeking.",
        expected_version=assessment.version,
    )
    assert raised.level.code == "extreme" and raised.computed_level == level_of(
        version, "increased"
    )
    assert "Wapen gevonden" in raised.judgement_reason
    history = list(raised.history.order_by("history_id"))
    assert (history[0].level.code, history[-1].level.code) == ("increased", "extreme")
    assert {h.history_user for h in history} == {director}


def test_only_the_assessor_raises_the_level(case, world):
    version = shipped(CHECKLIST)
    assessment = make_assessment(case)
    with pytest.raises(ValidationError, match="Only the assessor"):
        assessment_raise_level(
            assessment=assessment,
            by=world.users["co_director"],
            level=level_of(version, "high"),
            reason="x",
        )


# --- the assessment's other rules ---


def test_an_assessment_records_who_when_about_whom_and_history(case):
    director = case.case_director
    victim, child = add_party(case), add_party(case, pr.CHILD, first_name="Kim")
    assessment = make_assessment(case, parties=[victim, child])
    assert assessment.assessor == director and assessment.organisation == director.organisation
    assert set(assessment.parties.all()) == {victim, child}
    assert assessment.answers.count() == 24
    assert {h.history_user for h in assessment.history.all()} == {director}
    assert {p.caseparty_id for p in assessment.history.latest().parties.all()} == {
        victim.pk,
        child.pk,
    }
    assert {h.history_user for h in Answer.history.filter(assessment_id=assessment.pk)} == {
        director
    }
    event = CaseEvent.objects.filter(case=case, kind=EventKind.RISK_ASSESSED).latest("id")
    assert event.actor == director and "Stad Alfa" in event.summary


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "future"), (-400, "before the case was registered")],
)
def test_the_date_is_not_in_the_future_nor_before_the_case(case, days, message):
    with pytest.raises(ValidationError, match=message):
        make_assessment(case, assessed_on=timezone.localdate() + datetime.timedelta(days=days))


def test_people_must_be_in_the_case(case, world):
    other = add_party(world.cases["city_b"])
    with pytest.raises(ValidationError, match="Only people in this case"):
        make_assessment(case, parties=[other])
    version = shipped(CHECKLIST)
    with pytest.raises(ValidationError, match="Choose the people"):
        assessment_create(
            case=case,
            by=case.case_director,
            instrument_version=version,
            assessed_on=case.opened_on,
            parties=[],
            answers=answers_for(version),
        )


def test_every_item_needs_a_valid_answer(case):
    version = shipped(CHECKLIST)
    answers = answers_for(version, yes=2)
    del answers["c24"]
    with pytest.raises(ValidationError, match="c24"):
        make_assessment(case, answers=answers)
    answers["c24"] = "perhaps"
    with pytest.raises(ValidationError, match="perhaps"):
        make_assessment(case, answers=answers)


def test_escalation_needs_the_number_of_incidents(case):
    with pytest.raises(ValidationError, match="number of incidents"):
        make_assessment(case, escalation=True)
    with pytest.raises(ValidationError, match="Tick"):
        make_assessment(case, escalation_incidents=4)


def test_an_anonymous_consult_or_a_closed_case_is_not_assessed(world):
    from cases.models import ClosingReason
    from cases.services import case_close, case_create

    director = world.users["director_city_a"]
    consult = case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        is_anonymous_consult=True,
        consult_question="Vraag",
    )
    with pytest.raises(ValidationError, match="anonymous consult"):
        make_assessment(consult)
    case = world.cases["city_a"]
    party = add_party(case)
    case_close(
        case=case,
        by=director,
        closing_reason=ClosingReason.objects.first(),
        closed_on=timezone.localdate(),
    )
    case.refresh_from_db()
    with pytest.raises(ValidationError, match="closed case"):
        make_assessment(case, parties=[party])
