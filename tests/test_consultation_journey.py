"""An art. 458ter consultation in a real Chromium: prepared by a case director, opened by the
prosecutor liaison for exactly its agenda cases, minuted, and closed to them afterwards.

Fields are found by their ids, not their labels, so the journey does not depend on the
Dutch catalogue of the day.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cases.models import Track
from consultations.models import AgendaItem, Consultation

from .consultation_helpers import make_consultation
from .factories import make_case
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page, field_id: str) -> None:
    """Click the submit button of the form that holds ``field_id``."""
    page.locator(f"form:has(#{field_id}) button[type=submit]").click()


def status_of(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def test_consultation_journey(world, live_server, page: Page, browser: Browser):
    base = live_server.url
    director = world.users["director_city_a"]
    liaison = world.users["liaison_parket_a"]
    # Two cases the parket has no grant on: one in track 1, one new in track 3.
    first = world.cases["city_a"]
    second = make_case(director, track=Track.CHAIN)
    # Another consultation, without the liaison: its case view stays closed to them.
    other = make_consultation(world, chair="director_caw_a", case_keys=("caw_a",), participants=())
    other_item = other.agenda_items.get()

    # --- the case director prepares the consultation ---
    log_in(page, base, director.username)
    page.goto(f"{base}{reverse('consultations:create')}")
    page.locator("#id_legal_basis").select_option(str(world.legal_basis.pk))
    meeting = timezone.localtime() + datetime.timedelta(days=1)
    page.locator("#id_scheduled_at").fill(meeting.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("Vergaderzaal FJC")
    page.locator("#id_secrecy_confirmed").check()
    submit(page, "id_legal_basis")
    expect(page).to_have_url(re.compile(r"/consultations/\d+/$"))
    match = re.search(r"/consultations/(\d+)/$", page.url)
    assert match is not None
    consultation = Consultation.objects.get(pk=int(match.group(1)))

    page.goto(f"{base}{reverse('consultations:participant_add', args=[consultation.pk])}")
    page.locator("#id_user").select_option(str(liaison.pk))
    submit(page, "id_user")
    for case in (first, second):
        page.goto(f"{base}{reverse('consultations:agenda_add', args=[consultation.pk])}")
        page.locator("#id_case").select_option(str(case.pk))
        submit(page, "id_case")
        expect(page).to_have_url(re.compile(rf"/consultations/{consultation.pk}/"))
    items = {item.case_id: item for item in AgendaItem.objects.filter(consultation=consultation)}
    assert set(items) == {first.pk, second.pk}

    # --- the prosecutor liaison confirms secrecy and sees exactly the two cases ---
    liaison_page = browser.new_context().new_page()
    log_in(liaison_page, base, liaison.username)
    item_url = {
        case_pk: f"{base}{reverse('consultations:item', args=[consultation.pk, item.pk])}"
        for case_pk, item in items.items()
    }
    assert status_of(liaison_page, next(iter(item_url.values()))) == 404  # not confirmed yet
    liaison_page.goto(f"{base}{reverse('consultations:secrecy', args=[consultation.pk])}")
    liaison_page.locator("main form button[type=submit]").click()
    liaison_page.goto(f"{base}{reverse('consultations:detail', args=[consultation.pk])}")
    agenda_links = liaison_page.locator(
        "section[aria-labelledby=agenda-heading] a[href*='/items/']"
    )
    expect(agenda_links).to_have_count(2)
    for case in (first, second):
        assert status_of(liaison_page, item_url[case.pk]) == 200
        expect(liaison_page.locator("main")).to_contain_text(case.reference)
        # The consultation view, never the full file.
        assert status_of(liaison_page, f"{base}{reverse('cases:detail', args=[case.pk])}") == 404
    other_url = reverse("consultations:item", args=[other.pk, other_item.pk])
    assert status_of(liaison_page, f"{base}{other_url}") == 404
    # The liaison's own overview lists the track-3 case only.
    liaison_page.goto(f"{base}{reverse('consultations:liaison')}")
    expect(liaison_page.locator("main")).to_contain_text(second.reference)
    expect(liaison_page.locator("main")).not_to_contain_text(first.reference)

    # --- the case director records the minutes with an action ---
    item = items[second.pk]
    page.goto(
        f"{base}{reverse('consultations:minutes_action_add', args=[consultation.pk, item.pk])}"
    )
    page.locator("#id_description").fill("Afstemming met het parket")
    page.locator("#id_assignee_user").select_option(str(director.pk))
    due = timezone.localdate() + datetime.timedelta(days=7)
    page.locator("#id_due_on").fill(due.isoformat())
    submit(page, "id_description")
    page.goto(
        f"{base}{reverse('consultations:minutes_decisions', args=[consultation.pk, item.pk])}"
    )
    page.locator("#id_decisions").fill("Gezamenlijke aanpak; opvolging over een maand.")
    submit(page, "id_decisions")
    expect(page.locator("main")).to_contain_text("Afstemming met het parket")
    page.goto(f"{base}{reverse('cases:detail', args=[second.pk])}")
    expect(page.locator("main")).to_contain_text("Afstemming met het parket")

    # --- after the access period the liaison gets 404, though no task has run ---
    with time_machine.travel(
        consultation.access_closes_at + datetime.timedelta(hours=1), tick=True
    ):
        # The session from before has expired by then: log in again.
        log_in(liaison_page, base, liaison.username)
        for case in (first, second):
            assert status_of(liaison_page, item_url[case.pk]) == 404
