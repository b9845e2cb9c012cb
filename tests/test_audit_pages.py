"""The auditor's audit-trail page and the data-subject access report (issue 14, items 4, 7)."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from access.audit import record
from access.models import AuditAction, AuditEvent
from accounts.roles import RoleCode
from cases.models import CaseParty

from . import party_roles as pr
from .factories import make_user

pytestmark = pytest.mark.django_db

TRAIL = reverse("reporting:audit_trail")
SEARCH = reverse("reporting:subject_access_search")


@pytest.fixture
def dpo(world):
    return make_user("dpo_test", world.orgs["vo_a"], RoleCode.AUDITOR)


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        (None, 302),
        ("admin_city_a", 403),
        ("director_city_a", 403),
        ("opslead_city_a", 403),
        ("superuser", 403),
    ],
)
@pytest.mark.parametrize("url", [TRAIL, SEARCH])
def test_only_the_auditor_reads_the_trail(world, client, username, status, url):
    if username:
        client.force_login(world.users[username])
    response = client.get(url)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("login"))


def test_the_auditor_reads_filters_and_is_recorded(world, client, dpo):
    case = world.cases["caw_a"]
    client.force_login(world.users["director_caw_a"])
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    client.force_login(dpo)
    response = client.get(TRAIL, {"case_id": case.pk, "action": AuditAction.VIEW})
    assert response.status_code == 200
    events = response.context["events"]
    assert events and all(e.case_id == case.pk and e.action == AuditAction.VIEW for e in events)
    review = AuditEvent.objects.latest("id")
    assert (review.action, review.purpose, review.user) == (AuditAction.LIST, "audit review", dpo)
    assert review.detail["filters"] == {"case_id": str(case.pk), "action": "view"}
    assert review.detail["ids"] == [str(e.pk) for e in events]
    # The account concerned: the rows about one account only.
    account = world.users["director_caw_b"]
    response = client.get(TRAIL, {"account": account.pk})
    assert {(e.object_type, e.object_id) for e in response.context["events"]} == {
        ("accounts.user", str(account.pk))
    }
    # The navigation shows the trail to the auditor, to nobody else.
    assert TRAIL.encode() in response.content
    client.force_login(world.users["admin_city_a"])
    assert TRAIL.encode() not in client.get(reverse("home")).content


def test_the_trail_shows_no_client_name(world, client, dpo):
    client.force_login(dpo)
    person = world.children["city_a"]["party_pk"].person
    content = client.get(TRAIL).content.decode()
    assert person.last_name not in content


def test_the_trail_page_costs_the_same_for_more_rows(world, client, dpo):
    client.force_login(dpo)
    for number in range(3):
        record(user=dpo, action=AuditAction.EXPORT, object_type="x", object_id=number)
    client.get(TRAIL)
    with CaptureQueriesContext(connection) as few:
        client.get(TRAIL, {"action": AuditAction.EXPORT})
    for number in range(60):
        record(user=dpo, action=AuditAction.EXPORT, object_type="x", object_id=number)
    with CaptureQueriesContext(connection) as many:
        response = client.get(TRAIL, {"action": AuditAction.EXPORT})
    assert len(response.context["events"]) == 50
    assert len(many) == len(few)


def _read_by_another_organisation(world):
    """The shared case of city A, read by prosecutor's office A (the share), about its party."""
    case = world.cases["city_a_shared"]
    party = world.children["city_a_shared"]["party_pk"]
    return case, party


def test_the_report_lists_another_organisations_read(world, client, dpo):
    from cases.models import AgeBand
    from cases.services import person_create_in_case

    case, party = _read_by_another_organisation(world)
    person_create_in_case(
        case=case,
        by=case.case_director,
        **pr.FAMILY,
        first_name="Zelda",
        last_name="Otherparty",
        age_band=AgeBand.AGE_25_44,
        confirm_new=True,
    )
    reader = world.users["liaison_parket_a"]
    client.force_login(reader)
    assert client.get(reverse("cases:detail", kwargs={"pk": case.pk})).status_code == 200
    read = AuditEvent.objects.filter(user=reader, case_id=case.pk).latest("id")
    # A read of another case, not the person's: not in their report.
    other_case = world.cases["city_b"]
    client.force_login(world.users["director_city_b"])
    client.get(reverse("cases:detail", kwargs={"pk": other_case.pk}))
    other_read = AuditEvent.objects.filter(case_id=other_case.pk).latest("id")

    from reporting.subject_access import report_html, subject_access_events

    _, events = subject_access_events(person=party.person)
    ids = {e.pk for e in events}
    assert read.pk in ids and other_read.pk not in ids

    client.force_login(dpo)
    response = client.get(
        reverse("reporting:subject_access_report", kwargs={"person_pk": party.person.pk})
    )
    assert response.status_code == 200
    text = pdf_text(response)
    assert str(world.orgs["parket_a"]) in text
    assert case.reference in text
    assert other_case.reference not in text
    export = AuditEvent.objects.latest("id")
    assert (export.action, export.purpose, export.object_id) == (
        AuditAction.EXPORT,
        "data-subject access report",
        str(party.person.pk),
    )
    # No other person of the case is named, neither in the PDF nor in its HTML.
    html = report_html(person=party.person, case_ids=None, requested_by=dpo)
    assert "Otherparty" not in text and "Otherparty" not in html
    assert "Zelda" not in text and "Zelda" not in html
    assert str(party.person) in html


def test_the_director_reports_on_a_person_in_a_case_they_change(world, client):
    case = world.cases["city_a"]
    party = world.children["city_a"]["party_pk"]
    url = reverse("reporting:party_access_report", kwargs={"pk": case.pk, "party_pk": party.pk})
    client.force_login(world.users["director_city_a"])
    response = client.get(url)
    assert response.status_code == 200
    assert case.reference in pdf_text(response)
    # The steering page offers it.
    page = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert url.encode() in page.content
    client.force_login(world.users["director_city_b"])
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_auditor_search_is_audited_without_the_name(world, client, dpo):
    person = world.children["city_a"]["party_pk"].person
    client.force_login(dpo)
    response = client.get(SEARCH, {"last_name": person.last_name.upper()})
    assert response.status_code == 200
    assert person in response.context["people"]
    row = AuditEvent.objects.latest("id")
    assert (row.action, row.purpose) == (AuditAction.LIST, "data-subject search")
    assert str(person.pk) in row.detail["ids"]
    assert person.last_name not in str(row.detail)


def test_a_removed_party_keeps_the_reads_of_their_time_in_the_case(world, client):
    from cases.services import case_party_remove
    from reporting.subject_access import subject_access_events

    case = world.cases["caw_a"]
    party = world.children["caw_a"]["party_pk"]
    director = world.users["director_caw_a"]
    client.force_login(director)
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    during = AuditEvent.objects.filter(case_id=case.pk).latest("id")
    person = party.person
    case_party_remove(party=CaseParty.objects.get(pk=party.pk), by=director)
    client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    after = AuditEvent.objects.filter(case_id=case.pk).latest("id")
    _, events = subject_access_events(person=person)
    ids = {e.pk for e in events}
    assert during.pk in ids and after.pk not in ids
