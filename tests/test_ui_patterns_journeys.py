"""The shared patterns of docs/ui.md in Chromium: the error summary takes focus, a removal
asks first and comes back to the steering page with its message."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.models import CaseParty

from .risk_factories import CHECKLIST, add_party, shipped
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_checklist_puts_focus_on_the_error_summary(world, live_server, page: Page):
    case = world.cases["city_a"]
    version = shipped(CHECKLIST)
    log_in(page, live_server.url, "director_city_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.locator("section#risk").locator(f'a[href="/cases/{case.pk}/risk/new/"]').click()
    page.get_by_role("link", name=version.instrument.name_nl).click()
    # Nothing answered: the first error would be screens down; the summary is where focus goes.
    page.locator('main form button.button[type="submit"]').click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_contain_text(re.compile(r"Er zijn \d+ fouten"))
    assert page.evaluate("document.activeElement && document.activeElement.id") == "error-summary"
    # Each link leads to its field.
    first = summary.get_by_role("link").first
    target = first.get_attribute("href")
    assert target and target.startswith("#id_")
    first.click()
    expect(page.locator(target)).to_be_attached()


def test_removing_a_person_asks_first_and_returns_with_a_message(world, live_server, page: Page):
    case = world.cases["city_a"]
    party = add_party(case, first_name="Robin")
    log_in(page, live_server.url, "director_city_a")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    remove = reverse("cases:person_remove", kwargs={"pk": case.pk, "party_pk": party.pk})
    people = page.locator("details:has(#people-heading)")
    expect(people).not_to_have_attribute("open", "")  # collapsed until asked for
    people.locator("summary").click()
    page.locator(f'form[action="{remove}"] button').click()
    # The question, on a page of its own; nothing is gone yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze persoon uit het dossier halen?")
    assert CaseParty.objects.filter(pk=party.pk).exists()
    page.get_by_role("button", name="Ja, uit het dossier halen").click()
    # Back on the steering page, at the people section, with the message in view.
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/#people-heading$"))
    expect(people).to_have_attribute("open", "")  # the section it returned to is unfolded
    message = page.locator(".messages")
    expect(message).to_contain_text("De persoon werd uit dit dossier gehaald.")
    expect(message).to_be_in_viewport()
    assert not CaseParty.objects.filter(pk=party.pk).exists()
