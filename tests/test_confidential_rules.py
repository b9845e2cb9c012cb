"""The field-level rules of ``access.policy`` (issue 13) tried from every side: who may see the
confidential details, that they are declared where they live, and the rule for correcting a
person who is shown in several cases."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from access.policy import (
    CONFIDENTIAL_FIELDS,
    HIDDEN,
    confidential_fields,
    hidden_in_history,
    may_see_confidential,
    may_see_confidential_condition,
    shown_fields,
)
from cases.models import Case, CaseParty, Person
from cases.services import (
    case_add_co_director,
    case_party_update,
    case_remove_co_director,
    person_create_in_case,
    person_link_to_case,
    share_create,
)
from cases.services.people import SITUATION_FIELDS

from . import party_roles as pr
from .conftest import whole_file_share

pytestmark = pytest.mark.django_db


def _victim(world, key="city_a_shared", **situation) -> CaseParty:
    case = world.cases[key]
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.VICTIM,
        confirm_new=True,
        first_name="Nora",
        last_name="Jacobs",
        date_of_birth=datetime.date(1991, 2, 3),
        **situation,
    )


# --- the declaration ---------------------------------------------------------------------


def test_the_declared_fields_exist_where_declared_and_nowhere_on_the_shared_person():
    for label, fields in CONFIDENTIAL_FIELDS.items():
        model = apps.get_model(label)
        for declared in fields:
            model._meta.get_field(declared.name)
            if declared.when:
                model._meta.get_field(declared.when)
    names = {f.name for fields in CONFIDENTIAL_FIELDS.values() for f in fields}
    person_fields = {f.name for f in Person._meta.get_fields()}
    assert names.isdisjoint(person_fields)
    assert set(SITUATION_FIELDS) >= {f.name for f in CONFIDENTIAL_FIELDS["cases.caseparty"]}
    # A safety plan's confidential parts live on the plan of one involvement, never elsewhere.
    assert {f.name for f in CONFIDENTIAL_FIELDS["cases.safetyplan"]} == {
        "safe_places",
        "people_to_call",
        "code_word",
    }
    # The history model of an involvement is ruled by the same declaration.
    assert confidential_fields(CaseParty.history.model) == confidential_fields(CaseParty)


def test_a_value_is_hidden_only_when_confidential_and_not_for_the_team():
    party = CaseParty(address="Straat 1", address_confidential=False, safe_contact="Sms")
    assert shown_fields(party, may_see=False) == {"address": "Straat 1", "safe_contact": HIDDEN}
    party.address_confidential = True
    assert shown_fields(party, may_see=False) == {"address": HIDDEN, "safe_contact": HIDDEN}
    assert shown_fields(party, may_see=True) == {"address": "Straat 1", "safe_contact": "Sms"}
    assert not HIDDEN and str(HIDDEN) != "Straat 1"


def test_an_address_once_confidential_stays_hidden_in_every_version():
    open_then_secret = [
        CaseParty(address="Oud", address_confidential=False),
        CaseParty(address="Nieuw", address_confidential=True),
        CaseParty(address="Publiek", address_confidential=False),
    ]
    assert hidden_in_history(open_then_secret, "address", may_see=False)
    assert not hidden_in_history(open_then_secret, "address", may_see=True)
    assert not hidden_in_history(open_then_secret[:1], "address", may_see=False)
    assert hidden_in_history(open_then_secret[:1], "safe_contact", may_see=False)
    assert not hidden_in_history(open_then_secret, "is_victim", may_see=False)


# --- who may see them ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("director_city_a", True),  # the owning team
        ("co_director", True),  # a co-director (change access)
        ("liaison_parket_a", False),  # a view-only share
        ("director_caw_a", False),  # another organisation
        ("partner_police_a", False),  # a consultation's participant has no case access
        ("netcoord_vo_a", False),
        ("opslead_city_a", False),  # same organisation, not a case-working role
        ("admin_city_a", False),
        ("superuser", False),  # a superuser who wrongly holds a case role
        ("inactive_director_city_a", False),
    ],
)
def test_only_the_case_team_may_see_confidential_details(world, username, expected):
    case = world.cases["city_a_shared"]
    user = world.users[username]
    assert may_see_confidential(user, case) is expected
    condition = may_see_confidential_condition(user, "case_id")
    assert CaseParty.objects.filter(condition, pk=_victim(world).pk).exists() is expected


def test_anonymous_sees_nothing_and_a_removed_co_director_at_once_no_more(world):
    case = world.cases["city_a_shared"]
    assert not may_see_confidential(AnonymousUser(), case)
    assert not may_see_confidential(AnonymousUser(), case, can_change=True)
    director, caw = world.users["director_city_a"], world.users["director_caw_a"]
    # A share never gives change access, so it never opens the confidential details.
    share_create(case=case, organisation=world.orgs["caw_a"], by=director, terms=whole_file_share())
    assert not may_see_confidential(caw, case)
    co_director = case_add_co_director(case=case, by=director, user=caw)
    assert may_see_confidential(caw, case)
    case_remove_co_director(case=case, by=director, co_director=co_director)
    # Revocation works on the next question: nothing is cached.
    assert not may_see_confidential(caw, case)


# --- linking and correcting a person shown in several cases --------------------------------


def _shared_with_caw(world) -> None:
    share_create(
        case=world.cases["city_a_shared"],
        organisation=world.orgs["caw_a"],
        by=world.users["director_city_a"],
        terms=whole_file_share(),
    )


def test_a_link_carries_the_person_but_none_of_their_situation(world):
    _shared_with_caw(world)
    city = _victim(world, address="Geheim 1", address_confidential=True, safe_contact="Zus")
    caw_case = world.cases["caw_a"]
    linked = person_link_to_case(
        case=caw_case, by=world.users["director_caw_a"], person=city.person, **pr.VICTIM
    )
    assert linked.person_id == city.person_id
    assert (linked.address, linked.address_confidential, linked.safe_contact) == ("", False, "")
    with pytest.raises(TypeError):
        person_link_to_case(
            case=world.cases["caw_b"],
            by=world.users["director_caw_b"],
            person=city.person,
            **pr.VICTIM,
            first_name="Anders",
        )


def test_a_correction_by_a_team_that_may_not_change_every_case_stays_with_its_cases(world):
    _shared_with_caw(world)
    city = _victim(world, address="Geheim 1", address_confidential=True)
    caw_director = world.users["director_caw_a"]
    caw = person_link_to_case(
        case=world.cases["caw_a"], by=caw_director, person=city.person, **pr.VICTIM
    )
    corrected = case_party_update(
        party=caw, by=caw_director, expected_version=None, last_name="Jacobs-Peeters"
    )
    # The CAW's case shows the correction; the city's case keeps the person as it knows her.
    assert corrected.person_id != city.person_id
    assert corrected.person.last_name == "Jacobs-Peeters"
    assert corrected.person.date_of_birth == datetime.date(1991, 2, 3)
    city.refresh_from_db()
    assert city.person.last_name == "Jacobs"
    assert city.person.version == 1
    assert (city.address, city.address_confidential) == ("Geheim 1", True)
    assert corrected.person.history.first().history_user == caw_director


def test_a_correction_by_someone_who_may_change_every_case_is_shared(world):
    city = _victim(world)
    co_director = world.users["co_director"]  # on the team of every case in the world
    other = person_link_to_case(
        case=world.cases["caw_b"], by=co_director, person=city.person, **pr.VICTIM
    )
    case_party_update(party=city, by=co_director, expected_version=1, first_name="Noor")
    other.refresh_from_db()
    assert other.person_id == city.person_id
    assert other.person.first_name == "Noor"
    assert Person.objects.filter(last_name="Jacobs").count() == 1


def test_a_situation_only_edit_changes_no_shared_person(world):
    _shared_with_caw(world)
    city = _victim(world)
    caw_director = world.users["director_caw_a"]
    caw = person_link_to_case(
        case=world.cases["caw_a"], by=caw_director, person=city.person, **pr.VICTIM
    )
    before = Person.history.filter(id=city.person_id).count()
    updated = case_party_update(
        party=caw,
        by=caw_director,
        expected_version=1,
        expected_party_version=1,
        first_name="Nora",
        last_name="Jacobs",
        date_of_birth=datetime.date(1991, 2, 3),
        safe_contact="Via CAW",
    )
    assert updated.person_id == city.person_id
    assert updated.version == 2 and updated.safe_contact == "Via CAW"
    assert Person.history.filter(id=city.person_id).count() == before
    city.refresh_from_db()
    assert city.safe_contact == ""


def test_a_stale_situation_edit_is_refused(world):
    from common.versioning import EditConflict

    city = _victim(world)
    director = world.users["director_city_a"]
    case_party_update(party=city, by=director, expected_version=1, safe_contact="Eerste")
    with pytest.raises(EditConflict):
        case_party_update(
            party=city,
            by=director,
            expected_version=1,
            expected_party_version=1,
            safe_contact="Tweede",
        )
    city.refresh_from_db()
    assert city.safe_contact == "Eerste"


def test_a_view_only_reader_cannot_untick_the_flag_through_the_form(world, client):
    """The form needs change access (403); and were it shown to someone who may not see the
    address, the box would be locked and the address left as it is."""
    from cases.forms.people import PersonEditForm

    party = _victim(world, address="Geheim 1", address_confidential=True, safe_contact="Zus")
    form = PersonEditForm(party=party, may_see=False)
    assert form.fields["address"].disabled and form.fields["safe_contact"].disabled
    assert form.fields["address_confidential"].disabled
    assert "Geheim 1" not in str(form) and "Zus" not in str(form)
    client.force_login(world.users["liaison_parket_a"])
    url = f"/cases/{party.case_id}/people/{party.pk}/edit/"
    assert client.post(url, {"version": 1, "first_name": "X"}).status_code == 403
    party.refresh_from_db()
    assert party.address_confidential


def test_errors_name_no_confidential_value(world):
    party = _victim(world, address="Geheim 1", address_confidential=True, safe_contact="Zus")
    with pytest.raises(ValidationError) as error:
        case_party_update(
            party=party,
            by=party.case.case_director,
            expected_version=None,
            involved_since=datetime.date(1990, 1, 1),
        )
    assert "Geheim" not in str(error.value) and "Zus" not in str(error.value)
    assert isinstance(party.case, Case)
