"""Issue 19 leftovers: the reasons for not taking on are a managed list (migration cases/0034
keeps every value); the registrant corrects or withdraws a registration before a decision; a
decision taken at a triage-table consultation records it."""

import datetime
import importlib
import subprocess

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    NotTakenOnReason,
    Registration,
    RegistrationStatus,
    RegistrationStatusRecord,
)
from cases.selectors.registrations import triage_queue
from cases.services.registrations import (
    PersonData,
    registration_correct,
    registration_create,
    registration_decide,
    registration_withdraw,
)
from common.versioning import EditConflict
from notices.models import NoticeKind, Notification
from reporting.figures.period import Period
from reporting.figures.registrations import decisions

MIGRATION = importlib.import_module("cases.migrations.0034_registration_reasons")

pytestmark = pytest.mark.django_db
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def _register(world, **changes):
    data = {
        "by": world.users["partner_police_a"],
        "owner_organisation": world.orgs["city_a"],
        "people": [PersonData("victim", "Ilse", "Correctie", age_band="25-44")],
        "description": "Ruzie.",
        "ground": "legal",
        "legal_ground": "police_report",
        "pv_number": "PV-C-1",
    }
    data.update(changes)
    return registration_create(**data)


def _url(name, registration):
    return reverse(f"registrations:{name}", kwargs={"registration_pk": registration.pk})


# --- the managed list and its migration ---


def test_the_migration_keeps_every_former_value_and_a_second_run_adds_nothing(world):
    registration = _register(world)
    by = world.users["director_city_a"]
    # A value the fixed list never had (a hand-made row): the foreign key is checked at commit.
    RegistrationStatusRecord.objects.create(
        registration=registration, status="not_taken_on", recorded_by=by, reason_id="legacy_x"
    )
    MIGRATION.forward(apps, None)
    MIGRATION.forward(apps, None)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # every reason now has its entry
    legacy = NotTakenOnReason.objects.get(code="legacy_x")
    assert (legacy.name_nl, legacy.is_active) == ("legacy_x", False)
    shipped = dict(NotTakenOnReason.objects.values_list("code", "name_nl"))
    assert shipped["regular_care"] == "Doorverwezen naar reguliere hulp"
    assert set(shipped) == {
        "no_family_violence",
        "outside_area",
        "regular_care",
        "already_followed",
        "client_refuses",
        "other",
        "legacy_x",
    }
    assert NotTakenOnReason.objects.get(code="other").needs_explanation


def test_an_inactive_reason_is_not_offered_and_a_new_one_is_counted(client, world):
    registration = _register(world)
    NotTakenOnReason.objects.filter(code="client_refuses").update(is_active=False)
    added = NotTakenOnReason.objects.create(
        code="capacity", name_nl="Geen capaciteit", name_en="No capacity", order=5
    )
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("decide", registration), **NL).content.decode()
    assert "Geen capaciteit" in page and "De cliënt weigert" not in page
    refused = client.post(
        _url("decide", registration),
        {"version": registration.version, "decision": "not_taken_on", "reason": "client_refuses"},
        **NL,
    )
    assert refused.status_code == 200  # an inactive reason is not a valid choice
    response = client.post(
        _url("decide", registration),
        {"version": registration.version, "decision": "not_taken_on", "reason": "capacity"},
        **NL,
    )
    assert response.status_code == 302
    assert registration.status_records.last().reason == added
    today = timezone.localdate()
    table = decisions(Period(start=today.replace(month=1, day=1), end=today))
    counts = dict(zip(table.row_keys, [row[1] for row in table.rows], strict=True))
    assert counts["not_taken_on:capacity"] == 1
    assert "not_taken_on:client_refuses" not in counts  # inactive and never used
    client.force_login(world.users["partner_police_a"])
    assert (
        "Niet opgenomen: Geen capaciteit"
        in client.get(reverse("registrations:mine")).content.decode()
    )


def test_a_reason_that_needs_an_explanation_gets_one(world):
    registration = _register(world)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        registration_decide(
            registration=registration,
            by=world.users["director_city_a"],
            expected_version=registration.version,
            decision=RegistrationStatus.NOT_TAKEN_ON,
            reason=NotTakenOnReason.objects.get(code="other"),
        )
    assert "reason_text" in refused.value.message_dict


