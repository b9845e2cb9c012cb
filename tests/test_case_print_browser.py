"""The print view in Chromium: the "Afdrukken" button appears with JavaScript and calls
window.print(); printed, only the case remains (no header, navigation, buttons or footer);
the page fits a phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_print_button_prints_and_paper_shows_only_the_case(world, live_server, page: Page):
    case = world.cases["city_a"]
    log_in(page, live_server.url, world.users["director_city_a"].username)
    page.goto(live_server.url + reverse("cases:detail", args=[case.pk]))
    page.get_by_role("link", name="Afdrukweergave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {case.reference}")

    # window.print() would open the browser's dialog: count the calls instead.
    # (A statement list that ends in null: an expression that is a function would be called.)
    page.evaluate("window.__printed = 0; window.print = () => { window.__printed += 1; }; null")
    button = page.get_by_role("button", name="Afdrukken")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.__printed") == 1

    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".print-hidden"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("section[aria-labelledby=print-people-heading]")).to_be_visible()
    page.emulate_media(media="screen")

    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (width, scroll_width)
