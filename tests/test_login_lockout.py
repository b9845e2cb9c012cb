"""Brute-force protection (django-axes) and login events in the audit trail (issue 14)."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from access.models import AuditAction, AuditEvent

from .clock import NOON
from .factories import PASSWORD, totp_code
from .second_factor_steps import code_step

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
USER = "director_city_a"
ATTACKER = "192.0.2.66"
REFUSED = "te veel pogingen"  # part of the one Dutch message for every refused login


def attempt(client, username, password, source=ATTACKER):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=source
    )


def fail(client, username, times, source=ATTACKER):
    for _ in range(times):
        response = attempt(client, username, "wrong-password", source)
        assert response.status_code == 200


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture(autouse=True)
def _noon(time_machine):
    time_machine.move_to(NOON, tick=False)


def test_the_default_limit_locks_before_thirty_failures():
    assert 1 <= LIMIT <= 30
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]


def test_the_right_password_logs_in_below_the_limit(world, client):
    fail(client, USER, LIMIT - 1)
    response = attempt(client, USER, PASSWORD)
    assert response.status_code == 302 and signed_in(client)
    # The password alone is not a complete login: the count stays until the second factor.
    assert AccessAttempt.objects.filter(username=USER).exists()
    code_step(client, totp_code(world.users[USER]), REMOTE_ADDR=ATTACKER)
    assert not AccessAttempt.objects.filter(username=USER).exists()


def test_after_the_limit_the_right_password_fails_with_the_wrong_passwords_answer(world, client):
    wrong = attempt(client, USER, "wrong-password")
    fail(client, USER, LIMIT - 1)
    right = attempt(client, USER, PASSWORD)
    assert not signed_in(client)
    assert right.status_code == wrong.status_code == 200
    assert REFUSED in right.content.decode()
    assert right.content.decode().count("message--error") == 1
    assert _message(right) == _message(wrong)


def _message(response):
    text = response.content.decode()
    start = text.index('role="alert"')
    return text[start : text.index("</p>", start)]


def test_another_source_cannot_log_in_to_a_locked_account(world, client):
    fail(client, USER, LIMIT)
    attempt(client, USER, PASSWORD, source="198.51.100.7")
    assert not signed_in(client)


def test_a_locked_source_cannot_log_in_to_another_account(world, client):
    for i in range(LIMIT):
        attempt(client, f"guess{i}", "wrong-password")
    attempt(client, "opslead_city_a", PASSWORD)
    assert not signed_in(client)
    # The same account from another source still logs in: only the source is locked.
    attempt(client, "opslead_city_a", PASSWORD, source="198.51.100.7")
    assert signed_in(client)


def test_the_lock_ends_after_the_cool_off(world, client, time_machine):
    fail(client, USER, LIMIT)
    time_machine.move_to(NOON + settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=5))
    attempt(client, USER, PASSWORD)
    assert not signed_in(client)
    # Attempts during the lock do not extend it.
    time_machine.move_to(NOON + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5))
    response = attempt(client, USER, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_an_unknown_username_gets_the_answer_of_a_known_one(world, client):
    """At every step, locked or not: nothing tells whether the account exists."""
    known, unknown = [], []
    for _ in range(LIMIT + 1):
        known.append(attempt(client, USER, "wrong-password", source="192.0.2.1"))
        unknown.append(attempt(client, "nobody_here", "wrong-password", source="192.0.2.2"))
    for k, u in zip(known, unknown, strict=True):
        assert k.status_code == u.status_code
        assert _message(k) == _message(u)
        assert _page(k, USER) == _page(u, "nobody_here")


def _page(response, username):
    """The page without what differs per request anyway: the typed name and the CSRF token."""
    text = response.content.decode().replace(username, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_login_and_logout_are_in_the_audit_trail(world, client):
    user = world.users[USER]
    attempt(client, USER, PASSWORD)
    code_step(client, totp_code(user), REMOTE_ADDR=ATTACKER)
    client.post(reverse("logout"), REMOTE_ADDR=ATTACKER)
    rows = AuditEvent.objects.filter(user=user, action__in=[AuditAction.LOGIN, AuditAction.LOGOUT])
    assert sorted(rows.values_list("action", flat=True)) == [AuditAction.LOGIN, AuditAction.LOGOUT]
    assert all(r.detail == {"source": ATTACKER} for r in rows)


def test_a_failed_login_keeps_the_username_and_never_the_password(world, client):
    attempt(client, "nobody_here", "S3cret-guess!")
    row = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert row.user is None and row.username == "nobody_here"
    assert row.detail == {"source": ATTACKER, "locked_out": False}
    assert "S3cret-guess!" not in str(row.__dict__)
    assert b"S3cret-guess!" not in repr(AccessAttempt.objects.get().post_data).encode()


def test_one_lockout_row_when_the_limit_is_reached(world, client):
    fail(client, USER, LIMIT)
    attempt(client, USER, PASSWORD)
    attempt(client, USER, "wrong-password")
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.username == USER and lockout.detail == {"source": ATTACKER}
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.count() == LIMIT + 2
    assert failed.filter(detail__locked_out=True).count() == 3
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


@pytest.mark.parametrize("administrator", ["admin_city_a", "superuser"])
def test_the_administrator_unlocks_in_the_admin(world, client, administrator):
    fail(client, USER, LIMIT)
    admin = client.__class__()
    admin.force_login(world.users[administrator])
    attempts = AccessAttempt.objects.filter(username=USER)
    assert attempts.count() == 1
    url = reverse("admin:axes_accessattempt_delete", args=[attempts.get().pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not attempts.exists()
    attempt(client, USER, PASSWORD)
    assert signed_in(client)


def test_only_administrators_reach_the_lockout_admin(world, client):
    url = reverse("admin:axes_accessattempt_changelist")
    client.force_login(world.users[USER])
    assert client.get(url).status_code == 302  # to the admin's login: not staff
    for administrator in ("admin_city_a", "superuser"):
        client.force_login(world.users[administrator])
        assert client.get(url).status_code == 200
