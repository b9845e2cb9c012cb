"""Reflow (WCAG 1.4.10) in Chromium: at 375 and 320 px no page scrolls sideways, long
unbroken words included; the steering page opens with its summary strip and open actions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import EntryKind
from cases.services import case_action_add, journal_entry_add, person_create_in_case

from . import party_roles as pr
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (375, 320)
LONG_WORD = "Onafgebrokenwoord" * 30  # ~500 characters, no place to break


def _assert_fits(page: Page, base: str, paths: list[str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(base + path)
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert scroll_width <= inner_width, (path, width, scroll_width)


def test_case_pages_fit_a_phone_and_open_with_the_summary_strip(world, live_server, page: Page):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    journal_entry_add(case=case, by=director, kind=EntryKind.NOTE, text=LONG_WORD)
    case_action_add(
        case=case,
        by=director,
        description=f"Veiligheidsplan {LONG_WORD[:250]}",
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        assignee_user=director,
    )
    person_create_in_case(
        case=case,
        by=director,
        **pr.VICTIM,
        first_name=LONG_WORD[:100],
        last_name=LONG_WORD[:100],
        address=LONG_WORD,
        confirm_new=True,
    )
    log_in(page, live_server.url, director.username)
    detail = reverse("cases:detail", args=[case.pk])
    _assert_fits(
        page,
        live_server.url,
        [
            detail,
            reverse("cases:journal", args=[case.pk]),
            reverse("cases:list"),
            reverse("cases:journal_add", args=[case.pk]),
            reverse("cases:create"),
            reverse("cases:board"),
            reverse("home"),
        ],
    )

    # The deadline board links to the section where an item is handled: it opens there.
    page.goto(live_server.url + reverse("cases:board"))
    page.locator(f'a[href="{detail}#judicial-heading"]').first.click()
    expect(page.locator("section[aria-labelledby=judicial-heading] details")).to_have_attribute(
        "open", ""
    )

    page.goto(live_server.url + detail)
    strip = page.locator("section[aria-labelledby=summary-heading]")
    expect(strip.locator("[data-summary=track] dd")).to_have_text(case.get_track_display())
    expect(strip.locator("[data-summary=status] dd")).to_have_text(case.get_status_display())
    expect(strip.locator("[data-summary=risk] dt")).to_have_text("Risiconiveau")
    # The world's case action is due today, before the one added above.
    today = timezone.localdate().isoformat()
    expect(strip.locator(f'[data-summary=deadline] time[datetime="{today}"]')).to_have_count(1)
    expect(strip.locator("[data-summary=deadline] dd")).to_contain_text("Matrix action")
    open_actions = case.actions.filter(done_on__isnull=True).count()
    expect(strip.locator("[data-summary=open-actions] dd")).to_have_text(str(open_actions))
    # The day's work is in view on a phone: the open actions start within the first screen
    # and a half, above the collapsed long sections.
    page.set_viewport_size({"width": 375, "height": 800})
    top = page.locator("#actions-heading").evaluate("e => e.getBoundingClientRect().top")
    assert top < 1200
    expect(page.locator("section[aria-labelledby=people-heading] details")).not_to_have_attribute(
        "open", ""
    )
    page.locator("#people-heading").click()
    expect(page.locator("section[aria-labelledby=people-heading] details")).to_have_attribute(
        "open", ""
    )


def test_dashboard_fits_a_phone(world, live_server, page: Page):
    log_in(page, live_server.url, "opslead_city_a")
    _assert_fits(page, live_server.url, [reverse("reporting:dashboard"), reverse("home")])
