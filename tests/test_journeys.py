"""User journeys in a real Chromium (Playwright), against a live server on PostgreSQL."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User

from .factories import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    code_step(page, User.objects.get(username=username))


def code_step(page: Page, user: User) -> None:
    """The second step of the login: the code of the user's app."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede stap")
    page.get_by_label("Code").fill(totp_code(user))
    page.get_by_role("button", name="Bevestigen").click()


def test_case_director_logs_in_and_opens_a_case(world, live_server, page: Page):
    case = world.cases["city_a"]
    log_in(page, live_server.url, "director_city_a")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(page.locator("section[aria-labelledby=where-heading]")).to_contain_text("Stad Alfa")
    # Out of scope answers 404 in the browser too.
    response = page.goto(f"{live_server.url}/cases/{world.cases['caw_a'].pk}/")
    assert response is not None and response.status == 404


def test_first_login_enrols_an_app_then_logs_in_with_a_code(world, live_server, page: Page):
    """Enrolment at the first login (the key as shown on the page), the recovery codes shown
    once, the case list; then a second login with a code from the app."""
    import base64

    from django_otp.oath import TOTP

    from .factories import make_user

    user = make_user("director_new", world.orgs["city_a"], "case_director", second_factor=False)
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw tweede factor instellen")
    expect(page.get_by_role("img", name="QR-code voor uw authenticatie-app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = TOTP(base64.b32decode(secret))  # what the person's authenticator app computes
    page.get_by_label("Code uit de app").fill(f"{app.token():06d}")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    expect(page.get_by_role("list", name="Herstelcodes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossiers")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    log_in(page, live_server.url, user.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    page.get_by_role("link", name="Mijn beveiliging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn beveiliging")
