"""The plan of approach, "one family, one plan" (issue 17, part 4): goals per family member
with agreements (who, what, by when), evaluations, versions, the confidential notes of
access.policy, the review in an art. 458ter consultation, the steering section and the board."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.policy import confidential_fields
from accounts.roles import RoleCode
from cases.models import (
    CaseEvent,
    EventKind,
    GoalOutcome,
    PlanAgreement,
    PlanEvaluation,
    PlanGoal,
    PlanOfApproach,
    PlanStatus,
)
from cases.selectors.board import deadline_board
from cases.services import (
    AgreementLine,
    GoalContent,
    OutcomeLine,
    PlanFacts,
    person_create_in_case,
    plan_create,
    plan_evaluation_add,
    plan_goal_add,
    plan_goal_update,
    plan_update,
)
from common.versioning import EditConflict
from consultations.models import PlanReview
from consultations.services.minutes import plan_review_record

from . import party_roles as pr
from .factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
GOAL = "Zich thuis veilig voelen."
NOTE = "Vertelde over een verslaving (geheim)."
OUTCOME_NOTE = "Terugval in maart (geheim)."
AGREEMENT = "Wekelijks gesprek met het slachtoffer."


def _days(n: int) -> datetime.date:
    return TODAY() + datetime.timedelta(days=n)


def _person(case: Any, role: dict[str, Any] | None = None, first_name: str = "Noor") -> Any:
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **(role if role is not None else pr.VICTIM),
        confirm_new=True,
        first_name=first_name,
        last_name="Plan",
    )


def _plan(case: Any, **changes: Any) -> PlanOfApproach:
    facts = {
        "made_on": TODAY(),
        "status": PlanStatus.ACTIVE,
        "aim": "Rust in het gezin.",
        "next_evaluation_on": _days(30),
        **changes,
    }
    return plan_create(case=case, by=case.case_director, facts=PlanFacts(**facts))


def _goal(plan: PlanOfApproach, org: Any, party: Any = None, shared: bool = True) -> PlanGoal:
    return plan_goal_add(
        plan=plan,
        by=plan.case.case_director,
        content=GoalContent(
            description=GOAL,
            party=party,
            team_note=NOTE,
            agreements=[AgreementLine(organisation=org, what=AGREEMENT, due_on=_days(14))],
        ),
        shared_in_consultation=shared,
    )


def _case_with_plan(world: Any, key: str = "city_a") -> tuple[Any, PlanOfApproach, PlanGoal]:
    """The world's cases already have a plan (tests/conftest.py, goal_pk)."""
    case = world.cases[key]
    plan = PlanOfApproach.objects.get(case=case)
    victim = _person(case)
    goal = _goal(plan, world.orgs["caw_a"], party=victim)
    return case, plan, goal


def _url(name: str, case: Any, **kwargs: Any) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


# --- the services ---


def test_a_plan_is_made_once_per_case_with_a_timeline_line(world):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).delete()
    CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_MADE).delete()
    plan = _plan(case)
    assert plan.version == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_MADE).count() == 1
    with pytest.raises(ValidationError):
        _plan(case)
    assert PlanOfApproach.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"next_evaluation_on": None}, "next_evaluation_on"),  # an active plan needs one
        ({"next_evaluation_on": TODAY}, "next_evaluation_on"),  # not on the day it is made
        ({"made_on": _days(3)}, "made_on"),  # not in the future
        ({"made_on": datetime.date(2000, 1, 1)}, "made_on"),  # not before the case
    ],
)
def test_implausible_plan_dates_are_refused(world, changes, field):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).delete()
    resolved = {k: (v() if callable(v) else v) for k, v in changes.items()}
    with pytest.raises(ValidationError) as error:
        _plan(case, **resolved)
    assert field in error.value.message_dict
    assert not PlanOfApproach.objects.filter(case=case).exists()


def test_a_draft_may_wait_for_its_evaluation_date(world):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).delete()
    assert _plan(case, status=PlanStatus.DRAFT, next_evaluation_on=None).pk


