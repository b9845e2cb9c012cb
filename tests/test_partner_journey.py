"""The partners' flows of issue 19 in a real Chromium, as their users click through them.

1. A police officer registers a family; the triage table of the receiving organisation screens
   it, checks it against known cases and takes it on in track 3 with a case director; the case
   exists with its people; the officer sees "Opgenomen in spoor 3" and gets 404 on the case.
2. A case director refers a case to a partner (with the ground for sharing); the partner's
   user finds it in the inbox, accepts and completes it with a short answer, never reaching
   the case file; the director sees the answer on the case and on the deadline board.
3. A triage table decides a registration from its agenda; the minutes list who was present
   (the attendance register); a review date brings a case back on a later agenda.
4. The operations lead opens the workload view and downloads its CSV, without client names.

Every new form is also used as a keyboard user and a screen reader meet it: each input has
a label (found by it), errors are summed up, focused and linked to their fields, the focus is
visible; each page of the walk is valid HTML without axe-core violations (tests/page_checks.py).
One browser context per role, logged in once (both factors).
"""

import datetime
import re
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from cases.models import Case, Registration, RegistrationStatus, Track
from consultations.models import AgendaItem, Consultation, ConsultationKind

from .page_checks import axe_violations, html_problems
from .test_journeys import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The people of the registered family: fictional.
VICTIM = ("Lotte", "Aanmeldvoorbeeld", "1991-03-14")
PERPETRATOR = ("Kris", "Aanmeldvoorbeeld", "1989-11-02")
CHILD = ("Mila", "Aanmeldvoorbeeld", "2019-06-30")


@pytest.fixture
def contexts(browser: Browser) -> Iterator[dict[str, BrowserContext]]:
    """A browser context per role, closed at the end of the test."""
    opened: dict[str, BrowserContext] = {}
    yield opened
    for context in opened.values():
        context.close()


def as_user(contexts: dict[str, BrowserContext], browser: Browser, base: str, username: str) -> Page:
    """The page of ``username``'s own browser context, logged in once (both factors)."""
    if username not in contexts:
        contexts[username] = browser.new_context()
        page = contexts[username].new_page()
        log_in(page, base, username)
        return page
    return contexts[username].pages[0]


def checked(page: Page) -> None:
    """The page as it is now: valid HTML, no axe-core violation of WCAG 2.1 A/AA."""
    problems = html_problems(page.content())
    assert not problems, (page.url, problems)
    violations = axe_violations(page)
    assert not violations, (page.url, violations)


def nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role(
        "link", name=name, exact=True
    ).click()


