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

from cases.models import Case, PartnerAnswer, Registration, RegistrationStatus, Track
from consultations.models import Consultation, ConsultationKind

from .factories import make_case
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


def as_user(
    contexts: dict[str, BrowserContext], browser: Browser, base: str, username: str
) -> Page:
    """The page of ``username``'s own browser context, logged in once (both factors)."""
    if username not in contexts:
        contexts[username] = browser.new_context()
        contexts[username].set_default_timeout(10_000)
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


def police_registers_a_family_and_triage_takes_it_on_in_track_3(
    world, live_server, browser: Browser, contexts, tmp_path
) -> None:
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
    police.get_by_label(re.compile(r"^Wat er gebeurde")).fill(
        "Interventie na een melding van de buren."
    )
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
    expect(triage.locator("section[aria-labelledby=triage-heading]")).to_contain_text(
        "Geen treffer"
    )
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


def open_section_link(page: Page, name: str) -> None:
    """Click a link on the steering page, unfolding its collapsed section first."""
    page.wait_for_load_state("domcontentloaded")
    link = page.get_by_role("link", name=name, exact=True, include_hidden=True)
    closed = page.locator("main details:not([open])").filter(has=link)
    if closed.count():
        closed.first.locator("> summary").click()
    page.locator("main").get_by_role("link", name=name, exact=True).click()


def a_referral_reaches_the_partners_inbox_and_its_answer_the_case(
    world, live_server, browser: Browser, contexts, tmp_path
) -> None:
    base = live_server.url
    director = world.users["director_city_a"]
    case = make_case(director, track=Track.OUTREACH)
    referred_on = timezone.localdate() - datetime.timedelta(days=20)

    # --- the case director refers the case to the CGG, with the client's consent ---
    steering = as_user(contexts, browser, base, director.username)
    steering.goto(f"{base}{reverse('cases:detail', args=[case.pk])}")
    open_section_link(steering, "Doorverwijzen naar een partner")
    checked(steering)
    steering.get_by_label(re.compile(r"^Partnerorganisatie")).select_option(label="CGG Beta")
    steering.get_by_label(re.compile(r"^Datum van de doorverwijzing")).fill(referred_on.isoformat())
    steering.get_by_label(re.compile(r"^Reden van de doorverwijzing")).fill(
        "Traumabegeleiding voor de moeder."
    )
    steering.get_by_label(re.compile(r"^Informatie voor de partner")).fill(
        "Moeder vraagt een gesprek, liefst 's avonds."
    )
    steering.get_by_label(re.compile(r"^Grond om te delen")).select_option("consent")
    steering.get_by_label(re.compile(r"^Toestemming gegeven door")).fill("De cliënt")
    steering.get_by_label(re.compile(r"^Toestemming gegeven op")).fill(referred_on.isoformat())
    steering.get_by_label(re.compile(r"^Toestemming gegeven voor")).fill("Doorverwijzing CGG")
    steering.get_by_role("button", name="Registreren").click()
    referral = case.referrals.get()
    # Unanswered after the answer period: on the deadline board.
    nav(steering, "Termijnen")
    board = steering.locator("main table")
    expect(board.get_by_role("row").filter(has_text=case.reference)).to_contain_text(
        "nog geen antwoord"
    )

    # --- the CGG's user finds it in the inbox, accepts and completes it ---
    partner = as_user(contexts, browser, base, "partner_partner_b")
    nav(partner, "Inbox")
    row = partner.get_by_role("row").filter(has_text=case.reference)
    checked(partner)
    row.get_by_role("link", name="Doorverwijzing").click()
    main = partner.locator("main")
    expect(main).to_contain_text("Traumabegeleiding voor de moeder.")
    expect(main).to_contain_text("liefst 's avonds")
    expect(main).to_contain_text("Toestemming")
    checked(partner)
    # The case file stays closed to the partner (404: it does not exist for them).
    assert partner.locator(f"a[href*='/cases/{case.pk}/']").count() == 0
    item_url = partner.url
    assert status_of(partner, f"{base}{reverse('cases:detail', args=[case.pk])}") == 404
    assert (
        status_of(partner, f"{base}{reverse('cases:referral_answer', args=[case.pk, referral.pk])}")
        == 404
    )
    partner.goto(item_url)

    partner.get_by_role("link", name="Aanvaarden").click()
    checked(partner)
    partner.get_by_label(re.compile(r"^Kort antwoord")).fill("Intake op maandag.")
    # An impatient double click sends the answer once, and says so.
    partner.get_by_role("button", name="Aanvaarden").dblclick()
    expect(partner).to_have_url(re.compile(r"/inbox/referrals/\d+/$"))
    assert PartnerAnswer.objects.filter(referral=referral).count() == 1
    # Whichever of the two answers the browser shows last: the answer's own message, or, when
    # the second click reached the server too, that it was already sent (what it made shown).
    expect(partner.locator("main")).to_contain_text(
        re.compile(
            r"Antwoord verstuurd naar de casusregisseur\.|Dit formulier was al verstuurd; dit is wat"
            r" toen werd aangemaakt\."
        )
    )
    partner.get_by_role("link", name="Markeren als uitgevoerd").click()
    partner.get_by_label(re.compile(r"^Kort antwoord")).fill("Drie gesprekken gehad.")
    partner.get_by_role("button", name="Markeren als uitgevoerd").click()
    expect(partner.locator("section[aria-labelledby=answers-heading]")).to_contain_text(
        "Drie gesprekken gehad."
    )
    # Handled: in the handled tab now.
    nav(partner, "Inbox")
    expect(partner.get_by_role("row").filter(has_text=case.reference)).to_have_count(0)
    partner.get_by_role("link", name="Afgehandeld").click()
    expect(partner.get_by_role("row").filter(has_text=case.reference)).to_have_count(1)

    # --- the case director sees the answer on the case and on the board ---
    steering.goto(f"{base}{reverse('cases:detail', args=[case.pk])}")
    referrals = steering.locator("section[aria-labelledby=referrals-heading]")
    referrals.locator("summary").click()
    expect(referrals).to_contain_text("Drie gesprekken gehad.")
    nav(steering, "Termijnen")
    expect(steering.get_by_role("row").filter(has_text=case.reference)).to_have_count(0)

    # An action for the CGG: on the board with what the CGG's inbox answered.
    steering.goto(f"{base}{reverse('cases:detail', args=[case.pk])}")
    open_section_link(steering, "Afspraak toevoegen")
    checked(steering)
    steering.get_by_label(re.compile(r"^Wat")).fill("Intake plannen")
    steering.get_by_label(re.compile(r"^Wie: een partnerorganisatie")).select_option(
        label="CGG Beta"
    )
    due = timezone.localdate() + datetime.timedelta(days=3)
    steering.get_by_label(re.compile(r"^Tegen wanneer")).fill(due.isoformat())
    steering.locator("main form button[type=submit]").click()
    nav(partner, "Inbox")
    partner.get_by_role("row").filter(has_text=case.reference).get_by_role(
        "link", name="Actie"
    ).click()
    partner.get_by_role("link", name="Aanvaarden").click()
    partner.get_by_role("button", name="Aanvaarden").click()
    expect(partner.locator("main")).to_contain_text("Antwoord verstuurd naar de casusregisseur.")
    nav(steering, "Termijnen")
    expect(steering.get_by_role("row").filter(has_text="Intake plannen")).to_contain_text(
        "CGG Beta: Aanvaard"
    )


