"""Actions (afspraken): what, who, by when; done and undone; edits that collide."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case, CaseAction
from cases.selectors import action_assignee_candidates
from cases.services import (
    case_action_add,
    case_action_mark_done,
    case_action_update,
    case_add_co_director,
    case_remove_co_director,
    revoke_case_from_user,
)
from partners.models import Organisation

from .clock import NOON, TODAY, iso
from .factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=True)


def url(name, case, **kwargs):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def action_data(**changes):
    return {
        "description": "Afspraak met huisarts plannen",
        "assignee_user": "",
        "assignee_organisation": "",
        "due_on": (TODAY + datetime.timedelta(days=7)).isoformat(),
        **changes,
    }


def new_action(case, by=None, **kwargs):
    by = by or case.case_director
    kwargs.setdefault("assignee_user", by)
    return case_action_add(
        case=case,
        by=by,
        description=kwargs.pop("description", "Huisbezoek plannen"),
        due_on=kwargs.pop("due_on", TODAY + datetime.timedelta(days=3)),
        **kwargs,
    )


def snapshot(case):
    return list(
        CaseAction.objects.filter(case=case)
        .order_by("pk")
        .values_list(
            "description", "assignee_user", "assignee_organisation", "due_on", "done_on", "version"
        )
    )


# --- adding ---


def test_a_case_director_adds_an_action_for_a_staff_member(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    response = client.post(url("action_add", case), action_data(assignee_user=director.pk))
    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#actions-heading"  # back at its section
    action = CaseAction.objects.get(case=case, description="Afspraak met huisarts plannen")
    assert (action.assignee_user, action.assignee_organisation, action.due_on) == (
        director,
        None,
        TODAY + datetime.timedelta(days=7),
    )
    assert (action.created_by, action.done_on, action.version) == (director, None, 1)
    assert action.history.get().history_user == director
    assert action in client.get(url("detail", case)).context["steering"].open_actions


def test_a_case_director_adds_an_action_for_a_partner_organisation(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    partner = world.orgs["partner_a"]
    response = client.post(url("action_add", case), action_data(assignee_organisation=partner.pk))
    assert response.status_code == 302
    action = CaseAction.objects.get(case=case, description="Afspraak met huisarts plannen")
    assert (action.assignee_user, action.assignee_organisation) == (None, partner)


@pytest.fixture
def inactive_partner(world):
    org = world.orgs["partner_b"]
    Organisation.objects.filter(pk=org.pk).update(is_active=False)
    return org


@pytest.mark.parametrize(
    ("changes", "error_field"),
    [
        pytest.param({}, "__all__", id="nobody"),
        pytest.param(
            {"assignee_user": "me", "assignee_organisation": "partner_a"}, "__all__", id="both"
        ),
        pytest.param(
            {"assignee_user": "director_city_b"},
            "assignee_user",
            id="director-of-another-organisation",
        ),
        pytest.param(
            {"assignee_user": "liaison_parket_a"}, "assignee_user", id="not-a-case-director"
        ),
        pytest.param({"assignee_user": "inactive_director_city_a"}, "assignee_user", id="inactive"),
        pytest.param(
            {"assignee_organisation": "inactive"},
            "assignee_organisation",
            id="inactive-organisation",
        ),
        pytest.param(
            {"assignee_user": "me", "due_on": iso(-1)}, "due_on", id="due-before-registration"
        ),
        pytest.param({"assignee_user": "me", "due_on": ""}, "due_on", id="no-due-date"),
        pytest.param(
            {"assignee_user": "me", "description": ""}, "description", id="no-description"
        ),
        pytest.param(
            {"assignee_user": "me", "description": "x" * 301},
            "description",
            id="description-too-long",
        ),
    ],
)
def test_a_bad_action_is_refused_and_nothing_changes(
    world, client, inactive_partner, changes, error_field
):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    users = {**world.users, "me": director}
    orgs = {**world.orgs, "inactive": inactive_partner}
    data = action_data()
    if "assignee_user" in changes:
        data["assignee_user"] = users[changes.pop("assignee_user")].pk
    if "assignee_organisation" in changes:
        data["assignee_organisation"] = orgs[changes.pop("assignee_organisation")].pk
    data.update(changes)
    client.force_login(director)
    before = snapshot(case)
    response = client.post(url("action_add", case), data)
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert snapshot(case) == before


def test_the_service_refuses_what_the_form_would(world, inactive_partner):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    before = snapshot(case)
    cases = [
        ({"assignee_user": None}, "__all__"),
        ({"assignee_organisation": world.orgs["partner_a"]}, "__all__"),
        ({"assignee_user": world.users["director_caw_a"]}, "assignee_user"),
        (
            {"assignee_user": None, "assignee_organisation": inactive_partner},
            "assignee_organisation",
        ),
        ({"due_on": TODAY - datetime.timedelta(days=1)}, "due_on"),
        ({"description": "   "}, "description"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as caught:
            new_action(case, by=director, **changes)
        assert field in caught.value.message_dict, changes
    assert snapshot(case) == before


def test_who_an_action_can_be_assigned_to(world):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    colleague = make_user("colleague_city_a", world.orgs["city_a"], "case_director")
    make_user("opslead_two_city_a", world.orgs["city_a"], "operations_lead")
    candidates = set(action_assignee_candidates(case=case))
    # world.users["co_director"] co-directs every case in the world (another organisation).
    assert candidates == {director, colleague, world.users["co_director"]}
    # The organisation's other case directors, but not another organisation's.
    other = set(action_assignee_candidates(case=world.cases["caw_a"]))
    assert other == {world.users["director_caw_a"], world.users["co_director"]}


def test_the_form_offers_only_the_candidates_and_active_organisations(
    world, client, inactive_partner
):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    form = client.get(url("action_add", case)).context["form"]
    users = set(form.fields["assignee_user"].queryset)
    assert users == set(action_assignee_candidates(case=case))
    organisations = set(form.fields["assignee_organisation"].queryset)
    assert inactive_partner not in organisations
    assert world.orgs["partner_a"] in organisations


# --- done and undone ---


def test_mark_done_and_undo(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    action = new_action(case)
    client.force_login(director)
    response = client.post(url("action_done", case, action_pk=action.pk))
    assert response.status_code == 302
    assert response["Location"] == url("detail", case)
    action.refresh_from_db()
    assert (action.done_on, action.version) == (TODAY, 2)
    assert action not in client.get(url("detail", case)).context["steering"].open_actions
    listing = client.get(url("actions", case)).context
    assert action in listing["done_actions"] and action not in listing["open_actions"]

    # Marking it done again changes nothing.
    client.post(url("action_done", case, action_pk=action.pk))
    action.refresh_from_db()
    assert (action.done_on, action.version) == (TODAY, 2)

    response = client.post(url("action_undo", case, action_pk=action.pk), {"next": "actions"})
    assert response["Location"] == url("actions", case)
    action.refresh_from_db()
    assert (action.done_on, action.version) == (None, 3)
    assert [h.history_user for h in action.history.all()] == [director] * 3

    # Undoing an open action changes nothing either.
    client.post(url("action_undo", case, action_pk=action.pk))
    action.refresh_from_db()
    assert (action.done_on, action.version) == (None, 3)


def test_done_and_undo_are_post_only(world, client):
    case = world.cases["city_a"]
    action = new_action(case)
    client.force_login(world.users["director_city_a"])
    assert client.get(url("action_done", case, action_pk=action.pk)).status_code == 405
    assert client.get(url("action_undo", case, action_pk=action.pk)).status_code == 405
    action.refresh_from_db()
    assert action.done_on is None


# --- editing ---


def edit_data(action, **changes):
    return {
        "description": action.description,
        "assignee_user": action.assignee_user_id or "",
        "assignee_organisation": action.assignee_organisation_id or "",
        "due_on": action.due_on.isoformat(),
        "done_on": action.done_on.isoformat() if action.done_on else "",
        "version": action.version,
        **changes,
    }


def test_edit_an_action(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    action = new_action(case)
    client.force_login(director)
    form = client.get(url("action_update", case, action_pk=action.pk)).context["form"]
    assert form["description"].value() == "Huisbezoek plannen"
    assert form["version"].value() == 1
    response = client.post(
        url("action_update", case, action_pk=action.pk),
        edit_data(
            action,
            description="Huisbezoek met wijkagent",
            assignee_user="",
            assignee_organisation=world.orgs["police_a"].pk,
            done_on=TODAY.isoformat(),
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (
        action.description,
        action.assignee_user,
        action.assignee_organisation,
        action.done_on,
        action.version,
    ) == ("Huisbezoek met wijkagent", None, world.orgs["police_a"], TODAY, 2)


def test_a_stale_edit_gets_a_conflict_and_keeps_the_input(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    action = new_action(case)
    stale = edit_data(action, description="Mijn wijziging")
    case_action_mark_done(action=action, by=world.users["co_director"])
    client.force_login(director)
    response = client.post(url("action_update", case, action_pk=action.pk), stale)
    assert response.status_code == 409
    assert response.context["form"]["description"].value() == "Mijn wijziging"
    action.refresh_from_db()
    assert (action.description, action.done_on, action.version) == (
        "Huisbezoek plannen",
        TODAY,
        2,
    )
    # The service refuses the stale version just the same.
    from common.versioning import EditConflict

    with pytest.raises(EditConflict):
        case_action_update(
            action=action,
            by=director,
            expected_version=1,
            description="x",
            due_on=TODAY,
            assignee_user=director,
        )


@pytest.mark.parametrize(
    ("changes", "error_field"),
    [
        pytest.param({"done_on": iso(1)}, "done_on", id="done-in-the-future"),
        pytest.param({"done_on": iso(-9)}, "done_on", id="done-before-registration"),
        pytest.param({"due_on": iso(-9)}, "due_on", id="due-before-registration"),
        pytest.param({"assignee_organisation": "partner_a"}, "__all__", id="both"),
        pytest.param({"assignee_user": ""}, "__all__", id="nobody"),
        pytest.param({"assignee_user": "director_caw_b"}, "assignee_user", id="not-a-candidate"),
        pytest.param({"version": ""}, "version", id="no-version"),
    ],
)
def test_a_bad_edit_is_refused_and_nothing_changes(world, client, changes, error_field):
    case = world.cases["city_a"]
    action = new_action(case)
    for key, lookup in (("assignee_user", world.users), ("assignee_organisation", world.orgs)):
        if changes.get(key):
            changes[key] = lookup[changes[key]].pk
    client.force_login(world.users["director_city_a"])
    before = snapshot(case)
    response = client.post(
        url("action_update", case, action_pk=action.pk), edit_data(action, **changes)
    )
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert snapshot(case) == before


def test_an_assignee_who_no_longer_qualifies_may_stay_but_not_be_chosen_anew(world, client):
    case, director = world.cases["caw_a"], world.users["director_caw_a"]
    helper = make_user("helper_city_b", world.orgs["city_b"], "case_director")
    co = case_add_co_director(case=case, by=director, user=helper)
    action = new_action(case, by=director, assignee_user=helper)
    case_remove_co_director(case=case, by=director, co_director=co)

    client.force_login(director)
    response = client.post(
        url("action_update", case, action_pk=action.pk),
        edit_data(action, description="Verslag doorsturen"),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.description, action.assignee_user) == ("Verslag doorsturen", helper)

    with pytest.raises(ValidationError) as caught:
        new_action(case, by=director, assignee_user=helper)
    assert "assignee_user" in caught.value.message_dict


# --- who may ---


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("action_add", "get"),
        ("action_add", "post"),
        ("action_update", "get"),
        ("action_update", "post"),
        ("action_done", "post"),
        ("action_undo", "post"),
    ],
)
def test_the_prosecutor_reads_the_actions_but_changes_nothing(world, client, name, method):
    case = world.cases["city_a_shared"]
    action = new_action(case)
    before = snapshot(case)
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(url("actions", case)).status_code == 200
    kwargs = {} if name == "action_add" else {"action_pk": action.pk}
    target = url(name, case, **kwargs)
    data = edit_data(action, description="Gewijzigd", assignee_user="")
    response = client.get(target) if method == "get" else client.post(target, data)
    assert response.status_code == 403
    assert snapshot(case) == before


@pytest.mark.parametrize("name", ["actions", "action_update", "action_done", "action_undo"])
def test_another_organisation_gets_not_found(world, client, name):
    case = world.cases["city_a"]
    action = new_action(case)
    before = snapshot(case)
    client.force_login(world.users["director_caw_a"])
    kwargs = {} if name == "actions" else {"action_pk": action.pk}
    target = url(name, case, **kwargs)
    response = client.get(target) if name in ("actions", "action_update") else client.post(target)
    assert response.status_code == 404
    assert snapshot(case) == before


@pytest.mark.parametrize("name", ["action_update", "action_done", "action_undo"])
def test_an_action_of_another_case_is_not_found_through_a_case_one_may_change(world, client, name):
    """Change access to one case does not reach the actions of another (IDOR)."""
    mine, theirs = world.cases["city_a"], world.cases["caw_a"]
    action = new_action(theirs)
    before = snapshot(theirs)
    client.force_login(world.users["director_city_a"])
    target = url(name, mine, action_pk=action.pk)
    response = client.get(target) if name == "action_update" else client.post(target)
    assert response.status_code == 404
    assert snapshot(theirs) == before


def test_a_revoked_director_loses_the_actions_at_once(world, client):
    case, director = world.cases["caw_b"], world.users["director_caw_b"]
    action = new_action(case)
    client.force_login(director)
    assert client.get(url("actions", case)).status_code == 200
    from cases.services import revoke_case_from_organisation

    revoke_case_from_user(case=case, user=director, by=director)
    revoke_case_from_organisation(case=case, organisation=world.orgs["caw_b"], by=director)
    assert client.post(url("action_done", case, action_pk=action.pk)).status_code == 404
    action.refresh_from_db()
    assert action.done_on is None


def test_the_steering_page_offers_changes_only_to_the_team(world, client):
    case = world.cases["city_a_shared"]
    action = new_action(case)
    done_url = url("action_done", case, action_pk=action.pk)
    client.force_login(world.users["director_city_a"])
    page = client.get(url("detail", case)).content.decode()
    assert done_url in page and url("action_add", case) in page and url("actions", case) in page
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(url("detail", case)).content.decode()
    assert "Huisbezoek plannen" in page
    assert done_url not in page and url("action_add", case) not in page
    assert url("action_update", case, action_pk=action.pk) not in page
    page = client.get(url("actions", case)).content.decode()
    assert "Huisbezoek plannen" in page and done_url not in page


def test_anonymous_users_are_sent_to_log_in(world, client):
    case = world.cases["city_a"]
    action = world.children["city_a"]["action_pk"]
    for target in (url("actions", case), url("action_done", case, action_pk=action.pk)):
        response = client.post(target) if "done" in target else client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Case.objects.get(pk=case.pk).actions.get(pk=action.pk).done_on is None