# --- correcting and withdrawing ---


def test_the_registrant_and_a_colleague_correct_it_with_history_and_version(client, world):
    registration = _register(world)
    client.force_login(world.users["partner_police_a"])
    page = client.get(_url("correct", registration), **NL)
    assert page.status_code == 200 and "Ilse" in page.content.decode()
    data = {
        "version": registration.version,
        "description": "Ruzie, gecorrigeerd.",
        "urgency": "normal",
        "ground": "legal",
        "legal_ground": "police_report",
        "pv_number": "PV-C-2",
        "person-1-role": "victim",
        "person-1-first_name": "Ilse",
        "person-1-last_name": "Correctie",
        "person-1-age_band": "25-44",
        "person-2-role": "child",
        "person-2-first_name": "Tim",
        "person-2-last_name": "Correctie",
        "person-2-age_band": "0-5",
    }
    response = client.post(_url("correct", registration), data, **NL)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.pv_number == "PV-C-2" and registration.version == 2
    assert registration.people.count() == 2
    latest = registration.history.first()
    assert latest.history_user == world.users["partner_police_a"]
    assert latest.history_change_reason == "correction by the registrant"
    # The same form again (its version is stale now): 409, nothing overwritten.
    stale = client.post(_url("correct", registration), {**data, "pv_number": "PV-C-3"}, **NL)
    assert stale.status_code in (302, 409)  # a double submission is sent back to the result
    registration.refresh_from_db()
    assert registration.pv_number == "PV-C-2"
    with pytest.raises(EditConflict):
        registration_correct(
            registration=registration,
            by=world.users["partner_police_a"],
            expected_version=1,
            people=[PersonData("victim", "Ilse", "Correctie", age_band="25-44")],
            description="x",
            ground="legal",
            legal_ground="police_report",
            pv_number="PV-C-9",
        )
    # The triage reads that it was corrected.
    client.force_login(world.users["director_city_a"])
    assert (
        "Correcties door de aanmelder"
        in client.get(_url("detail", registration), **NL).content.decode()
    )


def test_who_may_correct_and_withdraw_exact_status_codes(client, world):
    registration = _register(world)
    expected = {
        "partner_police_a": 200,
        "director_city_a": 403,  # the triage table sees it but does not correct it
        "opslead_city_a": 403,
        "partner_caw_a": 404,
        "director_city_b": 404,
        "admin": 404,
    }
    for name in ("correct", "withdraw"):
        for username, status in expected.items():
            if username not in world.users:
                continue
            client.force_login(world.users[username])
            assert client.get(_url(name, registration)).status_code == status, (name, username)
    client.logout()
    assert client.get(_url("withdraw", registration)).status_code == 302


def test_withdrawn_before_a_decision_shows_in_the_queue_and_is_not_decided(client, world):
    registration = _register(world)
    client.force_login(world.users["partner_police_a"])
    response = client.post(
        _url("withdraw", registration),
        {"version": registration.version, "reason": ""},
        **NL,
    )
    assert response.status_code == 200
    assert "Zeg waarom u de aanmelding intrekt." in response.content.decode()
    response = client.post(
        _url("withdraw", registration),
        {"version": registration.version, "reason": "Dubbele aanmelding."},
        **NL,
    )
    assert response.status_code == 302
    assert registration.status_records.last().status == RegistrationStatus.WITHDRAWN
    # The triage table is told, through the notices.
    told = set(
        Notification.objects.filter(kind=NoticeKind.REGISTRATION_WITHDRAWN).values_list(
            "user__username", flat=True
        )
    )
    assert {"director_city_a", "opslead_city_a"} <= told
    assert "partner_police_a" not in told
    # In the queue as withdrawn, with no decision link on its page.
    rows = triage_queue(user=world.users["director_city_a"])
    row = next(r for r in rows if r.registration.pk == registration.pk)
    assert row.is_withdrawn and not row.is_open
    client.force_login(world.users["director_city_a"])
    queue = client.get(reverse("registrations:triage"), **NL).content.decode()
    assert "Ingetrokken" in queue
    assert (
        _url("decide", registration)
        not in client.get(_url("detail", registration)).content.decode()
    )
    refused = client.post(
        _url("decide", registration),
        {"version": registration.version + 1, "decision": "waiting_list"},
        **NL,
    )
    registration.refresh_from_db()
    assert refused.status_code == 200
    assert "Deze aanmelding werd ingetrokken." in refused.content.decode()
    # Neither corrected nor withdrawn again.
    client.force_login(world.users["partner_police_a"])
    assert client.get(_url("correct", registration)).status_code == 403
    assert client.get(_url("withdraw", registration)).status_code == 403


