"""User journeys in a real Chromium (Playwright), against a live server on PostgreSQL."""

import re

import pytest
from playwright.sync_api import Page, expect

from .factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


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
