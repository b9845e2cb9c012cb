"""Attempts to break the access rules, beyond the matrix: revocation, global grants, deletion."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from access.policy import Action, restrict
from accounts.roles import RoleCode
from accounts.services import user_deactivate, user_set_roles
from cases.models import Case
from cases.services import (
    grant_case_to_user,
    revoke_case_from_user,
    share_stop,
)

pytestmark = pytest.mark.django_db


def detail(case):
    return reverse("cases:detail", kwargs={"pk": case.pk})


def test_caw_director_gets_404_on_city_case_and_the_reverse(world, client):
    client.force_login(world.users["director_caw_a"])
    assert client.get(detail(world.cases["city_a"])).status_code == 404
    assert client.get(detail(world.cases["caw_a"])).status_code == 200
    client.force_login(world.users["director_city_a"])
    assert client.get(detail(world.cases["caw_a"])).status_code == 404
    assert client.get(detail(world.cases["city_a"])).status_code == 200


def test_out_of_scope_and_nonexistent_look_the_same(world, client):
    client.force_login(world.users["director_caw_a"])
    out_of_scope = client.get(detail(world.cases["city_a"]))
    missing = client.get(reverse("cases:detail", kwargs={"pk": 999_999}))
    assert out_of_scope.status_code == missing.status_code == 404
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", out_of_scope.content) == token.sub(b"", missing.content)


def test_prosecutor_sees_only_what_was_shared_with_it(world, client):
    client.force_login(world.users["liaison_parket_a"])
    listed = client.get(reverse("cases:list")).context["cases"]
    assert [c.pk for c in listed] == [world.cases["city_a_shared"].pk]
    client.force_login(world.users["liaison_parket_b"])
    assert list(client.get(reverse("cases:list")).context["cases"]) == []


def test_revoking_a_share_takes_effect_on_the_next_request(world, client):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(detail(case)).status_code == 200
    share_stop(case=case, organisation=world.orgs["parket_a"], by=world.users["director_city_a"])
    assert client.get(detail(case)).status_code == 404


def test_revoking_a_personal_grant_takes_effect_on_the_next_request(world, client):
    case, colleague = world.cases["city_a"], world.users["director_caw_b"]
    grant_case_to_user(
        case=case,
        user=colleague,
        actions=(Action.VIEW, Action.CHANGE),
        by=world.users["director_city_a"],
    )
    client.force_login(colleague)
    assert client.get(detail(case)).status_code == 200
    assert client.get(reverse("cases:update", kwargs={"pk": case.pk})).status_code == 200
    revoke_case_from_user(case=case, user=colleague, by=world.users["director_city_a"])
    assert client.get(detail(case)).status_code == 404


def test_losing_the_case_role_removes_organisation_access(world, client):
    user = world.users["director_city_b"]
    client.force_login(user)
    assert client.get(detail(world.cases["city_b"])).status_code == 200
    # Moved to operations: no longer in the organisation's case group. The case they
    # directed stays visible through their personal grant until that is revoked too.
    user_set_roles(user=user, roles=[RoleCode.OPERATIONS_LEAD])
    assert not user.groups.filter(pk=world.orgs["city_b"].group_id).exists()
    assert client.get(reverse("cases:list")).status_code == 403


def test_a_deactivated_user_is_logged_out_and_sees_nothing(world, client):
    user = world.users["director_city_a"]
    client.force_login(user)
    user_deactivate(user=user)
    response = client.get(detail(world.cases["city_a"]))
    assert response.status_code == 302
    assert restrict(Case.objects.all(), user).count() == 0


def test_model_level_permissions_grant_nothing(world, client):
    user = world.users["director_caw_a"]
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))
    world.orgs["caw_a"].group.permissions.add(
        *Permission.objects.filter(content_type__app_label="cases")
    )
    client.force_login(user)
    assert client.get(detail(world.cases["city_a"])).status_code == 404
    listed = {c.pk for c in client.get(reverse("cases:list")).context["cases"]}
    assert listed == {world.cases["caw_a"].pk}


def test_administrator_reads_no_case_even_with_grants(world):
    admin = world.users["admin_city_a"]
    grant_case_to_user(
        case=world.cases["city_a"],
        user=admin,
        actions=(Action.VIEW,),
        by=world.users["director_city_a"],
    )
    assert restrict(Case.objects.all(), admin).count() == 0
    assert restrict(Case.objects.all(), world.users["superuser"]).count() == 0


def test_deleted_case_history_is_visible_to_nobody(world, client):
    case = world.cases["city_b"]
    pk = case.pk
    case.delete()
    client.force_login(world.users["director_city_b"])
    assert client.get(reverse("cases:history", kwargs={"pk": pk})).status_code == 404
    from cases.selectors import case_history

    assert Case.history.filter(id=pk).exists()
    assert not case_history(user=world.users["director_city_b"], case_pk=pk).exists()


def test_history_page_shows_changes_of_a_visible_case_only(world, client):
    client.force_login(world.users["director_city_a"])
    case = world.cases["city_a"]
    response = client.post(
        reverse("cases:track", kwargs={"pk": case.pk}),
        {
            "to_track": 2,
            "changed_on": case.opened_on.isoformat(),
            "reason": "Geen contact",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    response = client.get(reverse("cases:history", kwargs={"pk": case.pk}))
    entries = [e for e in response.context["entries"] if e.model == "cases.case"]
    assert {e.label for e in entries} == {case.reference}
    assert len(entries) == 2
    assert entries[0].who == world.users["director_city_a"]
