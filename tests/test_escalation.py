"""Escalation that suggests the chain approach (issue 17, part 6): each reason, none, a
dismissal until a new reason, the track-3 chain setup warning, the board, the dismiss page."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, ConditionKind, PlanStatus, RepeatMatch, Track, TrackChange
from cases.selectors.board import BoardPeriod, deadline_board
from cases.services import case_change_track, condition_add, police_report_add
from cases.services.plan import PlanFacts, plan_create, plan_update
from risk import escalation
from risk.escalation import ChainSetupCheck, ReasonCode, dated_record_check
from risk.models import EscalationDismissal, JointAssessment, RiskGrade
from risk.services import escalation_dismiss, joint_assessment_create, risk_decision_record

from .clock import NOON
from .conftest import SUBMISSION_TOKEN
from .factories import make_case
from .risk_factories import CHECKLIST, answers_for, make_assessment, shipped

pytestmark = pytest.mark.django_db

TODAY = NOON.date()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=True)


def old_case(director, track=Track.OUTREACH):
    """A case registered a year ago (so that dated records may lie in the past)."""
    case = make_case(director, track=track)
    Case.objects.filter(pk=case.pk).update(opened_on=day(-400))
    case.refresh_from_db()
    return case


def suggestion(case, user=None):
    user = user or case.case_director
    return escalation.escalation_suggestions(Case.objects.filter(pk=case.pk), user=user).get(
        case.pk
    )


def codes(case, user=None):
    found = suggestion(case, user)
    return found.codes if found else []


def high(case, **kwargs):
    return make_assessment(case, answers=answers_for(shipped(CHECKLIST), yes=14), **kwargs)


@pytest.fixture
def director(world):
    return world.users["director_city_a"]


# --- each reason ---


def test_no_reason_no_suggestion(director):
    case = old_case(director)
    assert codes(case) == []
    make_assessment(case)  # 3 "yes": standard risk
    assert codes(case) == []


def test_the_instruments_high_threshold(director):
    case = old_case(director)
    high(case)
    found = suggestion(case)
    assert found.codes == [ReasonCode.THRESHOLD]
    assert found.since == TODAY


def test_professional_judgement(director):
    case = old_case(director)
    version = shipped(CHECKLIST)
    make_assessment(
        case,
        answers=answers_for(version, yes=3),
        level=version.levels.get(code="high"),
        judgement_reason="Doodsbedreiging met een mes",
    )
    assert codes(case) == [ReasonCode.JUDGEMENT]


def test_escalation_as_the_assessment_records_it(director, settings):
    case = old_case(director)
    make_assessment(case, escalation=True, escalation_incidents=3, assessed_on=day(-30))
    assert codes(case) == [ReasonCode.ESCALATION]
    settings.FJC_ESCALATION_INCIDENTS = 4
    assert codes(case) == []


def test_an_escalation_older_than_the_window_does_not_count(director, settings):
    case = old_case(director)
    make_assessment(case, escalation=True, escalation_incidents=5, assessed_on=day(-200))
    assert codes(case) == [ReasonCode.ESCALATION]
    settings.FJC_ESCALATION_MONTHS = 6
    assert codes(case) == []


def test_escalation_as_the_police_reports_count_it(director):
    case = old_case(director)
    for n, back in enumerate((300, 100)):
        police_report_add(case=case, by=director, number=f"MN.{n}", drawn_up_on=day(-back))
    # One more report, but outside the 12 months: still two.
    police_report_add(case=case, by=director, number="MN.old", drawn_up_on=day(-380))
    assert codes(case) == []
    police_report_add(case=case, by=director, number="MN.9", drawn_up_on=day(-2))
    found = suggestion(case)
    assert found.codes == [ReasonCode.ESCALATION]
    assert found.since == day(-2)
    assert "3 of meer incidenten in 12 maanden" in found.reason_text


def test_a_visible_repeat(world, director):
    earlier = old_case(director)
    case = old_case(director)
    RepeatMatch.objects.create(later=case, earlier=earlier)
    assert codes(case) == [ReasonCode.REPEAT]


def test_a_repeat_of_a_case_the_user_may_not_see_is_no_reason(world, director):
    """Hit/no-hit: the repeat of another organisation's case says nothing to this user."""
    earlier = old_case(world.users["director_city_b"])
    case = old_case(director)
    RepeatMatch.objects.create(later=case, earlier=earlier)
    assert codes(case) == []


