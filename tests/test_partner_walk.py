"""What the browser walk of the partners' flows (tests/test_partner_journey.py) found broken or
confusing, each pinned by a test without a browser."""

import datetime
import re

import html5lib
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleCode
from consultations.forms.craft import AttendanceForm
from consultations.models import Consultation
from consultations.services import craft, planning
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _forms(html: str) -> list[dict[str, str]]:
    """The hidden inputs of each POST form of the page's main, as a browser would send them."""
    document = html5lib.parse(html, namespaceHTMLElements=False)
    main = document.find(".//main")
    assert main is not None
    return [
        {i.get("name", ""): i.get("value", "") for i in form.iter("input") if i.get("name")}
        for form in main.iter("form")
        if (form.get("method") or "").lower() == "post"
    ]


def test_a_suggested_case_is_put_on_the_agenda_by_its_own_button(world, client):
    """The suggestions' "Add" buttons posted no one-time token: the browser got "This form
    could not be checked" and nothing was added (the test client had fetched a token itself)."""
    director = world.users["director_city_a"]
    held = world.consultation
    Consultation.objects.filter(pk=held.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(days=10)
    )
    item = world.agenda_item
    item.refresh_from_db()
    craft.agenda_item_set_review(
        item=item,
        by=director,
        version=item.version,
        review_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    later = planning.consultation_create(
        by=director,
        legal_basis=world.legal_basis,
        scheduled_at=timezone.now() + datetime.timedelta(days=7),
        location="Zaal 2",
        secrecy_confirmed=True,
    )
    client.force_login(director)
    url = reverse("consultations:agenda_add", kwargs={"pk": later.pk})
    forms = [f for f in _forms(client.get(url).content.decode()) if "case" in f and "reason" in f]
    assert forms, "no suggestion"
    tokens = [f.get("submission_token") for f in forms]
    assert all(tokens) and len(set(tokens)) == len(tokens)  # one token per button
    mine = next(f for f in forms if f["case"] == str(item.case_id))
    response = client.post(url, mine)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert later.agenda_items.filter(case_id=item.case_id).exists()


def test_each_attendance_field_names_its_participant(world):
    """Every participant's row had the same two labels ("vertegenwoordigd door (naam)"):
    a screen reader could not tell whose representative a field was."""
    consultation = world.consultation
    planning.participant_add_named(
        consultation=consultation,
        by=world.users["director_city_a"],
        name="Inspecteur Peeters",
        organisation=world.orgs["police_a"],
    )
    form = AttendanceForm(consultation=consultation)
    labels = [str(field.label) for field in form.fields.values() if field.label]
    assert len(labels) == len(set(labels)), labels
    assert "Naam van de vertegenwoordiger van Inspecteur Peeters" in labels
    assert "Organisatie van de vertegenwoordiger van Inspecteur Peeters" in labels
    # Optional, except when the participant is represented: said as the other forms say it.
    peeters = consultation.participants.get(name="Inspecteur Peeters")
    assert form.conditionally_required[f"represented_by_name_{peeters.pk}"] == (
        "verplicht bij vertegenwoordiging"
    )


@pytest.mark.parametrize(
    ("username", "links", "absent"),
    [
        (
            "partner_police_a",
            ["registrations:create", "registrations:mine", "inbox:list"],
            ["registrations:triage"],
        ),
        ("partner_partner_b", ["inbox:list"], ["registrations:triage"]),
        ("director_city_a", ["registrations:triage"], ["registrations:create"]),
        ("opslead_city_a", ["registrations:triage", "reporting:workload"], []),
    ],
)
def test_the_home_page_leads_partners_to_their_pages(world, client, username, links, absent):
    """A police officer's start page said nothing of registering a family, a partner's
    nothing of its inbox: the only way in was the menu."""
    client.force_login(world.users[username])
    html = client.get(reverse("home")).content.decode()
    main = re.search(r"<main.*</main>", html, re.S)
    assert main is not None
    for name in links:
        assert f'href="{reverse(name)}"' in main.group(0), name
    for name in absent:
        assert f'href="{reverse(name)}"' not in main.group(0), name


def test_the_board_shows_what_the_partner_answered_to_an_action(world):
    """An action assigned to a partner organisation stayed on the director's deadline board
    without a word of the partner's answer: a declined action looked like one being done."""
    from cases.models import CaseAction
    from cases.selectors.board import BoardKind, deadline_board
    from cases.services.inbox import inbox_answer

    director = world.users["director_city_a"]
    action = CaseAction.objects.get(pk=world.directory["inbox_action_pk"].pk)

    def shown() -> list[str]:
        board = deadline_board(user=director, kinds=[BoardKind.ACTION])
        return [i.description for i in board.items if i.object_pk == action.pk]

    assert shown() == ["Matrix partner action — CGG Beta: nog geen antwoord"]
    inbox_answer(
        item=action,
        by=world.users["partner_partner_b"],
        outcome="declined",
        note="Geen capaciteit deze maand.",
        expected_version=action.version,
    )
    # Fixed words and the organisation: the short answer itself stays on the case.
    assert shown() == ["Matrix partner action — CGG Beta: Afgewezen"]


def test_the_inbox_and_the_board_use_the_words_of_the_case(world, client):
    """The inbox called a case's action "Handeling" (the audit trail's word) where the case
    says "Actie", and the board said "Verwijzing" where everything else says
    "Doorverwijzing"."""
    from django.utils import translation
    from django.utils.translation import gettext

    client.force_login(world.users["partner_partner_b"])
    page = client.get(reverse("inbox:list")).content.decode()
    assert ">Actie</a>" in page and "Handeling" not in page
    with translation.override("nl"):
        assert gettext("Referral unanswered") == "Doorverwijzing zonder antwoord"
        assert gettext("Referral to %(partner)s of %(on)s: no answer yet").startswith(
            "Doorverwijzing naar"
        )


def test_a_double_click_on_an_answer_or_a_decision_shows_it_instead_of_a_conflict(world, client):
    """Both forms were versioned only: the second request of a double click found the version
    moved on and told the partner (or the triage table) that "someone else" had saved."""
    from cases.models import CaseAction, PartnerAnswer, Registration, RegistrationStatus
    from common.submission import FIELD

    client.force_login(world.users["partner_partner_b"])
    action = CaseAction.objects.get(pk=world.directory["inbox_action_pk"].pk)
    url = reverse("inbox:action_accept", kwargs={"inbox_action_pk": action.pk})
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', client.get(url).content.decode())
    assert token is not None
    data = {"note": "Wij nemen het op.", "version": action.version, FIELD: token.group(1)}
    first, second = client.post(url, data), client.post(url, data)
    item = reverse("inbox:action", kwargs={"inbox_action_pk": action.pk})
    assert (first.status_code, first["Location"]) == (302, item)
    assert (second.status_code, second["Location"]) == (302, item)
    assert PartnerAnswer.objects.filter(action=action).count() == 1

    director = world.users["director_city_a"]
    client.force_login(director)
    registration = Registration.objects.get(pk=world.directory["registration_pk"].pk)
    url = reverse("registrations:decide", kwargs={"registration_pk": registration.pk})
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', client.get(url).content.decode())
    assert token is not None
    data = {
        "decision": RegistrationStatus.WAITING_LIST,
        "version": registration.version,
        FIELD: token.group(1),
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == 302 and second.status_code == 302
    assert registration.status_records.filter(status=RegistrationStatus.WAITING_LIST).count() == 1


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("registrations:triage", "Triage"),
        ("registrations:mine", "Mijn aanmeldingen"),
        ("registrations:create", "Mijn aanmeldingen"),
    ],
)
def test_the_menu_marks_one_registrations_page_as_current(world, client, url, current):
    """For someone who both registers and triages (a case director who is also a partner
    professional), the menu marked "Mijn aanmeldingen" and "Triage" both as the current page
    on every registration page."""
    both = make_user(
        "both_city_a", world.orgs["city_a"], RoleCode.CASE_DIRECTOR, RoleCode.PARTNER_PROFESSIONAL
    )
    client.force_login(both)
    html = client.get(reverse(url)).content.decode()
    nav = html.split('aria-label="Hoofdnavigatie"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("registrations:triage")}"' in nav
    assert f'href="{reverse("registrations:mine")}"' in nav
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == [current]