def test_after_a_decision_no_correction_and_no_withdrawal(client, world):
    registration = _register(world)
    registration_decide(
        registration=registration,
        by=world.users["director_city_a"],
        expected_version=registration.version,
        decision=RegistrationStatus.NOT_TAKEN_ON,
        reason=NotTakenOnReason.objects.get(code="outside_area"),
    )
    client.force_login(world.users["partner_police_a"])
    assert client.get(_url("correct", registration)).status_code == 403
    assert (
        client.post(_url("withdraw", registration), {"reason": "x", "version": 9}).status_code
        == 403
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        registration_withdraw(
            registration=registration,
            by=world.users["partner_police_a"],
            expected_version=registration.version,
            reason="Te laat.",
        )
    assert registration.status_records.last().status == RegistrationStatus.NOT_TAKEN_ON


# --- a decision at a triage-table consultation ---


def _triage_table(world, registration, *, days=0):
    from consultations.models import ConsultationKind, TriageItem

    consultation = world.consultation
    type(consultation).objects.filter(pk=consultation.pk).update(
        kind=ConsultationKind.TRIAGE,
        scheduled_at=timezone.now() - datetime.timedelta(days=days),
    )
    consultation.refresh_from_db()
    TriageItem.objects.create(
        consultation=consultation, registration=registration, added_by=consultation.chair
    )
    return consultation


def test_a_decision_at_the_triage_table_records_it_and_the_pages_show_it(client, world):
    registration = _register(world)
    consultation = _triage_table(world, registration)
    client.force_login(world.users["director_city_a"])
    page = client.get(_url("decide", registration) + f"?consultation={consultation.pk}", **NL)
    assert f'<option value="{consultation.pk}" selected' in page.content.decode()
    response = client.post(
        _url("decide", registration),
        {
            "version": registration.version,
            "decision": "not_taken_on",
            "reason": "outside_area",
            "consultation": consultation.pk,
        },
        **NL,
    )
    assert response.status_code == 302
    record = registration.status_records.last()
    assert record.consultation == consultation
    detail = client.get(_url("detail", registration), **NL).content.decode()
    assert "Beslist op de triagetafel van" in detail
    page = client.get(reverse("consultations:detail", kwargs={"pk": consultation.pk}), **NL)
    assert "Beslist op deze triagetafel: Niet opgenomen: Buiten het werkgebied" in (
        page.content.decode()
    )
    # The minutes PDF lists it: the reference, the decision; no person of the registration.
    from consultations.selectors.minutes import consultation_document

    document = consultation_document(user=world.users["director_city_a"], consultation=consultation)
    assert [line.reference for line in document.triage] == [registration.reference]
    pdf = client.get(reverse("consultations:minutes_pdf", kwargs={"pk": consultation.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # The agenda PDF lists the registrations to triage: reference, when, from whom; no person.
    agenda = client.get(reverse("consultations:agenda_pdf", kwargs={"pk": consultation.pk}))
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=agenda.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Aanmeldingen voor de triage" in text
    assert registration.reference in text
    assert str(registration.registrant_organisation) in text
    for person in registration.people.all():
        assert person.last_name not in text
    # The registrant reads the outcome, not where it was decided.
    client.force_login(world.users["partner_police_a"])
    assert "triagetafel" not in client.get(_url("detail", registration), **NL).content.decode()


def test_a_consultation_that_does_not_hold_the_registration_is_refused(world):
    registration = _register(world)
    other = _register(world, pv_number="PV-C-OTHER")
    consultation = _triage_table(world, other)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        registration_decide(
            registration=registration,
            by=world.users["director_city_a"],
            expected_version=registration.version,
            decision=RegistrationStatus.WAITING_LIST,
            consultation=consultation,
        )
    assert "consultation" in refused.value.message_dict
    assert Registration.objects.get(pk=registration.pk).version == registration.version
