"""The administrator role is enough to administer: no superuser needed, and no more than that.

An account with the administrator role and staff status (``admin_city_a``) manages what the
README's role table names in ``/admin/``: accounts by invitation, organisations and places, the
managed lists and risk instruments, the read-only audit trail, login lock-outs. The role's
model permissions are listed in one place (``accounts.roles.ADMINISTRATOR_PERMISSIONS``) and
given by ``accounts.backends.RolePermissionBackend``: model permissions only, never a grant on
an object (case access stays with ``access.policy``). What the role cannot do: delete an
account, change a superuser's account, or change its own roles, organisation or status.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.backends import RolePermissionBackend
from accounts.models import User
from accounts.roles import ADMINISTRATOR_PERMISSIONS, RoleCode
from accounts.services import user_change_access

from .admin_pages import add_account_in_admin, admin_form_data, role_ids
from .factories import make_user

pytestmark = pytest.mark.django_db

REGISTERED = sorted(
    (f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry), key=str
)


def _changelist(name: str) -> str:
    return reverse(f"admin:{name}_changelist")


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("name", REGISTERED)
def test_the_administrator_role_opens_every_list_of_the_admin(world, client, name):
    client.force_login(world.users["admin_city_a"])
    assert client.get(_changelist(name)).status_code == 200


def test_the_admin_index_lists_the_administrators_work(world, client):
    client.force_login(world.users["admin_city_a"])
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("accounts_user", "partners_organisation", "access_auditevent"):
        assert _changelist(name) in page


@pytest.mark.parametrize("username", ["director_city_a", "opslead_city_a", "netcoord_vo_a"])
def test_staff_status_without_the_role_opens_nothing(world, client, username):
    """Staff status lets a person through the admin's door; the role decides what is inside."""
    user = world.users[username]
    User.objects.filter(pk=user.pk).update(is_staff=True)
    client.force_login(_fresh(user))
    for name in REGISTERED:
        assert client.get(_changelist(name)).status_code == 403, name
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_the_role_without_staff_status_does_not_open_the_admin(world, client):
    admin_user = world.users["admin_city_a"]
    User.objects.filter(pk=admin_user.pk).update(is_staff=False)
    client.force_login(_fresh(admin_user))
    response = client.get(_changelist("accounts_user"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_is_sent_to_the_login(world):
    response = Client().get(_changelist("accounts_user"))
    assert response.status_code == 302
    # The application's own login (both factors), never the admin's password-only form.
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_permissions_end_with_the_role(world, client):
    admin_user = world.users["admin_city_a"]
    client.force_login(admin_user)
    assert client.get(_changelist("accounts_user")).status_code == 200
    user_change_access(
        user=admin_user, by=world.users["superuser"], organisation=admin_user.organisation, roles=[]
    )
    assert client.get(_changelist("accounts_user")).status_code == 403


def test_every_listed_permission_exists_and_none_is_of_case_content():
    listed = {tuple(name.split(".")) for name in ADMINISTRATOR_PERMISSIONS}
    found = set(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _codename in listed}
        ).values_list("content_type__app_label", "codename")
    )
    assert listed <= found, listed - found
    configuration = {
        "closingreason",
        "formofviolence",
        "relationshipcontext",
        "nottakenonreason",
    }
    for app, codename in listed:
        if app == "cases":
            assert codename.split("_", 1)[1] in configuration, codename
        assert app not in {"consultations", "reporting", "guardian", "auth"}, codename
    assert not any("assessment" in name for name in ADMINISTRATOR_PERMISSIONS)


def test_the_role_gives_no_permission_on_an_object(world):
    """Object permissions (case grants) stay with guardian and access.policy."""
    admin_user = _fresh(world.users["admin_city_a"])
    case = world.cases["city_a"]
    backend = RolePermissionBackend()
    assert backend.get_all_permissions(admin_user, case) == set()
    assert not backend.has_perm(admin_user, "accounts.change_user", case)
    assert not admin_user.has_perm("cases.view_case", case)
    assert not admin_user.has_perm("cases.view_case")
    assert admin_user.has_perm("accounts.change_user")
    assert not admin_user.has_perm("accounts.delete_user")


def test_an_inactive_administrator_holds_no_permission(world):
    admin_user = world.users["admin_city_a"]
    User.objects.filter(pk=admin_user.pk).update(is_active=False)
    assert RolePermissionBackend().get_all_permissions(_fresh(admin_user)) == set()


def test_the_administrator_creates_an_account_by_invitation(world, client):
    client.force_login(world.users["admin_city_a"])
    response = add_account_in_admin(
        client,
        username="nieuw_stad_a",
        email="nieuw@stad-alfa.example",
        organisation=world.orgs["city_a"],
        roles=[RoleCode.CASE_DIRECTOR],
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="nieuw_stad_a")
    assert not created.has_usable_password()
    assert [m.to for m in mail.outbox] == [["nieuw@stad-alfa.example"]]


