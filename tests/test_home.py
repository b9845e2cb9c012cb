"""The case director's home page: the deadline board holds overdue and coming actions (once);
below it, only the later actions assigned to the director."""

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


def test_the_board_holds_overdue_and_coming_actions_once(world, client, time_machine, no_actions):
    """Overdue and coming actions are the deadline board's (issue 17, part 1): the home page
    shows each once, in the board, and no second card repeats them."""
    director = world.users["director_city_a"]
    partner = world.orgs["partner_a"]
    mine = world.cases["city_a"]
    co_directed = make_case(world.users["director_caw_a"])
    case_add_co_director(case=co_directed, by=co_directed.case_director, user=director)
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    colleagues_case = make_case(colleague)

    overdue_mine = action(mine, 2, org=partner)
    overdue_co = action(co_directed, 9)  # assigned to the CAW director
    due_today = action(mine, LATER, org=partner)
    assigned_soon = action(colleagues_case, 30, by=colleague, who=director)
    not_mine = action(colleagues_case, 3, text="Niet de mijne")  # not my case, not assigned to me

    response = look_later(client, director, time_machine)
    page = response.content.decode()
    listed = (overdue_mine, overdue_co, due_today, assigned_soon)
    board_actions = {item.description for item in response.context["board"].items}
    # An action assigned to a partner organisation also says what its inbox answered.
    for shown in listed:
        assert any(d.startswith(shown.description) for d in board_actions), shown.description
    for shown in listed:
        assert page.count(shown.description) == 1, shown.description
    assert not_mine.description not in page
    # Nothing the board lists is repeated below it.
    assert response.context["actions"].assigned_later == []
    for gone in ("Achterstallige afspraken", "moeten gebeuren", 'id="overdue-heading"'):
        assert gone not in page
    assert 'id="assigned-heading"' not in page


def test_later_actions_assigned_to_me_in_any_case_i_may_see(
    world, client, time_machine, no_actions
):
    """Below the board: what its period does not reach, the actions assigned to me later on."""
    director = world.users["director_city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    theirs = make_case(colleague)
    soon = action(theirs, LATER + 5, by=colleague, who=director)  # on the board
    later = action(theirs, LATER + 40, by=colleague, who=director)
    later_done = action(theirs, LATER + 41, by=colleague, who=director)
    case_action_mark_done(action=later_done, by=director)
    action(world.cases["city_a"], LATER + 45, org=world.orgs["partner_a"])  # not assigned to me
    # Assigned to me once, but the case is now out of my reach.
    hidden = make_case(colleague)
    action(hidden, LATER + 50, by=colleague, who=director)
    revoke_case_from_organisation(case=hidden, organisation=world.orgs["city_a"], by=colleague)

    response = look_later(client, director, time_machine)
    actions = response.context["actions"]
    assert actions.after == response.context["board"].until
    assert actions.assigned_later == [later]
    page = response.content.decode()
    assert 'id="assigned-heading"' in page and "Latere afspraken voor u" in page
    assert page.count(later.description) == 1 and page.count(soon.description) == 1
    assert reverse("cases:actions", kwargs={"pk": hidden.pk}) not in page


def test_long_lists_are_cut_and_say_so(world, client, time_machine, no_actions, monkeypatch):
    monkeypatch.setattr("cases.selectors.journal.HOME_LIST_LIMIT", 2)
    director = world.users["director_city_a"]
    case = world.cases["city_a"]
    for due in (41, 42, 43):
        action(case, LATER + due)
    actions = look_later(client, director, time_machine).context["actions"]
    assert [a.due_on for a in actions.assigned_later] == [day(LATER + 41), day(LATER + 42)]
    assert actions.more_assigned_later


def test_the_home_page_runs_a_fixed_number_of_queries(world, client, time_machine, no_actions):
    director = world.users["director_city_a"]
    partner = world.orgs["partner_a"]
    action(world.cases["city_a"], 1)
    action(world.cases["city_a"], LATER + 1, org=partner)
    action(world.cases["city_a"], LATER + 60)
    time_machine.move_to(NOON + datetime.timedelta(days=LATER), tick=True)
    client.force_login(director)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.context

    few, context = count()
    assert len(context["actions"].assigned_later) == 1

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
        action(make_case(colleague), LATER + 70, by=colleague, who=director)
    time_machine.move_to(NOON + datetime.timedelta(days=LATER), tick=True)
    client.force_login(director)
    many, context = count()
    assert context["board"].more and len(context["actions"].assigned_later) == 1 + 8
    # Fewer, even: once overdue items fill the board, the sources dated from today on are
    # not asked (tests/test_deadline_board.py).
    assert many <= few
    # The three action cards of before (three reads, three audit rows: 22 queries) are one
    # read and two audit rows now; the deadline board reads one query per kind (plan
    # evaluations, conditions ending, chain suggested, chain incomplete joined it in issue 17;
    # consultation review dates in issue 19 part 5).
    assert few <= 24


@pytest.mark.parametrize(
    "username", ["liaison_parket_a", "partner_police_a", "opslead_city_a", "admin_city_a"]
)
def test_others_get_no_action_lists(world, client, username):
    client.force_login(world.users[username])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "actions" not in response.context
    assert not response.context["is_case_director"]


def test_a_case_director_without_later_actions_sees_no_such_card(world, client, no_actions):
    client.force_login(world.users["director_caw_b"])
    response = client.get(reverse("home"))
    assert response.context["actions"].assigned_later == []
    assert 'id="assigned-heading"' not in response.content.decode()


def test_the_home_page_records_the_cases_and_actions_it_shows(world, client, time_machine):
    """Issue 13: the home page reads case data (references, actions) like a list does, so the
    audit trail records the ids it showed: the board's cases and the later actions'."""
    from access.models import AuditAction, AuditEvent

    director = world.users["director_city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    theirs = make_case(colleague)
    soon = action(world.cases["city_a"], 1)
    later = action(theirs, LATER + 40, by=colleague, who=director)
    other = action(world.cases["city_b"], LATER + 40)  # not the director's: never shown
    response = look_later(client, director, time_machine)
    assert response.context["actions"].assigned_later == [later]
    rows = AuditEvent.objects.filter(user=director, action=AuditAction.LIST, view_name="home")
    actions_row = rows.get(purpose="home page actions", object_type="cases.caseaction")
    cases_row = rows.get(purpose="home page deadlines", object_type="cases.case")
    assert actions_row.detail["ids"] == [str(later.pk)]
    assert str(other.pk) not in actions_row.detail["ids"]
    assert {str(soon.case_id), str(theirs.pk)} <= set(cases_row.detail["ids"])
    assert str(world.cases["city_b"].pk) not in cases_row.detail["ids"]