def test_a_goal_is_for_a_person_of_this_case_and_agreements_name_their_organisation(world):
    case, plan, _goal_made = _case_with_plan(world)
    stranger = _person(world.cases["city_b"])
    with pytest.raises(ValidationError) as error:
        plan_goal_add(
            plan=plan, by=case.case_director, content=GoalContent(description="X", party=stranger)
        )
    assert "party" in error.value.message_dict
    # Someone of another organisation than the one chosen.
    with pytest.raises(ValidationError) as error:
        plan_goal_add(
            plan=plan,
            by=case.case_director,
            content=GoalContent(
                description="X",
                agreements=[
                    AgreementLine(
                        organisation=world.orgs["police_a"],
                        user=case.case_director,
                        what="Y",
                        due_on=_days(3),
                    )
                ],
            ),
        )
    assert "agreements" in error.value.message_dict


def test_only_the_director_chooses_what_a_consultation_sees(world):
    _case, _plan_made, goal = _case_with_plan(world)
    colleague = make_user("colleague_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    with pytest.raises(ValidationError):
        plan_goal_update(
            goal=goal,
            by=colleague,
            expected_version=goal.version,
            content=GoalContent(description=GOAL),
            shared_in_consultation=False,
        )
    # Leaving the choice as it was is the colleague's to do.
    updated = plan_goal_update(
        goal=goal,
        by=colleague,
        expected_version=goal.version,
        content=GoalContent(description="Nieuw doel"),
        shared_in_consultation=None,
    )
    assert updated.shared_in_consultation is True
    assert updated.version == 2


def test_an_evaluation_needs_an_outcome_for_every_goal_and_moves_the_next_date(world):
    case, plan, goal = _case_with_plan(world)
    goals = list(PlanGoal.objects.filter(plan=plan, removed_at__isnull=True))
    with pytest.raises(ValidationError):
        plan_evaluation_add(
            plan=plan,
            by=case.case_director,
            held_on=TODAY(),
            next_evaluation_on=_days(20),
            outcomes={goal.pk: OutcomeLine(GoalOutcome.ACHIEVED)},
        )
    evaluation = plan_evaluation_add(
        plan=plan,
        by=case.case_director,
        held_on=TODAY(),
        next_evaluation_on=_days(20),
        outcomes={g.pk: OutcomeLine(GoalOutcome.IN_PROGRESS, OUTCOME_NOTE) for g in goals},
    )
    assert evaluation.outcomes.count() == len(goals)
    plan.refresh_from_db()
    assert plan.next_evaluation_on == _days(20)


def test_the_confidential_fields_are_declared_in_access_policy():
    assert {f.name for f in confidential_fields(PlanGoal)} == {"team_note"}
    assert {f.name for f in confidential_fields("cases.plangoaloutcome")} == {"note"}


# --- the pages ---


def test_the_plan_is_made_and_changed_through_the_forms(world, client):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).delete()
    client.force_login(world.users["director_city_a"])
    response = client.post(
        _url("plan_add", case),
        {
            "status": "active",
            "made_on": TODAY().isoformat(),
            "aim": "Rust",
            "next_evaluation_on": "",
        },
    )
    assert response.status_code == 200
    assert (
        "Een actief plan heeft een datum waarop het geëvalueerd wordt." in response.content.decode()
    )
    assert not PlanOfApproach.objects.filter(case=case).exists()
    data = {
        "status": "active",
        "made_on": TODAY().isoformat(),
        "aim": "Rust",
        "next_evaluation_on": _days(30).isoformat(),
    }
    response = client.post(_url("plan_add", case), data)
    assert response.status_code == 302
    plan = PlanOfApproach.objects.get(case=case)
    # The add page now sends the team to the plan.
    assert client.get(_url("plan_add", case)).status_code == 302
    response = client.post(
        _url("plan_edit", case), {**data, "aim": "Rust en veiligheid", "version": plan.version}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.aim == "Rust en veiligheid" and plan.version == 2
    assert plan.history.count() == 2


def test_the_same_plan_form_sent_twice_makes_one_plan(world, client):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).delete()
    CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_MADE).delete()
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("plan_add", case)).content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    data = {
        "status": "draft",
        "made_on": TODAY().isoformat(),
        "submission_token": token,
    }
    first = client.post(_url("plan_add", case), data, submission_token=False)
    second = client.post(_url("plan_add", case), data, submission_token=False)
    assert first.status_code == 302 and second.status_code == 302
    assert PlanOfApproach.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_MADE).count() == 1


