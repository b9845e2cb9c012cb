"""Registrations by partners and their triage (issue 19, parts 1 and 2).

Done when: a police user registers a family; triage decides track 3 with a case director; the
case exists with its people; the police user sees "taken on in track 3" and gets 404 on the
case. Also: not taken on with a reason, the waiting list, hit/no-hit that shows the triage
user nothing they may not see, double submission, a refused attachment, the audit trail.
"""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from access.models import AuditAction, AuditEvent
from access.purposes import purpose_label
from cases.models import (
    Case,
    CaseDocument,
    CaseParty,
    HitNotice,
    Registration,
    RegistrationAttachment,
    RegistrationStatus,
)
from cases.services import person_create_in_case
from cases.services.registrations import PersonData, registration_create, registration_decide
from common.versioning import EditConflict

from . import party_roles as pr
from .factories import make_case

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}
CREATE = reverse("registrations:create")
MINE = reverse("registrations:mine")
TRIAGE = reverse("registrations:triage")


def detail_url(registration) -> str:
    return reverse("registrations:detail", kwargs={"registration_pk": registration.pk})


def decide_url(registration) -> str:
    return reverse("registrations:decide", kwargs={"registration_pk": registration.pk})


def family_form(world, **changes):
    """The registration form as a police officer fills it in: a family of three."""
    data = {
        "owner_organisation": world.orgs["city_a"].pk,
        "description": "Slaande ruzie, buren belden de politie.",
        "happened_on": (datetime.date.today() - datetime.timedelta(days=2)).isoformat(),
        "urgency": "urgent",
        "risk_threat_to_kill": "on",
        "children_present": "on",
        "ground": "legal",
        "legal_ground": "police_report",
        "pv_number": "PV-ME-2026-123",
        "person-1-role": "victim",
        "person-1-first_name": "Nadia",
        "person-1-last_name": "Registra",
        "person-1-date_of_birth": "1990-04-05",
        "person-2-role": "perpetrator",
        "person-2-first_name": "Pieter",
        "person-2-last_name": "Registra",
        "person-2-age_band": "25-44",
        "person-3-role": "child",
        "person-3-first_name": "Lou",
        "person-3-last_name": "Registra",
        "person-3-date_of_birth": "2019-06-01",
    }
    data.update(changes)
    return data


def register(client, world, **changes):
    client.force_login(world.users["partner_police_a"])
    return client.post(CREATE, family_form(world, **changes), **NL)


