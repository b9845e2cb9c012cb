"""The children's trajectory (issue 18, part 3): per child a child file (school, psychologist,
VK/OCJ link, child plan; versioned) and conversations with the child (confidential), the
child's page and the steering section."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import ChildConversation, ChildFile, ChildReportedTo
from cases.services import (
    ChildFileContent,
    child_conversation_add,
    child_file_save,
    person_create_in_case,
)
from cases.services.children import is_child

from . import party_roles as pr

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
SAID = "Ik wil bij mama blijven en niet meer naar papa op zondag."


def _person(case: Any, role: dict = pr.CHILD, first_name: str = "Bo", **extra: Any) -> Any:
    return person_create_in_case(
        case=case,
        by=case.case_director,
        **role,
        confirm_new=True,
        first_name=first_name,
        last_name="Kind",
        **extra,
    )


def _url(name: str, party: Any) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": party.case_id, "child_pk": party.pk})


def _talk(party: Any, said: str = SAID) -> ChildConversation:
    case = party.case
    return child_conversation_add(
        case=case,
        party=party,
        by=case.case_director,
        held_on=TODAY(),
        held_by=case.case_director,
        child_view=said,
    )


def _file_data(**changes: Any) -> dict[str, Any]:
    return {
        "school_name": "Basisschool De Regenboog",
        "school_contacted_on": TODAY().isoformat(),
        "school_note": "Juf let op signalen.",
        "reported": "on",
        "reported_to": ChildReportedTo.VK,
        "reported_on": TODAY().isoformat(),
        "report_reference": "VK-2026-17",
        "plan_goals": "Bo voelt zich veilig op school en thuis.",
        "plan_next_evaluation_on": (TODAY() + datetime.timedelta(days=30)).isoformat(),
        **changes,
    }


# --- who is a child ---


def test_a_child_is_by_position_or_a_minor_by_age(world):
    case = world.cases["city_a"]
    assert is_child(_person(case, pr.CHILD))
    minor = _person(
        case, pr.VICTIM, "Noor", date_of_birth=TODAY() - datetime.timedelta(days=365 * 12)
    )
    assert is_child(minor)
    adult = _person(
        case, pr.VICTIM, "Anna", date_of_birth=TODAY() - datetime.timedelta(days=365 * 40)
    )
    assert not is_child(adult)


def test_no_child_file_for_an_adult(world, client):
    case = world.cases["city_a"]
    adult = _person(
        case, pr.VICTIM, "Anna", date_of_birth=TODAY() - datetime.timedelta(days=365 * 40)
    )
    with pytest.raises(ValidationError):
        child_file_save(
            case=case,
            party=adult,
            by=case.case_director,
            expected_version=0,
            content=ChildFileContent(),
        )
    client.force_login(world.users["director_city_a"])
    assert client.get(_url("child", adult)).status_code == 404
    assert client.get(_url("child_file_edit", adult)).status_code == 404


# --- the child file through the forms, versioned ---


def test_the_child_file_is_made_and_changed_through_the_form_with_versions(world, client):
    case = world.cases["city_a"]
    child = _person(case)
    client.force_login(world.users["director_city_a"])
    response = client.post(_url("child_file_edit", child), _file_data(version=0))
    assert response.status_code == 302
    assert response["Location"] == _url("child", child)
    child_file = ChildFile.objects.get(party=child)
    assert (child_file.version, child_file.reported_to, child_file.report_reference) == (
        1,
        ChildReportedTo.VK,
        "VK-2026-17",
    )
    response = client.post(
        _url("child_file_edit", child), _file_data(version=1, school_name="GO! Atheneum")
    )
    assert response.status_code == 302
    child_file.refresh_from_db()
    assert (child_file.version, child_file.school_name) == (2, "GO! Atheneum")
    assert ChildFile.history.filter(id=child_file.pk).count() == 2
    # A form opened before that save is refused and changes nothing.
    response = client.post(_url("child_file_edit", child), _file_data(version=1, school_name="X"))
    assert response.status_code == 409
    child_file.refresh_from_db()
    assert child_file.school_name == "GO! Atheneum"
    page = client.get(_url("child", child)).content.decode()
    assert "VK-2026-17" in page and "Versie 2" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reported_to": ""}, "reported_to", "Kies bij welke dienst"),
        ({"reported_on": ""}, "reported_on", "Geef de dag waarop het kind gemeld werd."),
        ({"reported": ""}, "reported", "Vink 'gemeld' aan"),
        ({"plan_goals": ""}, "plan_goals", "Schrijf de doelen van het kindplan."),
        ({"psychologist_involved": "on"}, "psychologist_organisation", "Kies de organisatie"),
        ({"reported_on": "2100-01-01"}, "reported_on", "toekomst"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_changes_nothing(world, client, changes, field, message):
    case = world.cases["city_a"]
    child = _person(case)
    client.force_login(world.users["director_city_a"])
    response = client.post(_url("child_file_edit", child), _file_data(version=0, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not ChildFile.objects.filter(party=child).exists()


# --- conversations ---


def test_a_conversation_is_added_once_even_when_sent_twice(world, client):
    case = world.cases["city_a"]
    child = _person(case)
    director = world.users["director_city_a"]
    client.force_login(director)
    url = _url("child_conversation_add", child)
    page = client.get(url).content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    data = {
        "held_on": TODAY().isoformat(),
        "held_by": director.pk,
        "child_view": SAID,
        "submission_token": token,
    }
    first = client.post(url, data, submission_token=False)
    second = client.post(url, data, submission_token=False)
    assert first.status_code == 302 and second.status_code == 302
    assert ChildConversation.objects.filter(child_file__party=child).count() == 1
    # The first conversation starts the child's file.
    assert ChildFile.objects.get(party=child).version == 1


def test_an_empty_conversation_is_refused_in_dutch(world, client):
    case = world.cases["city_a"]
    child = _person(case)
    director = world.users["director_city_a"]
    client.force_login(director)
    response = client.post(
        _url("child_conversation_add", child),
        {"held_on": TODAY().isoformat(), "held_by": director.pk, "child_view": ""},
    )
    assert response.status_code == 200
    assert "child_view" in response.context["form"].errors
    assert not ChildConversation.objects.exists()


def test_the_team_sees_what_the_child_said_a_shared_reader_does_not(world, client):
    case = world.cases["city_a_shared"]
    child = _person(case)
    _talk(child)
    client.force_login(world.users["director_city_a"])
    assert SAID in client.get(_url("child", child)).content.decode()

    client.force_login(world.users["liaison_parket_a"])
    response = client.get(_url("child", child))
    assert response.status_code == 200
    page = response.content.decode()
    assert SAID not in page
    assert "vertrouwelijk" in page
    assert client.get(_url("child_conversation_add", child)).status_code == 403
    assert client.get(_url("child_file_edit", child)).status_code == 403
    history = client.get(reverse("cases:history", kwargs={"pk": case.pk})).content.decode()
    assert SAID not in history
    steering = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    assert 'id="children-heading"' in steering
    assert SAID not in steering


# --- refusals ---


def test_other_organisation_and_administrator_get_404_anonymous_goes_to_login(world, client):
    case = world.cases["city_a"]
    child = _person(case)
    _talk(child)
    for user in ("director_city_b", "admin_city_a"):
        client.force_login(world.users[user])
        for name in ("child", "child_file_edit", "child_conversation_add"):
            assert client.get(_url(name, child)).status_code == 404, (user, name)
    client.logout()
    response = client.get(_url("child", child))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_child_of_another_case_is_not_found(world, client):
    other = _person(world.cases["city_b"])
    client.force_login(world.users["director_city_a"])
    url = reverse("cases:child", kwargs={"pk": world.cases["city_a"].pk, "child_pk": other.pk})
    assert client.get(url).status_code == 404


# --- the steering page ---


def test_the_steering_page_shows_each_child_at_a_glance(world, client):
    case = world.cases["city_a"]
    witness = _person(case, pr.WITNESS_CHILD, "Bo")
    victim = _person(case, pr.VICTIM_CHILD, "Mila")
    _talk(witness)
    child_file_save(
        case=case,
        party=witness,
        by=case.case_director,
        expected_version=1,
        content=ChildFileContent(
            reported=True,
            reported_to=ChildReportedTo.OCJ,
            reported_on=TODAY(),
            plan_goals="Rust",
            plan_next_evaluation_on=TODAY() + datetime.timedelta(days=14),
        ),
    )
    client.force_login(world.users["director_city_a"])
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk})).content.decode()
    section = page.split('id="children-heading"')[1].split("</section>")[0]
    assert "Bo Kind" in section and "Mila Kind" in section
    assert "rechtstreeks slachtoffer" in section and "getuige" in section
    assert "laatste gesprek op" in section
    assert "volgende evaluatie op" in section
    assert "gemeld bij Ondersteuningscentrum Jeugdzorg (OCJ)" in section
    assert SAID not in section  # the date only, never the content
    assert victim.pk and _url("child", victim) in section


def test_the_child_page_links_the_child_safety_assessment_with_the_child(world, client):
    case = world.cases["city_a"]
    child = _person(case)
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("child", child)).content.decode()
    assert f"{reverse('risk:create', kwargs={'pk': case.pk})}?party={child.pk}" in page


# --- figures (issue 18, part 5: the children's half) ---


def test_child_plans_and_reports_count_in_their_period(world):
    from reporting.figures.people import child_trajectory
    from reporting.figures.period import Period

    case = world.cases["city_a"]
    child = _person(case)
    child_file_save(
        case=case,
        party=child,
        by=case.case_director,
        expected_version=0,
        content=ChildFileContent(
            reported=True,
            reported_to=ChildReportedTo.VK,
            reported_on=TODAY(),
            plan_goals="Rust",
        ),
    )
    # A later version does not count the plan again.
    child_file_save(
        case=case,
        party=child,
        by=case.case_director,
        expected_version=1,
        content=ChildFileContent(
            reported=True, reported_to=ChildReportedTo.VK, reported_on=TODAY(), plan_goals="Meer"
        ),
    )
    table = child_trajectory(Period.year(TODAY().year))
    counts = dict(zip(table.row_keys, (row[1] for row in table.rows), strict=True))
    assert counts == {"plan": 1, "vk": 1, "ocj": 0, "youth_court": 0}
    earlier = child_trajectory(Period.year(TODAY().year - 1))
    assert all(row[1] == 0 for row in earlier.rows)
    assert "telt" in earlier.note or "counts" in earlier.note


def test_the_risk_assessment_form_ticks_the_child_a_link_names(world, client):
    from risk.models import InstrumentVersion, VersionStatus

    case = world.cases["city_a"]
    child = _person(case)
    version = InstrumentVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    if version is None:
        pytest.skip("no published instrument in the test world")
    client.force_login(world.users["director_city_a"])
    choose = client.get(reverse("risk:create", kwargs={"pk": case.pk}), {"party": child.pk})
    fill = reverse("risk:fill", kwargs={"pk": case.pk, "version_pk": version.pk})
    assert f"{fill}?party={child.pk}" in choose.content.decode()
    form = client.get(fill, {"party": child.pk}).context["form"]
    assert form.initial["parties"] == [child.pk]