def test_the_administrator_changes_a_colleagues_roles(world, client):
    client.force_login(world.users["admin_city_a"])
    colleague = world.users["opslead_city_a"]
    data = admin_form_data(client, reverse("admin:accounts_user_change", args=[colleague.pk]))
    data["roles"] = role_ids(RoleCode.OPERATIONS_LEAD, RoleCode.NETWORK_COORDINATOR)
    data["first_name"] = "Hernoemd"
    response = client.post(reverse("admin:accounts_user_change", args=[colleague.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    colleague = _fresh(colleague)
    assert colleague.first_name == "Hernoemd"
    # An added role waits for the person's own login, whoever added it.
    assert colleague.pending_changes.filter(applied_at__isnull=True).exists()


def test_the_administrator_deletes_no_account(world, client):
    client.force_login(world.users["admin_city_a"])
    colleague = world.users["opslead_city_a"]
    url = reverse("admin:accounts_user_delete", args=[colleague.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=colleague.pk).exists()


def test_the_administrator_cannot_change_a_superusers_account(world, client):
    client.force_login(world.users["superuser"])
    data = admin_form_data(
        client, reverse("admin:accounts_user_change", args=[world.users["superuser"].pk])
    )
    superuser = world.users["superuser"]
    client.force_login(world.users["admin_city_a"])
    url = reverse("admin:accounts_user_change", args=[superuser.pk])
    page = client.get(url)
    assert page.status_code == 200  # read only: who holds the keys is no secret to IT
    assert 'name="_save"' not in page.content.decode()
    data["email"] = "overgenomen@elders.example"
    assert client.post(url, data).status_code == 403
    assert _fresh(superuser).email == superuser.email


def test_the_administrator_sends_no_invitation_to_a_superuser(
    world, client, django_capture_on_commit_callbacks
):
    superuser = world.users["superuser"]
    client.force_login(world.users["admin_city_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _changelist("accounts_user"),
            {"action": "send_invitation", "_selected_action": [superuser.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "geen account dat u mag wijzigen" in response.content.decode()
    assert mail.outbox == []
    assert not superuser.invitations.exists()


def test_the_administrator_cannot_change_their_own_roles_or_status(world, client):
    """No administrator raises themselves: a case role added to one's own account would
    open case content after one's next login."""
    admin_user = world.users["admin_city_a"]
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[admin_user.pk])
    form = client.get(url).context["adminform"].form
    assert not {"roles", "organisation", "is_active", "is_staff", "is_superuser"} & set(form.fields)
    data = admin_form_data(client, url)
    data.update(
        {
            "roles": role_ids(RoleCode.CASE_DIRECTOR),
            "organisation": world.orgs["caw_a"].pk,
            "first_name": "Zelf",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    admin_user = _fresh(admin_user)
    assert admin_user.first_name == "Zelf"
    assert admin_user.role_codes == {RoleCode.ADMINISTRATOR}
    assert admin_user.organisation == world.orgs["city_a"]
    assert not admin_user.pending_changes.exists()


def test_a_superuser_still_manages_every_account(world, client):
    client.force_login(world.users["superuser"])
    admin_user = world.users["admin_city_a"]
    form = (
        client.get(reverse("admin:accounts_user_change", args=[admin_user.pk]))
        .context["adminform"]
        .form
    )
    assert {"roles", "organisation", "is_active", "is_staff", "is_superuser"} <= set(form.fields)
    assert (
        client.get(reverse("admin:accounts_user_delete", args=[admin_user.pk])).status_code == 200
    )


def test_a_new_administrator_without_a_superuser(world, client):
    """An administrator made by another administrator works after their own login."""
    new_admin = make_user(
        "tweede_admin", world.orgs["city_a"], RoleCode.ADMINISTRATOR, is_staff=True
    )
    client.force_login(new_admin)
    assert client.get(_changelist("partners_organisation")).status_code == 200


@pytest.mark.parametrize("name", REGISTERED)
def test_the_administrator_gets_the_admin_pages_a_superuser_gets(world, client, name):
    """Each list's add page and an object's change and history pages answer the administrator
    as they answer a superuser (one that is not a superuser's own account, nor theirs)."""
    app_label, model_name = name.split("_", 1)
    model = next(
        m
        for m in admin.site._registry
        if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
    )
    objects = model._default_manager.all()
    if model is User:
        objects = objects.filter(is_superuser=False).exclude(pk=world.users["admin_city_a"].pk)
    urls = [reverse(f"admin:{name}_add")]
    first = objects.order_by("pk").first()
    if first is not None:
        urls += [reverse(f"admin:{name}_{page}", args=[first.pk]) for page in ("change", "history")]
    answers = {}
    for username in ("superuser", "admin_city_a"):
        client.force_login(world.users[username])
        answers[username] = [client.get(url).status_code for url in urls]
    assert answers["admin_city_a"] == answers["superuser"], urls
