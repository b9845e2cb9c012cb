"""Account administration leaves a trace in the audit trail, whichever path made the change
(issue 14, item 4): the admin, the services, the shell; and the administrator's unlock."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from accounts.models import Role, User
from accounts.services import user_create
from common.history import attribute

from .second_factor_steps import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _since(world):
    # The world's own accounts were created with rows of their own: only this test's count.
    global SINCE
    SINCE = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


SINCE = 0


def rows(action: AuditAction, user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            id__gt=SINCE, action=action, object_type="accounts.user", object_id=str(user.pk)
        ).order_by("id")
    )


def test_creating_an_account_from_the_shell_is_recorded_for_nobody(world):
    # The seed's path (effective at once); the admin's waits for the person (test_invitations).
    user = user_create(
        effective_now=True,
        username="newcomer",
        password=None,
        organisation=world.orgs["caw_a"],
        roles=["case_director"],
        email="new@example.org",
    )
    [created] = rows(AuditAction.ACCOUNT_CREATE, user)
    assert created.user is None
    assert created.detail["username"] == "newcomer"
    assert created.detail["organisation"] == {
        "id": world.orgs["caw_a"].pk,
        "name": str(world.orgs["caw_a"]),
    }
    assert created.detail["usable_password"] is False
    [roles] = rows(AuditAction.ROLES_CHANGE, user)
    assert roles.detail == {"roles": {"old": [], "new": ["case_director"]}}
    # The CAW's case group joined with the case-working role.
    [groups] = rows(AuditAction.GROUPS_CHANGE, user)
    assert groups.detail["groups"]["new"] == [world.orgs["caw_a"].group.name]


def test_a_service_names_its_actor(world):
    user = world.users["opslead_city_a"]
    admin = world.users["admin_city_a"]
    attribute(user, admin)
    user.is_active = False
    user.email = "gone@example.org"
    user.save()
    [changed] = rows(AuditAction.ACCOUNT_CHANGE, user)
    assert changed.user == admin
    assert changed.detail == {
        "email": {"old": "", "new": "gone@example.org"},
        "is_active": {"old": True, "new": False},
    }


def test_password_change_records_no_hash(world):
    user = world.users["opslead_city_a"]
    old_hash = user.password
    user.set_password("An0ther-secret!")
    user.save()
    [row] = rows(AuditAction.PASSWORD_SET, user)
    assert row.detail == {"usable_password": True}
    text = str(row.detail) + str(AuditEvent.objects.filter(object_id=str(user.pk)).values())
    assert old_hash not in text and user.password not in text and "An0ther" not in text
    # Logging in saves the last login only: no administrative row.
    before = AuditEvent.objects.exclude(action__in=[AuditAction.LOGIN]).count()
    user.save(update_fields=["last_login"])
    assert AuditEvent.objects.exclude(action__in=[AuditAction.LOGIN]).count() == before


def test_reverse_and_cleared_memberships_are_recorded(world):
    user = world.users["opslead_city_a"]
    auditor = Role.objects.get(code="auditor")
    auditor.users.add(user)
    [added] = rows(AuditAction.ROLES_CHANGE, user)
    assert added.detail == {
        "roles": {"old": ["operations_lead"], "new": ["auditor", "operations_lead"]}
    }
    group = Group.objects.create(name="Team Alfa")
    user.groups.add(group)
    group.user_set.clear()
    cleared = rows(AuditAction.GROUPS_CHANGE, user)
    assert [r.detail["groups"] for r in cleared] == [
        {"old": [], "new": ["Team Alfa"]},
        {"old": ["Team Alfa"], "new": []},
    ]


def test_the_admin_change_is_attributed_to_the_administrator(world, client):
    admin = world.users["superuser"]
    client.force_login(admin)
    user = world.users["opslead_city_a"]
    form = (
        client.get(reverse("admin:accounts_user_change", args=[user.pk])).context["adminform"].form
    )
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "roles": [Role.objects.get(code="case_director").pk],
            "organisation": world.orgs["city_b"].pk,
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "is_active": "on",
            "last_name": "Renamed",
        }
    )
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    # What is taken away goes at once; what is given waits for the person's own login, and
    # the administrator's request is on record as such.
    [moved_out, requested] = rows(AuditAction.ORGANISATION_CHANGE, user)
    assert all(
        r.user == admin and r.organisation == admin.organisation for r in (moved_out, requested)
    )
    assert moved_out.detail["organisation"]["old"]["id"] == world.orgs["city_a"].pk
    assert moved_out.detail["organisation"]["new"] is None
    assert moved_out.view_name == "admin:accounts_user_change"
    assert requested.detail == {
        "pending": True,
        "new": {"id": world.orgs["city_b"].pk, "name": str(world.orgs["city_b"])},
    }
    roles = rows(AuditAction.ROLES_CHANGE, user)
    assert all(r.user == admin for r in roles)
    assert [r.detail for r in roles] == [
        {"roles": {"old": ["operations_lead"], "new": []}},
        {"pending": True, "added": ["case_director"]},
    ]
    [changed] = rows(AuditAction.ACCOUNT_CHANGE, user)
    assert changed.detail["last_name"] == {"old": "Test", "new": "Renamed"}
    assert all(r.user == admin for r in rows(AuditAction.GROUPS_CHANGE, user))


def _lock(client, username: str, limit: int) -> None:
    for _ in range(limit):
        client.post(reverse("login"), {"username": username, "password": "wrong"})


def test_the_administrators_unlock_is_recorded(world, client, settings):
    username = "director_city_a"
    _lock(client, username, settings.AXES_FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username=username)
    admin = client.__class__()
    admin.force_login(world.users["superuser"])
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    [unlock] = AuditEvent.objects.filter(action=AuditAction.UNLOCK)
    assert unlock.user == world.users["superuser"]
    assert unlock.object_id == str(world.users[username].pk)
    assert unlock.detail["username"] == username
    assert unlock.detail["failures"] == settings.AXES_FAILURE_LIMIT


def test_a_successful_login_resets_attempts_without_an_unlock(world, client):
    username = "director_city_a"
    client.post(reverse("login"), {"username": username, "password": "wrong"})
    assert AccessAttempt.objects.filter(username=username).exists()
    # The count is cleared when the login completes, with the second factor.
    log_in(client, User.objects.get(username=username))
    assert not AccessAttempt.objects.filter(username=username).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UNLOCK).exists()