def create_consultation(page: Page, base: str, world, *, kind: str, days: int) -> Consultation:
    """The chair plans a consultation from the consultations list."""
    nav(page, "Casusoverleggen")
    page.locator("main").get_by_role("link", name="Casusoverleg plannen").click()
    page.locator("#id_kind").select_option(kind)
    page.locator("#id_legal_basis").select_option(str(world.legal_basis.pk))
    when = timezone.localtime() + datetime.timedelta(days=days)
    page.locator("#id_scheduled_at").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_location").fill("Vergaderzaal FJC")
    page.locator("#id_secrecy_confirmed").check()
    page.locator("form:has(#id_kind) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/$"))
    match = re.search(r"/consultations/(\d+)/$", page.url)
    assert match is not None
    return Consultation.objects.get(pk=int(match.group(1)))


def a_triage_table_decides_the_register_is_minuted_and_a_review_date_returns_a_case(
    world, live_server, browser: Browser, contexts, tmp_path
) -> None:
    from consultations.services import planning

    base = live_server.url
    director = world.users["director_city_a"]
    registration = Registration.objects.get(pk=world.directory["registration_pk"].pk)
    # The world's consultation (director_city_a chairs, the liaison takes part) with a police
    # representative without an account; the meeting was held ten days ago.
    held = world.consultation
    planning.participant_add_named(
        consultation=held,
        by=director,
        name="Inspecteur Peeters",
        organisation=world.orgs["police_a"],
    )
    Consultation.objects.filter(pk=held.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(days=10)
    )
    chair = as_user(contexts, browser, base, director.username)

    # --- a triage table decides a registration from its agenda ---
    table = create_consultation(chair, base, world, kind=ConsultationKind.TRIAGE, days=2)
    expect(chair.locator("main")).to_contain_text("Triagetafel")
    chair.get_by_role("link", name="Een aanmelding op de agenda zetten").click()
    checked(chair)
    chair.get_by_label(re.compile(r"^Aanmelding")).select_option(str(registration.pk))
    chair.locator("main form button[type=submit]").click()
    chair.get_by_role("link", name=f"Beslissen over aanmelding {registration.reference}").click()
    chair.get_by_label("Wachtlijst", exact=True).check()
    chair.get_by_role("button", name="Opslaan").click()
    expect(chair.locator("section[aria-labelledby=status-heading]")).to_contain_text("Wachtlijst")
    chair.goto(f"{base}{reverse('consultations:detail', args=[table.pk])}")
    expect(chair.locator("section[aria-labelledby=triage-heading]")).to_contain_text("Wachtlijst")

    # --- the attendance register of the meeting held; the minutes list who was present ---
    chair.goto(f"{base}{reverse('consultations:detail', args=[held.pk])}")
    chair.get_by_role("link", name="Aanwezigheidslijst").click()
    checked(chair)
    # Each participant's row is a group named after them; every field says whose it is.
    for who, answer in [
        (f"{director.get_full_name()} (Stad Alfa)", "Aanwezig"),
        ("Liaison Test (Parket Alfa)", "Verontschuldigd"),
        ("Inspecteur Matrix (Politiezone Alfa)", "Verontschuldigd"),
        ("Inspecteur Peeters (Politiezone Alfa)", "Vertegenwoordigd"),
    ]:
        chair.get_by_role("group", name=who).get_by_label(answer, exact=True).check()
    chair.get_by_label(re.compile(r"^Naam van de vertegenwoordiger van Inspecteur Peeters")).fill(
        "Inspecteur Janssens"
    )
    chair.get_by_label(
        re.compile(r"^Organisatie van de vertegenwoordiger van Inspecteur Peeters")
    ).select_option(label="Politiezone Alfa")
    chair.locator("main form button[type=submit]").click()
    participants = chair.locator("section[aria-labelledby=participants-heading]")
    expect(participants).to_contain_text("Inspecteur Janssens")
    with chair.expect_download() as download:
        chair.get_by_role("link", name="Verslag (pdf)").click()
    pdf = tmp_path / "verslag.pdf"
    download.value.save_as(pdf)
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    present = text.split("Aanwezig", 1)[1]
    assert director.get_full_name() in present.split("Verontschuldigd", 1)[0], text
    assert "Inspecteur Janssens" in text

    # --- a review date brings the case back on a later agenda ---
    item = held.agenda_items.get()
    review_on = timezone.localdate() + datetime.timedelta(days=5)
    chair.goto(f"{base}{reverse('consultations:item', args=[held.pk, item.pk])}")
    chair.get_by_role("link", name="Herbesprekingsdatum instellen").click()
    checked(chair)
    chair.get_by_label(re.compile(r"^Terug op de agenda vanaf")).fill(review_on.isoformat())
    chair.locator("main form button[type=submit]").click()
    expect(chair.locator("main")).to_contain_text("Terug op de agenda vanaf")
    later = create_consultation(chair, base, world, kind=ConsultationKind.EXPERT, days=7)
    chair.get_by_role("link", name="Dossier agenderen").click()
    suggested = chair.get_by_role("row").filter(has_text=item.case.reference)
    expect(suggested).to_contain_text("herbesprekingsdatum")
    suggested.get_by_role("button").click()
    expect(chair.locator("section[aria-labelledby=agenda-heading]")).to_contain_text(
        item.case.reference
    )
    assert later.agenda_items.filter(case=item.case).exists()