def status_of(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None
    return response.status


def focus_is_visible(page: Page) -> bool:
    """The focused element draws an outline or a box shadow (WCAG 2.4.7)."""
    return bool(
        page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                    || s.boxShadow !== 'none'; }"""
        )
    )


def test_police_registers_a_family_and_triage_takes_it_on_in_track_3(
    world, live_server, browser: Browser, contexts, tmp_path
):
    base = live_server.url
    director = world.users["director_city_a"]
    police = as_user(contexts, browser, base, "partner_police_a")

    # --- the police officer registers a family, from the menu ---
    nav(police, "Mijn aanmeldingen")
    expect(police.get_by_role("heading", level=1)).to_have_text("Mijn aanmeldingen")
    police.get_by_role("link", name="Een gezin aanmelden").first.click()
    expect(police.get_by_role("heading", level=1)).to_have_text("Een gezin aanmelden")
    checked(police)

    # Sent empty first: the errors are summed up, focused and linked to their fields.
    police.get_by_role("button", name="De aanmelding versturen").click()
    summary = police.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("fout")
    summary.get_by_role("link").first.click()
    focused = police.evaluate("document.activeElement.id")
    assert focused and summary.locator(f"a[href='#{focused}']").count() == 1, focused
    assert focus_is_visible(police)
    checked(police)

    police.get_by_label("Aanmelden bij").select_option(label="Stad Alfa")
    police.get_by_label(re.compile(r"^Wat er gebeurde")).fill("Interventie na een melding van de buren.")
    police.get_by_label("Dringendheid").select_option("urgent")
    police.get_by_label("Wurging of verstikking").check()
    police.get_by_label("Kinderen aanwezig").check()
    police.get_by_label("Een wettelijke grond zonder toestemming").check()
    police.get_by_label(re.compile(r"^Wettelijke grond")).select_option("police_report")
    police.get_by_label("PV-nummer").fill("ME.55.L1.004321/26")
    pv = tmp_path / "pv.pdf"
    pv.write_bytes(b"%PDF-1.7\n% proces-verbaal\n")
    police.get_by_label("Bijlagen").set_input_files(str(pv))
    for n, (role, (first, last, born)) in enumerate(
        [("victim", VICTIM), ("perpetrator", PERPETRATOR), ("child", CHILD)], start=1
    ):
        row = police.get_by_role("group", name=f"Persoon {n}")
        row.get_by_label(re.compile(r"^Rol")).select_option(role)
        row.get_by_label("Voornaam").fill(first)
        row.get_by_label("Familienaam").fill(last)
        row.get_by_label(re.compile(r"^Geboortedatum")).fill(born)
    # The keyboard sends it: Tab from the last field reaches the button, its focus is
    # visible, Enter sends.
    police.get_by_role("group", name="Persoon 5").get_by_label(re.compile(r"^Gemeente")).focus()
    police.keyboard.press("Tab")
    expect(police.get_by_role("button", name="De aanmelding versturen")).to_be_focused()
    assert focus_is_visible(police)
    police.keyboard.press("Enter")
    expect(police.get_by_role("heading", level=1)).to_have_text("Mijn aanmeldingen")
    registration = Registration.objects.get(pv_number="ME.55.L1.004321/26")
    assert registration.attachments.count() == 1
    row = police.get_by_role("row").filter(has_text=registration.reference)
    expect(row).to_contain_text("Ontvangen")
    checked(police)

    # --- the triage table: the case director of the receiving organisation ---
    triage = as_user(contexts, browser, base, director.username)
    nav(triage, "Triage")
    triage.get_by_role("link", name=registration.reference).click()
    expect(triage.get_by_role("heading", level=1)).to_contain_text(registration.reference)
    # Hit/no-hit against the known cases: none of these people is known.
    expect(triage.locator("section[aria-labelledby=triage-heading]")).to_contain_text("Geen treffer")
    expect(triage.get_by_role("link", name="pv.pdf")).to_be_visible()
    checked(triage)
    triage.get_by_role("link", name="Screeningsnota toevoegen").click()
    checked(triage)
    triage.get_by_label("Screeningsnota").fill("Gekend bij de politie, geen lopend dossier.")
    triage.get_by_role("button", name="Opslaan").click()
    expect(triage.locator("main")).to_contain_text("geen lopend dossier")

    triage.get_by_role("link", name="Beslissen over de aanmelding").click()
    checked(triage)
    triage.get_by_label("Opgenomen", exact=True).check()
    triage.get_by_label(re.compile(r"^Spoor")).select_option("3")
    triage.get_by_label(re.compile(r"^Leidende organisatie")).select_option(label="Stad Alfa")
    triage.get_by_label(re.compile(r"^Casusregisseur")).select_option(str(director.pk))
    triage.get_by_role("button", name="Opslaan").click()
    expect(triage.locator("section[aria-labelledby=status-heading]")).to_contain_text(
        "Opgenomen in spoor 3"
    )

    # The case exists with its people: the director opens it from the registration.
    case = Case.objects.get(registration=registration)
    assert case.track == Track.CHAIN and case.case_director == director
    triage.get_by_role("link", name=f"Dossier {case.reference} openen").click()
    expect(triage.get_by_role("heading", level=1)).to_contain_text(case.reference)
    people = triage.locator("section[aria-labelledby=people-heading]")
    for first, _last, _born in (VICTIM, PERPETRATOR, CHILD):
        expect(people).to_contain_text(first)

    # --- the police officer sees the outcome, never the case ---
    police.reload()
    expect(police.get_by_role("row").filter(has_text=registration.reference)).to_contain_text(
        "Opgenomen in spoor 3"
    )
    police.get_by_role("link", name=registration.reference).click()
    expect(police.locator("main")).to_contain_text("Opgenomen in spoor 3")
    expect(police.locator("main")).not_to_contain_text("geen lopend dossier")
    assert police.locator(f"a[href*='/cases/{case.pk}/']").count() == 0
    assert status_of(police, f"{base}{reverse('cases:detail', args=[case.pk])}") == 404
    assert registration.status_records.latest("recorded_at").status == RegistrationStatus.TAKEN_ON
