"""Every confidential field, every output, every role: the value appears exactly where
``access.policy`` allows it (issue 13), after linking, after editing and in history.

One scene per role, built through the services as the users would: the city's track-3 case
(shared with the parket for viewing, on the world's consultation, and shared with CAW A for
viewing) holds a victim whose address was first open and then marked confidential, with a safe
contact that changed; a perpetrator with an open address (the control: it must appear wherever
the case page is shown, so a page that renders nothing cannot pass). CAW A links the victim into
its own case with its own confidential address and safe contact, and changes the safe contact.

Each role opens every output (case page, people form, history, the duplicate/link dialog, the
case list CSV, the consultation view and its PDFs) and the test checks the status and, where
the page is shown, each secret: present exactly when allowed. The PDFs are checked on the HTML
given to WeasyPrint (what the PDF prints), which keeps the test fast.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from cases.services import (
    case_party_update,
    person_create_in_case,
    person_link_to_case,
    share_create,
)
from consultations.services import planning

from . import party_roles as pr
from .conftest import whole_file_share

pytestmark = pytest.mark.django_db

BORN = datetime.date(1988, 7, 3)
CITY_OLD_ADDRESS = "Eerste Woonst 4, 2800 Mechelen"
CITY_ADDRESS = "Vluchthuis Zuid 7, 2800 Mechelen"
CITY_OLD_CONTACT = "Bellen via de buurvrouw"
CITY_CONTACT = "Enkel via de huisarts op woensdag"
CAW_ADDRESS = "Opvangcentrum Noord 2, 2000 Antwerpen"
CAW_OLD_CONTACT = "Mailen naar werk"
CAW_CONTACT = "Sms na 18u, nooit bellen"
OPEN_ADDRESS = "Open Straat 3, 2800 Mechelen"

CITY_SECRETS = {CITY_OLD_ADDRESS, CITY_ADDRESS, CITY_OLD_CONTACT, CITY_CONTACT}
CAW_SECRETS = {CAW_ADDRESS, CAW_OLD_CONTACT, CAW_CONTACT}
SECRETS = CITY_SECRETS | CAW_SECRETS
CITY_NOW = {CITY_ADDRESS, CITY_CONTACT}
CAW_NOW = {CAW_ADDRESS, CAW_CONTACT}
# The history shows changes: the CAW's address was entered with the link and never changed.
CAW_CHANGES = {CAW_OLD_CONTACT, CAW_CONTACT}


@dataclass
class Scene:
    urls: dict[str, str]
    dialog: dict[str, str]  # username -> the case whose "add a person" the user tries


def _scene(world: Any) -> Scene:
    city, caw = world.cases["city_a_shared"], world.cases["caw_a"]
    director, caw_director = world.users["director_city_a"], world.users["director_caw_a"]
    share_create(case=city, organisation=world.orgs["caw_a"], by=director, terms=whole_file_share())
    victim = person_create_in_case(
        case=city,
        by=director,
        **pr.VICTIM,
        confirm_new=True,
        first_name="Lotte",
        last_name="Wouters",
        date_of_birth=BORN,
        address=CITY_OLD_ADDRESS,
        safe_contact=CITY_OLD_CONTACT,
    )
    person_create_in_case(
        case=city,
        by=director,
        **pr.PERPETRATOR,
        confirm_new=True,
        first_name="Koen",
        last_name="Wouters",
        address=OPEN_ADDRESS,
    )
    # Editing: she fled; the new address is confidential, the safe contact changed.
    victim = case_party_update(
        party=victim,
        by=director,
        expected_version=None,
        address=CITY_ADDRESS,
        address_confidential=True,
        safe_contact=CITY_CONTACT,
    )
    # Linking: the CAW, which may see the city's case, links her into its own case.
    caw_party = person_link_to_case(
        case=caw,
        by=caw_director,
        person=victim.person,
        **pr.VICTIM,
        address=CAW_ADDRESS,
        address_confidential=True,
        safe_contact=CAW_OLD_CONTACT,
    )
    case_party_update(
        party=caw_party, by=caw_director, expected_version=None, safe_contact=CAW_CONTACT
    )
    # A participant of the consultation from outside every case team.
    police = world.users["partner_police_a"]
    planning.participant_add_user(consultation=world.consultation, by=director, user=police)
    planning.secrecy_confirm(consultation=world.consultation, user=police)

    consultation = {"pk": world.consultation.pk}
    item = {**consultation, "item_pk": world.agenda_item.pk}
    return Scene(
        urls={
            "city_page": reverse("cases:detail", kwargs={"pk": city.pk}),
            "city_history": reverse("cases:history", kwargs={"pk": city.pk}),
            "city_form": reverse(
                "cases:person_edit", kwargs={"pk": city.pk, "party_pk": victim.pk}
            ),
            "caw_page": reverse("cases:detail", kwargs={"pk": caw.pk}),
            # The print view (issue 17, part 9) shows what the steering page shows.
            "city_print": reverse("cases:print", kwargs={"pk": city.pk}),
            "city_print_pdf": reverse("cases:print_pdf", kwargs={"pk": city.pk}),
            "caw_print": reverse("cases:print", kwargs={"pk": caw.pk}),
            "caw_history": reverse("cases:history", kwargs={"pk": caw.pk}),
            "caw_form": reverse(
                "cases:person_edit", kwargs={"pk": caw.pk, "party_pk": caw_party.pk}
            ),
            "export": reverse("cases:export"),
            "consultation_item": reverse("consultations:item", kwargs=item),
            "agenda_pdf": reverse("consultations:agenda_pdf", kwargs=consultation),
            "minutes_pdf": reverse("consultations:minutes_pdf", kwargs=consultation),
        },
        dialog={
            # Their own other case (the city's team), their own case (the CAW), or the city's
            # case for those who have none.
            "director_city_a": reverse("cases:person_add", kwargs={"pk": world.cases["city_a"].pk}),
            "director_caw_a": reverse("cases:person_add", kwargs={"pk": caw.pk}),
            "co_director": reverse("cases:person_add", kwargs={"pk": world.cases["city_b"].pk}),
        },
    )


# output -> (status, the secrets it shows); outputs left out: 404.
NOTHING: set[str] = set()
OUT = (404, NOTHING)
EXPECTED: dict[str, dict[str, tuple[int, set[str]]]] = {
    # The city's case team: its own details, earlier values in its history; never the CAW's.
    "director_city_a": {
        "city_page": (200, CITY_NOW),
        "city_print": (200, CITY_NOW),
        "city_print_pdf": (200, CITY_NOW),
        "city_history": (200, CITY_SECRETS),
        "city_form": (200, CITY_NOW),
        "dialog": (200, NOTHING),
        "export": (200, NOTHING),
        # The consultation's pages are read (and printed) by every participant.
        "consultation_item": (200, NOTHING),
        "agenda_pdf": (200, NOTHING),
        "minutes_pdf": (200, NOTHING),
    },
    # The organisation the city's case is shared with (view only), which linked her: its own
    # details on its own case, none of the city's anywhere.
    "director_caw_a": {
        "city_page": (200, NOTHING),
        "city_print": (200, NOTHING),
        "city_print_pdf": (200, NOTHING),
        "city_history": (200, NOTHING),
        "city_form": (403, NOTHING),
        "caw_page": (200, CAW_NOW),
        "caw_print": (200, CAW_NOW),
        "caw_history": (200, CAW_CHANGES),
        "caw_form": (200, CAW_NOW),
        "dialog": (200, NOTHING),
        "export": (200, NOTHING),
    },
    # On both teams (co-director of every case): each case's details on that case only.
    "co_director": {
        "city_page": (200, CITY_NOW),
        "city_print": (200, CITY_NOW),
        "city_print_pdf": (200, CITY_NOW),
        "city_history": (200, CITY_SECRETS),
        "city_form": (200, CITY_NOW),
        "caw_page": (200, CAW_NOW),
        "caw_print": (200, CAW_NOW),
        "caw_history": (200, CAW_CHANGES),
        "caw_form": (200, CAW_NOW),
        "dialog": (200, NOTHING),
        "export": (200, NOTHING),
        "consultation_item": (200, NOTHING),
        "agenda_pdf": (200, NOTHING),
        "minutes_pdf": (200, NOTHING),
    },
    # A participant of the consultation outside every team: the consultation view only.
    "partner_police_a": {
        "export": (200, NOTHING),
        "consultation_item": (200, NOTHING),
        "agenda_pdf": (200, NOTHING),
        "minutes_pdf": (200, NOTHING),
    },
    # The prosecutor's liaison: views the shared case and takes part in its consultation.
    "liaison_parket_a": {
        "city_page": (200, NOTHING),
        "city_print": (200, NOTHING),
        "city_print_pdf": (200, NOTHING),
        "city_history": (200, NOTHING),
        "city_form": (403, NOTHING),
        "dialog": (403, NOTHING),
        "export": (200, NOTHING),
        "consultation_item": (200, NOTHING),
        "agenda_pdf": (200, NOTHING),
        "minutes_pdf": (200, NOTHING),
    },
    # No case work at all: the list export is refused, every case's page is "not found".
    "netcoord_vo_a": {"export": (403, NOTHING)},
    "admin_city_a": {"export": (403, NOTHING)},
}
OUTPUTS = (
    "city_page",
    "city_print",
    "city_print_pdf",
    "caw_print",
    "city_history",
    "city_form",
    "caw_page",
    "caw_history",
    "caw_form",
    "dialog",
    "export",
    "consultation_item",
    "agenda_pdf",
    "minutes_pdf",
)


@pytest.fixture
def printed(monkeypatch):
    """The HTML each consultation PDF would print (WeasyPrint itself is not needed here)."""
    pages: list[str] = []

    def render(html: str) -> bytes:
        pages.append(html)
        return b"%PDF-1.7 test"

    monkeypatch.setattr("consultations.views.documents.render_pdf", render)
    monkeypatch.setattr("cases.views.printing.render_pdf", render)
    return pages


def _open(client, scene: Scene, username: str, output: str, printed: list[str]) -> Any:
    if output == "dialog":
        target = scene.dialog.get(username, scene.dialog["director_caw_a"])
        if username in ("liaison_parket_a", "netcoord_vo_a", "admin_city_a"):
            target = scene.urls["city_page"] + "people/add/"
        return client.post(
            target,
            {
                "roles": ["victim"],
                "involved_since": datetime.date.today().isoformat(),
                "first_name": "Lotte",
                "last_name": "Wouters",
                "date_of_birth": BORN.isoformat(),
                "age_band": "unknown",
                "gender": "female",
            },
        ), None
    printed.clear()
    response = client.get(scene.urls[output])
    return response, (printed[0] if printed else None)


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_confidential_values_appear_exactly_where_allowed(world, client, printed, username):
    scene = _scene(world)
    client.force_login(world.users[username])
    allowed_somewhere = set()
    for output in OUTPUTS:
        status, allowed = EXPECTED[username].get(output, OUT)
        response, pdf_html = _open(client, scene, username, output, printed)
        assert response.status_code == status, (username, output)
        if status != 200:
            continue
        body = b"".join(response.streaming_content) if response.streaming else response.content
        shown = pdf_html if pdf_html is not None else body.decode()
        for secret in SECRETS:
            assert (secret in shown) == (secret in allowed), (username, output, secret)
        if output in ("city_page", "city_print", "city_print_pdf", "dialog"):
            # The control: the page really shows the people (the dialog: the candidate).
            assert "Wouters" in shown, (username, output)
        if output in ("city_page", "city_print", "city_print_pdf"):
            assert OPEN_ADDRESS in shown, (username, output)
        allowed_somewhere |= allowed
    # Each role that is on a team saw its secrets somewhere: the test can fail both ways.
    if username in ("director_city_a", "co_director"):
        assert allowed_somewhere >= CITY_SECRETS
    if username in ("director_caw_a", "co_director"):
        assert allowed_somewhere >= CAW_SECRETS
