"""A case director fills in a risk assessment in Chromium and sees level and chart on the case."""

import re

import pytest
from playwright.sync_api import Page, expect

from .risk_factories import CHECKLIST, add_party, shipped
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fill_in_a_checklist_and_see_the_level_and_chart(world, live_server, page: Page):
    case = world.cases["city_a"]
    party = add_party(case, first_name="Robin")
    version = shipped(CHECKLIST)
    log_in(page, live_server.url, "director_city_a")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    risk = page.locator("section#risk")
    risk.locator(f'a[href="/cases/{case.pk}/risk/new/"]').click()
    page.get_by_role("link", name=version.instrument.name_nl).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(version.instrument.name_nl)

    page.get_by_label(str(party.person)).check()
    items = list(version.items.order_by("section__order", "order"))
    for position, item in enumerate(items):
        # 15 "yes", 2 "don't know", the rest "no": high risk (14 or more).
        answer = "yes" if position < 15 else "unknown" if position < 17 else "no"
        question = page.get_by_role("group", name=re.compile(rf"^{item.code.upper()}\. "))
        question.locator(f'input[value="{answer}"]').check()
    page.locator('main form button.button[type="submit"]').click()

    # The assessment's own page shows the result.
    expect(page.locator("[data-risk-level]").first).to_have_text("Hoog risico")
    expect(page.locator(".facts")).to_contain_text("15")

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    risk = page.locator("section#risk")
    expect(risk.locator(".risk-current [data-risk-level]")).to_have_text("Hoog risico")
    chart = risk.locator("svg.risk-chart")
    expect(chart).to_be_visible()
    # This assessment is in the level panel and, with its score, in the score panel.
    expect(chart.locator("circle.risk-chart__point[data-score='15']")).to_have_count(2)
    expect(chart.locator("title").first).not_to_be_empty()
    # The highest level suggests track 3 and a case consultation to the case director: the
    # escalation notice above the summary (risk.escalation) takes over the panel's prompt.
    notice = page.locator("#escalation")
    expect(notice).to_contain_text("Voorgesteld voor spoor 3")
    expect(notice.locator(f'a[href="/cases/{case.pk}/risk/decision/"]')).to_be_visible()
    # The data table alternative holds the same point.
    risk.locator("details summary").click()
    expect(risk.locator("details table")).to_contain_text("Hoog risico")
    assert party.person.first_name == "Robin"
