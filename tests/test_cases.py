import pytest
from django.urls import reverse

from access.models import AuditEvent
from cases.models import Case, Status, Track
from cases.services import EditConflict, case_update

pytestmark = pytest.mark.django_db


def test_a_case_director_registers_a_case_that_their_organisation_can_see(world, client):
    director = world.users["director_caw_a"]
    client.force_login(director)
    response = client.post(
        reverse("cases:create"),
        {
            "track": 2,
            "case_director": director.pk,
            "opened_on": "2026-11-01",
        },
    )
    case = Case.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"pk": case.pk})
    assert (case.owner_organisation, case.track, case.status) == (
        world.orgs["caw_a"],
        Track.OUTREACH,
        Status.REGISTERED,
    )
    assert case.reference == "2026-00006"
    assert case.history.first().history_user == director
    # Another case director of the same organisation sees it through the organisation's group.
    from .factories import make_user

    colleague = make_user("colleague_caw_a", world.orgs["caw_a"], "case_director")
    client.force_login(colleague)
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200


def test_registration_refuses_bad_input_in_dutch_and_changes_nothing(world, client):
    client.force_login(world.users["director_caw_a"])
    count = Case.objects.count()
    response = client.post(
        reverse("cases:create"),
        {
            "track": 7,
            "case_director": world.users["director_city_a"].pk,
            "opened_on": "2999-01-01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"track", "case_director", "opened_on"}
    assert "toekomst" in errors["opened_on"][0]
    assert Case.objects.count() == count


def test_a_stale_edit_gets_a_conflict_and_keeps_the_input(world, client):
    case = world.cases["city_a"]
    stale_version = case.version
    case_update(
        case=case,
        by=world.users["director_city_a"],
        expected_version=stale_version,
        status=Status.INTAKE,
    )
    client.force_login(world.users["director_city_a"])
    response = client.post(
        reverse("cases:update", kwargs={"pk": case.pk}),
        {"track": 3, "status": "active", "version": stale_version},
    )
    assert response.status_code == 409
    assert "iemand anders" in response.content.decode()
    assert response.context["form"]["track"].value() == "3"
    case.refresh_from_db()
    assert (case.track, case.status) == (Track.ADVICE, Status.INTAKE)


def test_the_service_refuses_a_stale_version(world):
    case = world.cases["city_a"]
    case_update(case=case, by=world.users["director_city_a"], expected_version=1, track=2)
    with pytest.raises(EditConflict):
        case_update(case=case, by=world.users["director_city_a"], expected_version=1, track=3)


def test_sharing_and_unsharing_through_the_pages(world, client):
    case, parket = world.cases["city_a"], world.orgs["parket_b"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        reverse("cases:share", kwargs={"pk": case.pk}),
        {"organisation": parket.pk, "reason": "458ter overleg"},
    )
    assert response.status_code == 302
    client.force_login(world.users["liaison_parket_b"])
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200
    client.force_login(world.users["director_city_a"])
    client.post(reverse("cases:revoke_share", kwargs={"pk": case.pk, "organisation_pk": parket.pk}))
    client.force_login(world.users["liaison_parket_b"])
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 404
    assert AuditEvent.objects.filter(case_id=case.pk, action="revoke").exists()


def test_the_owner_organisation_cannot_be_unshared(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    url = reverse(
        "cases:revoke_share", kwargs={"pk": case.pk, "organisation_pk": world.orgs["city_a"].pk}
    )
    assert client.post(url).status_code == 404
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200


def test_seed_demo_is_idempotent_and_prints_logins(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", "--allow-production", stdout=out)
    counts = (Case.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo", "--allow-production", stdout=StringIO())
    assert (Case.objects.count(), AuditEvent.objects.count()) == counts
    assert "regisseur.stad" in out.getvalue() and "demo-veilig-huis" in out.getvalue()
    from partners.models import Municipality, MunicipalityPopulation

    assert Municipality.objects.count() == 12
    assert MunicipalityPopulation.objects.get(municipality__name="Mechelen").inhabitants == 86921
