"""Invitations, not passwords set by someone else; grants wait for the person's own login.

An administrator creates an account without a password; the person sets their own through a
one-time, expiring link. Roles added and a new organisation take effect only once the person
completed a login with both factors (``accounts.signals.second_factor_verified``, sent here by
the tests themselves); what is taken away takes effect at once.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from accounts.invitations import invitation_send, token_hash
from accounts.models import Invitation, PendingAccountChange, User
from accounts.roles import RoleCode
from accounts.signals import second_factor_verified
from cases.selectors import case_list

from .admin_pages import add_account_in_admin, admin_form_data, role_ids
from .factories import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Een eigen wachtwoord 4711"


def _visible(user: User) -> set[str]:
    return {c.reference for c in case_list(user=User.objects.get(pk=user.pk))}


def _complete_login(user: User) -> None:
    """What the two-factor login sends once the person used both their factors."""
    second_factor_verified.send(sender=User, request=None, user=User.objects.get(pk=user.pk))


def _link_path(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", str(message.body))
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invited(world, client):
    """A CAW case director created by the superuser in the admin."""
    client.force_login(world.users["superuser"])
    response = add_account_in_admin(
        client,
        username="nieuw_caw_a",
        email="nieuw@caw-alfa.example",
        organisation=world.orgs["caw_a"],
        roles=[RoleCode.CASE_DIRECTOR],
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    return User.objects.get(username="nieuw_caw_a")


def test_admin_add_form_has_no_password_and_requires_an_email(world, client):
    client.force_login(world.users["superuser"])
    form = client.get(reverse("admin:accounts_user_add")).context["adminform"].form
    assert not {"password", "password1", "password2", "usable_password"} & set(form.fields)
    assert form.fields["email"].required


def test_an_invited_case_director_can_neither_log_in_nor_read_before_their_own_login(
    world, invited
):
    assert not invited.has_usable_password()
    response = Client().post(reverse("login"), {"username": "nieuw_caw_a", "password": ""})
    assert "_auth_user_id" not in response.wsgi_request.session
    # Everything the administrator chose waits: no organisation, no role, no case group.
    assert invited.organisation is None
    assert not invited.roles.exists()
    assert not invited.groups.exists()
    pending = PendingAccountChange.objects.get(user=invited, applied_at__isnull=True)
    assert pending.organisation == world.orgs["caw_a"]
    assert pending.requested_by == world.users["superuser"]
    client = Client()
    client.force_login(invited)
    assert _visible(invited) == set()
    detail = reverse("cases:detail", args=[world.cases["caw_a"].pk])
    # Without the second factor the gate answers first; the selector above shows that even a
    # complete login would read nothing yet.
    assert client.get(detail).status_code == 302


def test_the_invitation_mail_holds_the_link_and_no_client_data(world, invited):
    [message] = mail.outbox
    assert message.to == ["nieuw@caw-alfa.example"]
    path = _link_path(message)
    token = path.rstrip("/").rsplit("/", 1)[1]
    for case in world.cases.values():
        assert case.reference not in message.body
    # Stored as a hash only, and not in the audit trail either.
    invitation = Invitation.objects.get(user=invited)
    assert invitation.token_hash == token_hash(token) != token
    row = AuditEvent.objects.get(action=AuditAction.INVITATION, object_id=str(invited.pk))
    assert row.user == world.users["superuser"]
    assert token not in str(row.detail) and token not in row.view_name


def test_the_link_sets_the_password_once_and_the_grants_follow_the_complete_login(world, invited):
    path = _link_path(mail.outbox[0])
    client = Client()
    response = client.get(path)
    # The token leaves the URL at once.
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:invitation_set_password")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "form" in page.context
    response = client.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(user=invited).used_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_SET, object_id=str(invited.pk)
    ).exists()
    assert client.session.get("_auth_user_id") == str(invited.pk)
    # Logged in with the password only: still nothing to read.
    assert _visible(invited) == set()
    _complete_login(invited)
    invited.refresh_from_db()
    assert invited.organisation == world.orgs["caw_a"]
    assert world.cases["caw_a"].reference in _visible(invited)
    # The second use of the link gets the page that says nothing.
    again = Client()
    page = again.get(again.get(path)["Location"])
    assert page.status_code == 200
    assert "accounts/invitation_invalid.html" in [t.name for t in page.templates]


def test_expired_unknown_and_replaced_links_get_the_same_page(
    world, client, invited, django_capture_on_commit_callbacks
):
    first = _link_path(mail.outbox[0])

    def page_for(path: str) -> bytes:
        c = Client()
        response = c.get(c.get(path)["Location"])
        assert response.status_code == 200
        # The page without its (per-client) CSRF tokens.
        return re.sub(rb'value="[^"]{32,}"', b"", response.content)

    with time_machine.travel(timezone.now() + timedelta(hours=73), tick=False):
        expired = page_for(first)
    unknown = page_for("/accounts/invitation/abc/")
    assert expired == unknown
    assert b"new_password1" not in expired
    # A new invitation (the admin action) replaces the first link.
    client.force_login(world.users["superuser"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_invitation", "_selected_action": [invited.pk]},
        )
    assert len(mail.outbox) == 2
    assert page_for(first) == unknown
    assert b"new_password1" in page_for(_link_path(mail.outbox[1]))
    # Posting to the page without a valid token sets nothing.
    response = Client().post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    invited.refresh_from_db()
    assert not invited.has_usable_password()


@pytest.mark.parametrize("username", ["director_caw_a", "admin_city_a"])
def test_the_admin_sets_no_one_s_password(world, client, username):
    client.force_login(world.users["superuser"])
    url = reverse("admin:auth_user_password_change", args=[world.users[username].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403
    change = client.get(reverse("admin:accounts_user_change", args=[world.users[username].pk]))
    assert "password" not in change.context["adminform"].form.fields
    assert url.encode() not in change.content


def _admin_change(client, user: User, **changes) -> None:
    data = admin_form_data(client, reverse("admin:accounts_user_change", args=[user.pk]))
    data.update(changes)
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_a_case_working_role_added_in_the_admin_waits_for_the_person_s_login(world, client):
    client.force_login(world.users["superuser"])
    user = world.users["opslead_city_a"]
    case = world.cases["city_a"].reference
    assert case not in _visible(user)
    _admin_change(client, user, roles=role_ids(RoleCode.OPERATIONS_LEAD, RoleCode.CASE_DIRECTOR))
    assert set(User.objects.get(pk=user.pk).role_codes) == {RoleCode.OPERATIONS_LEAD}
    assert case not in _visible(user)
    # The admin page shows what waits, and saving it unchanged keeps it waiting.
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert str(RoleCode.CASE_DIRECTOR.label).encode() in page.content
    _admin_change(client, user)
    assert case not in _visible(user)
    _complete_login(user)
    assert case in _visible(user)
    assert not PendingAccountChange.objects.filter(user=user, applied_at__isnull=True).exists()


def test_a_move_to_another_organisation_ends_the_old_access_at_once(world, client):
    client.force_login(world.users["superuser"])
    # A colleague without cases of their own: what they read comes from their organisation.
    user = make_user("colleague_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR)
    assert world.cases["city_a"].reference in _visible(user)
    _admin_change(client, user, organisation=world.orgs["caw_a"].pk)
    assert _visible(user) == set()
    _complete_login(user)
    assert world.cases["caw_a"].reference in _visible(user)
    assert world.cases["city_a"].reference not in _visible(user)


def test_removing_a_role_takes_effect_at_once(world, client):
    client.force_login(world.users["superuser"])
    user = make_user("colleague_caw_a", world.orgs["caw_a"], RoleCode.CASE_DIRECTOR)
    assert world.cases["caw_a"].reference in _visible(user)
    _admin_change(client, user, roles=role_ids(RoleCode.OPERATIONS_LEAD))
    assert _visible(user) == set()
    # The operations lead role was a grant: it waits.
    assert set(User.objects.get(pk=user.pk).role_codes) == set()


def test_deactivating_takes_effect_at_once_and_drops_what_waits(world, client):
    client.force_login(world.users["superuser"])
    user = make_user("colleague_caw_a", world.orgs["caw_a"], RoleCode.CASE_DIRECTOR)
    _admin_change(client, user, roles=role_ids(RoleCode.CASE_DIRECTOR, RoleCode.OPERATIONS_LEAD))
    _admin_change(client, user, is_active="")
    assert _visible(user) == set()
    _complete_login(user)
    assert set(User.objects.get(pk=user.pk).role_codes) == {RoleCode.CASE_DIRECTOR}


def test_the_whole_way_in_link_own_password_own_app_then_the_cases(world, invited, time_machine):
    """End to end, with the real second factor instead of the signal sent by hand: what the
    administrator chose takes effect only when the person completes a login with their own
    password and their own app, and every step is in the audit trail."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    person = Client()
    response = person.get(_link_path(mail.outbox[-1]), follow=True)
    person.post(
        reverse("accounts:invitation_set_password"),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    # The password alone: sent to enrol an app, the case list is out of reach.
    response = person.get(reverse("cases:list"))
    assert response.status_code == 302
    response = person.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor:enrol"))
    person.get(response["Location"])
    device = TOTPDevice.objects.get(user=invited, confirmed=False)
    assert _visible(invited) == set()
    response = person.post(reverse("second_factor:enrol"), {"code": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == reverse("second_factor:recovery_codes")
    # Both factors: the grant waited for exactly this.
    invited.refresh_from_db()
    assert invited.organisation == world.orgs["caw_a"]
    assert world.cases["caw_a"].reference in _visible(invited)
    assert person.get(reverse("cases:list")).status_code == 200
    rows = AuditEvent.objects.filter(object_id=str(invited.pk), object_type="accounts.user")
    admin = world.users["superuser"]
    assert rows.filter(action=AuditAction.ACCOUNT_CREATE, user=admin).exists()
    assert rows.filter(action=AuditAction.INVITATION, user=admin).exists()
    requested = rows.get(action=AuditAction.ROLES_CHANGE, user=admin)
    assert requested.detail == {"pending": True, "added": [RoleCode.CASE_DIRECTOR]}
    assert rows.filter(action=AuditAction.ORGANISATION_CHANGE, user=admin).exists()
    # Once, and by the person: nobody else set this password.
    assert list(rows.filter(action=AuditAction.PASSWORD_SET).values_list("user", flat=True)) == [
        invited.pk
    ]
    assert rows.filter(action=AuditAction.ROLES_CHANGE, user=invited).exists()
    assert rows.filter(action=AuditAction.ORGANISATION_CHANGE, user=invited).exists()
    assert rows.filter(action=AuditAction.LOGIN, user=invited).exists()


def _add_account(client, email: str, world):
    return client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "tweede_account",
            "first_name": "Tweede",
            "last_name": "Account",
            "email": email,
            "organisation": world.orgs["caw_a"].pk,
            "roles": role_ids(RoleCode.CASE_DIRECTOR),
        },
    )


@pytest.mark.parametrize("written", ["beheer@stad-alfa.example", "Beheer@STAD-alfa.example"])
def test_an_administrator_cannot_invite_their_own_address(world, client, written):
    """Their own address would give them a second account, one that reads cases once they
    complete its login: one person, one account, whatever the case of the letters."""
    administrator = world.users["superuser"]
    User.objects.filter(pk=administrator.pk).update(email="beheer@stad-alfa.example")
    client.force_login(administrator)
    response = _add_account(client, written, world)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"email"}
    assert "Een ander account heeft dit e-mailadres al" in response.content.decode()
    assert not User.objects.filter(username="tweede_account").exists()
    assert not Invitation.objects.filter(user__email__iexact=written).exists()
    assert mail.outbox == []