def the_operations_lead_downloads_the_workload_without_client_names(
    world, live_server, browser: Browser, contexts, tmp_path
) -> None:
    from cases.models import Person, RegistrationPerson

    base = live_server.url
    lead = as_user(contexts, browser, base, "opslead_city_a")
    # From the home page, as the menu also offers it.
    lead.locator("main").get_by_role("link", name="Werklast per casusregisseur").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("Werklast")
    expect(lead.locator("main")).to_contain_text(world.users["director_city_a"].get_full_name())
    checked(lead)
    with lead.expect_download() as download:
        lead.get_by_role("link", name="Downloaden als CSV").click()
    assert re.fullmatch(r"werklast-\d{8}\.csv", download.value.suggested_filename)
    path = tmp_path / "werklast.csv"
    download.value.save_as(path)
    text = path.read_text(encoding="utf-8-sig")
    assert world.users["director_city_a"].get_full_name() in text
    names = {
        name
        for first, last in [
            *Person.objects.values_list("first_name", "last_name"),
            *RegistrationPerson.objects.values_list("first_name", "last_name"),
        ]
        for name in (first, last)
        if name
    }
    # Whole words: the world's "Wereld Aanmelding" must not match the heading "Aanmeldingen".
    assert names and not [n for n in names if re.search(rf"\b{re.escape(n)}\b", text)]
    references = set(Case.objects.values_list("reference", flat=True))
    assert references and not [ref for ref in references if ref in text]


def test_the_partners_flows(world, live_server, browser: Browser, contexts, tmp_path):
    """The four journeys in one test: one world, and each role logs in once (the case
    director of the first journey chairs the third)."""
    for journey in (
        police_registers_a_family_and_triage_takes_it_on_in_track_3,
        a_referral_reaches_the_partners_inbox_and_its_answer_the_case,
        a_triage_table_decides_the_register_is_minuted_and_a_review_date_returns_a_case,
        the_operations_lead_downloads_the_workload_without_client_names,
    ):
        journey(world, live_server, browser, contexts, tmp_path)
