"""Roles that say what happened (issue 18, part 2): per person in a case a family position and
roles in the violence (several, or none when the position is known), in the person forms with
Dutch messages, in the history, the repeats, the safety plans and the figures."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CaseEvent, CaseParty, EventKind, FamilyPosition, ViolenceRole
from cases.services import case_party_update, person_create_in_case
from cases.services.safety import gets_safety_plan
from common.submission import FIELD
from reporting.figures.people import people_tables
from reporting.figures.period import Period

from . import party_roles as pr
from .conftest import SUBMISSION_TOKEN
from .figures_helpers import D, link, make_director, new_case, person, table, values

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _url(name: str, case: Any, **kwargs: Any) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "position": "child",
        "roles": ["victim", "witness"],
        "involved_since": TODAY().isoformat(),
        "first_name": "Lotte",
        "last_name": "Rolvoorbeeld",
        "date_of_birth": (TODAY() - datetime.timedelta(days=9 * 365)).isoformat(),
        "age_band": "unknown",
        "gender": "female",
        "language": "",
        "address": "",
        "safe_contact": "",
        **overrides,
    }


def _token(client: Any, url: str) -> str:
    found = SUBMISSION_TOKEN.search(client.get(url).content.decode())
    assert found
    return found.group(1)


def test_the_form_records_a_position_and_several_roles_once(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    url = _url("person_add", case)
    token = _token(client, url)
    first = client.post(url, {**_form(), FIELD: token}, submission_token=False)
    assert first.status_code == 302
    # The same form sent again (a double click, a reload): nothing more is added.
    again = client.post(url, {**_form(), FIELD: token}, submission_token=False)
    assert again.status_code in (200, 302)
    parties = CaseParty.objects.filter(case=case, person__last_name="Rolvoorbeeld")
    assert parties.count() == 1
    party = parties.get()
    assert party.position == FamilyPosition.CHILD
    assert party.roles == [ViolenceRole.VICTIM, ViolenceRole.WITNESS]
    assert (party.is_perpetrator, party.is_involved, party.legacy_role) == (False, False, "")
    event = CaseEvent.objects.filter(case=case, kind=EventKind.PERSON_ADDED).latest("id")
    # Position and roles, never a name, in the timeline.
    assert event.summary == "Kind, slachtoffer, getuige"
    with translation.override("nl"):
        page = client.get(_url("detail", case), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Positie en rollen" in page and "Kind, slachtoffer, getuige" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"position": "", "roles": []},
            "roles",
            "Geef de positie van de persoon in het gezin, of minstens één rol in het geweld.",
        ),
        ({"roles": ["bystander"]}, "roles", "Selecteer een geldige keuze."),
        ({"position": "uncle"}, "position", "Selecteer een geldige keuze."),
    ],
)
def test_bad_input_gets_a_dutch_message_and_changes_nothing(
    world, client, overrides, field, message
):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    before = CaseParty.objects.count()
    response = client.post(_url("person_add", case), _form(**overrides), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert CaseParty.objects.count() == before


def test_a_victim_can_also_be_a_perpetrator(world):
    """Mutual violence exists: both roles on one person are allowed (docs/architecture.md)."""
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = person_create_in_case(
        case=case,
        by=director,
        position=FamilyPosition.PARTNER,
        roles=[ViolenceRole.PERPETRATOR, ViolenceRole.VICTIM],
        confirm_new=True,
        first_name="Wederzijds",
        last_name="Rolvoorbeeld",
    )
    assert party.roles == [ViolenceRole.VICTIM, ViolenceRole.PERPETRATOR]


def test_the_service_refuses_a_person_without_position_or_role(world):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    with pytest.raises(ValidationError) as refused:
        person_create_in_case(
            case=case, by=director, confirm_new=True, first_name="Niemand", last_name="Rol"
        )
    assert set(refused.value.message_dict) == {"roles"}
    assert not CaseParty.objects.filter(person__first_name="Niemand").exists()


def test_editing_the_roles_keeps_the_earlier_ones_in_the_history(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    party = person_create_in_case(
        case=case, by=director, confirm_new=True, first_name="Kim", last_name="Getuige",
        **pr.WITNESS_CHILD,
    )  # fmt: skip
    client.force_login(director)
    url = _url("person_edit", case, party_pk=party.pk)
    form = client.get(url).context["form"]
    assert (form["position"].value(), form["roles"].value()) == ("child", ["witness"])
    response = client.post(
        url,
        _form(
            first_name="Kim",
            last_name="Getuige",
            date_of_birth="",
            roles=["victim", "witness"],
            version=party.person.version,
            party_version=party.version,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    party.refresh_from_db()
    assert party.roles == [ViolenceRole.VICTIM, ViolenceRole.WITNESS]
    history = list(party.history.order_by("history_id"))
    assert [(h.is_victim, h.is_witness) for h in history] == [(False, True), (True, True)]
    # Nothing changed: no new version.
    same = case_party_update(
        party=party,
        by=director,
        expected_version=None,
        position="child",
        roles=["witness", "victim"],
    )
    assert same.version == party.version


def test_a_safety_plan_is_for_a_victim_or_a_child():
    assert gets_safety_plan(CaseParty(is_victim=True))
    assert gets_safety_plan(CaseParty(position=FamilyPosition.CHILD))
    assert not gets_safety_plan(CaseParty(position=FamilyPosition.PARTNER, is_witness=True))
    assert not gets_safety_plan(CaseParty(is_perpetrator=True))


# --- the figures ------------------------------------------------------------------------

YEAR = Period.year(2025)


def test_children_as_direct_victims_and_witnesses_and_positions_in_the_figures(db):
    director = make_director("director_roles_figures")
    first = new_case(director, D(2025, 3, 1), 2)
    second = new_case(director, D(2025, 9, 1), 3)
    mother = person(
        first, {"position": "partner", "roles": ["victim"]}, date_of_birth=D(1990, 1, 1)
    )
    person(first, {"position": "partner", "roles": ["perpetrator"]}, date_of_birth=D(1988, 1, 1))
    # A child who witnessed the violence in the first case and was hit in the second.
    child = person(first, pr.WITNESS_CHILD, date_of_birth=D(2015, 4, 1))
    link(second, child, pr.VICTIM_CHILD)
    person(second, pr.CHILD, date_of_birth=D(2018, 1, 1))  # a child with no role recorded
    person(second, {"position": "parent", "roles": ["perpetrator", "victim"]}, age_band="25-44")
    assert mother.person.date_of_birth

    tables = people_tables(YEAR)
    minors = values(table(tables, "minors_by_role"))
    # (new cases, running cases): the child counts as a direct victim and as a witness, once
    # among all minors.
    assert minors["victim"] == (1, 1)
    assert minors["witness"] == (1, 1)
    assert minors["perpetrator"] == (0, 0)
    assert minors["none"] == (1, 1)
    assert minors["total"] == (2, 2)
    roles = values(table(tables, "people_by_role"))
    assert roles["victim"] == (3, 3) and roles["perpetrator"] == (2, 2)
    positions = values(table(tables, "people_by_position"))
    assert positions["child"] == (2, 2) and positions["partner"] == (2, 2)
    assert positions["parent"] == (1, 1) and positions["unknown"] == (0, 0)
    by_position = values(table(tables, "victims_perpetrators_by_position"))
    # victims new, victims running, perpetrators new, perpetrators running
    assert by_position["partner"] == (1, 1, 1, 1)
    assert by_position["child"] == (1, 1, 0, 0)
    assert by_position["parent"] == (1, 1, 1, 1)
    labels = [c.label for c in table(tables, "victims_perpetrators_by_position").columns]
    assert len(labels) == 5
    note = table(tables, "minors_by_role").note
    assert "getuige" in note and "tellen niet op" in note
