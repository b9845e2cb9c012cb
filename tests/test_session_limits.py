"""Session limits (issue 14, part 8): an absolute lifetime besides the idle timeout, and a
password change that ends the other sessions."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from fjc.middleware import AbsoluteSessionLifetimeMiddleware
from partners.models import OrganisationKind

from .factories import make_organisation, make_user
from .second_factor_steps import log_in

pytestmark = pytest.mark.django_db

HOME = reverse("home")
START = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=ZoneInfo("Europe/Brussels"))


@pytest.fixture
def user():
    return make_user(
        "director_sessie", make_organisation("Stad sessie", OrganisationKind.CITY), "case_director"
    )


def _signed_in(client) -> None:
    from accounts.models import User

    response = log_in(client, User.objects.get(username="director_sessie"))
    assert response.status_code == 302 and response["Location"] == HOME


def test_an_active_session_ends_at_the_absolute_lifetime(client, user, settings, time_machine):
    settings.FJC_SESSION_MAX_SECONDS = 60 * 60
    time_machine.move_to(START)
    _signed_in(client)
    # The clock starts with the login request itself.
    assert client.session[AbsoluteSessionLifetimeMiddleware.KEY] == int(START.timestamp())
    for _ in range(3):  # active every 19 minutes: the idle timeout (30) never ends it
        time_machine.shift(datetime.timedelta(minutes=19))
        assert client.get(HOME).status_code == 200
    time_machine.shift(datetime.timedelta(minutes=3, seconds=1))  # 60 min 1 s after login
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    page = client.get(response["Location"]).content.decode()
    assert "Uw sessie is afgelopen; meld u opnieuw aan." in page
    # Signed out for good: the next request is anonymous too, and a new login starts anew.
    assert client.get(HOME).status_code == 302
    _signed_in(client)
    assert client.get(HOME).status_code == 200


def test_the_default_lifetime_is_twelve_hours(settings):
    assert settings.FJC_SESSION_MAX_SECONDS == 12 * 60 * 60


def test_a_password_change_ends_the_other_sessions(client, user, time_machine):
    time_machine.move_to(START)
    _signed_in(client)
    assert client.get(HOME).status_code == 200
    user.set_password("Een heel ander wachtwoord 42")
    user.save()
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
