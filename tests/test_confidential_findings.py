"""The security review's findings on confidential details of people, reproduced through the
pages as the attacker did them (issue 13): linking a person carried another case's confidential
address and safe contact into one's own case (and let one edit them there), and the history
page showed old and new safe-contact values to a view-only reader."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseParty
from cases.services import person_create_in_case, share_create

from . import party_roles as pr
from .clock import iso
from .conftest import whole_file_share

pytestmark = pytest.mark.django_db

SECRET_ADDRESS = "Schuilhuisstraat 13, 2800 Mechelen"
SECRET_CONTACT = "Enkel via de zus, dinsdag na 14u"
BORN = "1990-04-12"


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def page(client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


def add_form(**overrides) -> dict:
    return {
        "roles": ["victim"],
        "involved_since": iso(0),
        "first_name": "Sara",
        "last_name": "Maes",
        "date_of_birth": BORN,
        "age_band": "unknown",
        "gender": "female",
        "language": "",
        "address": "",
        "safe_contact": "",
        **overrides,
    }


@pytest.fixture
def city_person(world):
    """On the city's track-3 case (shared with the parket), a victim with a confidential
    address and a safe contact; the case is also shared with CAW A (view only)."""
    city_case, director = world.cases["city_a_shared"], world.users["director_city_a"]
    share_create(
        case=city_case, organisation=world.orgs["caw_a"], by=director, terms=whole_file_share()
    )
    return person_create_in_case(
        case=city_case,
        by=director,
        **pr.VICTIM,
        confirm_new=True,
        first_name="Sara",
        last_name="Maes",
        date_of_birth=__import__("datetime").date.fromisoformat(BORN),
        address=SECRET_ADDRESS,
        address_confidential=True,
        safe_contact=SECRET_CONTACT,
    )


def test_linking_a_person_never_carries_another_cases_confidential_details(
    world, client, city_person
):
    caw_case, city_case = world.cases["caw_a"], world.cases["city_a_shared"]
    client.force_login(world.users["director_caw_a"])
    # Step one: the probable duplicate is offered (the CAW may see the city's case).
    asked = client.post(url("person_add", caw_case), add_form())
    assert asked.status_code == 200
    assert SECRET_ADDRESS not in asked.content.decode()
    assert SECRET_CONTACT not in asked.content.decode()
    # Step two: "link to existing person".
    linked = client.post(
        url("person_add", caw_case),
        add_form(confirming="True", link_to=city_person.person_id),
    )
    assert linked.status_code == 302
    party = CaseParty.objects.get(case=caw_case, person_id=city_person.person_id)

    for shown in (
        page(client, url("detail", caw_case)),
        page(client, url("person_edit", caw_case, party_pk=party.pk)),
        page(client, url("history", caw_case)),
    ):
        assert SECRET_ADDRESS not in shown
        assert SECRET_CONTACT not in shown

    # Editing the person in the CAW's own case (the box "confidential address" unticked, an
    # address of its own) changes nothing of the city's case ...
    edit = page(client, url("person_edit", caw_case, party_pk=party.pk))
    version = edit.split('name="version" value="')[1].split('"')[0]
    party_version = edit.split('name="party_version" value="')[1].split('"')[0]
    response = client.post(
        url("person_edit", caw_case, party_pk=party.pk),
        add_form(
            version=version,
            party_version=party_version,
            address="CAW-adres 1",
            safe_contact="Via CAW",
        ),
    )
    assert response.status_code == 302
    # ... so the prosecutor's liaison on the city's case still sees no confidential address.
    client.force_login(world.users["liaison_parket_a"])
    liaison_page = page(client, url("detail", city_case))
    assert "Maes" in liaison_page
    assert SECRET_ADDRESS not in liaison_page
    assert "CAW-adres 1" not in liaison_page and "Via CAW" not in liaison_page
    # And the city's team still has its own details.
    client.force_login(world.users["director_city_a"])
    city_page = page(client, url("detail", city_case))
    assert SECRET_ADDRESS in city_page and SECRET_CONTACT in city_page
    assert "CAW-adres 1" not in city_page


def test_the_history_shows_no_safe_contact_to_a_view_only_reader(world, client, city_person):
    city_case, director = world.cases["city_a_shared"], world.users["director_city_a"]
    client.force_login(director)
    edit = page(client, url("person_edit", city_case, party_pk=city_person.pk))
    version = edit.split('name="version" value="')[1].split('"')[0]
    party_version = edit.split('name="party_version" value="')[1].split('"')[0]
    response = client.post(
        url("person_edit", city_case, party_pk=city_person.pk),
        add_form(
            version=version,
            party_version=party_version,
            address=SECRET_ADDRESS,
            address_confidential="on",
            safe_contact="Nieuw: enkel via de huisarts",
        ),
    )
    assert response.status_code == 302
    assert "Nieuw: enkel via de huisarts" in page(client, url("history", city_case))

    for username in ("liaison_parket_a", "director_caw_a"):
        client.force_login(world.users[username])
        shown = page(client, url("history", city_case))
        assert "Maes" in shown
        assert SECRET_CONTACT not in shown
        assert "Nieuw: enkel via de huisarts" not in shown
        assert SECRET_ADDRESS not in shown