def test_a_joint_assessment_agreed_high(director):
    case = old_case(director)
    version = shipped(CHECKLIST)
    first = make_assessment(case, answers=answers_for(version, yes=4))
    second = make_assessment(case, answers=answers_for(version, yes=12))
    joint_assessment_create(
        case=case, by=director, assessments=[first, second], held_on=TODAY, level=RiskGrade.HIGH
    )
    assert codes(case) == [ReasonCode.THRESHOLD]


def test_a_newer_lower_assessment_ends_the_threshold_reason(director):
    case = old_case(director)
    high(case, assessed_on=day(-10))
    make_assessment(case, assessed_on=day(-1))
    assert codes(case) == []


def test_several_reasons_together(world, director):
    earlier = old_case(director)
    case = old_case(director)
    RepeatMatch.objects.create(later=case, earlier=earlier)
    high(case, escalation=True, escalation_incidents=4)
    assert codes(case) == [ReasonCode.THRESHOLD, ReasonCode.ESCALATION, ReasonCode.REPEAT]


def test_track_3_closed_and_anonymous_cases_are_never_suggested(director):
    chain = old_case(director, track=Track.CHAIN)
    high(chain)
    assert suggestion(chain) is None


def test_a_decision_on_the_current_record_answers_threshold(director):
    case = old_case(director)
    high(case)
    risk_decision_record(
        case=case, by=director, escalate=False, consultation_wanted=True, reason="Loopt goed"
    )
    assert codes(case) == []


# --- dismissal ---


def test_dismissed_stays_hidden_until_a_new_reason(director):
    case = old_case(director)
    high(case, assessed_on=day(-5))
    dismissal = escalation_dismiss(case=case, by=director, reason="Gezin werkt goed mee")
    assert dismissal.reason_codes == [ReasonCode.THRESHOLD]
    assert suggestion(case) is None
    # The same ground a day later: still hidden.
    assert suggestion(case) is None
    # A new reason arises: three police reports.
    for n in range(3):
        police_report_add(case=case, by=director, number=f"PV.{n}", drawn_up_on=day(-n))
    found = suggestion(case)
    assert found.codes == [ReasonCode.THRESHOLD, ReasonCode.ESCALATION]
    # A new assessment at the threshold is a new ground too, after a second dismissal.
    escalation_dismiss(case=case, by=director, reason="Opnieuw bekeken")
    assert suggestion(case) is None
    high(case)
    assert suggestion(case).codes == [ReasonCode.THRESHOLD, ReasonCode.ESCALATION]
    assert EscalationDismissal.objects.filter(case=case).count() == 2
    assert EscalationDismissal.history.filter(case_id=case.pk).count() == 2


def test_dismissal_is_a_dated_record_on_the_timeline(director):
    case = old_case(director)
    high(case)
    dismissal = escalation_dismiss(case=case, by=director, reason="Reden", dismissed_on=day(-1))
    assert dismissal.dismissed_on == day(-1)
    assert case.events.filter(summary__startswith="voorstel voor spoor 3 afgewezen").exists()
    dismissal.reason = "anders"
    with pytest.raises(ValidationError):
        dismissal.save()


def test_dismissal_refusals(world, director):
    case = old_case(director)
    with pytest.raises(ValidationError):  # nothing to dismiss
        escalation_dismiss(case=case, by=director, reason="x")
    high(case)
    with pytest.raises(ValidationError):  # no reason
        escalation_dismiss(case=case, by=director, reason="  ")
    with pytest.raises(ValidationError):  # in the future
        escalation_dismiss(case=case, by=director, reason="x", dismissed_on=day(1))
    with pytest.raises(ValidationError):  # not the case director
        escalation_dismiss(case=case, by=world.users["director_caw_a"], reason="x")
    assert not EscalationDismissal.objects.filter(case=case).exists()


# --- the chain setup warning ---


def chain_case(director, entered_days_ago):
    case = old_case(director)
    return case_change_track(
        case=case,
        by=director,
        to_track=Track.CHAIN,
        changed_on=day(-entered_days_ago),
        reason="Hoog risico",
    )


def warning(case, **kwargs):
    return escalation.chain_setup_warnings(
        Case.objects.filter(pk=case.pk), user=case.case_director, **kwargs
    ).get(case.pk)


def test_the_warning_after_the_set_weeks_and_not_before(director, settings):
    settings.FJC_CHAIN_SETUP_WEEKS = 4
    assert warning(chain_case(director, 27)) is None
    found = warning(chain_case(director, 28))
    assert found.due_on == TODAY
    assert found.missing == [
        "geen gezamenlijke risicotaxatie",
        "geen actief plan van aanpak",
        "geen casusoverleg",
    ]
    settings.FJC_CHAIN_SETUP_WEEKS = 5
    assert warning(chain_case(director, 28)) is None


