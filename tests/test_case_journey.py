"""The case director's whole journey in Chromium: register, client system, track 2 contact
attempts, escalation to track 3 with judicial and care trajectory, actions, closing — and the
history shows each step."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.models import Case, EntryKind, Status, Track
from partners.models import Municipality, PoliceZone

from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()


def open_link(page: Page, url_end: str) -> None:
    link = page.locator(f"main a[href$='{url_end}']").first
    # The page's script unfolds the section a return-after-save lands on (#people-heading) at
    # DOMContentLoaded; look only after it ran, or a click on the summary folds it again.
    page.wait_for_load_state("domcontentloaded")
    # On the steering page the long sections are collapsed: open the one holding the link.
    closed = page.locator(f"main details:not([open]):has(a[href$='{url_end}']) > summary")
    if closed.count():
        closed.first.click()
    link.click()


def test_case_director_steers_a_case_from_registration_to_closing(world, live_server, page):
    zone = PoliceZone.objects.create(name="Rivierenland")
    Municipality.objects.create(name="Mechelen", police_zone=zone)
    director = world.users["director_city_a"]
    today = timezone.localdate()
    log_in(page, live_server.url, director.username)

    # Register in track 2.
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    open_link(page, "/cases/new/")
    page.select_option("#id_track", "2")
    page.select_option("#id_case_director", str(director.pk))
    page.select_option("#id_referrer_kind", "partner")
    page.select_option("#id_referrer_organisation", label="Politiezone Alfa")
    page.select_option("#id_municipality", label="Mechelen")
    page.get_by_label("Partnergeweld", exact=True).check()
    page.fill("#id_description", "Melding na politie-interventie.")
    submit(page)
    case = Case.objects.latest("id")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert case.track == Track.OUTREACH

    # The client system: a victim and a perpetrator.
    for first, last, born, role in [
        ("Noor", "Voorbeeld", "1990-04-02", "victim"),
        ("Sam", "Voorbeeld", "1988-09-15", "perpetrator"),
    ]:
        open_link(page, "/people/add/")
        page.check(f"input[name=roles][value={role}]")
        page.fill("#id_first_name", first)
        page.fill("#id_last_name", last)
        page.fill("#id_date_of_birth", born)
        submit(page)
        expect(page.locator("#people-heading")).to_be_visible()
    expect(page.locator("section[aria-labelledby=people-heading]")).to_contain_text("Noor")

    # Track 2: two failed contact attempts and one contact.
    for kind, channel, reached in [
        (EntryKind.CONTACT_ATTEMPT, "phone", "no"),
        (EntryKind.CONTACT_ATTEMPT, "text", "no"),
        (EntryKind.CONTACT, "in_person", ""),
    ]:
        open_link(page, "/journal/add/")
        page.select_option("#id_kind", kind)
        page.select_option("#id_channel", channel)
        if reached:
            page.select_option("#id_reached", reached)
        page.fill("#id_text", "Contact via de afgesproken veilige weg.")
        submit(page)
    expect(page.locator("main")).to_contain_text("niet bereikt")
    # Saving returns to the steering page, at the journal (docs/ui.md, return after save).
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/#journal-heading$"))
    journal = page.locator("section[aria-labelledby=journal-heading]")
    expect(journal).to_contain_text("2")
    assert case.journal.filter(kind=EntryKind.CONTACT_ATTEMPT, reached=False).count() == 2

    # Escalate to track 3.
    open_link(page, "/track/")
    page.select_option("#id_to_track", "3")
    page.fill("#id_reason", "Risico gestegen na nieuw incident.")
    submit(page)
    expect(page.locator("#judicial-heading")).to_be_visible()

    # Judicial trajectory: a PV and a temporary restraining order.
    open_link(page, "/trajectory/police-reports/add/")
    page.fill("#id_number", "ME.12.L1.000123/26")
    page.fill("#id_drawn_up_on", today.isoformat())
    submit(page)
    open_link(page, "/trajectory/measures/add/")
    page.select_option("#id_kind", "restraining_order")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + datetime.timedelta(days=10)).isoformat())
    page.select_option("#id_decided_by", label="Parket Alfa")
    submit(page)

    # Care trajectory: a partner and what it does.
    open_link(page, "/trajectory/partners/add/")
    page.select_option("#id_organisation", label="Justitiehuis Alfa")
    page.fill("#id_role", "Begeleiding pleger tijdens het huisverbod")
    submit(page)
    expect(page.locator("section[aria-labelledby=care-heading]")).to_contain_text(
        "Justitiehuis Alfa"
    )
    expect(page.locator("section[aria-labelledby=judicial-heading]")).to_contain_text(
        "ME.12.L1.000123/26"
    )

    # An action.
    open_link(page, "/actions/add/")
    page.fill("#id_description", "Veiligheidsplan opmaken met het slachtoffer")
    page.select_option("#id_assignee_user", str(director.pk))
    page.fill("#id_due_on", (today + datetime.timedelta(days=7)).isoformat())
    submit(page)
    expect(page.locator("section[aria-labelledby=actions-heading]")).to_contain_text(
        "Veiligheidsplan"
    )

    # Close with a reason.
    open_link(page, "/close/")
    page.select_option("#id_closing_reason", index=1)
    submit(page)
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.closing_reason is not None

    # The history shows each step.
    open_link(page, "/history/")
    history = page.locator("main").inner_text()
    for step in ["Voorbeeld", "ME.12.L1.000123/26", "Justitiehuis Alfa", "Veiligheidsplan"]:
        assert step in history, step
    timeline_kinds = set(case.events.values_list("kind", flat=True))
    assert {
        "registered",
        "person_added",
        "track_changed",
        "police_report_added",
        "measure_started",
        "partner_added",
        "closed",
    } <= timeline_kinds
