"""The idle timeout's sliding expiry is written at most once a minute (issue 20), and stays
as strict as configured: a session idle past the timeout is refused, an active one is kept,
and the absolute lifetime still ends it. Against the database sessions of production (the
other tests keep sessions in a signed cookie)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fjc.middleware import SessionRenewalMiddleware
from partners.models import OrganisationKind

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

HOME = reverse("home")
HEALTH = reverse("health")
START = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def user(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.SESSION_COOKIE_AGE = 30 * 60
    return make_user(
        "director_renew", make_organisation("Stad renew", OrganisationKind.CITY), "case_director"
    )


def _session_writes(client, url: str = HEALTH) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


def _refused(client) -> bool:
    response = client.get(HOME)
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_expiry_is_written_at_most_once_a_minute(client, user, time_machine):
    time_machine.move_to(START)
    client.force_login(user)
    assert _session_writes(client) == 1  # a session never renewed: now
    time_machine.shift(datetime.timedelta(seconds=30))
    assert _session_writes(client) == 0
    time_machine.shift(datetime.timedelta(seconds=29))
    assert _session_writes(client) == 0
    time_machine.shift(datetime.timedelta(seconds=1))  # a minute after the last write
    assert _session_writes(client) == 1
    assert client.session[SessionRenewalMiddleware.KEY] == int(START.timestamp()) + 60


def test_a_session_idle_past_the_timeout_is_refused(client, user, time_machine):
    time_machine.move_to(START)
    client.force_login(user)
    assert client.get(HOME).status_code == 200  # renewed: expires at 8:30
    time_machine.shift(datetime.timedelta(seconds=50))
    assert client.get(HOME).status_code == 200  # not written: still expires at 8:30
    # 30 minutes after the last write, 29 min 10 s after the last request: refused (never later
    # than the timeout after the last request, at most a minute sooner).
    time_machine.shift(datetime.timedelta(minutes=29, seconds=10, microseconds=1))
    assert _refused(client)


def test_a_session_idle_for_the_full_timeout_is_refused(client, user, time_machine):
    time_machine.move_to(START)
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    time_machine.shift(datetime.timedelta(minutes=30, seconds=1))
    assert _refused(client)


def test_an_active_session_is_kept(client, user, settings, time_machine):
    settings.FJC_SESSION_MAX_SECONDS = 12 * 60 * 60
    time_machine.move_to(START)
    client.force_login(user)
    # Used every 40 seconds for two hours (renewed every other request), then every 29 min.
    for _ in range(180):
        time_machine.shift(datetime.timedelta(seconds=40))
        assert client.get(HEALTH).status_code == 200
    for _ in range(4):
        time_machine.shift(datetime.timedelta(minutes=29))
        assert client.get(HOME).status_code == 200


def test_the_absolute_lifetime_still_ends_an_active_session(client, user, settings, time_machine):
    settings.FJC_SESSION_MAX_SECONDS = 60 * 60
    time_machine.move_to(START)
    client.force_login(user)
    assert client.get(HOME).status_code == 200  # the clock starts here
    for _ in range(119):  # active every 30 seconds, up to 59 min 30 s
        time_machine.shift(datetime.timedelta(seconds=30))
        assert client.get(HEALTH).status_code == 200
    time_machine.shift(datetime.timedelta(seconds=31))
    assert _refused(client)
    assert client.get(HOME).status_code == 302  # signed out for good


def test_signing_out_leaves_no_session(client, user, time_machine):
    from django.contrib.sessions.models import Session

    time_machine.move_to(START)
    client.force_login(user)
    assert client.get(HOME).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    # A request with the ended session's cookie creates none either.
    assert _refused(client)
    assert not Session.objects.exists()
