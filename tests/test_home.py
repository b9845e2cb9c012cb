"""The case director's home page: overdue and upcoming actions, and actions assigned to them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import CaseAction
from cases.services import (
    case_action_add,
    case_action_mark_done,
    case_add_co_director,
    revoke_case_from_organisation,
    revoke_case_from_user,
)

from .clock import NOON
from .factories import make_case, make_user

pytestmark = pytest.mark.django_db

DAY0 = NOON.date()
LATER = 10  # the home page is looked at this many days after the actions were agreed


def day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=True)


@pytest.fixture
def no_actions(world):
    # The permission matrix puts one action in every case; these tests count their own.
    CaseAction.objects.all().delete()


def action(case, due, *, by=None, who=None, org=None, text=None):
    by = by or case.case_director
    return case_action_add(
        case=case,
        by=by,
        description=text or f"Actie {case.reference} dag {due}",
        due_on=day(due),
        assignee_user=None if org else (who or by),
        assignee_organisation=org,
    )


def look_later(client, user, time_machine):
    time_machine.move_to(NOON + datetime.timedelta(days=LATER), tick=True)
    client.force_login(user)  # a new session: the old one timed out
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_overdue_and_upcoming_actions_in_the_cases_i_direct_or_co_direct(
    world, client, time_machine, no_actions
):
    director = world.users["director_city_a"]
    partner = world.orgs["partner_a"]
    mine = world.cases["city_a"]
    co_directed = make_case(world.users["director_caw_a"])
    case_add_co_director(case=co_directed, by=co_directed.case_director, user=director)
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    colleagues_case = make_case(colleague)  # visible to me through my organisation

    overdue_mine = action(mine, 2, org=partner)
    overdue_co = action(co_directed, 9)  # assigned to the CAW director
    due_today = action(mine, LATER, org=partner)
    due_in_14 = action(co_directed, LATER + 14)
    action(mine, LATER + 15, org=partner)  # beyond the window
    done = action(mine, 1, org=partner)
    case_action_mark_done(action=done, by=director)
    action(colleagues_case, 3)  # not my case, not assigned to me
    assigned = action(colleagues_case, 30, by=colleague, who=director)
    action(world.cases["caw_b"], 1)  # another organisation's case
    # A case I still direct on paper, but whose access was taken away: nothing of it shows.
    lost = make_case(director)
    action(lost, 1)
    revoke_case_from_user(case=lost, user=director, by=director)
    revoke_case_from_organisation(case=lost, organisation=world.orgs["city_a"], by=director)

    response = look_later(client, director, time_machine)
    actions = response.context["actions"]
    assert actions.today == day(LATER)
    assert actions.overdue == [overdue_mine, overdue_co]
    assert actions.upcoming == [due_today, due_in_14]
    assert actions.assigned_to_me == [assigned]

    page = response.content.decode()
    for listed in (overdue_mine, overdue_co, due_today, due_in_14, assigned):
        assert reverse("cases:actions", kwargs={"pk": listed.case_id}) in page
        assert listed.description in page
    assert reverse("cases:actions", kwargs={"pk": lost.pk}) not in page
    assert reverse("cases:actions", kwargs={"pk": world.cases["caw_b"].pk}) not in page


def test_actions_assigned_to_me_in_any_case_i_may_see(world, client, time_machine, no_actions):
    director = world.users["director_city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    theirs = make_case(colleague)
    overdue = action(theirs, 1, by=colleague, who=director)
    later = action(theirs, 40, by=colleague, who=director)
    mine_but_done = action(theirs, 2, by=colleague, who=director)
    case_action_mark_done(action=mine_but_done, by=director)
    # Assigned to me once, but the case is now out of my reach.
    hidden = make_case(colleague)
    action(hidden, 5, by=colleague, who=director)
    revoke_case_from_organisation(case=hidden, organisation=world.orgs["city_a"], by=colleague)

    actions = look_later(client, director, time_machine).context["actions"]
    assert actions.assigned_to_me == [overdue, later]
    assert actions.overdue == [] and actions.upcoming == []


def test_long_lists_are_cut_and_say_so(world, client, time_machine, no_actions, monkeypatch):
    monkeypatch.setattr("cases.selectors.journal.HOME_LIST_LIMIT", 2)
    case = world.cases["city_a"]
    for due in (1, 2, 3):
        action(case, due)
    actions = look_later(client, world.users["director_city_a"], time_machine).context["actions"]
    assert [a.due_on for a in actions.overdue] == [day(1), day(2)]
    assert actions.more_overdue and not actions.more_upcoming


def test_the_home_page_runs_a_fixed_number_of_queries(world, client, time_machine, no_actions):
    director = world.users["director_city_a"]
    partner = world.orgs["partner_a"]
    action(world.cases["city_a"], 1)
    action(world.cases["city_a"], LATER + 1, org=partner)
    time_machine.move_to(NOON + datetime.timedelta(days=LATER), tick=True)
    client.force_login(director)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context["actions"]

    few, actions = count()
    assert (len(actions.overdue), len(actions.upcoming)) == (1, 1)

    time_machine.move_to(NOON, tick=True)
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    for i in range(8):
        case = make_case(director)
        action(case, 1 + i % 3)
        action(case, LATER + 2, org=partner)
        co_directed = make_case(world.users["director_caw_a"])
        case_add_co_director(case=co_directed, by=co_directed.case_director, user=director)
        action(co_directed, 4)
        action(make_case(colleague), 20, by=colleague, who=director)
    time_machine.move_to(NOON + datetime.timedelta(days=LATER), tick=True)
    client.force_login(director)
    many, actions = count()
    assert (len(actions.overdue), len(actions.upcoming), len(actions.assigned_to_me)) == (
        1 + 8 + 8,
        1 + 8,
        1 + 8 + 8,
    )
    assert many == few


@pytest.mark.parametrize(
    "username", ["liaison_parket_a", "partner_police_a", "opslead_city_a", "admin_city_a"]
)
def test_others_get_no_action_lists(world, client, username):
    client.force_login(world.users[username])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "actions" not in response.context
    assert not response.context["is_case_director"]


def test_a_case_director_without_actions_sees_empty_lists(world, client, no_actions):
    client.force_login(world.users["director_caw_b"])
    response = client.get(reverse("home"))
    actions = response.context["actions"]
    assert (actions.overdue, actions.upcoming, actions.assigned_to_me) == ([], [], [])


def test_the_home_page_records_the_cases_and_actions_it_shows(world, client, time_machine):
    """Issue 13: the home page reads case data (references, actions) like a list does, so the
    audit trail records the ids it showed."""
    from access.models import AuditAction, AuditEvent

    director = world.users["director_city_a"]
    mine = action(world.cases["city_a"], 1)
    other = action(world.cases["city_b"], 1)  # not the director's: never shown, never recorded
    response = look_later(client, director, time_machine)
    shown = [*response.context["actions"].overdue, *response.context["actions"].upcoming]
    assert mine in shown
    rows = AuditEvent.objects.filter(user=director, action=AuditAction.LIST, view_name="home")
    actions_row = rows.get(purpose="home page actions", object_type="cases.caseaction")
    cases_row = rows.get(purpose="home page cases", object_type="cases.case")
    assert str(mine.pk) in actions_row.detail["ids"]
    assert str(other.pk) not in actions_row.detail["ids"]
    assert set(actions_row.detail["ids"]) == {str(a.pk) for a in shown} | {
        str(a.pk) for a in response.context["actions"].assigned_to_me
    }
    assert str(world.cases["city_a"].pk) in cases_row.detail["ids"]
    assert str(world.cases["city_b"].pk) not in cases_row.detail["ids"]
