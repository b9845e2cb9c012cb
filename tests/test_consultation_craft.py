"""Consultation craft (issue 19 part 5): kinds with their agenda rules, the attendance
register that the minutes and disclosures follow, a secrecy confirmation given to the chair
on paper or orally, and a review date that brings a case back on a later agenda."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent
from cases.models import LegalGround, RegistrationGround, RegistrationStatus
from cases.selectors.board import deadline_board
from cases.services.registrations import PersonData, registration_create, registration_decide
from consultations.models import (
    AgendaItem,
    Attendance,
    Consent,
    Consultation,
    ConsultationKind,
    Participant,
    SecrecyMethod,
)
from consultations.selectors import planning as planning_selectors
from consultations.selectors.board import CONSULTATION_REVIEW
from consultations.selectors.minutes import consultation_document
from consultations.services import craft, planning
from consultations.services.minutes import disclosure_record

pytestmark = pytest.mark.django_db


def _started(consultation: Consultation, hours: int = 1) -> Consultation:
    """The meeting began ``hours`` ago (the planning service refuses a date in the past)."""
    Consultation.objects.filter(pk=consultation.pk).update(
        scheduled_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    consultation.refresh_from_db()
    return consultation


def _chair_participant(consultation: Consultation) -> Participant:
    return consultation.participants.get(user=consultation.chair)


def _register(setting, consultation, *, liaison="present", police="represented"):
    """The chair present, the liaison and a police representative as told."""
    liaison_p = consultation.participants.get(user=setting.users["liaison"])
    police_p = consultation.participants.get(name="Inspecteur Peeters")
    entries = {
        _chair_participant(consultation).pk: craft.AttendanceEntry(Attendance.PRESENT),
        liaison_p.pk: craft.AttendanceEntry(liaison),
        police_p.pk: craft.AttendanceEntry(
            police,
            represented_by_name="Inspecteur Janssens" if police == "represented" else "",
            represented_by_organisation=setting.orgs["police"] if police == "represented" else None,
        ),
    }
    return craft.attendance_record(
        consultation=consultation, by=consultation.chair, version=None, entries=entries
    )


def _with_participants(setting):
    c = setting.consultation
    setting.add_liaison(c)
    planning.participant_add_named(
        consultation=c, by=c.chair, name="Inspecteur Peeters", organisation=setting.orgs["police"]
    )
    return c


# --- Kinds and their agenda rules ---


def test_a_new_consultation_is_an_expert_table_unless_told(setting):
    assert setting.consultation.kind == ConsultationKind.EXPERT
    follow_up = planning.consultation_create(
        by=setting.users["director"],
        legal_basis=setting.basis,
        scheduled_at=timezone.now() + datetime.timedelta(days=3),
        location="Zaal 2",
        secrecy_confirmed=True,
        kind=ConsultationKind.FOLLOW_UP,
    )
    assert follow_up.kind == ConsultationKind.FOLLOW_UP


def test_a_follow_up_takes_only_cases_from_an_earlier_agenda(setting):
    director = setting.users["director"]
    later = setting.plan(days=8)
    planning.consultation_update(
        consultation=later,
        by=director,
        version=later.version,
        scheduled_at=later.scheduled_at,
        location="Zaal 1",
        kind=ConsultationKind.FOLLOW_UP,
    )
    later.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        planning.agenda_item_add(consultation=later, by=director, case=setting.cases["z"])
    assert "eerdere agenda" in str(refused.value)
    item = planning.agenda_item_add(consultation=later, by=director, case=setting.cases["x"])
    assert item.case == setting.cases["x"]
    # The kind no longer changes once the agenda holds items.
    with pytest.raises(ValidationError):
        planning.consultation_update(
            consultation=later,
            by=director,
            version=later.version,
            scheduled_at=later.scheduled_at,
            location="Zaal 1",
            kind=ConsultationKind.EXPERT,
        )


def test_the_kind_is_chosen_in_the_create_form(setting, client):
    client.force_login(setting.users["director"])
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=5))
    response = client.post(
        reverse("consultations:create"),
        {
            "kind": ConsultationKind.TRIAGE,
            "legal_basis": setting.basis.pk,
            "scheduled_at": when.strftime("%Y-%m-%dT%H:%M"),
            "location": "Zaal 3",
            "secrecy_confirmed": "on",
        },
    )
    assert response.status_code == 302
    assert Consultation.objects.filter(kind=ConsultationKind.TRIAGE).count() == 1


# --- A triage table decides registrations ---


def _registration(setting):
    return registration_create(
        by=setting.users["helper"],
        owner_organisation=setting.orgs["city"],
        people=[PersonData(role="victim", first_name="Anna", last_name="Triage", age_band="25-44")],
        description="Melding na interventie.",
        urgency="urgent",
        ground=RegistrationGround.LEGAL,
        legal_ground=LegalGround.POLICE_REPORT,
        pv_number="PV-TR-0001",
    )


def _triage_table(setting):
    return planning.consultation_create(
        by=setting.users["director"],
        legal_basis=setting.basis,
        scheduled_at=timezone.now() + datetime.timedelta(days=2),
        location="Zaal 1",
        secrecy_confirmed=True,
        kind=ConsultationKind.TRIAGE,
    )


def test_a_triage_table_decides_registrations(setting, client):
    director = setting.users["director"]
    registration = _registration(setting)
    table = _triage_table(setting)
    # Cases do not go on a triage table's agenda; registrations do.
    with pytest.raises(ValidationError) as refused:
        planning.agenda_item_add(consultation=table, by=director, case=setting.cases["z"])
    assert "aanmeldingen" in str(refused.value)
    assert planning_selectors.agenda_suggestions(consultation=table, user=director) == []
    waiting = craft.registrations_awaiting_triage(consultation=table, user=director)
    assert [r.pk for r in waiting] == [registration.pk]
    client.force_login(director)
    url = reverse("consultations:triage_add", kwargs={"pk": table.pk})
    assert client.post(url, {"registration": registration.pk}).status_code == 302
    assert table.triage_items.get().registration == registration
    # Not twice, and no longer suggested.
    with pytest.raises(ValidationError):
        craft.triage_item_add(consultation=table, by=director, registration=registration)
    page = client.get(reverse("consultations:detail", kwargs={"pk": table.pk}))
    decide = reverse("registrations:decide", kwargs={"registration_pk": registration.pk})
    assert decide in page.content.decode()
    registration_decide(
        registration=registration,
        by=director,
        expected_version=registration.version,
        decision=RegistrationStatus.TAKEN_ON,
        track=3,
        lead_organisation=setting.orgs["city"],
        case_director=director,
    )
    detail = planning_selectors.consultation_detail(consultation=table, user=director)
    assert detail.triage_items[0].registration_status == RegistrationStatus.TAKEN_ON  # type: ignore[attr-defined]
    # A decided registration is not suggested for another table.
    other = _triage_table(setting)
    assert craft.registrations_awaiting_triage(consultation=other, user=director) == []


def test_only_a_triage_table_and_its_own_triage_put_registrations_on(setting):
    registration = _registration(setting)
    with pytest.raises(ValidationError):
        craft.triage_item_add(
            consultation=setting.consultation,
            by=setting.users["director"],
            registration=registration,
        )
    table = _triage_table(setting)
    # The CAW's director does not sit at city's triage table: not found, nothing added.
    with pytest.raises(ValidationError):
        craft.triage_item_add(
            consultation=table, by=setting.users["outsider"], registration=registration
        )
    assert not table.triage_items.exists()


# --- The attendance register ---


def test_the_register_is_kept_by_the_chair_once_the_meeting_started(setting):
    c = _with_participants(setting)
    with pytest.raises(ValidationError):
        _register(setting, c)
    _started(c)
    with pytest.raises(PermissionDenied):
        craft.attendance_record(
            consultation=c, by=setting.users["liaison"], version=None, entries={}
        )
    police = c.participants.get(name="Inspecteur Peeters")
    with pytest.raises(ValidationError) as refused:
        craft.attendance_record(
            consultation=c,
            by=c.chair,
            version=None,
            entries={police.pk: craft.AttendanceEntry(Attendance.REPRESENTED)},
        )
    assert set(refused.value.message_dict) == {
        f"represented_by_name_{police.pk}",
        f"represented_by_organisation_{police.pk}",
    }
    police.refresh_from_db()
    assert police.attendance == ""
    _register(setting, c, liaison=Attendance.APOLOGISED)
    police.refresh_from_db()
    assert police.attendance == Attendance.REPRESENTED
    assert police.represented_by_name == "Inspecteur Janssens"
    assert AuditEvent.objects.filter(purpose=craft.ATTENDANCE_PURPOSE).exists()


def test_minutes_list_who_was_present(setting):
    c = _with_participants(setting)
    director = setting.users["director"]
    before = consultation_document(user=director, consultation=c)
    assert before.attendance is not None and not before.attendance.kept
    _started(c)
    _register(setting, c, liaison=Attendance.APOLOGISED)
    document = consultation_document(user=director, consultation=c)
    register = document.attendance
    assert register is not None and register.kept
    assert [p.user for p in register.present] == [director]
    assert [p.user for p in register.apologised] == [setting.users["liaison"]]
    assert [p.represented_by_name for p in register.represented] == ["Inspecteur Janssens"]


def test_the_minutes_pdf_shows_the_register(setting, client):
    from django.template.loader import render_to_string
    from django.utils import translation

    c = _with_participants(setting)
    _started(c)
    _register(setting, c, liaison=Attendance.APOLOGISED)
    with translation.override("nl"):
        html = render_to_string(
            "consultations/documents/minutes.html",
            {
                "document": consultation_document(user=setting.users["director"], consultation=c),
                "consultation": c,
                "made_at": timezone.now(),
            },
        )
    assert "Inspecteur Janssens" in html
    assert "Verontschuldigd" in html and "Vertegenwoordigd door" in html


def test_disclosures_follow_the_register(setting):
    c = _with_participants(setting)
    _started(c)
    _register(setting, c, liaison=Attendance.APOLOGISED)
    item = AgendaItem.objects.select_related("consultation").get(pk=setting.items["x"].pk)
    liaison = c.participants.get(user=setting.users["liaison"])
    with pytest.raises(ValidationError) as refused:
        disclosure_record(
            agenda_item=item,
            by=c.chair,
            organisation=setting.orgs["parket"],
            shared_by=liaison,
            content="Lopend onderzoek.",
            client_consent=Consent.NOT_ASKED,
        )
    assert "shared_by" in refused.value.message_dict
    police = c.participants.get(name="Inspecteur Peeters")
    disclosure = disclosure_record(
        agenda_item=item,
        by=c.chair,
        organisation=setting.orgs["police"],
        shared_by=police,
        content="Twee eerdere interventies.",
        client_consent=Consent.NOT_ASKED,
    )
    heard = {row["participant"]: row for row in disclosure.shared_with}
    assert liaison.pk not in heard
    assert heard[police.pk]["represented_by"] == "Inspecteur Janssens"


def test_without_a_register_the_invitation_list_stands_in(setting):
    c = _with_participants(setting)
    item = AgendaItem.objects.select_related("consultation").get(pk=setting.items["x"].pk)
    liaison = c.participants.get(user=setting.users["liaison"])
    disclosure = disclosure_record(
        agenda_item=item,
        by=c.chair,
        organisation=setting.orgs["parket"],
        shared_by=liaison,
        content="Lopend onderzoek.",
        client_consent=Consent.NOT_ASKED,
    )
    assert len(disclosure.shared_with) == 3


def test_the_register_page_for_the_chair_only(setting, client):
    c = _started(_with_participants(setting))
    url = reverse("consultations:attendance", kwargs={"pk": c.pk})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for name, status in (("liaison", 403), ("outsider", 404), ("admin", 404)):
        client.force_login(setting.users[name])
        assert client.get(url).status_code == status, name
    client.force_login(setting.users["director"])
    data: dict[str, object] = {"version": c.version}
    for p in c.participants.all():
        data[f"attendance_{p.pk}"] = Attendance.PRESENT
    response = client.post(url, data)
    assert response.status_code == 302
    assert set(c.participants.values_list("attendance", flat=True)) == {Attendance.PRESENT}
    # The same version again: an edit conflict, nothing changed.
    data[f"attendance_{_chair_participant(c).pk}"] = Attendance.APOLOGISED
    assert client.post(url, data).status_code == 409
    assert _chair_participant(c).attendance == Attendance.PRESENT


# --- Secrecy confirmed on paper or orally ---


def test_the_chair_records_a_representatives_paper_confirmation(setting, client):
    c = _started(_with_participants(setting))
    _register(setting, c, liaison=Attendance.APOLOGISED)
    police = c.participants.get(name="Inspecteur Peeters")
    given = timezone.now() - datetime.timedelta(minutes=30)
    url = reverse("consultations:secrecy_record", kwargs={"pk": c.pk})
    client.force_login(setting.users["liaison"])
    assert client.get(url).status_code == 403
    client.force_login(setting.users["director"])
    response = client.post(
        url,
        {
            "who": f"r{police.pk}",
            "given_at": timezone.localtime(given).strftime("%Y-%m-%dT%H:%M"),
            "method": SecrecyMethod.PAPER,
        },
    )
    assert response.status_code == 302
    police.refresh_from_db()
    assert police.representative_secrecy_method == SecrecyMethod.PAPER
    assert police.representative_secrecy_at is not None
    event = AuditEvent.objects.get(purpose=craft.SECRECY_PURPOSE)
    assert event.detail["participant"] == police.pk and event.detail["representative"] is True
    # A named participant's own confirmation counts like the one in the application.
    craft.secrecy_record_given(
        consultation=c,
        by=c.chair,
        participant=police,
        for_representative=False,
        given_at=given,
        method=SecrecyMethod.ORAL,
    )
    police.refresh_from_db()
    assert police.secrecy_confirmed_at is not None and police.secrecy_given_to_chair


def test_secrecy_on_paper_is_refused_where_it_does_not_belong(setting):
    c = _started(_with_participants(setting))
    liaison = c.participants.get(user=setting.users["liaison"])
    police = c.participants.get(name="Inspecteur Peeters")
    now = timezone.now()
    cases = [
        (liaison, False, now, SecrecyMethod.PAPER, "who"),  # has an account
        (police, True, now, SecrecyMethod.PAPER, "who"),  # not represented in the register
        (police, False, now + datetime.timedelta(hours=2), SecrecyMethod.PAPER, "given_at"),
        (police, False, now, SecrecyMethod.IN_APP, "method"),
    ]
    for participant, representative, given_at, method, field in cases:
        with pytest.raises(ValidationError) as refused:
            craft.secrecy_record_given(
                consultation=c,
                by=c.chair,
                participant=participant,
                for_representative=representative,
                given_at=given_at,
                method=method,
            )
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        craft.secrecy_record_given(
            consultation=c,
            by=setting.users["liaison"],
            participant=police,
            for_representative=False,
            given_at=now,
            method=SecrecyMethod.ORAL,
        )
    police.refresh_from_db()
    assert police.secrecy_confirmed_at is None


# --- A review date brings a case back ---


def test_a_review_date_brings_a_case_back_on_a_later_agenda(setting, client):
    director = setting.users["director"]
    first = _started(setting.consultation, hours=24 * 10)
    item = setting.items["x"]
    item.refresh_from_db()
    review_on = timezone.localdate() + datetime.timedelta(days=5)
    url = reverse("consultations:item_review", kwargs={"pk": first.pk, "item_pk": item.pk})
    client.force_login(director)
    assert (
        client.post(url, {"review_on": review_on.isoformat(), "version": item.version}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.review_on == review_on
    # Too early for a consultation tomorrow; suggested for one after the review date.
    soon = setting.plan(days=1)
    reasons = {
        s.case.pk: s.reasons
        for s in planning_selectors.agenda_suggestions(consultation=soon, user=director)
    }
    assert not any("herbesprekingsdatum" in r for r in reasons.get(item.case_id, []))
    later = setting.plan(days=7)
    suggestions = planning_selectors.agenda_suggestions(consultation=later, user=director)
    reasons = {s.case.pk: s.reasons for s in suggestions}
    assert any("herbesprekingsdatum" in r for r in reasons[item.case_id])
    # On the deadline board of the case director, until a later agenda takes it up.
    board = deadline_board(user=director, kinds=[CONSULTATION_REVIEW])
    assert [i.case_pk for i in board.items] == [item.case_id]
    planning.agenda_item_add(consultation=later, by=director, case=item.case)
    assert deadline_board(user=director, kinds=[CONSULTATION_REVIEW]).items == []
    assert deadline_board(user=setting.users["outsider"], kinds=[CONSULTATION_REVIEW]).items == []


def test_a_review_date_lies_after_the_meeting(setting, client):
    item = setting.items["x"]
    item.refresh_from_db()
    with pytest.raises(ValidationError):
        craft.agenda_item_set_review(
            item=item,
            by=setting.users["director"],
            version=item.version,
            review_on=timezone.localdate(),
        )
    with pytest.raises(PermissionDenied):
        craft.agenda_item_set_review(
            item=item,
            by=setting.users["liaison"],
            version=item.version,
            review_on=timezone.localdate() + datetime.timedelta(days=30),
        )
    item.refresh_from_db()
    assert item.review_on is None
    url = reverse(
        "consultations:item_review", kwargs={"pk": item.consultation_id, "item_pk": item.pk}
    )
    for name, status in (("outsider", 404), ("admin", 404)):
        client.force_login(setting.users[name])
        assert client.get(url).status_code == status, name