def test_a_joint_assessment_since_track_3_answers_its_check(director):
    case = chain_case(director, 40)
    version = shipped(CHECKLIST)
    first = make_assessment(case, answers=answers_for(version, yes=4), assessed_on=day(-50))
    second = make_assessment(case, answers=answers_for(version, yes=6), assessed_on=day(-50))
    # Before the case entered track 3: does not count.
    joint_assessment_create(
        case=case, by=director, assessments=[first, second], held_on=day(-45), level=2
    )
    assert len(warning(case).missing) == 3
    joint_assessment_create(
        case=case, by=director, assessments=[first, second], held_on=day(-10), level=2
    )
    assert len(warning(case).missing) == 2


def test_an_active_plan_of_approach_answers_its_check_and_a_draft_does_not(director):
    case = chain_case(director, 40)
    facts = PlanFacts(status=PlanStatus.DRAFT, made_on=day(-5), aim="", next_evaluation_on=day(30))
    plan = plan_create(case=case, by=director, facts=facts)
    assert "geen actief plan van aanpak" in warning(case).missing
    plan_update(
        plan=plan,
        by=director,
        facts=dataclasses.replace(facts, status=PlanStatus.ACTIVE),
        expected_version=plan.version,
    )
    assert "geen actief plan van aanpak" not in warning(case).missing


def test_a_consultation_answers_its_check(world):
    """The world's shared case is on its consultation's agenda."""
    from consultations.models import AgendaItem

    item = AgendaItem.objects.filter(removed_at__isnull=True).select_related("case").first()
    assert item is not None
    case = item.case
    if case.track != Track.CHAIN:
        Case.objects.filter(pk=case.pk).update(track=Track.CHAIN)
    TrackChange.objects.filter(case=case).delete()
    Case.objects.filter(pk=case.pk).update(opened_on=item.consultation.scheduled_at.date())
    case.refresh_from_db()
    checks = [c for c in escalation.chain_setup_checks() if c.code == "consultation"]
    assert warning(case, today=day(400), checks=checks) is None
    item.consultation.status = "cancelled"
    item.consultation.save(update_fields=["status"])
    assert warning(case, today=day(400), checks=checks) is not None


def test_a_new_check_is_one_registration(director, monkeypatch):
    """How the plan of approach joins: one ``register_chain_setup_check`` call."""
    monkeypatch.setattr(escalation, "_CHECKS", dict(escalation._CHECKS))
    escalation.register_chain_setup_check(
        dated_record_check("plan", "no plan", JointAssessment, "held_on")
    )
    found = warning(chain_case(director, 60))
    assert found.missing[-1] == "no plan" and len(found.missing) == 4
    assert isinstance(escalation.chain_setup_checks()[-1], ChainSetupCheck)


# --- the board ---


def test_the_board_shows_suggestions_and_warnings_of_my_cases_only(world, director):
    suggested = old_case(director)
    high(suggested)
    incomplete = chain_case(director, 60)
    items = {i.case_pk: i for i in deadline_board(user=director).items}
    assert items[suggested.pk].kind == "chain_suggested"
    assert items[suggested.pk].on == TODAY
    assert items[incomplete.pk].kind == "chain_incomplete"
    assert items[incomplete.pk].is_overdue
    assert items[incomplete.pk].url.endswith("#chain-warning")
    # Overdue only: the warning stays, the suggestion (today) does not.
    overdue = {i.case_pk for i in deadline_board(user=director, period=BoardPeriod.OVERDUE).items}
    assert incomplete.pk in overdue and suggested.pk not in overdue
    for other in ("director_city_b", "director_caw_a", "liaison_parket_a", "admin_city_a"):
        seen = {i.case_pk for i in deadline_board(user=world.users[other]).items}
        assert not seen & {suggested.pk, incomplete.pk}, other
    # Dismissed: off the board.
    escalation_dismiss(case=suggested, by=director, reason="Afgewogen")
    assert suggested.pk not in deadline_board(user=director).case_ids


def test_each_board_source_is_one_query(director):
    from cases.selectors.board import _SOURCES, BoardQuery

    for n in range(3):
        high(old_case(director))
        chain_case(director, 60 + n)
    query = BoardQuery(user=director, today=TODAY, until=day(30))
    for kind in ("chain_suggested", "chain_incomplete", "condition_end"):
        with CaptureQueriesContext(connection) as ctx:
            list(_SOURCES[kind].items(query))
        assert len(ctx.captured_queries) == 1, kind


