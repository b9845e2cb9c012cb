"""Agenda and minutes PDFs of an art. 458ter consultation: who may download them, what they show."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from access.models import AuditAction, AuditEvent
from consultations.models import Consent, ConsultationAccess
from consultations.services.minutes import (
    agenda_item_record_decisions,
    consultation_action_add,
    disclosure_record,
)

from .consultation_helpers import make_consultation, participant

pytestmark = pytest.mark.django_db


def pdf_url(consultation, kind: str) -> str:
    return reverse(f"consultations:{kind}_pdf", kwargs={"pk": consultation.pk})


def pdf_pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_who_may_download_the_documents(world, client):
    consultation = make_consultation(
        world,
        case_keys=("city_a_shared", "city_a"),
        participants=("partner_police_a", "liaison_parket_a"),
    )
    # Taking part without having confirmed the duty of secrecy.
    unconfirmed = make_consultation(world, participants=("partner_partner_a",), confirmed=False)

    for kind in ("agenda", "minutes"):
        url = pdf_url(consultation, kind)
        for username in ("director_city_a", "partner_police_a", "liaison_parket_a"):
            client.force_login(world.users[username])
            response = client.get(url)
            assert response.status_code == 200, (username, kind)
            assert response["Content-Type"] == "application/pdf"
            assert response["Content-Disposition"] == (
                f'attachment; filename="casusoverleg-{consultation.pk}-{kind}.pdf"'
            )
        for username in ("director_caw_b", "liaison_parket_b", "admin_city_a", "superuser"):
            client.force_login(world.users[username])
            assert client.get(url).status_code == 404, (username, kind)
        client.force_login(world.users["partner_partner_a"])
        assert client.get(pdf_url(unconfirmed, kind)).status_code == 404
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    exports = AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_type="consultations.consultation"
    )
    assert exports.filter(user=world.users["partner_police_a"]).count() == 2
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, user=world.users["director_caw_b"]
    ).exists()

    # After the access period the participant from outside the case team gets nothing;
    # the chair still has the consultation's own record.
    with time_machine.travel(consultation.access_closes_at + datetime.timedelta(minutes=1)):
        client.force_login(world.users["partner_police_a"])
        assert client.get(pdf_url(consultation, "minutes")).status_code == 404
        client.force_login(world.users["director_city_a"])
        assert client.get(pdf_url(consultation, "minutes")).status_code == 200


def test_the_documents_show_only_the_cases_the_user_may_open(world, client):
    consultation = make_consultation(
        world, case_keys=("city_a_shared", "city_a"), participants=("partner_police_a",)
    )
    chair = world.users["director_city_a"]
    shared, own = (
        consultation.agenda_items.get(case=world.cases[k]) for k in ("city_a_shared", "city_a")
    )
    disclosure_record(
        agenda_item=shared,
        by=chair,
        organisation=world.orgs["police_a"],
        shared_by=participant(consultation, world.users["partner_police_a"]),
        content="Interventie politie vorige week",
        client_consent=Consent.NO,
    )
    agenda_item_record_decisions(
        agenda_item=shared, by=chair, expected_version=1, decisions="Gezamenlijke risicotaxatie"
    )
    consultation_action_add(
        agenda_item=shared,
        by=chair,
        description="Contact met school opnemen",
        due_on=timezone.localdate(),
        assignee_user=chair,
    )
    # The police participant's access to the second case ends (e.g. taken off for them).
    ConsultationAccess.objects.filter(agenda_item=own).update(ended_at=timezone.now())

    client.force_login(world.users["partner_police_a"])
    agenda = "\n".join(pdf_pages(client.get(pdf_url(consultation, "agenda"))))
    minutes_pages = pdf_pages(client.get(pdf_url(consultation, "minutes")))
    minutes = "\n".join(minutes_pages)
    for text in (agenda, minutes):
        assert shared.case.reference in text
        assert own.case.reference not in text
        assert consultation.legal_basis.reference in text
    for page in minutes_pages:
        assert "Vertrouwelijk" in page and "458ter" in page
    for text in (
        "Interventie politie vorige week",
        "Gezamenlijke risicotaxatie",
        "Contact met school",
    ):
        assert text in minutes
    assert "Hoog risico" in agenda

    client.force_login(chair)
    agenda = "\n".join(pdf_pages(client.get(pdf_url(consultation, "agenda"))))
    assert shared.case.reference in agenda and own.case.reference in agenda
