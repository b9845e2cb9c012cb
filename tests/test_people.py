"""The client system: adding people (with duplicate detection), editing, removing, relations,
repeat detection and who sees confidential addresses."""

import datetime
import importlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from access.policy import restrict
from cases.models import (
    AgeBand,
    Case,
    CaseEvent,
    CaseParty,
    ClosingReason,
    EventKind,
    PartyRelation,
    Person,
    RelationKind,
    ViolenceRole,
)
from cases.selectors import probable_duplicates
from cases.selectors.history import case_full_history
from cases.services import (
    ProbableDuplicates,
    case_close,
    case_create,
    case_party_remove,
    case_party_update,
    case_reopen,
    case_update,
    person_create_in_case,
    person_link_to_case,
    relation_create,
)
from cases.services.people import (
    age_band_for,
    cases_sharing_a_pair,
    make_name_key,
    normalise_name,
)
from common.versioning import EditConflict

from . import party_roles as pr
from .clock import TODAY

pytestmark = pytest.mark.django_db


def url(name: str, case: Case, **kwargs) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def years_ago(years: int) -> datetime.date:
    today = TODAY
    return today.replace(year=today.year - years, day=min(today.day, 28))


def form_data(**overrides) -> dict:
    data = {
        "position": "",
        "roles": ["victim"],
        "involved_since": TODAY.isoformat(),
        "first_name": "Anna",
        "last_name": "Verhulst",
        "date_of_birth": years_ago(34).isoformat(),
        "age_band": "unknown",
        "gender": "female",
        "language": "Nederlands",
        "address": "Fictieve Dreef 1, 2800 Mechelen",
        "safe_contact": "Enkel via gsm op dinsdag",
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


def add(case: Case, by, role: dict | None = None, **fields) -> CaseParty:
    """A person in the case; a victim unless ``role`` (or a position or roles among ``fields``)
    says otherwise."""
    if role is None and not {"position", "roles"} & set(fields):
        role = pr.VICTIM
    fields = {"first_name": "Anna", "last_name": "Verhulst", **(role or {}), **fields}
    return person_create_in_case(case=case, by=by, confirm_new=True, **fields)


_WORLD_PARTIES: set[int] = set()


@pytest.fixture(autouse=True)
def _remember_world_parties(world):
    # The world fixture already puts people in every case (for the permission matrix).
    _WORLD_PARTIES.clear()
    _WORLD_PARTIES.update(CaseParty.objects.values_list("pk", flat=True))


def parties(case: Case):
    """The parties of the case that the test itself made."""
    return CaseParty.objects.filter(case=case).exclude(pk__in=_WORLD_PARTIES)


def snapshot() -> tuple:
    return (
        Person.objects.count(),
        CaseParty.objects.count(),
        PartyRelation.objects.count(),
        CaseEvent.objects.count(),
        list(Case.objects.order_by("pk").values_list("version", "repeat_of")),
    )


# --- names ---------------------------------------------------------------------------


def test_the_name_key_is_lower_case_without_accents_or_extra_spaces():
    assert normalise_name("  Çelik   Özdemir ") == "celik ozdemir"
    assert make_name_key(first_name=" Zoë ", last_name="Van  den Bërg") == "van den berg zoe"


def test_the_age_band_follows_the_date_of_birth():
    day = datetime.date(2026, 6, 1)
    assert age_band_for(datetime.date(2020, 6, 2), day) == AgeBand.UNDER_6
    assert age_band_for(datetime.date(2020, 6, 1), day) == AgeBand.AGE_6_11
    assert age_band_for(datetime.date(1961, 6, 1), day) == AgeBand.AGE_65_PLUS


# --- adding a person -----------------------------------------------------------------


def test_a_case_director_adds_a_person_through_the_page(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    assert client.get(url("person_add", case)).status_code == 200
    response = client.post(
        url("person_add", case),
        form_data(first_name="  Élise ", last_name="Van  Damme", address_confidential="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#people-heading"  # its section
    party = CaseParty.objects.get(case=case, person__last_name="Van Damme")
    person = party.person
    assert (party.position, party.roles) == ("", [ViolenceRole.VICTIM])
    assert person.first_name == "Élise"
    assert person.name_key == "van damme elise"
    # The situation is the involvement's; the person holds who they are.
    assert party.address_confidential
    assert party.address == "Fictieve Dreef 1, 2800 Mechelen"
    assert party.safe_contact == "Enkel via gsm op dinsdag"
    assert person.age_band == AgeBand.AGE_25_44
    assert person.history.first().history_user == director
    assert party.history.first().history_user == director
    event = CaseEvent.objects.filter(case=case, kind=EventKind.PERSON_ADDED).latest("id")
    # The role only, never the name.
    assert "lise" not in event.summary and "Damme" not in event.summary
    with translation.override("nl"):
        assert event.summary == str(ViolenceRole.VICTIM.label) == "Slachtoffer"
    page = client.get(url("detail", case)).content.decode()
    assert "Van Damme" in page and "Fictieve Dreef" in page and "dinsdag" in page


def test_the_name_key_is_computed_again_on_every_save(world):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = add(case, director, first_name="Jan", last_name="Peeters")
    case_party_update(
        party=party,
        by=director,
        expected_version=party.person.version,
        first_name="Jáan",
        last_name="De Smet",
    )
    party.person.refresh_from_db()
    assert party.person.name_key == "de smet jaan"
    assert party.person.version == 2


@pytest.mark.parametrize(
    ("overrides", "error_fields"),
    [
        ({"date_of_birth": (TODAY + datetime.timedelta(days=1)).isoformat()}, {"date_of_birth"}),
        ({"date_of_birth": "1899-12-31"}, {"date_of_birth"}),
        ({"date_of_birth": "not a date"}, {"date_of_birth"}),
        ({"age_band": AgeBand.UNDER_6.value}, {"age_band"}),  # contradicts a 34-year-old
        ({"age_band": "ancient"}, {"age_band"}),
        ({"first_name": "", "last_name": "  "}, {"first_name", "last_name"}),
        ({"roles": ["neighbour"]}, {"roles"}),
        ({"position": "uncle"}, {"position"}),
        ({"roles": [], "position": ""}, {"roles"}),
        ({"gender": "robot"}, {"gender"}),
        (
            {"first_name": "", "date_of_birth": "1899-01-01", "age_band": "65+"},
            {"first_name", "date_of_birth"},
        ),
        ({"date_of_birth": years_ago(70).isoformat(), "age_band": "0-5"}, {"age_band"}),
        ({"involved_since": None}, {"involved_since"}),
        (
            {"involved_since": (TODAY + datetime.timedelta(days=1)).isoformat()},
            {"involved_since"},
        ),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, client, overrides, error_fields):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    before = snapshot()
    response = client.post(url("person_add", case), form_data(**overrides))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == error_fields
    assert snapshot() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"date_of_birth": None, "age_band": AgeBand.UNKNOWN},  # unknown age is allowed
        {"date_of_birth": None, "age_band": AgeBand.AGE_12_17},
        {"date_of_birth": years_ago(10), "age_band": AgeBand.AGE_6_11},
        {"date_of_birth": years_ago(10), "age_band": AgeBand.UNKNOWN},
    ],
)
def test_a_date_of_birth_or_an_age_band_or_neither_is_fine(world, fields):
    party = add(world.cases["city_a"], world.users["director_city_a"], **fields)
    assert party.person.age_band == (
        age_band_for(fields["date_of_birth"]) if fields["date_of_birth"] else fields["age_band"]
    )


def test_the_service_refuses_the_same_rules(world):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    before = snapshot()
    bad: list[dict[str, Any]] = [
        {"date_of_birth": TODAY + datetime.timedelta(days=1)},
        {"date_of_birth": datetime.date(1899, 1, 1)},
        {"date_of_birth": years_ago(40), "age_band": AgeBand.AGE_65_PLUS},
        {"first_name": " "},
        {"age_band": "ancient"},
        {"gender": "robot"},
    ]
    for fields in bad:
        with pytest.raises(ValidationError):
            add(case, director, **fields)
    with pytest.raises(ValidationError):
        add(case, director, {"roles": ["neighbour"]})
    with pytest.raises(ValidationError):
        add(case, director, {"roles": [], "position": ""})
    assert snapshot() == before


def test_a_person_is_in_a_case_only_once(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = add(case, director)
    before = snapshot()
    with pytest.raises(ValidationError):
        person_link_to_case(case=case, by=director, person=party.person, **pr.OTHER)
    assert snapshot() == before


def test_an_anonymous_consult_never_gets_people(world, client):
    director = world.users["director_city_a"]
    consult = case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        is_anonymous_consult=True,
    )
    other = add(world.cases["city_a"], director)
    before = snapshot()
    with pytest.raises(ValidationError):
        add(consult, director)
    with pytest.raises(ValidationError):
        person_link_to_case(case=consult, by=director, person=other.person, **pr.VICTIM)
    client.force_login(director)
    response = client.post(url("person_add", consult), form_data(first_name="Nieuw"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot() == before


# --- probable duplicates -------------------------------------------------------------


def test_a_probable_duplicate_the_user_may_see_is_offered_and_can_be_linked(world, client):
    director = world.users["director_city_a"]
    earlier, case = world.cases["city_a_shared"], world.cases["city_a"]
    known = add(earlier, director, date_of_birth=years_ago(34)).person
    client.force_login(director)
    added = CaseEvent.objects.filter(case=case, kind=EventKind.PERSON_ADDED).count()
    before = snapshot()
    # Accents, case and spaces differ: still the same name key.
    response = client.post(
        url("person_add", case), form_data(first_name="ANNA", last_name="Vèrhulst ")
    )
    assert response.status_code == 200
    candidates = response.context["candidates"]
    assert [c.person for c in candidates] == [known]
    assert candidates[0].cases == [earlier]
    assert earlier.reference in response.content.decode()
    assert snapshot() == before

    # Step two without a choice: asked again, nothing changes.
    response = client.post(url("person_add", case), form_data(confirming="True"))
    assert response.status_code == 200
    assert response.context["choice_form"].errors
    # Both choices at once: refused.
    response = client.post(
        url("person_add", case),
        form_data(confirming="True", link_to=known.pk, create_anyway="on"),
    )
    assert response.status_code == 200
    assert response.context["choice_form"].errors
    assert snapshot() == before

    response = client.post(
        url("person_add", case), form_data(**pr.PERPETRATOR, confirming="True", link_to=known.pk)
    )
    assert response.status_code == 302
    party = parties(case).get()
    assert (party.person, party.roles) == (known, [ViolenceRole.PERPETRATOR])
    assert Person.objects.count() == before[0]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.PERSON_ADDED).count() == added + 1


def test_confirming_a_different_person_creates_a_new_one(world, client):
    director = world.users["director_city_a"]
    known = add(world.cases["city_a_shared"], director, date_of_birth=None).person
    case = world.cases["city_a"]
    client.force_login(director)
    response = client.post(url("person_add", case), form_data())
    # The known person's date of birth is unknown: the same name is enough to ask.
    assert [c.person for c in response.context["candidates"]] == [known]
    response = client.post(
        url("person_add", case), form_data(confirming="True", create_anyway="on")
    )
    assert response.status_code == 302
    party = parties(case).get()
    assert party.person != known
    assert party.person.name_key == known.name_key


def test_same_birth_date_and_last_name_is_a_probable_duplicate(world):
    director = world.users["director_city_a"]
    born = years_ago(20)
    known = add(world.cases["city_a_shared"], director, first_name="Mo", date_of_birth=born)
    add(
        world.cases["city_a_shared"],
        director,
        first_name="Mo",
        last_name="Janssens",
        date_of_birth=born,
        **pr.OTHER,
    )
    add(
        world.cases["city_a_shared"],
        director,
        first_name="Anna",
        date_of_birth=years_ago(50),
        **pr.FAMILY,
    )
    found = probable_duplicates(
        user=director, first_name="Mohamed", last_name="VERHULST", date_of_birth=born
    )
    # Not the other last name, and not the same name with another known birth date.
    assert [c.person for c in found] == [known.person]


def test_a_person_only_in_another_organisations_case_is_never_offered(world, client):
    other = add(world.cases["caw_b"], world.users["director_caw_b"]).person
    director = world.users["director_city_a"]
    assert (
        probable_duplicates(
            user=director,
            first_name="Anna",
            last_name="Verhulst",
            date_of_birth=other.date_of_birth,
        )
        == []
    )
    case = world.cases["city_a"]
    client.force_login(director)
    response = client.post(url("person_add", case), form_data(date_of_birth=""))
    # Created at once: nothing hinted that someone with this name exists elsewhere.
    assert response.status_code == 302
    party = parties(case).get()
    assert party.person != other
    # Nor can the other organisation's person be linked by guessing its id.
    case2 = world.cases["city_a_shared"]
    response = client.post(url("person_add", case2), form_data(confirming="True", link_to=other.pk))
    assert response.status_code == 200
    assert "link_to" in response.context["choice_form"].errors
    assert not parties(case2).exists()
    with pytest.raises(ValidationError):
        person_link_to_case(case=case2, by=director, person=other, **pr.VICTIM)


def test_the_service_stops_at_probable_duplicates_unless_confirmed(world):
    director = world.users["director_city_a"]
    known = add(world.cases["city_a_shared"], director).person
    with pytest.raises(ProbableDuplicates) as found:
        person_create_in_case(
            case=world.cases["city_a"],
            by=director,
            **pr.VICTIM,
            first_name="Anna",
            last_name="Verhulst",
        )
    assert [c.person for c in found.value.candidates] == [known]
    assert not parties(world.cases["city_a"]).exists()


def test_someone_already_in_this_case_is_shown_but_cannot_be_linked_again(world, client):
    director, case = world.users["director_city_a"], world.cases["city_a"]
    known = add(case, director).person
    client.force_login(director)
    response = client.post(url("person_add", case), form_data())
    [candidate] = response.context["candidates"]
    assert candidate.in_this_case
    response = client.post(url("person_add", case), form_data(confirming="True", link_to=known.pk))
    assert "link_to" in response.context["choice_form"].errors
    assert parties(case).count() == 1


# --- editing and removing ------------------------------------------------------------


def test_editing_a_person_and_their_role(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = add(case, director, date_of_birth=years_ago(34))
    client.force_login(director)
    response = client.get(url("person_edit", case, party_pk=party.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["first_name"].value() == "Anna"
    assert (form["position"].value(), form["roles"].value()) == ("", ["victim"])
    assert form["version"].value() == 1
    response = client.post(
        url("person_edit", case, party_pk=party.pk),
        form_data(
            **pr.FAMILY,
            language="Frans",
            interpreter_needed="on",
            version=1,
            party_version=party.version,
        ),
    )
    assert response.status_code == 302
    party.refresh_from_db()
    party.person.refresh_from_db()
    assert (party.position, party.roles) == ("other", [ViolenceRole.INVOLVED])
    assert (party.person.language, party.person.interpreter_needed) == ("Frans", True)
    assert party.person.version == 2


def test_a_stale_edit_gets_a_conflict_and_keeps_the_input(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = add(case, director)
    case_party_update(party=party, by=director, expected_version=1, language="Arabisch")
    client.force_login(director)
    response = client.post(
        url("person_edit", case, party_pk=party.pk),
        form_data(first_name="Annabel", version=1, party_version=party.version),
    )
    assert response.status_code == 409
    assert response.context["form"]["first_name"].value() == "Annabel"
    party.person.refresh_from_db()
    assert (party.person.first_name, party.person.language) == ("Anna", "Arabisch")
    with pytest.raises(EditConflict):
        case_party_update(party=party, by=director, expected_version=1, first_name="X")


def test_an_invalid_edit_changes_nothing(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = add(case, director)
    client.force_login(director)
    before = snapshot()
    response = client.post(
        url("person_edit", case, party_pk=party.pk),
        form_data(date_of_birth="1850-01-01", version=1, party_version=party.version),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_of_birth"}
    assert snapshot() == before
    party.person.refresh_from_db()
    assert party.person.version == 1


def test_removing_a_person_from_a_case_keeps_the_person_and_drops_their_relations(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    mother = add(case, director, first_name="Moeder")
    child = add(case, director, first_name="Kind", role=pr.CHILD)
    relation = relation_create(
        case=case, by=director, from_party=mother, kind=RelationKind.PARENT, to_party=child
    )
    client.force_login(director)
    # GET does nothing.
    assert client.get(url("person_remove", case, party_pk=child.pk)).status_code == 200
    response = client.post(url("person_remove", case, party_pk=child.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert not CaseParty.objects.filter(pk=child.pk).exists()
    assert not PartyRelation.objects.filter(pk=relation.pk).exists()
    assert Person.objects.filter(pk=child.person_id).exists()
    deleted = PartyRelation.history.get(id=relation.pk, history_type="-")
    assert deleted.history_user == director
    assert CaseParty.history.get(id=child.pk, history_type="-").history_user == director


def test_a_party_of_another_case_cannot_be_reached_through_this_case(world, client):
    director = world.users["director_city_a"]
    elsewhere = add(world.cases["city_a_shared"], director)
    case = world.cases["city_a"]
    client.force_login(director)
    before = snapshot()
    assert client.get(url("person_edit", case, party_pk=elsewhere.pk)).status_code == 404
    assert client.post(url("person_remove", case, party_pk=elsewhere.pk)).status_code == 404
    assert snapshot() == before


# --- relations -----------------------------------------------------------------------


def test_adding_and_removing_a_relation(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    a = add(case, director, first_name="Anna")
    b = add(case, director, first_name="Bram", role=pr.PERPETRATOR)
    client.force_login(director)
    assert client.get(url("relation_add", case)).status_code == 200
    response = client.post(
        url("relation_add", case), {"from_party": a.pk, "kind": "ex_partner", "to_party": b.pk}
    )
    assert response.status_code == 302
    relation = PartyRelation.objects.get(case=case, from_party=a)
    assert (relation.from_party, relation.kind, relation.to_party) == (a, "ex_partner", b)
    assert relation.history.first().history_user == director
    # The same relation twice is refused.
    response = client.post(
        url("relation_add", case), {"from_party": a.pk, "kind": "ex_partner", "to_party": b.pk}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    page = client.get(url("detail", case)).content.decode()
    assert url("relation_remove", case, relation_pk=relation.pk) in page
    response = client.post(
        url("relation_remove", case, relation_pk=relation.pk), {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert not PartyRelation.objects.filter(pk=relation.pk).exists()


def test_relations_to_oneself_or_across_cases_are_refused(world, client):
    director = world.users["director_city_a"]
    case, other_case = world.cases["city_a"], world.cases["city_a_shared"]
    a = add(case, director, first_name="Anna")
    elsewhere = add(other_case, director, first_name="Bram")
    client.force_login(director)
    before = snapshot()
    response = client.post(
        url("relation_add", case), {"from_party": a.pk, "kind": "partner", "to_party": a.pk}
    )
    assert set(response.context["form"].errors) == {"to_party"}
    response = client.post(
        url("relation_add", case), {"from_party": a.pk, "kind": "partner", "to_party": elsewhere.pk}
    )
    assert set(response.context["form"].errors) == {"to_party"}
    response = client.post(
        url("relation_add", case), {"from_party": a.pk, "kind": "enemy", "to_party": a.pk}
    )
    assert "kind" in response.context["form"].errors
    for kwargs in [
        {"case": case, "from_party": a, "to_party": a},
        {"case": case, "from_party": a, "to_party": elsewhere},
        {"case": other_case, "from_party": a, "to_party": elsewhere},
    ]:
        with pytest.raises(ValidationError):
            relation_create(by=director, kind=RelationKind.PARTNER, **kwargs)
    with pytest.raises(ValidationError):
        relation_create(
            case=case,
            by=director,
            from_party=a,
            kind="enemy",
            to_party=add(case, director, first_name="C"),
        )
    assert snapshot()[2] == before[2]


def test_a_relation_of_another_case_cannot_be_removed_through_this_case(world, client):
    director = world.users["director_city_a"]
    other_case = world.cases["city_a_shared"]
    relation = world.children["city_a_shared"]["relation_pk"]
    client.force_login(director)
    response = client.post(url("relation_remove", world.cases["city_a"], relation_pk=relation.pk))
    assert response.status_code == 404
    assert PartyRelation.objects.filter(pk=relation.pk, case=other_case).exists()


# --- repeat detection ----------------------------------------------------------------


def _opened(case: Case, days_ago: int) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_on=TODAY - datetime.timedelta(days=days_ago))
    case.refresh_from_db()
    return case


def _pair(case: Case, victim: dict, perpetrator: dict) -> None:
    add(case, case.case_director, pr.VICTIM, **victim)
    add(case, case.case_director, pr.PERPETRATOR, **perpetrator)


VICTIM = {"first_name": "Anna", "last_name": "Verhulst", "date_of_birth": datetime.date(1990, 3, 4)}
PERPETRATOR = {
    "first_name": "Bram",
    "last_name": "Claes",
    "date_of_birth": datetime.date(1988, 7, 9),
}


def test_a_new_case_for_the_same_pair_within_a_year_is_a_repeat_system_wide(world, client):
    # The earlier case belongs to another organisation: the figure counts it, the user
    # learns nothing about it.
    earlier = _opened(world.cases["caw_b"], 300)
    _pair(earlier, VICTIM, PERPETRATOR)
    case, director = world.cases["city_a"], world.users["director_city_a"]
    version = Case.objects.get(pk=case.pk).version
    client.force_login(director)
    response = client.post(
        url("person_add", case), form_data(**{**VICTIM, "date_of_birth": "1990-03-04"})
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.repeat_of is None  # a victim alone is no pair
    response = client.post(
        url("person_add", case),
        form_data(
            **pr.PERPETRATOR,
            first_name="bram",
            last_name="Cláes",
            date_of_birth="1988-07-09",
            gender="male",
        ),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.repeat_of == earlier
    # Derived: the version stays, so no open form of the case turns stale (a 409 would tell).
    assert case.version == version
    assert case.history.first().history_user == director
    event = CaseEvent.objects.get(case=case, kind=EventKind.MARKED_REPEAT)
    assert (event.actor, event.about_case) == (director, earlier)
    # The line is about a case the director may not see: it is not on their timeline.
    assert not restrict(CaseEvent.objects.filter(pk=event.pk), director).exists()
    page = client.get(url("detail", case)).content.decode()
    assert earlier.reference not in page
    assert "herhaling" not in page.lower()
    # Taking the perpetrator out again unmarks it.
    perpetrator = CaseParty.objects.get(case=case, is_perpetrator=True)
    case_party_remove(party=perpetrator, by=director)
    case.refresh_from_db()
    assert case.repeat_of is None


def test_the_same_person_row_linked_again_makes_a_repeat(world):
    director = world.users["director_city_a"]
    earlier = _opened(world.cases["city_a_shared"], 30)
    victim = add(earlier, director, pr.VICTIM, first_name="Zonder", date_of_birth=None)
    perpetrator = add(
        earlier,
        director,
        **pr.PERPETRATOR,
        first_name="Ook",
        last_name="Geen",
        date_of_birth=None,
    )
    case = world.cases["city_a"]
    person_link_to_case(case=case, by=director, person=perpetrator.person, **pr.PERPETRATOR)
    person_link_to_case(case=case, by=director, person=victim.person, **pr.VICTIM)
    case.refresh_from_db()
    assert case.repeat_of == earlier
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MARKED_REPEAT).count() == 1
    # The earlier case is not a repeat of the later one.
    earlier.refresh_from_db()
    assert earlier.repeat_of is None


def test_a_role_changed_to_perpetrator_makes_a_repeat(world):
    earlier = _opened(world.cases["caw_a"], 10)
    _pair(earlier, VICTIM, PERPETRATOR)
    case = world.cases["city_a"]
    add(case, case.case_director, pr.VICTIM, **VICTIM)
    party = add(case, case.case_director, pr.FAMILY, **PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of is None
    case_party_update(party=party, by=case.case_director, expected_version=1, **pr.PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == earlier


@pytest.mark.parametrize(
    ("days_ago", "victim", "perpetrator"),
    [
        (367, VICTIM, PERPETRATOR),  # older than the window (12 months are at most 366 days)
        (30, VICTIM, {**PERPETRATOR, "first_name": "Bart"}),  # another perpetrator
        (30, {**VICTIM, "date_of_birth": datetime.date(1991, 3, 4)}, PERPETRATOR),  # other victim
        (30, PERPETRATOR, VICTIM),  # roles the other way round
        (30, {**VICTIM, "date_of_birth": None}, PERPETRATOR),  # unknown birth: no proof
    ],
)
def test_no_repeat(world, days_ago, victim, perpetrator):
    earlier = _opened(world.cases["caw_b"], days_ago)
    _pair(earlier, victim, perpetrator)
    case = world.cases["city_a"]
    version = Case.objects.get(pk=case.pk).version
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of is None
    assert case.version == version
    assert not CaseEvent.objects.filter(kind=EventKind.MARKED_REPEAT).exists()


def test_a_repeat_within_the_configured_window(world, settings):
    settings.FJC_REPEAT_WINDOW_MONTHS = 13
    earlier = _opened(world.cases["caw_b"], 366)
    _pair(earlier, VICTIM, PERPETRATOR)
    case = world.cases["city_a"]
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == earlier


def _opened_on(case: Case, day: datetime.date) -> Case:
    Case.objects.filter(pk=case.pk).update(opened_on=day)
    case.refresh_from_db()
    return case


D = datetime.date


@pytest.mark.parametrize(
    ("earlier_on", "later_on", "is_repeat"),
    [
        (D(2025, 6, 15), D(2026, 6, 15), True),  # exactly 12 months
        (D(2025, 6, 14), D(2026, 6, 15), False),  # one day more
        (D(2024, 2, 28), D(2025, 2, 28), True),  # 12 months across 29-02-2024: 366 days
        (D(2024, 2, 27), D(2025, 2, 28), False),  # one day more
        (D(2023, 3, 1), D(2024, 3, 1), True),  # 12 months across 29-02-2024: 366 days
        (D(2023, 2, 28), D(2024, 2, 28), True),
        (D(2023, 2, 28), D(2024, 2, 29), False),  # one day more
        (D(2023, 3, 1), D(2024, 2, 29), True),
        (D(2024, 2, 29), D(2025, 2, 28), True),  # from a leap day: 29-02 + 12 months = 28-02
        (D(2024, 2, 29), D(2025, 3, 1), False),
        (D(2025, 1, 31), D(2026, 1, 31), True),
    ],
)
def test_the_repeat_window_is_twelve_calendar_months(world, earlier_on, later_on, is_repeat):
    earlier = _opened_on(world.cases["caw_b"], earlier_on)
    _pair(earlier, VICTIM, PERPETRATOR)
    case = _opened_on(world.cases["city_a"], later_on)
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == (earlier if is_repeat else None)
    # The data migration's form of the rule agrees.
    assert RECOMPUTE.expected_repeats(apps)[case.pk] == case.repeat_of_id


def test_the_window_in_months_is_configurable(world, settings):
    settings.FJC_REPEAT_WINDOW_MONTHS = 1
    earlier = _opened_on(world.cases["caw_b"], D(2026, 1, 31))
    _pair(earlier, VICTIM, PERPETRATOR)
    inside = _opened_on(world.cases["city_a"], D(2026, 2, 28))  # 31-01 + 1 month → 28-02
    _pair(inside, VICTIM, PERPETRATOR)
    outside = _opened_on(world.cases["city_b"], D(2026, 3, 1))
    _pair(outside, VICTIM, PERPETRATOR)
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.repeat_of == earlier
    assert outside.repeat_of == inside  # the most recent earlier case within the window


def test_an_earlier_case_that_gains_the_pair_makes_the_later_case_a_repeat(world, client):
    # The later case is city_a's; the earlier one belongs to another organisation, whose
    # director adds the pair after the later case already had it.
    case, director = world.cases["city_a"], world.users["director_city_a"]
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of is None
    version = case.version
    earlier = _opened(world.cases["caw_b"], 30)
    outsider = world.users["director_caw_b"]
    add(earlier, outsider, pr.VICTIM, **VICTIM)
    perpetrator = add(earlier, outsider, pr.PERPETRATOR, **PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == earlier
    assert case.version == version
    # The history row says who changed the row; the timeline names nobody from outside.
    assert case.history.first().history_user == outsider
    event = CaseEvent.objects.get(case=case, kind=EventKind.MARKED_REPEAT)
    assert (event.actor, event.about_case) == (None, earlier)
    assert not restrict(CaseEvent.objects.filter(pk=event.pk), director).exists()
    earlier.refresh_from_db()
    assert earlier.repeat_of is None
    assert not CaseEvent.objects.filter(case=earlier, kind=EventKind.MARKED_REPEAT).exists()
    # City_a's director sees no repeat of a case out of their sight: a hit notice names the
    # other organisation to contact (tests/test_hit_notices.py), never its case or its people.
    client.force_login(director)
    for name in ("detail", "history"):
        page = client.get(url(name, case)).content.decode()
        assert earlier.reference not in page
        assert "herhaling" not in page.lower()
    assert str(outsider.organisation) not in client.get(url("history", case)).content.decode()
    # The history never shows the repeat fields: the row that changed only them is not there.
    with translation.override("en"):
        entries = list(case_full_history(user=director, case_pk=case.pk))
    assert not any(e.model == "cases.case" and e.who_hidden for e in entries)
    assert not any(c.field in ("Repeat of", "Repeat since") for e in entries for c in e.changes)
    # The earlier case losing its perpetrator unmarks the later one.
    case_party_remove(party=perpetrator, by=outsider)
    case.refresh_from_db()
    assert case.repeat_of is None


def test_a_repeat_points_to_the_most_recent_earlier_case_and_follows_changes(world):
    oldest = _opened(world.cases["caw_a"], 200)
    middle = _opened(world.cases["caw_b"], 100)
    case = world.cases["city_a"]
    _pair(oldest, VICTIM, PERPETRATOR)
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == oldest
    _pair(middle, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    middle.refresh_from_db()
    assert case.repeat_of == middle
    assert middle.repeat_of == oldest
    # One "marked as a repeat" line per earlier case matched, about it.
    lines = CaseEvent.objects.filter(case=case, kind=EventKind.MARKED_REPEAT)
    assert {e.about_case_id for e in lines} == {oldest.pk, middle.pk}
    assert lines.count() == 2
    victim = parties(middle).get(is_victim=True)
    case_party_update(party=victim, by=middle.case_director, expected_version=1, **pr.FAMILY)
    case.refresh_from_db()
    middle.refresh_from_db()
    assert case.repeat_of == oldest
    assert middle.repeat_of is None


def test_a_changed_opening_date_re_evaluates_the_cases_with_the_pair(world):
    earlier = _opened(world.cases["caw_b"], 500)
    case = _opened(world.cases["city_a"], 10)
    _pair(earlier, VICTIM, PERPETRATOR)
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of is None  # more than 12 months apart
    earlier.refresh_from_db()
    case_update(
        case=earlier,
        by=earlier.case_director,
        expected_version=earlier.version,
        opened_on=TODAY - datetime.timedelta(days=40),
    )
    case.refresh_from_db()
    assert case.repeat_of == earlier
    # Now the other way round: city_a's case moves before the CAW's.
    case_update(
        case=case,
        by=case.case_director,
        expected_version=case.version,
        opened_on=TODAY - datetime.timedelta(days=50),
    )
    case.refresh_from_db()
    earlier.refresh_from_db()
    assert case.repeat_of is None
    assert earlier.repeat_of == case


def test_a_person_corrected_in_an_earlier_case_makes_the_later_case_a_repeat(world):
    earlier = _opened(world.cases["caw_b"], 60)
    _pair(earlier, {**VICTIM, "first_name": "Ana"}, PERPETRATOR)  # a typo
    case = world.cases["city_a"]
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of is None
    victim = parties(earlier).get(is_victim=True)
    case_party_update(
        party=victim,
        by=earlier.case_director,
        expected_version=victim.person.version,
        first_name="Anna",
    )
    case.refresh_from_db()
    assert case.repeat_of == earlier


def test_closing_a_case_changes_no_repeat(world):
    earlier = _opened(world.cases["caw_b"], 60)
    _pair(earlier, VICTIM, PERPETRATOR)
    case = world.cases["city_a"]
    _pair(case, VICTIM, PERPETRATOR)
    case.refresh_from_db()
    assert case.repeat_of == earlier
    earlier.refresh_from_db()
    case_close(
        case=earlier,
        by=earlier.case_director,
        closing_reason=ClosingReason.objects.first(),
        closed_on=TODAY,
    )
    case_reopen(case=earlier, by=earlier.case_director, reopened_on=TODAY, reason="Opnieuw")
    case.refresh_from_db()
    earlier.refresh_from_db()
    assert case.repeat_of == earlier
    assert earlier.repeat_of is None


def test_the_cases_sharing_a_pair_are_found_in_a_fixed_number_of_queries(world):
    case = world.cases["city_a"]
    others = [world.cases[k] for k in ("caw_a", "caw_b", "city_b")]
    for other in others:
        _pair(_opened(other, 30), VICTIM, PERPETRATOR)
    _pair(case, VICTIM, PERPETRATOR)
    with CaptureQueriesContext(connection) as one_pair:
        found = cases_sharing_a_pair([case.pk])
    assert found == {case.pk, *(o.pk for o in others)}
    add(case, case.case_director, pr.VICTIM, first_name="Tweede")
    add(case, case.case_director, pr.PERPETRATOR, first_name="Derde")
    with CaptureQueriesContext(connection) as more_people:
        assert cases_sharing_a_pair([case.pk]) == found
    assert len(more_people) == len(one_pair) == 2


RECOMPUTE = importlib.import_module("cases.migrations.0007_recompute_repeats")


def test_the_data_migration_recomputes_stale_flags_once(world):
    oldest = _opened(world.cases["city_b"], 100)
    earlier = _opened(world.cases["caw_b"], 60)
    case = world.cases["city_a"]
    for c in (oldest, earlier, case):
        _pair(c, VICTIM, PERPETRATOR)
    right = dict(Case.objects.values_list("pk", "repeat_of"))
    assert (right[case.pk], right[earlier.pk], right[oldest.pk]) == (earlier.pk, oldest.pk, None)
    # Stale, as the old rule could leave them: not marked, and marked the wrong way round.
    Case.objects.filter(pk=case.pk).update(repeat_of=None)
    Case.objects.filter(pk=oldest.pk).update(repeat_of=case)
    versions = dict(Case.objects.values_list("pk", "version"))
    history = Case.history.count()
    events = CaseEvent.objects.filter(kind=EventKind.MARKED_REPEAT).count()

    assert RECOMPUTE.recompute_repeats(apps) == 2
    assert dict(Case.objects.values_list("pk", "repeat_of")) == right
    for pk in (case.pk, oldest.pk):
        assert Case.objects.get(pk=pk).version == versions[pk] + 1
        record = Case.history.filter(id=pk).first()
        assert record.history_change_reason == RECOMPUTE.REASON
        assert record.history_user is None
        # The new history row keeps the violence forms (the earlier rows stay as they were).
        assert set(record.violence_forms.values_list("violenceform_id", flat=True)) == set(
            Case.objects.get(pk=pk).violence_forms.values_list("pk", flat=True)
        )
    assert Case.history.count() == history + 2
    event = CaseEvent.objects.filter(kind=EventKind.MARKED_REPEAT).latest("id")
    assert (event.case_id, event.actor, event.summary) == (case.pk, None, "")
    assert CaseEvent.objects.filter(kind=EventKind.MARKED_REPEAT).count() == events + 1
    # Idempotent.
    assert RECOMPUTE.recompute_repeats(apps) == 0
    assert Case.history.count() == history + 2


def test_the_old_window_setting_stops_start_up(tmp_path):
    env = {**os.environ, "FJC_REPEAT_WINDOW_DAYS": "365"}
    result = subprocess.run(
        [sys.executable, "-c", "import fjc.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert result.returncode != 0
    assert "FJC_REPEAT_WINDOW_MONTHS" in result.stderr


# --- who sees what -------------------------------------------------------------------


def test_the_prosecutor_sees_people_but_no_confidential_address_and_changes_nothing(world, client):
    case, director = world.cases["city_a_shared"], world.users["director_city_a"]
    secret = add(
        case,
        director,
        address="Geheime Gang 7, 2800 Mechelen",
        address_confidential=True,
        safe_contact="Bellen op donderdag",
    )
    open_ = add(
        case,
        director,
        first_name="Bram",
        last_name="Claes",
        **pr.PERPETRATOR,
        address="Open Straat 3, 2800 Mechelen",
        safe_contact="Via zijn advocaat",
    )
    relation = relation_create(
        case=case, by=director, from_party=secret, kind=RelationKind.EX_PARTNER, to_party=open_
    )
    client.force_login(director)
    page = client.get(url("detail", case)).content.decode()
    assert "Geheime Gang 7" in page and "Bellen op donderdag" in page
    assert url("person_add", case) in page

    client.force_login(world.users["liaison_parket_a"])
    response = client.get(url("detail", case))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Verhulst" in page and "Claes" in page
    assert "Geheime Gang" not in page
    assert "Open Straat 3" in page  # not confidential
    assert "donderdag" not in page and "advocaat" not in page
    # No links to change anything.
    assert url("person_add", case) not in page
    assert url("relation_add", case) not in page
    for party in (secret, open_):
        assert url("person_edit", case, party_pk=party.pk) not in page
        assert url("person_remove", case, party_pk=party.pk) not in page
    assert url("relation_remove", case, relation_pk=relation.pk) not in page
    before = snapshot()
    party_url = {"party_pk": secret.pk}
    for name, kwargs in [
        ("person_add", {}),
        ("person_edit", party_url),
        ("relation_add", {}),
    ]:
        assert client.get(url(name, case, **kwargs)).status_code == 403
        assert client.post(url(name, case, **kwargs), form_data(version=1)).status_code == 403
    for name, kwargs in [
        ("person_remove", party_url),
        ("relation_remove", {"relation_pk": relation.pk}),
    ]:
        assert client.post(url(name, case, **kwargs)).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("username", ["director_caw_a", "director_city_b", "liaison_parket_b"])
def test_someone_outside_the_case_gets_404_everywhere(world, client, username):
    case = world.cases["city_a_shared"]
    children = world.children["city_a_shared"]
    client.force_login(world.users[username])
    before = snapshot()
    party = {"party_pk": children["party_pk"].pk}
    relation = {"relation_pk": children["relation_pk"].pk}
    for name, kwargs in [("person_add", {}), ("person_edit", party), ("relation_add", {})]:
        assert client.get(url(name, case, **kwargs)).status_code == 404
        assert client.post(url(name, case, **kwargs), form_data(version=1)).status_code == 404
    for name, kwargs in [("person_remove", party), ("relation_remove", relation)]:
        assert client.post(url(name, case, **kwargs)).status_code == 404
    assert snapshot() == before


def test_anonymous_users_are_sent_to_log_in(world, client):
    case = world.cases["city_a"]
    response = client.post(url("person_add", case), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_steering_page_query_count_does_not_grow_with_people(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("detail", case)).status_code == 200
        return len(ctx.captured_queries)

    first = add(case, director, first_name="Een")
    second = add(case, director, first_name="Twee", role=pr.CHILD)
    relation_create(case=case, by=director, from_party=first, kind="parent", to_party=second)
    few = count()
    for n in range(6):
        party = add(case, director, first_name=f"Kind{n}", role=pr.CHILD)
        relation_create(case=case, by=director, from_party=first, kind="parent", to_party=party)
    assert count() == few