def test_a_stale_plan_edit_is_refused_and_changes_nothing(world, client):
    case = world.cases["city_a"]
    plan = PlanOfApproach.objects.get(case=case)
    client.force_login(world.users["director_city_a"])
    data = {
        "status": "active",
        "made_on": plan.made_on.isoformat(),
        "aim": "Eerste",
        "next_evaluation_on": _days(30).isoformat(),
        "version": plan.version,
    }
    assert client.post(_url("plan_edit", case), data).status_code == 302
    response = client.post(_url("plan_edit", case), {**data, "aim": "Tweede"})
    assert response.status_code == 409
    plan.refresh_from_db()
    assert plan.aim == "Eerste"
    with pytest.raises(EditConflict):
        plan_update(
            plan=plan,
            by=case.case_director,
            expected_version=1,
            facts=PlanFacts(made_on=plan.made_on, status=PlanStatus.DRAFT),
        )


def _goal_data(org: Any, **changes: Any) -> dict[str, Any]:
    return {
        "party": "",
        "description": GOAL,
        "team_note": NOTE,
        "shared_in_consultation": "on",
        "agreements-TOTAL_FORMS": "2",
        "agreements-INITIAL_FORMS": "0",
        "agreements-MIN_NUM_FORMS": "0",
        "agreements-MAX_NUM_FORMS": "20",
        "agreements-0-organisation": org.pk,
        "agreements-0-user": "",
        "agreements-0-what": AGREEMENT,
        "agreements-0-due_on": _days(10).isoformat(),
        **changes,
    }


def test_a_goal_with_agreements_is_added_changed_and_removed_through_the_forms(world, client):
    case = world.cases["city_a"]
    plan = PlanOfApproach.objects.get(case=case)
    victim = _person(case)
    client.force_login(world.users["director_city_a"])
    response = client.post(
        _url("plan_goal_add", case), _goal_data(world.orgs["police_a"], party=victim.pk)
    )
    assert response.status_code == 302
    goal = PlanGoal.objects.filter(plan=plan, party=victim).get()
    assert goal.shared_in_consultation
    assert [a.what for a in goal.agreements.all()] == [AGREEMENT]
    # Change: the agreement is removed, another added.
    data = _goal_data(
        world.orgs["police_a"],
        party=victim.pk,
        version=goal.version,
        **{
            "agreements-TOTAL_FORMS": "3",
            "agreements-INITIAL_FORMS": "1",
            "agreements-0-DELETE": "on",
            "agreements-1-organisation": world.orgs["caw_a"].pk,
            "agreements-1-what": "Gesprek met de kinderen",
            "agreements-1-due_on": _days(20).isoformat(),
        },
    )
    response = client.post(_url("plan_goal_edit", case, goal_pk=goal.pk), data)
    assert response.status_code == 302, response.content.decode()
    assert [a.what for a in goal.agreements.all()] == ["Gesprek met de kinderen"]
    # Remove: asked first, then done; the row stays.
    remove = _url("plan_goal_remove", case, goal_pk=goal.pk)
    assert "Dit doel uit het plan verwijderen?" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 200  # the question, not the removal
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    goal.refresh_from_db()
    assert goal.removed_at is not None
    assert client.get(_url("plan_goal_edit", case, goal_pk=goal.pk)).status_code == 404


def test_bad_goal_input_gets_a_dutch_message_and_changes_nothing(world, client):
    case = world.cases["city_a"]
    before = PlanGoal.objects.filter(case=case).count()
    client.force_login(world.users["director_city_a"])
    data = _goal_data(world.orgs["police_a"], description="", **{"agreements-0-what": ""})
    response = client.post(_url("plan_goal_add", case), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Dit veld is verplicht." in page
    assert PlanGoal.objects.filter(case=case).count() == before
    assert PlanAgreement.objects.filter(case=case).count() == before


def test_a_stale_goal_edit_is_refused(world, client):
    case, _plan_made, goal = _case_with_plan(world)
    client.force_login(world.users["director_city_a"])
    url = _url("plan_goal_edit", case, goal_pk=goal.pk)
    data = _goal_data(world.orgs["police_a"], version=goal.version)
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "description": "Later"})
    assert response.status_code == 409
    goal.refresh_from_db()
    assert goal.description == GOAL