# --- conditions ending (task B) ---


def test_conditions_ending_within_the_window(world, director, settings):
    settings.FJC_CONDITION_ENDING_DAYS = 14
    case = chain_case(director, 10)
    soon = condition_add(
        case=case,
        by=director,
        kind=ConditionKind.PROBATION,
        description="Geen contact met Anna Vermeulen",
        starts_on=day(-5),
        ends_on=day(10),
    )
    condition_add(
        case=case,
        by=director,
        kind=ConditionKind.RELEASE,
        description="Later",
        starts_on=day(-5),
        ends_on=day(20),
    )
    condition_add(
        case=case,
        by=director,
        kind=ConditionKind.OTHER,
        description="Ended",
        starts_on=day(-20),
        ends_on=day(-1),
    )
    items = [i for i in deadline_board(user=director).items if i.kind == "condition_end"]
    assert [(i.case_pk, i.on) for i in items] == [(case.pk, soon.ends_on)]
    assert "Vermeulen" not in items[0].description
    assert items[0].url.endswith("#judicial-heading")
    assert not [
        i for i in deadline_board(user=world.users["director_city_b"]).items if i.case_pk == case.pk
    ]


# --- the steering page and the dismiss page ---


def test_the_steering_page_shows_the_suggestion_with_its_links(client, director):
    case = old_case(director)
    high(case)
    client.force_login(director)
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Voorgesteld voor spoor 3 (ketenaanpak)" in page
    assert "hoge drempel van het risicotaxatie-instrument" in page
    assert reverse("cases:track", kwargs={"pk": case.pk}) in page
    assert reverse("risk:dismiss_suggestion", kwargs={"pk": case.pk}) in page
    assert reverse("consultations:list") in page
    # The risk panel's own prompt gives way to the notice.
    assert "risk-prompt" not in page


def test_the_steering_page_shows_the_chain_warning(client, director):
    case = chain_case(director, 60)
    client.force_login(director)
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Ketenaanpak onvolledig: geen gezamenlijke risicotaxatie" in page
    assert "geen casusoverleg" in page


def test_a_reader_through_a_share_sees_no_notice(world, client, director):
    from cases.services import share_create

    from .conftest import whole_file_share

    case = old_case(director)
    high(case)
    share_create(case=case, by=director, organisation=world.orgs["caw_a"], terms=whole_file_share())
    client.force_login(world.users["director_caw_a"])
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert page.status_code == 200
    assert "Voorgesteld voor spoor 3" not in page.content.decode()


def test_the_dismiss_page(client, director):
    case = old_case(director)
    high(case)
    url = reverse("risk:dismiss_suggestion", kwargs={"pk": case.pk})
    client.force_login(director)
    form = client.get(url)
    assert form.status_code == 200
    assert "hoge drempel" in form.content.decode()
    match = SUBMISSION_TOKEN.search(form.content.decode())
    assert match is not None
    token = match[1]
    data = {"reason": "Gezin werkt mee", "dismissed_on": TODAY.isoformat()}
    # Bad input: no reason, nothing changed.
    bad = client.post(url, {**data, "reason": ""})
    assert bad.status_code == 200
    assert not EscalationDismissal.objects.filter(case=case).exists()
    response = client.post(url, {**data, "submission_token": token})
    assert response.status_code == 302
    assert EscalationDismissal.objects.filter(case=case).count() == 1
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert "Voorgesteld voor spoor 3" not in page
    # The same form sent twice: one dismissal.
    client.post(url, {**data, "submission_token": token})
    assert EscalationDismissal.objects.filter(case=case).count() == 1


def test_the_dismiss_page_refuses(world, client, director):
    case = old_case(director)
    high(case)
    url = reverse("risk:dismiss_suggestion", kwargs={"pk": case.pk})
    client.force_login(world.users["director_city_b"])  # another organisation
    assert client.get(url).status_code == 404
    client.force_login(world.users["admin_city_a"])  # an administrator reads no case data
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_colleague_with_change_access_may_not_dismiss(world, client, director):
    from .factories import make_user

    colleague = make_user("colleague_esc", world.orgs["city_a"], "case_director")
    case = old_case(director)
    high(case)
    client.force_login(colleague)
    url = reverse("risk:dismiss_suggestion", kwargs={"pk": case.pk})
    # Change access through the organisation, but not a director of the case: 403.
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "dismissed_on": TODAY.isoformat()}).status_code == 403
    assert not EscalationDismissal.objects.filter(case=case).exists()
