"""Trainings and expertise sessions: recorded by the network coordinator, listed per year."""

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Training, TrainingKind

pytestmark = pytest.mark.django_db


def test_access(world, client):
    training = world.directory["training_pk"]
    urls = [
        reverse("partners:trainings"),
        reverse("partners:training_add"),
        reverse("partners:training_edit", kwargs={"training_pk": training.pk}),
    ]
    client.force_login(world.users["netcoord_vo_b"])
    for url in urls:
        assert client.get(url).status_code == 200
    for username in ("director_city_a", "opslead_city_a", "liaison_parket_a", "admin_city_a"):
        client.force_login(world.users[username])
        for url in urls:
            assert client.get(url).status_code == 403, (username, url)
    client.force_login(world.users["director_city_a"])
    client.post(
        urls[1], {"date": "2026-01-01", "kind": "training", "topic": "X", "participants": 3}
    )
    assert Training.objects.count() == 1
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302


def test_record_edit_and_list_per_year(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:training_add"),
        {
            "date": "2025-05-20",
            "kind": TrainingKind.INTERVISION,
            "topic": "Intervisie risicotaxatie",
            "organisations": [world.orgs["caw_a"].pk, world.orgs["police_a"].pk],
            "participants": 9,
        },
    )
    assert response.status_code == 302
    training = Training.objects.get(topic="Intervisie risicotaxatie")
    assert set(training.organisations.all()) == {world.orgs["caw_a"], world.orgs["police_a"]}
    response = client.post(
        reverse("partners:training_edit", kwargs={"training_pk": training.pk}),
        {
            "date": "2025-05-21",
            "kind": TrainingKind.ADVICE,
            "topic": "Advies",
            "participants": 4,
            "version": training.version,
        },
    )
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.kind == TrainingKind.ADVICE and not training.organisations.exists()
    assert training.history.first().history_user == world.users["netcoord_vo_a"]

    url = reverse("partners:trainings")
    response = client.get(url, {"year": 2025})
    assert list(response.context["trainings"]) == [training]
    assert response.context["total_participants"] == 4
    this_year = client.get(url)
    assert this_year.context["year"] == timezone.localdate().year
    assert list(this_year.context["trainings"]) == [world.directory["training_pk"]]
    assert client.get(url, {"year": "nonsense"}).status_code == 200


def test_invalid_training_changes_nothing(world, client):
    client.force_login(world.users["netcoord_vo_a"])
    response = client.post(
        reverse("partners:training_add"),
        {"date": "", "kind": "lecture", "topic": "", "participants": 0},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "kind", "topic", "participants"}
    training = world.directory["training_pk"]
    response = client.post(
        reverse("partners:training_edit", kwargs={"training_pk": training.pk}),
        {"date": "2026-01-01", "kind": "training", "topic": "Y", "participants": -2},
    )
    assert "participants" in response.context["form"].errors
    training.refresh_from_db()
    assert training.topic == "Risicotaxatie" and training.participants == 12
    assert Training.objects.count() == 1