def test_an_evaluation_is_added_through_the_form(world, client):
    case, plan, _goal_made = _case_with_plan(world)
    goals = list(PlanGoal.objects.filter(plan=plan, removed_at__isnull=True))
    client.force_login(world.users["director_city_a"])
    url = _url("plan_evaluation_add", case)
    data: dict[str, Any] = {
        "held_on": TODAY().isoformat(),
        "next_evaluation_on": _days(40).isoformat(),
    }
    # Without the outcomes: a Dutch message, nothing saved.
    response = client.post(url, data)
    assert response.status_code == 200 and "Dit veld is verplicht." in response.content.decode()
    assert not PlanEvaluation.objects.filter(plan=plan).exists()
    for g in goals:
        data[f"outcome_{g.pk}"] = GoalOutcome.ACHIEVED
        data[f"note_{g.pk}"] = OUTCOME_NOTE
    assert client.post(url, data).status_code == 302
    assert PlanEvaluation.objects.filter(plan=plan).count() == 1
    page = client.get(_url("plan", case)).content.decode()
    assert "Bereikt" in page and OUTCOME_NOTE in page


def test_the_plan_page_shows_goals_agreements_and_confidential_notes_to_the_team(world, client):
    case, _plan_made, _goal_made = _case_with_plan(world)
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("plan", case)).content.decode()
    for text in (GOAL, NOTE, AGREEMENT, "Noor Plan", world.orgs["caw_a"].name):
        assert text in page, text


def test_a_shared_reader_sees_the_plan_without_the_confidential_notes(world, client):
    case, plan, goal = _case_with_plan(world, "city_a_shared")
    plan_evaluation_add(
        plan=plan,
        by=case.case_director,
        held_on=TODAY(),
        next_evaluation_on=_days(20),
        outcomes={
            g.pk: OutcomeLine(GoalOutcome.IN_PROGRESS, OUTCOME_NOTE)
            for g in PlanGoal.objects.filter(plan=plan)
        },
    )
    plan_goal_update(
        goal=goal,
        by=case.case_director,
        expected_version=goal.version,
        content=GoalContent(
            description=GOAL,
            party=goal.party,
            team_note="Tweede notitie (geheim).",
            agreements=[
                AgreementLine(organisation=world.orgs["caw_a"], what=AGREEMENT, due_on=_days(14))
            ],
        ),
    )
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(_url("plan", case))
    assert response.status_code == 200
    page = response.content.decode()
    assert GOAL in page and AGREEMENT in page
    assert NOTE not in page and OUTCOME_NOTE not in page
    assert "vertrouwelijk" in page
    assert "Plan van aanpak wijzigen" not in page
    assert client.get(_url("plan_edit", case)).status_code == 403
    history = client.get(_url("history", case)).content.decode()
    assert "Doel: Zich thuis veilig voelen." in history  # the change is there, its note not
    for secret in (NOTE, OUTCOME_NOTE, "Tweede notitie (geheim)."):
        assert secret not in history, secret


def test_the_case_history_shows_the_team_the_plan(world, client):
    case, _plan_made, goal = _case_with_plan(world)
    plan_goal_update(
        goal=goal,
        by=case.case_director,
        expected_version=goal.version,
        content=GoalContent(description=GOAL, team_note="Nieuwe notitie (geheim)."),
    )
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("history", case)).content.decode()
    assert "Doel: Zich thuis veilig voelen." in page
    assert NOTE in page and "Nieuwe notitie (geheim)." in page