def test_an_address_of_a_colleague_s_account_is_refused_too_and_a_free_one_is_taken(
    world, client, django_capture_on_commit_callbacks
):
    colleague = world.users["director_caw_a"]
    User.objects.filter(pk=colleague.pk).update(email="collega@caw-alfa.example")
    client.force_login(world.users["superuser"])
    assert _add_account(client, "collega@caw-alfa.example", world).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = _add_account(client, "tweede@caw-alfa.example", world)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["tweede@caw-alfa.example"]]


def test_an_account_s_address_cannot_become_the_administrator_s(world, client):
    administrator, user = world.users["superuser"], world.users["opslead_city_a"]
    User.objects.filter(pk=administrator.pk).update(email="beheer@stad-alfa.example")
    User.objects.filter(pk=user.pk).update(email="ops@stad-alfa.example")
    client.force_login(administrator)
    data = admin_form_data(client, reverse("admin:accounts_user_change", args=[user.pk]))
    data.update(email="beheer@stad-alfa.example", roles=role_ids("operations_lead"))
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"email"}
    assert User.objects.get(pk=user.pk).email == "ops@stad-alfa.example"
    # Saving the account with its own address (unchanged) is no conflict with itself.
    data["email"] = "ops@stad-alfa.example"
    assert (
        client.post(reverse("admin:accounts_user_change", args=[user.pk]), data).status_code == 302
    )


def test_no_new_link_goes_to_an_address_two_accounts_share(world, client, invited):
    """Accounts made before the rule may share an address: the action sends them no link."""
    User.objects.filter(pk=world.users["superuser"].pk).update(email=invited.email)
    mail.outbox.clear()
    before = Invitation.objects.filter(user=invited).count()
    client.force_login(world.users["superuser"])
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_invitation", "_selected_action": [invited.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "het e-mailadres van een ander account" in response.content.decode()
    assert Invitation.objects.filter(user=invited).count() == before
    assert mail.outbox == []
    with pytest.raises(ValueError, match="Another account"):
        invitation_send(
            user=invited, by=world.users["superuser"], request=RequestFactory().get("/")
        )
