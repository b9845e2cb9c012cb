"""The operations lead's workload page and CSV (issue 19, part 4): exact counts per case
director, cases per FTE, registrations waiting and the medians, from known data; the page
and the file for the operations lead only; no client's name anywhere."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from cases.models import (
    CaseAction,
    CaseParty,
    EntryKind,
    JournalEntry,
    Person,
    RegistrationStatus,
    Urgency,
)
from partners.models import OrganisationKind
from reporting.models import Funder, StaffRole
from reporting.services import StaffingInput, funding_year_create, funding_year_update
from reporting.workload import csv_rows, workload

from .clock import MIDYEAR
from .factories import make_organisation, make_user
from .figures_helpers import make_director, new_case
from .test_figures_registrations import registration

URL = reverse("reporting:workload")
CSV_URL = reverse("reporting:workload_csv")


def _fte(lead, year, fte):
    funding = funding_year_create(by=lead, year=year)
    funding_year_update(
        funding=funding,
        by=lead,
        expected_version=funding.version,
        flemish_amount=Decimal("1000.00"),
        local_amount=Decimal("1000.00"),
        staffing=[
            StaffingInput(Funder.LOCAL_GOVERNMENTS, StaffRole.CASE_DIRECTOR, Decimal(fte)),
            StaffingInput(Funder.OTHER, StaffRole.ADMINISTRATION, Decimal("0.50")),
        ],
    )


@pytest.fixture
def data(db, time_machine):
    # Its cases opened in the last 40 days all count in this year's row.
    time_machine.move_to(MIDYEAR)
    today = timezone.localdate()
    now = timezone.now()
    anna = make_director("anna_workload")
    anna.first_name, anna.last_name = "Anna", "Aerts"
    anna.save()
    bert = make_user("bert_workload", anna.organisation, "case_director")
    bert.first_name, bert.last_name = "Bert", "Bosmans"
    bert.save()
    lead = make_user("lead_workload", anna.organisation, "operations_lead")
    # Anna: two in track 1 (one urgent), one acute in track 3; Bert: one in track 2; one
    # closed case of Bert's counts nowhere.
    a1 = new_case(anna, today - datetime.timedelta(days=30), 1)
    new_case(anna, today - datetime.timedelta(days=20), 1, urgency=Urgency.URGENT)
    a3 = new_case(anna, today - datetime.timedelta(days=10), 3, urgency=Urgency.ACUTE)
    b1 = new_case(bert, today - datetime.timedelta(days=5), 2)
    new_case(
        bert, today - datetime.timedelta(days=40), 2, closed=today - datetime.timedelta(days=1)
    )
    client_person = Person.objects.create(
        first_name="Clienta", last_name="Geheimnaam", name_key="geheimnaam clienta"
    )
    CaseParty.objects.create(
        case=a1, person=client_person, is_victim=True, involved_since=a1.opened_on
    )
    # Overdue actions: two on Anna's cases (one assigned to a partner), none done late
    # counted; one of Bert's done; one of Bert's due today (not overdue yet).
    partner = make_organisation("CGG Werklast", OrganisationKind.PARTNER)
    yesterday = today - datetime.timedelta(days=1)
    CaseAction.objects.create(
        case=a1, description="Bellen", assignee_user=anna, due_on=yesterday, created_by=anna
    )
    CaseAction.objects.create(
        case=a3,
        description="Afspraak",
        assignee_organisation=partner,
        due_on=yesterday,
        created_by=anna,
    )
    CaseAction.objects.create(
        case=b1,
        description="Brief",
        assignee_user=bert,
        due_on=yesterday,
        done_on=today,
        created_by=bert,
    )
    CaseAction.objects.create(
        case=b1, description="Brief", assignee_user=bert, due_on=today, created_by=bert
    )
    # Funding: this year 2 FTE of case directors.
    _fte(lead, today.year, "2.00")
    # Registrations of the last year: waiting (received 12 days ago, on the waiting list
    # since 3 days ago), decided after 2 days (taken on, first contact 5 days after the
    # registration, a note on day 1 does not count), decided after 6 days (not taken on).
    police = make_organisation("Politie Werklast", OrganisationKind.POLICE_ZONE)
    by = make_user("politie_werklast", police, "partner_professional")
    owner = anna.organisation
    registration(owner, police, by, now - datetime.timedelta(days=12))
    registration(
        owner,
        police,
        by,
        now - datetime.timedelta(days=8),
        (RegistrationStatus.WAITING_LIST, now - datetime.timedelta(days=3), {}),
    )
    taken = registration(
        owner,
        police,
        by,
        now - datetime.timedelta(days=20),
        (RegistrationStatus.TAKEN_ON, now - datetime.timedelta(days=18), {"track": 3}),
    )
    taken.case = a3
    taken.save()
    JournalEntry.objects.create(
        case=a3, kind=EntryKind.NOTE, occurred_at=now - datetime.timedelta(days=19), author=anna
    )
    JournalEntry.objects.create(
        case=a3,
        kind=EntryKind.CONTACT_ATTEMPT,
        reached=False,
        occurred_at=now - datetime.timedelta(days=17),
        author=anna,
    )
    JournalEntry.objects.create(
        case=a3,
        kind=EntryKind.PHONE_CALL,
        occurred_at=now - datetime.timedelta(days=15),
        author=anna,
    )
    registration(
        owner,
        police,
        by,
        now - datetime.timedelta(days=30),
        (
            RegistrationStatus.NOT_TAKEN_ON,
            now - datetime.timedelta(days=24),
            {"reason_id": "other"},
        ),
    )
    # Older than the window: no median.
    registration(
        owner,
        police,
        by,
        now - datetime.timedelta(days=400),
        (
            RegistrationStatus.NOT_TAKEN_ON,
            now - datetime.timedelta(days=300),
            {"reason_id": "other"},
        ),
    )
    return lead


def test_open_cases_per_director_by_track_and_urgency_and_overdue_actions(data):
    found = workload()
    rows = {row.label: row for row in found.directors}
    anna, bert = rows["Anna Aerts"], rows["Bert Bosmans"]
    assert anna.per_track == [2, 0, 1]
    assert anna.per_urgency == [1, 1, 1]
    assert anna.total == 3 and anna.overdue_actions == 2
    assert bert.per_track == [0, 1, 0]
    assert bert.total == 1 and bert.overdue_actions == 0
    # Exact per director; "< 5" where the count is about families over the whole FJC.
    assert [(r.label, r.shown) for r in found.per_director if r.label in rows] == [
        ("Anna Aerts", "3"),
        ("Bert Bosmans", "1"),
    ]
    assert [r.shown for r in found.per_track] == ["< 5", "< 5", "< 5"]


def test_cases_per_fte(data):
    found = workload()
    assert found.fte_year == timezone.localdate().year
    assert found.fte_now == Decimal("2.00")
    assert found.open_cases == 4
    assert found.per_fte_now == Decimal("2.0")
    # Four open cases: the rate would give the count away.
    assert found.per_fte_now_shown == "< 5"
    (this_year,) = found.fte_years
    assert this_year.fte == Decimal("2.00") and this_year.cases == 5


def test_registrations_waiting_and_medians(data):
    found = workload()
    assert found.waiting == 2
    assert found.waiting_shown == "< 5"
    assert found.oldest_waiting_days == 12
    # First contact: the phone call 5 days after the registration (not the note, not the
    # attempt that did not reach the person).
    assert (found.to_first_contact.count, found.to_first_contact.days) == (1, Decimal("5.0"))
    # Decisions: 2 and 6 days; the one of 400 days ago is outside the window.
    assert (found.to_decision.count, found.to_decision.days) == (2, Decimal("4.0"))
    assert found.to_decision.days_shown == "< 5"


def test_the_page_for_the_operations_lead(data, client):
    client.force_login(data)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open dossiers per casusregisseur" in html
    assert "Anna Aerts" in html and "Bert Bosmans" in html
    assert "Geheimnaam" not in html
    assert f'href="{CSV_URL}"' in html
    # In the operations lead's navigation.
    assert f'href="{URL}" aria-current="page"' in html
    event = AuditEvent.objects.filter(object_type="reporting.workload").latest("pk")
    assert event.action == AuditAction.VIEW and event.purpose == "operations workload"
    assert event.case_id is None


def test_the_csv_streams_the_same_selector_without_client_names(data, client):
    client.force_login(data)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="werklast-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Geheimnaam" not in text and "Clienta" not in text
    lines = text.split("\r\n")
    assert "Anna Aerts;2;0;1;1;1;1;3;2" in lines
    assert "Bert Bosmans;0;1;0;1;0;0;1;0" in lines
    assert "Wachtende aanmeldingen;< 5" in lines
    assert len([line for line in lines if line]) == len(
        [row for row in csv_rows(workload()) if row]
    )
    event = AuditEvent.objects.filter(object_type="reporting.workload").latest("pk")
    assert event.action == AuditAction.EXPORT


@pytest.mark.parametrize("url", [URL, CSV_URL])
def test_other_roles_are_refused(data, client, url):
    director = make_user("director_refused_workload", data.organisation, "case_director")
    client.force_login(director)
    assert client.get(url).status_code == 403
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_home_card_uses_the_same_selector(data, client):
    client.force_login(data)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' in html
    assert "Anna Aerts" in html


def test_no_case_director_no_rows(db):
    assert workload().directors == []
    assert workload().oldest_waiting_days is None
    assert workload().to_decision.days is None