def test_a_goal_of_another_case_is_not_found(world, client):
    _case_b, _plan_b, goal = _case_with_plan(world, "city_b")
    client.force_login(world.users["director_city_a"])
    case = world.cases["city_a"]
    assert client.get(_url("plan_goal_edit", case, goal_pk=goal.pk)).status_code == 404
    remove = _url("plan_goal_remove", case, goal_pk=goal.pk)
    assert client.post(remove, {"confirm": "yes"}).status_code == 404
    goal.refresh_from_db()
    assert goal.removed_at is None


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("director_city_b", 404),  # another organisation
        ("director_caw_a", 404),
        ("admin_city_a", 404),  # an administrator reads no case content
    ],
)
def test_outsiders_get_nothing(world, client, username, status):
    case = world.cases["city_a"]
    client.force_login(world.users[username])
    for name in ("plan", "plan_edit", "plan_goal_add", "plan_evaluation_add"):
        assert client.get(_url(name, case)).status_code == status, name


def test_anonymous_is_sent_to_the_login(world, client):
    response = client.get(_url("plan", world.cases["city_a"]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the consultation: the view shows the plan, the minutes record its review ---


def _consultation_page(setting: Any, client: Any, user: Any) -> str:
    client.force_login(user)
    url = reverse(
        "consultations:item",
        kwargs={"pk": setting.consultation.pk, "item_pk": setting.items["x"].pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_consultation_view_shows_the_shown_goals_never_the_notes(setting, client):
    case = setting.cases["x"]
    plan = _plan(case)
    victim = _person(case)
    child = _person(case, pr.CHILD, "Lina")
    _goal(plan, setting.orgs["police"], party=victim, shared=True)
    plan_goal_add(
        plan=plan,
        by=case.case_director,
        content=GoalContent(description="Geheim kinddoel", party=child),
        shared_in_consultation=False,
    )
    setting.add_liaison(setting.consultation)
    for user in (setting.users["liaison"], setting.users["director"]):
        page = _consultation_page(setting, client, user)
        assert GOAL in page and AGREEMENT in page and setting.orgs["police"].name in page
        assert NOTE not in page
        assert "Geheim kinddoel" not in page
        assert "1 doel wordt niet getoond in een overleg." in page


def test_the_minutes_record_the_review_which_shows_on_the_plan_and_steering_page(setting, client):
    case = setting.cases["x"]
    plan = _plan(case)
    _goal(plan, setting.orgs["police"])
    item = setting.items["x"]
    director = setting.users["director"]
    client.force_login(director)
    url = reverse(
        "consultations:minutes_plan_review",
        kwargs={"pk": setting.consultation.pk, "item_pk": item.pk},
    )
    # Bad input: a Dutch message, nothing recorded.
    response = client.post(url, {"outcome": "", "next_evaluation_on": _days(30).isoformat()})
    assert response.status_code == 200 and "Dit veld is verplicht." in response.content.decode()
    assert not PlanReview.objects.exists()
    response = client.post(
        url, {"outcome": "Doelen bijgesteld.", "next_evaluation_on": _days(30).isoformat()}
    )
    assert response.status_code == 302
    review = PlanReview.objects.get()
    assert review.plan == plan and review.agenda_item == item
    plan.refresh_from_db()
    assert plan.next_evaluation_on == _days(30)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PLAN_REVIEWED).count() == 1
    # Once per agenda item.
    with pytest.raises(ValidationError):
        plan_review_record(
            agenda_item=item, by=director, outcome="Nog eens", next_evaluation_on=_days(40)
        )
    minutes = client.get(
        reverse("consultations:minutes", kwargs={"pk": setting.consultation.pk, "item_pk": item.pk})
    ).content.decode()
    assert "Doelen bijgesteld." in minutes
    plan_page = client.get(_url("plan", case)).content.decode()
    assert "Doelen bijgesteld." in plan_page
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    section = steering[steering.index('id="plan-heading"') :]
    section = section[: section.index("</section>")]
    reviewed = timezone.localdate(setting.consultation.scheduled_at)
    assert reviewed.strftime("%d/%m/%Y") in section


def test_a_participant_outside_the_team_may_not_record_the_review(setting, client):
    case = setting.cases["x"]
    _plan(case)
    setting.add_liaison(setting.consultation)
    client.force_login(setting.users["liaison"])
    url = reverse(
        "consultations:minutes_plan_review",
        kwargs={"pk": setting.consultation.pk, "item_pk": setting.items["x"].pk},
    )
    assert client.get(url).status_code == 403
    client.force_login(setting.users["outsider"])
    assert client.get(url).status_code == 404


def test_a_case_without_a_plan_cannot_be_reviewed(setting):
    with pytest.raises(ValidationError):
        plan_review_record(
            agenda_item=setting.items["y"],
            by=setting.users["director"],
            outcome="X",
            next_evaluation_on=_days(30),
        )


# --- the steering page and the deadline board ---


def _plan_section(client: Any, case: Any) -> str:
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    section = page[page.index('id="plan-heading"') :]
    return section[: section.index("</section>")]


def test_the_steering_page_shows_the_plan_state(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    section = _plan_section(client, case)
    assert "actief, 1 doel" in section
    assert _days(42).strftime("%d/%m/%Y") in section
    assert "evaluatie te laat" not in section
    PlanOfApproach.objects.filter(case=case).update(next_evaluation_on=_days(-1))
    section = _plan_section(client, case)
    assert 'class="overdue"' in section and "evaluatie te laat" in section
    PlanOfApproach.objects.filter(case=case).delete()
    section = _plan_section(client, case)
    assert "Nog geen plan van aanpak." in section
    assert _url("plan_add", case) in section


def test_a_draft_shows_as_a_draft(world, client):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).update(status=PlanStatus.DRAFT)
    client.force_login(world.users["director_city_a"])
    assert "ontwerp, 1 doel" in _plan_section(client, case)


def test_a_summary_share_does_not_open_the_plan(world, client):
    from access.parts import ShareScope
    from cases.services import share_create

    from .conftest import whole_file_share

    case = world.cases["city_a"]
    share_create(
        case=case,
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(scope=ShareScope.SUMMARY),
    )
    client.force_login(world.users["director_caw_a"])
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert 'id="plan-heading"' not in page
    assert client.get(_url("plan", case)).status_code == 404


def test_the_steering_page_query_count_does_not_grow_with_goals(world, client):
    case, plan, _goal_made = _case_with_plan(world)
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:detail", kwargs={"pk": case.pk})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(3):
        _goal(plan, world.orgs["police_a"])
    assert count() == few


def test_the_plan_page_query_count_does_not_grow(world, client):
    case, plan, _goal_made = _case_with_plan(world)
    client.force_login(world.users["director_city_a"])
    url = _url("plan", case)

    def evaluate() -> None:
        plan_evaluation_add(
            plan=plan,
            by=case.case_director,
            held_on=TODAY(),
            next_evaluation_on=_days(20),
            outcomes={
                g.pk: OutcomeLine(GoalOutcome.STOPPED)
                for g in PlanGoal.objects.filter(plan=plan, removed_at__isnull=True)
            },
        )

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    evaluate()
    few = count()
    for _ in range(3):
        _goal(plan, world.orgs["police_a"], party=_person(case, first_name="Extra"))
    evaluate()
    assert count() == few


def test_evaluations_due_are_on_the_board_of_who_may_see_them(world):
    case = world.cases["city_a"]
    PlanOfApproach.objects.filter(case=case).update(next_evaluation_on=_days(2))
    board = deadline_board(user=world.users["director_city_a"], kinds=["plan_evaluation"])
    assert [item.case_pk for item in board.items] == [case.pk]
    assert board.items[0].url == _url("plan", case)
    assert board.items[0].description == "Het plan van aanpak evalueren"
    for username in ("director_city_b", "admin_city_a"):
        other = deadline_board(user=world.users[username], kinds=["plan_evaluation"])
        assert case.pk not in {item.case_pk for item in other.items}
    # A draft is not evaluated.
    PlanOfApproach.objects.filter(case=case).update(status=PlanStatus.DRAFT)
    board = deadline_board(user=world.users["director_city_a"], kinds=["plan_evaluation"])
    assert case.pk not in {item.case_pk for item in board.items}
