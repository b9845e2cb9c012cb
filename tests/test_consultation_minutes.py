"""Minutes of an art. 458ter consultation: disclosures, decisions and actions per agenda case."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from cases import selectors as case_selectors
from cases.models import CaseAction, CaseEvent, EventKind
from common.versioning import EditConflict
from consultations.models import (
    AgendaItem,
    Consent,
    ConsultationAction,
    ConsultationStatus,
    Disclosure,
    Participant,
)
from consultations.services.minutes import (
    DISCLOSURE_PURPOSE,
    agenda_item_record_decisions,
    consultation_action_add,
    disclosure_record,
)

from .consultation_helpers import make_consultation, participant

pytestmark = pytest.mark.django_db


def item_of(consultation, case=None) -> AgendaItem:
    items = consultation.agenda_items.select_related("case", "consultation")
    return items.get(case=case) if case is not None else items.get()


def url(name: str, item: AgendaItem) -> str:
    return reverse(f"consultations:{name}", kwargs={"pk": item.consultation_id, "item_pk": item.pk})


# --- disclosures ---


def test_a_disclosure_records_who_shared_what_with_whom_and_is_audited(world):
    consultation = make_consultation(world, named=[("Mevr. Vertegenwoordiger", "partner_a")])
    item = item_of(consultation)
    chair, liaison = world.users["director_city_a"], world.users["liaison_parket_a"]
    by_parket = participant(consultation, liaison)

    disclosure = disclosure_record(
        agenda_item=item,
        by=chair,
        organisation=world.orgs["parket_a"],
        shared_by=by_parket,
        content="Er loopt een opsporingsonderzoek.",
        client_consent=Consent.NOT_ASKED,
    )

    assert disclosure.legal_basis_id == consultation.legal_basis_id
    assert disclosure.recorded_by == chair
    snapshot = {entry["participant"]: entry for entry in disclosure.shared_with}
    assert set(snapshot) == set(consultation.participants.values_list("pk", flat=True))
    assert snapshot[by_parket.pk] == {
        "participant": by_parket.pk,
        "user": liaison.pk,
        "name": liaison.get_full_name(),
        "organisation": "Parket Alfa",
    }
    named = next(e for e in disclosure.shared_with if e["user"] is None)
    assert named["name"] == "Mevr. Vertegenwoordiger"
    assert named["organisation"] == "Justitiehuis Alfa"

    event = AuditEvent.objects.get(purpose=DISCLOSURE_PURPOSE)
    assert event.action == AuditAction.CHANGE
    assert event.user == chair
    assert event.object_type == "consultations.disclosure"
    assert event.object_id == str(disclosure.pk)
    assert event.case_id == item.case_id
    assert event.detail == {
        "consultation": consultation.pk,
        "agenda_item": item.pk,
        "organisation": world.orgs["parket_a"].pk,
        "shared_by": by_parket.pk,
        "legal_basis": consultation.legal_basis_id,
        "consent": "not_asked",
    }
    assert "opsporingsonderzoek" not in str(event.detail)


def test_the_snapshot_does_not_change_when_participants_change_later(world):
    consultation = make_consultation(world)
    item = item_of(consultation)
    disclosure = disclosure_record(
        agenda_item=item,
        by=world.users["director_city_a"],
        organisation=world.orgs["city_a"],
        shared_by=participant(consultation, world.users["director_city_a"]),
        content="Huisbezoek gepland.",
        client_consent=Consent.YES,
    )
    Participant.objects.create(
        consultation=consultation,
        user=world.users["partner_police_a"],
        organisation=world.orgs["police_a"],
        added_by=world.users["director_city_a"],
    )
    disclosure.refresh_from_db()
    assert len(disclosure.shared_with) == 2


def test_an_organisation_that_does_not_take_part_cannot_have_shared(world):
    consultation = make_consultation(world)
    item = item_of(consultation)
    with pytest.raises(ValidationError) as caught:
        disclosure_record(
            agenda_item=item,
            by=world.users["director_city_a"],
            organisation=world.orgs["caw_b"],
            shared_by=participant(consultation, world.users["liaison_parket_a"]),
            content="x",
            client_consent=Consent.NO,
        )
    assert "organisation" in caught.value.error_dict
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(purpose=DISCLOSURE_PURPOSE).exists()


def test_the_one_who_shared_must_represent_the_organisation_and_take_part(world):
    consultation = make_consultation(world)
    other = make_consultation(world, participants=("partner_police_a",))
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    for organisation, shared_by in [
        # The chair does not speak for the prosecutor's office.
        (world.orgs["parket_a"], participant(consultation, chair)),
        # A participant of another consultation.
        (world.orgs["police_a"], participant(other, world.users["partner_police_a"])),
    ]:
        with pytest.raises(ValidationError) as caught:
            disclosure_record(
                agenda_item=item,
                by=chair,
                organisation=organisation,
                shared_by=shared_by,
                content="x",
                client_consent=Consent.NO,
            )
        assert set(caught.value.error_dict) & {"shared_by", "organisation"}
    with pytest.raises(ValidationError) as caught:
        disclosure_record(
            agenda_item=item,
            by=chair,
            organisation=world.orgs["city_a"],
            shared_by=participant(consultation, chair),
            content="   ",
            client_consent="maybe",
        )
    assert {"content", "client_consent"} <= set(caught.value.error_dict)
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize(
    "username", ["liaison_parket_a", "director_caw_a", "admin_city_a", "superuser"]
)
def test_only_the_chair_and_the_case_directors_record_minutes(world, username):
    consultation = make_consultation(world)
    item = item_of(consultation)
    with pytest.raises(PermissionDenied):
        disclosure_record(
            agenda_item=item,
            by=world.users[username],
            organisation=world.orgs["parket_a"],
            shared_by=participant(consultation, world.users["liaison_parket_a"]),
            content="x",
            client_consent=Consent.NO,
        )
    with pytest.raises(PermissionDenied):
        agenda_item_record_decisions(
            agenda_item=item, by=world.users[username], expected_version=1, decisions="x"
        )
    assert not Disclosure.objects.exists()


def test_the_case_director_of_an_agenda_case_records_minutes_though_not_chair(world):
    consultation = make_consultation(world, case_keys=("city_a_shared", "caw_a"))
    item = item_of(consultation, world.cases["caw_a"])
    consultation_action_add(
        agenda_item=item,
        by=world.users["director_caw_a"],
        description="Huisbezoek",
        due_on=timezone.localdate(),
        assignee_user=world.users["director_caw_a"],
    )
    # Not for another case on the same agenda.
    with pytest.raises(PermissionDenied):
        consultation_action_add(
            agenda_item=item_of(consultation, world.cases["city_a_shared"]),
            by=world.users["director_caw_a"],
            description="Huisbezoek",
            due_on=timezone.localdate(),
            assignee_user=world.users["director_caw_a"],
        )


def test_no_minutes_for_a_cancelled_consultation(world):
    consultation = make_consultation(world)
    consultation.status = ConsultationStatus.CANCELLED
    consultation.save()
    with pytest.raises(PermissionDenied):
        agenda_item_record_decisions(
            agenda_item=item_of(consultation),
            by=world.users["director_city_a"],
            expected_version=1,
            decisions="x",
        )


# --- decisions ---


def test_decisions_mark_the_item_discussed_and_go_on_the_timeline_once(world):
    consultation = make_consultation(world)
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    item = agenda_item_record_decisions(
        agenda_item=item, by=chair, expected_version=1, decisions="Opvolging door CAW."
    )
    assert item.discussed and item.version == 2
    assert item.history.first().history_user == chair
    events = CaseEvent.objects.filter(case=item.case, kind=EventKind.CONSULTATION_HELD)
    assert events.count() == 1
    assert "Opvolging" not in events.get().summary
    agenda_item_record_decisions(
        agenda_item=item, by=chair, expected_version=2, decisions="Opvolging door CAW en politie."
    )
    assert events.count() == 1


def test_stale_decisions_are_refused(world):
    consultation = make_consultation(world)
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    agenda_item_record_decisions(agenda_item=item, by=chair, expected_version=1, decisions="A")
    with pytest.raises(EditConflict):
        agenda_item_record_decisions(agenda_item=item, by=chair, expected_version=1, decisions="B")
    item.refresh_from_db()
    assert item.decisions == "A"


# --- actions ---


def test_actions_become_case_actions_on_the_steering_page_and_are_linked(world, client):
    consultation = make_consultation(world)
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    link = consultation_action_add(
        agenda_item=item,
        by=chair,
        description="Afstemming met justitiehuis",
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        assignee_organisation=world.orgs["partner_a"],
    )
    action = CaseAction.objects.get(description="Afstemming met justitiehuis")
    assert link.case_action == action and link.agenda_item == item
    assert action.case == item.case and action.created_by == chair
    assert action in case_selectors.case_actions(user=chair, case=item.case)
    client.force_login(chair)
    response = client.get(reverse("cases:detail", kwargs={"pk": item.case_id}))
    assert response.status_code == 200
    assert "Afstemming met justitiehuis" in response.content.decode()


def test_a_refused_action_leaves_nothing_behind(world):
    consultation = make_consultation(world)
    item = item_of(consultation)
    actions_before = CaseAction.objects.count()
    with pytest.raises(ValidationError) as caught:
        consultation_action_add(
            agenda_item=item,
            by=world.users["director_city_a"],
            description="",
            due_on=None,
            assignee_user=world.users["director_caw_b"],  # not on this case
        )
    assert {"description", "due_on", "assignee_user"} <= set(caught.value.error_dict)
    assert CaseAction.objects.count() == actions_before
    assert not ConsultationAction.objects.filter(agenda_item=item).exists()


# --- pages ---


def test_minutes_page_and_forms_for_the_chair(world, client):
    consultation = make_consultation(world)
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    client.force_login(chair)
    assert client.get(url("minutes", item)).status_code == 200
    for name in ("minutes_decisions", "minutes_disclosure_add", "minutes_action_add"):
        assert client.get(url(name, item)).status_code == 200

    response = client.post(
        url("minutes_disclosure_add", item),
        {
            "organisation": world.orgs["parket_a"].pk,
            "shared_by": participant(consultation, world.users["liaison_parket_a"]).pk,
            "content": "Er loopt een onderzoek.",
            "client_consent": Consent.NOT_ASKED,
        },
    )
    assert response.status_code == 302
    assert Disclosure.objects.get(agenda_item=item).content == "Er loopt een onderzoek."

    response = client.post(
        url("minutes_action_add", item),
        {
            "description": "Gesprek met school",
            "assignee_user": chair.pk,
            "due_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert (
        ConsultationAction.objects.get(agenda_item=item).case_action.description
        == "Gesprek met school"
    )

    response = client.post(
        url("minutes_decisions", item), {"decisions": "Besproken.", "version": 1}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.discussed and item.decisions == "Besproken."

    page = client.get(url("minutes", item)).content.decode()
    for text in ("Er loopt een onderzoek.", "Gesprek met school", "Besproken."):
        assert text in page


def test_bad_input_on_the_minutes_forms_changes_nothing(world, client):
    consultation = make_consultation(world)
    item = item_of(consultation)
    client.force_login(world.users["director_city_a"])
    response = client.post(
        url("minutes_disclosure_add", item),
        {
            "organisation": world.orgs["caw_b"].pk,
            "shared_by": participant(consultation, world.users["liaison_parket_a"]).pk,
            "content": "",
            "client_consent": "",
        },
    )
    assert response.status_code == 200
    assert {"organisation", "content", "client_consent"} <= set(response.context["form"].errors)
    response = client.post(url("minutes_action_add", item), {"description": "", "due_on": "x"})
    assert response.status_code == 200
    assert {"description", "due_on"} <= set(response.context["form"].errors)
    assert not Disclosure.objects.filter(agenda_item=item).exists()
    assert not ConsultationAction.objects.filter(agenda_item=item).exists()


def test_stale_decisions_answer_409_and_keep_the_input(world, client):
    consultation = make_consultation(world)
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    agenda_item_record_decisions(agenda_item=item, by=chair, expected_version=1, decisions="A")
    client.force_login(chair)
    response = client.post(
        url("minutes_decisions", item), {"decisions": "Mijn tekst", "version": 1}
    )
    assert response.status_code == 409
    assert response.context["form"]["decisions"].value() == "Mijn tekst"
    item.refresh_from_db()
    assert item.decisions == "A" and item.version == 2


def test_who_reaches_the_minutes_pages(world, client):
    consultation = make_consultation(world, participants=("liaison_parket_a", "partner_police_a"))
    item = item_of(consultation)
    pages = ("minutes_decisions", "minutes_disclosure_add", "minutes_action_add")
    # A participant who confirmed secrecy reads the minutes but records none.
    client.force_login(world.users["partner_police_a"])
    assert client.get(url("minutes", item)).status_code == 200
    for name in pages:
        assert client.get(url(name, item)).status_code == 403
        assert client.post(url(name, item), {}).status_code == 403
    for username in ("director_caw_b", "liaison_parket_b", "admin_city_a", "superuser"):
        client.force_login(world.users[username])
        for name in ("minutes", *pages):
            assert client.get(url(name, item)).status_code == 404, (username, name)
    client.logout()
    response = client.get(url("minutes", item))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_minutes_are_hidden_until_secrecy_is_confirmed(world, client):
    consultation = make_consultation(world, participants=("partner_police_a",), confirmed=False)
    client.force_login(world.users["partner_police_a"])
    assert client.get(url("minutes", item_of(consultation))).status_code == 404


def test_an_agenda_item_of_another_consultation_is_404(world, client):
    consultation = make_consultation(world)
    other = make_consultation(world, chair="director_caw_a", case_keys=("caw_a",))
    client.force_login(world.users["director_city_a"])
    wrong = reverse(
        "consultations:minutes",
        kwargs={"pk": consultation.pk, "item_pk": item_of(other).pk},
    )
    assert client.get(wrong).status_code == 404


def test_the_minutes_page_query_count_does_not_grow(world, client):
    consultation = make_consultation(world, participants=("liaison_parket_a", "partner_police_a"))
    item = item_of(consultation)
    chair = world.users["director_city_a"]
    client.force_login(chair)

    def add_minutes(n: int) -> None:
        for i in range(n):
            disclosure_record(
                agenda_item=item,
                by=chair,
                organisation=world.orgs["police_a"],
                shared_by=participant(consultation, world.users["partner_police_a"]),
                content=f"Melding {i}",
                client_consent=Consent.NO,
            )
            consultation_action_add(
                agenda_item=item,
                by=chair,
                description=f"Actie {i}",
                due_on=timezone.localdate(),
                assignee_organisation=world.orgs["partner_a"],
            )

    add_minutes(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("minutes", item)).status_code == 200
    add_minutes(5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url("minutes", item)).status_code == 200
    assert len(many) == len(few)


def test_a_refused_minutes_request_is_recorded_as_denied_only(world, client):
    consultation = make_consultation(world, participants=("liaison_parket_a", "partner_police_a"))
    item = item_of(consultation)
    user = world.users["partner_police_a"]
    client.force_login(user)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    assert client.post(url("minutes_decisions", item), {"decisions": "X"}).status_code == 403
    rows = AuditEvent.objects.filter(user=user).exclude(pk__in=before)
    # Nothing claims the participant saw or changed the item: one denial, nothing else.
    assert list(rows.values_list("action", flat=True)) == [AuditAction.DENIED]
