"""A gap's description reaches the network coordinator, who never sees a case: it is checked
for personal data, and the coordinator never sees who signalled it (issue 13, part 6)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cases.models import AgeBand
from cases.services import person_create_in_case
from common.personal_data import find_personal_data
from partners.models import Gap, GapKind

from . import party_roles as pr

pytestmark = pytest.mark.django_db

# A valid Belgian national register number (born 1985-07-23): 97 - (850723123 % 97) = 51.
NATIONAL_NUMBER = "85.07.23-123.51"


def test_the_finder():
    assert find_personal_data(f"rijksregister {NATIONAL_NUMBER}").national_numbers
    assert find_personal_data("85072312351").national_numbers
    assert not find_personal_data("85.07.23-123.52").national_numbers  # wrong check digits
    assert not find_personal_data("wachtlijst 3 maanden, 12 plaatsen").dates
    assert find_personal_data("geboren 03/11/2014").dates
    assert find_personal_data("sinds 2024-02-01").dates
    birth = datetime.date(2014, 11, 3)
    assert find_personal_data("geboren op 3 november 2014", dates_of_birth=[birth]).dates
    found = find_personal_data("Mevrouw DUBOIS wacht", names=["Céline", "Dubois"])
    assert found.names == ("Dubois",)
    # Whole words only: "Jan" is not in "januari".
    assert not find_personal_data("sinds januari", names=["Jan"]).names


@pytest.fixture
def case(world):
    case = world.cases["city_b"]
    person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.VICTIM,
        first_name="Céline",
        last_name="Dubois",
        date_of_birth=datetime.date(1990, 4, 5),
        confirm_new=True,
    )
    person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.CHILD,
        first_name="Noor",
        last_name="Dubois",
        age_band=AgeBand.UNDER_6,
        confirm_new=True,
    )
    return case


def _signal(client, case, description, **extra):
    client.force_login(case.case_director)
    data = {"kind": GapKind.WAITING_LIST, "description": description, **extra}
    return client.post(reverse("partners:gap_signal", kwargs={"pk": case.pk}), data)


@pytest.mark.parametrize(
    "description",
    [
        "Geen opvang voor Céline binnen de maand",
        "Mevr. Dubois vindt geen plaats",
        "Kind geboren 05/04/1990 wacht op begeleiding",
        "Wachtlijst sinds 5 april 1990",
    ],
)
def test_a_name_or_date_is_a_warning_to_confirm(world, client, case, description):
    with translation.override("nl"):
        response = _signal(client, case, description)
    assert response.status_code == 200
    error = response.context["form"].errors["description"][0]
    assert "persoonsgegevens" in error
    assert not Gap.objects.filter(case=case).exists()
    # Confirmed by the case director: it is signalled.
    response = _signal(client, case, description, personal_data_checked="on")
    assert response.status_code == 302
    assert Gap.objects.filter(case=case).count() == 1


def test_a_national_register_number_is_always_refused(world, client, case):
    response = _signal(client, case, f"Cliënt {NATIONAL_NUMBER} wacht", personal_data_checked="on")
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    assert not Gap.objects.filter(case=case).exists()


def test_a_description_without_personal_data_passes(world, client, case):
    response = _signal(client, case, "Geen plaats in daderhulp binnen drie maanden")
    assert response.status_code == 302


def test_the_names_are_those_of_this_case_only(world, client, case):
    # "Peeters" is nobody in this case: no warning (the checker knows no other case's people).
    response = _signal(client, world.cases["city_a"], "Mevr. Dubois wacht")
    assert response.status_code == 302


def test_the_coordinator_never_sees_who_signalled_it(world, client, case):
    director = case.case_director
    assert _signal(client, case, "Geen plaats in daderhulp").status_code == 302
    gap = Gap.objects.get(case=case)
    client.force_login(world.users["netcoord_vo_a"])
    pages = [client.get(reverse("partners:gap", kwargs={"gap_pk": gap.pk})).content.decode()]
    assert "Geen plaats in daderhulp" in pages[0]
    pages.append(client.get(reverse("partners:gaps")).content.decode())
    for page in pages:
        for name in (director.username, director.get_full_name(), str(director)):
            assert name not in page