def test_done_when_police_registers_triage_takes_on_in_track_3(client, world):
    response = register(client, world)
    assert response.status_code == 302, response.content.decode()[:2000]
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    assert registration.registrant_organisation == world.orgs["police_a"]
    assert registration.people.count() == 3
    # The registrant sees it as received.
    page = client.get(MINE, **NL).content.decode()
    assert registration.reference in page and "Ontvangen" in page

    # The triage table of city A decides: track 3, city A leads, director_city_a directs.
    director = world.users["director_city_a"]
    client.force_login(director)
    assert registration.reference in client.get(TRIAGE, **NL).content.decode()
    response = client.post(
        decide_url(registration),
        {
            "version": registration.version,
            "decision": "taken_on",
            "track": 3,
            "lead_organisation": world.orgs["city_a"].pk,
            "case_director": director.pk,
        },
        **NL,
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    case = registration.case
    assert case is not None and case.track == 3 and case.case_director == director
    assert case.owner_organisation == world.orgs["city_a"]
    assert case.referrer_organisation == world.orgs["police_a"]
    # The registered role becomes a family position and roles in the violence.
    people = {
        (p.person.first_name, p.position, tuple(p.roles))
        for p in CaseParty.objects.filter(case=case).select_related("person")
    }
    assert people == {
        ("Nadia", "", ("victim",)),
        ("Pieter", "", ("perpetrator",)),
        ("Lou", "child", ()),
    }
    # The decided registration leaves the queue; the triage user gets a link to the case.
    assert registration.reference not in client.get(TRIAGE, **NL).content.decode()
    assert reverse("cases:detail", kwargs={"pk": case.pk}) in (
        client.get(detail_url(registration), **NL).content.decode()
    )

    # The police user sees "taken on in track 3" and never the case.
    client.force_login(world.users["partner_police_a"])
    page = client.get(MINE, **NL).content.decode()
    assert "Opgenomen in spoor 3" in page
    detail = client.get(detail_url(registration), **NL).content.decode()
    assert "Opgenomen in spoor 3" in detail and case.reference not in detail
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 404


def test_not_taken_on_needs_a_reason_and_the_registrant_sees_it(client, world):
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    client.force_login(world.users["opslead_city_a"])
    refused = client.post(
        decide_url(registration),
        {"version": registration.version, "decision": "not_taken_on"},
        **NL,
    )
    assert refused.status_code == 200
    assert "Kies de reden." in refused.content.decode()
    assert registration.status_records.count() == 1  # received only: nothing changed
    response = client.post(
        decide_url(registration),
        {
            "version": registration.version,
            "decision": "not_taken_on",
            "reason": "regular_care",
            "reason_text": "Doorverwezen naar het CAW.",
        },
        **NL,
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.case is None
    client.force_login(world.users["partner_police_a"])
    page = client.get(MINE, **NL).content.decode()
    assert "Niet opgenomen: Doorverwezen naar reguliere hulp" in page
    # A decided registration is not decided again.
    client.force_login(world.users["director_city_a"])
    again = client.post(
        decide_url(registration),
        {"version": registration.version, "decision": "waiting_list"},
        **NL,
    )
    assert "Over deze aanmelding werd al beslist." in again.content.decode()


def test_waiting_list_shows_waiting_time_and_can_be_taken_on_later(client, world):
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    Registration.objects.filter(pk=registration.pk).update(
        registered_at=registration.registered_at - datetime.timedelta(days=9)
    )
    client.force_login(world.users["director_city_a"])
    client.post(
        decide_url(registration), {"version": registration.version, "decision": "waiting_list"}
    )
    registration.refresh_from_db()
    queue = client.get(TRIAGE, **NL).content.decode()
    assert registration.reference in queue
    assert "Wachtlijst" in queue and "wacht sinds" in queue and "9 dagen" in queue
    client.force_login(world.users["partner_police_a"])
    assert "Wachtlijst" in client.get(MINE, **NL).content.decode()
    record = registration_decide(
        registration=registration,
        by=world.users["director_city_a"],
        expected_version=registration.version,
        decision=RegistrationStatus.TAKEN_ON,
        track=2,
        lead_organisation=world.orgs["city_a"],
        case_director=world.users["director_city_a"],
    )
    assert record.track == 2 and registration.case is not None


def test_two_triage_users_deciding_at_once_the_second_gets_a_conflict(client, world):
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    opened_with = registration.version
    registration_decide(
        registration=registration,
        by=world.users["opslead_city_a"],
        expected_version=opened_with,
        decision=RegistrationStatus.WAITING_LIST,
    )
    client.force_login(world.users["director_city_a"])
    response = client.post(
        decide_url(registration),
        {"version": opened_with, "decision": "not_taken_on", "reason": "outside_area"},
        **NL,
    )
    assert response.status_code == 409
    assert "Iemand anders" in response.content.decode()
    statuses = list(registration.status_records.values_list("status", flat=True))
    assert statuses == ["received", "waiting_list"]
    with pytest.raises(EditConflict):
        registration_decide(
            registration=registration,
            by=world.users["director_city_a"],
            expected_version=opened_with,
            decision=RegistrationStatus.WAITING_LIST,
        )


def test_hit_no_hit_shows_the_triage_user_only_what_they_may_see(client, world):
    # Nadia is known in a case of city A (the triage's own) and Lou in a case of CAW B.
    own = make_case(world.users["director_city_a"])
    other = make_case(world.users["director_caw_b"])
    person_create_in_case(
        case=own,
        by=world.users["director_city_a"],
        **pr.VICTIM,
        first_name="Nadia",
        last_name="Registra",
        date_of_birth=datetime.date(1990, 4, 5),
    )
    person_create_in_case(
        case=other,
        by=world.users["director_caw_b"],
        **pr.CHILD,
        first_name="Lou",
        last_name="Registra",
        date_of_birth=datetime.date(2019, 6, 1),
    )
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    # The registrant is told nothing.
    page = client.get(detail_url(registration), **NL).content.decode()
    assert own.reference not in page and other.reference not in page
    assert "treffer" not in page.lower()
    # The triage user sees the case they may see, and only that there is another hit.
    client.force_login(world.users["director_city_a"])
    page = client.get(detail_url(registration), **NL).content.decode()
    assert own.reference in page
    assert other.reference not in page and "CAW Beta" not in page
    assert "treffer in een dossier dat u niet mag zien" in page
    # The other side got a notice naming the receiving organisation only.
    notice = HitNotice.objects.get(case=other, registration=registration)
    assert notice.recipient == world.users["director_caw_b"]
    assert notice.other_organisation == world.orgs["city_a"]
    # ... and, like a hit between cases, in their notices: their own case's reference only.
    from notices.models import NoticeKind, Notification

    shown = Notification.objects.get(user=notice.recipient, kind=NoticeKind.HIT)
    assert shown.reference == other.reference
    assert AuditEvent.objects.filter(
        action=AuditAction.NOTICE, object_id=str(notice.pk), object_type="cases.hitnotice"
    ).exists()
    client.force_login(world.users["director_caw_b"])
    home = client.get(reverse("home"), **NL).content.decode()
    assert "Een aanmelding bij Stad Alfa" in home
    # The operations lead (no case access) sees no case, only that there are hits.
    client.force_login(world.users["opslead_city_a"])
    page = client.get(detail_url(registration), **NL).content.decode()
    assert own.reference not in page and "treffer in een dossier dat u niet mag zien" in page


def test_taking_on_links_a_person_the_decider_may_see_and_creates_the_others(client, world):
    own = make_case(world.users["director_city_a"])
    known = person_create_in_case(
        case=own,
        by=world.users["director_city_a"],
        **pr.VICTIM,
        first_name="Nadia",
        last_name="Registra",
        date_of_birth=datetime.date(1990, 4, 5),
    ).person
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    registration_decide(
        registration=registration,
        by=world.users["director_city_a"],
        expected_version=registration.version,
        decision=RegistrationStatus.TAKEN_ON,
        track=3,
        lead_organisation=world.orgs["city_a"],
        case_director=world.users["director_city_a"],
    )
    parties = CaseParty.objects.filter(case=registration.case)
    assert parties.count() == 3
    assert parties.get(is_victim=True).person_id == known.pk


def test_a_screening_note_puts_it_in_triage_for_the_registrant_too(client, world):
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    client.force_login(world.users["director_city_a"])
    url = reverse("registrations:note_add", kwargs={"registration_pk": registration.pk})
    assert client.post(url, {"text": "Gekend bij het CAW?"}).status_code == 302
    assert client.post(url, {"text": "Tweede nota."}).status_code == 302
    statuses = list(registration.status_records.values_list("status", flat=True))
    assert statuses == ["received", "in_triage"]
    client.force_login(world.users["partner_police_a"])
    page = client.get(detail_url(registration), **NL).content.decode()
    assert "In triage" in page and "Gekend bij het CAW?" not in page
    # The registrant's organisation sees the registration but may not screen it.
    assert client.post(url, {"text": "x"}).status_code == 403


def test_no_hit_when_nobody_is_known(client, world):
    register(client, world)
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    client.force_login(world.users["director_city_a"])
    page = client.get(detail_url(registration), **NL).content.decode()
    assert "Geen treffer" in page
    assert not HitNotice.objects.filter(registration=registration).exists()


def test_double_submission_registers_once(client, world):
    client.force_login(world.users["partner_police_a"])
    page = client.get(CREATE).content.decode()
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    data = {**family_form(world), "submission_token": token}
    first = client.post(CREATE, data)
    second = client.post(CREATE, data)
    assert first.status_code == 302 and second.status_code == 302
    assert Registration.objects.filter(pv_number="PV-ME-2026-123").count() == 1


def test_bad_input_creates_nothing_with_dutch_messages(client, world):
    before = Registration.objects.count()
    response = register(
        client,
        world,
        **{
            "ground": "legal",
            "pv_number": "",
            "person-1-role": "",
            "person-1-first_name": "",
            "person-1-last_name": "",
            "person-1-date_of_birth": "",
            "person-2-role": "",
            "person-2-first_name": "",
            "person-2-last_name": "",
            "person-2-age_band": "unknown",
            "person-3-role": "",
            "person-3-first_name": "",
            "person-3-last_name": "",
            "person-3-date_of_birth": "",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Geef het nummer van het proces-verbaal (pv)." in content
    assert Registration.objects.count() == before
    # The ground named, no person: refused too.
    response = register(
        client,
        world,
        **{
            f"person-{n}-{field}": ""
            for n in (1, 2, 3)
            for field in ("role", "first_name", "last_name", "date_of_birth")
        },
    )
    assert "Geef minstens één persoon." in response.content.decode()
    assert Registration.objects.count() == before


def test_an_attachment_of_a_refused_kind_is_refused_in_dutch(client, world):
    before = (Registration.objects.count(), RegistrationAttachment.objects.count())
    response = register(
        client,
        world,
        attachments=SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hello"),
    )
    assert response.status_code == 200
    assert "Dit soort bestand wordt niet aanvaard" in response.content.decode()
    assert (Registration.objects.count(), RegistrationAttachment.objects.count()) == before
    # The browser empties the file input of the page that comes back: the form says so.
    assert "Kies het bestand opnieuw" in response.content.decode()
    assert (
        "Kies het bestand opnieuw"
        not in client.get(reverse("registrations:create")).content.decode()
    )
    # An allowed one is kept privately and downloads for the registrant, audited.
    response = register(
        client, world, attachments=SimpleUploadedFile("pv.pdf", b"%PDF-1.7 the report")
    )
    assert response.status_code == 302
    attachment = RegistrationAttachment.objects.get(registration__pv_number="PV-ME-2026-123")
    stored = str(attachment.file.name)
    assert "registration-attachments/" in stored
    assert "pv" not in stored.rsplit("/", 1)[-1]
    url = reverse(
        "registrations:attachment",
        kwargs={"registration_pk": attachment.registration_id, "attachment_pk": attachment.pk},
    )
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.7 the report"
    client.force_login(world.users["partner_police_b"])
    assert client.get(url).status_code == 404


def test_attachments_become_confidential_documents_of_the_case_taken_on(client, world):
    response = register(
        client, world, attachments=SimpleUploadedFile("pv.pdf", b"%PDF-1.7 the report")
    )
    assert response.status_code == 302
    registration = Registration.objects.get(pv_number="PV-ME-2026-123")
    registration_decide(
        registration=registration,
        by=world.users["director_city_a"],
        expected_version=registration.version,
        decision=RegistrationStatus.TAKEN_ON,
        track=3,
        lead_organisation=world.orgs["city_a"],
        case_director=world.users["director_city_a"],
    )
    document = CaseDocument.objects.get(case=registration.case)
    assert document.confidential and document.title == "pv.pdf"
    version = document.versions.get()
    with version.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.7 the report"


def test_reads_are_audited_with_a_dutch_purpose(client, world):
    registration = world.directory["registration_pk"]
    for username in ("director_city_a", "partner_police_a"):
        client.force_login(world.users[username])
        assert client.get(detail_url(registration)).status_code == 200
        event = AuditEvent.objects.filter(
            user=world.users[username],
            object_type="cases.registration",
            object_id=str(registration.pk),
            action=AuditAction.VIEW,
        ).latest("id")
        assert event.purpose == "read registration"
    with translation.override("nl"):
        assert purpose_label("read registration") == "aanmelding gelezen"
    # Someone outside: 404 and a denial in the audit trail.
    client.force_login(world.users["partner_police_b"])
    assert client.get(detail_url(registration)).status_code == 404
    assert AuditEvent.objects.filter(
        user=world.users["partner_police_b"],
        action=AuditAction.DENIED,
        object_type="cases.registration",
    ).exists()


def test_only_a_registering_role_registers_through_the_service(world):
    with pytest.raises(PermissionError):
        registration_create(
            by=world.users["director_city_a"],
            owner_organisation=world.orgs["city_a"],
            people=[PersonData(role="victim", first_name="A", last_name="B", age_band="25-44")],
            description="x",
            ground="consent",
            consent_given_by="A",
            consent_given_on=datetime.date.today(),
        )
    with pytest.raises(PermissionError):
        registration_decide(
            registration=world.directory["registration_pk"],
            by=world.users["partner_police_a"],
            expected_version=None,
            decision=RegistrationStatus.WAITING_LIST,
        )
    assert not Case.objects.filter(registration__isnull=False).exists()
