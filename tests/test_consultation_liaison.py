"""The prosecutor liaison's view and the parket's reference entered from a consultation."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access.models import AuditAction, AuditEvent
from cases.models import Case, Track

from .consultation_helpers import make_consultation

pytestmark = pytest.mark.django_db


def overview() -> str:
    return reverse("consultations:liaison")


def reference_url(item) -> str:
    return reverse(
        "consultations:parket_reference", kwargs={"pk": item.consultation_id, "item_pk": item.pk}
    )


def track_3(world, key: str) -> Case:
    """Put a world case in track 3 (the liaison's office has no grant on it)."""
    Case.objects.filter(pk=world.cases[key].pk).update(track=Track.CHAIN)
    world.cases[key].refresh_from_db()
    return world.cases[key]


def test_the_liaison_sees_only_the_track_3_agenda_cases_with_judicial_information(world, client):
    caw_case = track_3(world, "caw_a")
    consultation = make_consultation(
        world, case_keys=("caw_a", "city_a"), participants=("liaison_parket_a",)
    )
    not_confirmed = make_consultation(
        world,
        chair="director_caw_b",
        case_keys=("caw_b",),
        participants=("liaison_parket_a",),
        confirmed=False,
    )
    # A consultation of the other prosecutor's office.
    make_consultation(
        world, chair="director_city_b", case_keys=("city_b",), participants=("liaison_parket_b",)
    )
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(overview())
    assert response.status_code == 200
    page = response.content.decode()
    assert caw_case.reference in page
    assert "PV-0001" in page and "Familierechtbank" in page
    assert (
        reverse(
            "consultations:minutes",
            kwargs={
                "pk": consultation.pk,
                "item_pk": consultation.agenda_items.get(case=caw_case).pk,
            },
        )
        in page
    )
    # Track 1, not confirmed yet, or another office's: never shown.
    for key in ("city_a", "caw_b", "city_b", "caw_b"):
        assert world.cases[key].reference not in page
    entries = {e.consultation.pk: e for e in response.context["entries"]}
    assert not entries[not_confirmed.pk].confirmed and not entries[not_confirmed.pk].items
    assert [i.case for i in entries[consultation.pk].items] == [caw_case]

    # After the access period the case is gone from the overview.
    with time_machine.travel(consultation.access_closes_at + datetime.timedelta(hours=1)):
        client.force_login(world.users["liaison_parket_a"])
        page = client.get(overview()).content.decode()
        assert caw_case.reference not in page

    for username in ("director_city_a", "partner_police_a", "admin_city_a"):
        client.force_login(world.users[username])
        assert client.get(overview()).status_code == 403
    client.logout()
    assert client.get(overview()).status_code == 302


def test_the_overview_query_count_does_not_grow(world, client):
    track_3(world, "caw_a")
    track_3(world, "caw_b")
    client.force_login(world.users["liaison_parket_a"])
    make_consultation(world, case_keys=("caw_a",), participants=("liaison_parket_a",))
    with CaptureQueriesContext(connection) as few:
        assert client.get(overview()).status_code == 200
    for _ in range(3):
        make_consultation(world, case_keys=("caw_a", "caw_b"), participants=("liaison_parket_a",))
    with CaptureQueriesContext(connection) as many:
        response = client.get(overview())
    assert sum(len(e.items) for e in response.context["entries"]) >= 7
    assert len(many) == len(few)


def test_the_liaison_enters_the_parket_reference_only_within_the_access_window(world, client):
    case = track_3(world, "caw_a")
    consultation = make_consultation(
        world, case_keys=("caw_a",), participants=("liaison_parket_a",)
    )
    item = consultation.agenda_items.get()
    liaison = world.users["liaison_parket_a"]
    client.force_login(liaison)
    url = reference_url(item)
    assert client.get(url).status_code == 200

    response = client.post(url, {"reference": "  ", "version": case.version})
    assert response.status_code == 200 and "reference" in response.context["form"].errors
    response = client.post(url, {"reference": "ME.60.L1.004321/26", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.parket_notice_number == "ME.60.L1.004321/26"
    assert case.history.first().history_user == liaison
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, user=liaison, case_id=case.pk, object_type="cases.case"
    ).exists()

    # Someone saved the case meanwhile: 409 and the input is kept.
    response = client.post(url, {"reference": "ME.60.L1.999999/26", "version": case.version - 1})
    assert response.status_code == 409
    assert response.context["form"]["reference"].value() == "ME.60.L1.999999/26"

    # The chair sees the consultation but is no liaison; others never see it.
    client.force_login(world.users["director_city_a"])
    assert client.get(url).status_code == 403
    for username in ("liaison_parket_b", "director_caw_b", "admin_city_a"):
        client.force_login(world.users[username])
        assert client.get(url).status_code == 404, username

    for moment in (
        consultation.access_opens_at - datetime.timedelta(minutes=1),
        consultation.access_closes_at + datetime.timedelta(minutes=1),
    ):
        with time_machine.travel(moment):
            # Logged in inside the travel: a session from another moment has expired.
            client.force_login(liaison)
            assert client.get(url).status_code == 404
            assert client.post(url, {"reference": "X", "version": case.version}).status_code == 404
    case.refresh_from_db()
    assert case.parket_notice_number == "ME.60.L1.004321/26"


def test_no_parket_reference_for_a_case_outside_track_3(world, client):
    consultation = make_consultation(
        world, case_keys=("caw_a",), participants=("liaison_parket_a",)
    )
    client.force_login(world.users["liaison_parket_a"])
    assert client.get(reference_url(consultation.agenda_items.get())).status_code == 404


def test_judicial_information_is_for_the_prosecutors_office_and_police_only(world, client):
    """A liaison role held outside a prosecutor's office or police zone (a misconfigured
    account) lists no outside case here: the judicial details follow access.policy."""
    from consultations.models import Participant
    from consultations.services.access import grant_for_participant

    from .factories import make_user

    caw_case = track_3(world, "caw_a")
    consultation = make_consultation(world, case_keys=("caw_a",))
    odd = make_user("liaison_elsewhere", world.orgs["partner_a"], "prosecutor_liaison")
    participant = Participant.objects.create(
        consultation=consultation,
        user=odd,
        organisation=world.orgs["partner_a"],
        secrecy_confirmed_at=consultation.scheduled_at - datetime.timedelta(days=3),
        added_by=consultation.chair,
    )
    assert grant_for_participant(participant=participant, by=consultation.chair)
    client.force_login(odd)
    page = client.get(overview()).content.decode()
    assert caw_case.reference not in page and "PV-0001" not in page
    # The prosecutor's own liaison sees it.
    client.force_login(world.users["liaison_parket_a"])
    assert caw_case.reference in client.get(overview()).content.decode()
