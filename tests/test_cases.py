"""Registering and steering a case: registration, tracks, status, directors, sharing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from access.models import AuditEvent
from cases.models import (
    Case,
    CaseEvent,
    ClosingReason,
    EventKind,
    FormOfViolence,
    RelationshipContext,
    Status,
    StatusChange,
    Track,
    TrackChange,
)
from cases.services import case_update
from common.versioning import EditConflict
from partners.models import Municipality, PoliceZone

from .clock import iso
from .factories import make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name, case, **extra):
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **extra})


@pytest.fixture
def mechelen(db):
    zone = PoliceZone.objects.create(name="Rivierenland")
    return Municipality.objects.create(name="Mechelen", police_zone=zone)


def registration(world, director, mechelen, **overrides):
    data = {
        "track": 2,
        "case_director": director.pk,
        "opened_on": TODAY().isoformat(),
        "referrer_kind": "partner",
        "referrer_organisation": world.orgs["police_a"].pk,
        "referrer_contact": "Inspecteur van dienst",
        "municipality": mechelen.pk,
        "relationship_contexts": [RelationshipContext.objects.get(code="partner").pk],
        "forms_of_violence": [
            FormOfViolence.objects.get(code=code).pk for code in ("physical", "stalking")
        ],
        "urgency": "urgent",
        "description": "Melding na interventie.",
    }
    return {**data, **overrides}


def test_register_a_case_with_the_registration_details(world, client, mechelen):
    director = world.users["director_caw_a"]
    client.force_login(director)
    response = client.post(reverse("cases:create"), registration(world, director, mechelen))
    case = Case.objects.latest("id")
    assert response.status_code == 302
    assert response["Location"] == url("detail", case)
    assert (case.owner_organisation, case.track, case.status, case.urgency) == (
        world.orgs["caw_a"],
        Track.OUTREACH,
        Status.REGISTERED,
        "urgent",
    )
    assert case.referrer_organisation == world.orgs["police_a"]
    assert case.municipality == mechelen
    assert [c.code for c in case.relationship_contexts.all()] == ["partner"]
    assert sorted(f.code for f in case.forms_of_violence.all()) == ["physical", "stalking"]
    assert not case.violence_forms.exists()
    assert case.reference == f"{TODAY().year}-00006"
    assert case.history.first().history_user == director
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REGISTERED).exists()
    # A colleague of the same organisation sees it through the organisation's group.
    colleague = make_user("colleague_caw_a", world.orgs["caw_a"], "case_director")
    client.force_login(colleague)
    assert client.get(url("detail", case)).status_code == 200


def test_registration_refuses_bad_input_and_changes_nothing(world, client, mechelen):
    director = world.users["director_caw_a"]
    client.force_login(director)
    count = Case.objects.count()
    bad = registration(
        world,
        director,
        mechelen,
        track=7,
        case_director=world.users["director_city_a"].pk,
        opened_on="2999-01-01",
        referrer_organisation="",
    )
    response = client.post(reverse("cases:create"), bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"track", "case_director", "opened_on", "referrer_organisation"}
    assert Case.objects.count() == count


def test_an_anonymous_consult_holds_no_personal_data_and_stays_in_track_1(world, client):
    client.force_login(world.users["director_city_a"])
    response = client.post(
        reverse("cases:create_consult"),
        {
            "opened_on": TODAY().isoformat(),
            "referrer_kind": "partner",
            "referrer_organisation": world.orgs["partner_a"].pk,
            "consult_question": "Hoe pak ik een vermoeden van ouderenmis­handeling aan?",
            "advice_given": "Gesprek met de huisarts, risicotaxatie.",
            "referral_made": "CAW onthaal",
        },
    )
    case = Case.objects.latest("id")
    assert response.status_code == 302
    assert case.is_anonymous_consult and case.track == Track.ADVICE
    assert case.case_director == world.users["director_city_a"]
    page = client.get(url("detail", case)).content.decode()
    assert "CAW onthaal" in page
    response = client.post(
        url("track", case),
        {"to_track": 3, "changed_on": TODAY().isoformat(), "reason": "x", "version": case.version},
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.track == Track.ADVICE


def test_an_anonymous_consult_needs_the_question_and_the_advice(world, client):
    client.force_login(world.users["director_city_a"])
    count = Case.objects.count()
    response = client.post(
        reverse("cases:create_consult"),
        {"opened_on": TODAY().isoformat(), "referrer_kind": "anonymous"},
    )
    assert set(response.context["form"].errors) == {"consult_question", "advice_given"}
    assert Case.objects.count() == count


def test_escalate_and_de_escalate_with_date_reason_and_decider(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    today = TODAY().isoformat()
    response = client.post(
        url("track", case),
        {"to_track": 3, "changed_on": today, "reason": "Risico gestegen", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(
        url("track", case),
        {"to_track": 2, "changed_on": today, "reason": "Risico gedaald", "version": case.version},
    )
    assert response.status_code == 302
    moves = list(
        TrackChange.objects.filter(case=case).values_list(
            "from_track", "to_track", "reason", "decided_by"
        )
    )
    assert moves == [(1, 3, "Risico gestegen", director.pk), (3, 2, "Risico gedaald", director.pk)]
    assert CaseEvent.objects.filter(case=case, kind=EventKind.TRACK_CHANGED).count() == 2


@pytest.mark.parametrize(
    ("changes", "error_field"),
    [
        ({"to_track": 1}, "__all__"),  # already in track 1
        ({"reason": ""}, "reason"),
        ({"changed_on": "2999-01-01"}, "changed_on"),
        ({"changed_on": "2000-01-01"}, "__all__"),  # before the case was registered
    ],
)
def test_track_change_refuses_bad_input(world, client, changes, error_field):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    data = {
        "to_track": 3,
        "changed_on": TODAY().isoformat(),
        "reason": "r",
        "version": case.version,
        **changes,
    }
    response = client.post(url("track", case), data)
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    case.refresh_from_db()
    assert case.track == Track.ADVICE
    assert not TrackChange.objects.filter(case=case).exists()


def test_status_runs_forward_and_closing_needs_a_reason(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    client.force_login(director)
    for status in ["intake", "active", "follow_up"]:
        case.refresh_from_db()
        response = client.post(
            url("status", case),
            {"to_status": status, "changed_on": TODAY().isoformat(), "version": case.version},
        )
        assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(
        url("close", case), {"closed_on": TODAY().isoformat(), "version": case.version}
    )
    assert "closing_reason" in response.context["form"].errors
    case.refresh_from_db()
    assert case.status == Status.FOLLOW_UP
    reason = ClosingReason.objects.get(name_en="Goals achieved")
    response = client.post(
        url("close", case),
        {"closing_reason": reason.pk, "closed_on": TODAY().isoformat(), "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closing_reason, case.closed_on) == (Status.CLOSED, reason, TODAY())
    assert list(StatusChange.objects.filter(case=case).values_list("to_status", flat=True)) == [
        "intake",
        "active",
        "follow_up",
        "closed",
    ]


def test_a_closed_case_is_reopened_with_a_reason(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    from cases.services import case_close

    case_close(
        case=case, by=director, closing_reason=ClosingReason.objects.first(), closed_on=TODAY()
    )
    client.force_login(director)
    case.refresh_from_db()
    # A closed case cannot change track or status before it is reopened.
    response = client.post(
        url("status", case),
        {"to_status": "active", "changed_on": TODAY().isoformat(), "version": case.version},
    )
    assert response.status_code == 200
    response = client.post(
        url("reopen", case),
        {"reopened_on": TODAY().isoformat(), "reason": "", "version": case.version},
    )
    assert "reason" in response.context["form"].errors
    response = client.post(
        url("reopen", case),
        {"reopened_on": TODAY().isoformat(), "reason": "Nieuw incident", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closing_reason, case.closed_on) == (Status.ACTIVE, None, None)
    assert CaseEvent.objects.filter(case=case, kind=EventKind.REOPENED).exists()


def test_a_stale_edit_gets_a_conflict_and_keeps_the_input(world, client):
    case, director = world.cases["city_a"], world.users["director_city_a"]
    stale = case.version
    case_update(case=case, by=director, expected_version=stale, description="Eerste versie")
    client.force_login(director)
    response = client.post(
        url("update", case),
        {
            "opened_on": case.opened_on.isoformat(),
            "referrer_kind": "client",
            "urgency": "normal",
            "description": "Tweede versie",
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert response.context["form"]["description"].value() == "Tweede versie"
    case.refresh_from_db()
    assert case.description == "Eerste versie"


def test_the_service_refuses_a_stale_version(world):
    case = world.cases["city_a"]
    case_update(
        case=case, by=world.users["director_city_a"], expected_version=case.version, description="a"
    )
    with pytest.raises(EditConflict):
        case_update(
            case=case, by=world.users["director_city_a"], expected_version=1, description="b"
        )


def test_a_co_director_of_another_organisation_gets_access_and_loses_it_at_once(world, client):
    case, director = world.cases["city_b"], world.users["director_city_b"]
    helper = world.users["director_caw_a"]
    client.force_login(helper)
    assert client.get(url("detail", case)).status_code == 404
    client.force_login(director)
    response = client.post(url("co_director_add", case), {"user": helper.pk})
    assert response.status_code == 302
    client.force_login(helper)
    assert client.get(url("detail", case)).status_code == 200
    assert client.get(url("track", case)).status_code == 200
    co = case.co_directors.get(user=helper)
    client.force_login(director)
    remove = url("co_director_remove", case, co_director_pk=co.pk)
    assert client.post(remove, {"confirm": "yes"}).status_code == 302
    client.force_login(helper)
    assert client.get(url("detail", case)).status_code == 404
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {EventKind.CO_DIRECTOR_ADDED, EventKind.CO_DIRECTOR_REMOVED} <= kinds


def test_only_active_case_directors_can_be_co_directors(world, client):
    case = world.cases["city_b"]
    client.force_login(world.users["director_city_b"])
    for username in ["liaison_parket_a", "admin_city_a", "inactive_director_city_a"]:
        response = client.post(url("co_director_add", case), {"user": world.users[username].pk})
        assert response.status_code == 200
        assert "user" in response.context["form"].errors
    assert not case.co_directors.exclude(user=world.users["co_director"]).exists()


def test_handing_over_to_another_case_director(world, client):
    case, old = world.cases["city_a"], world.users["director_city_a"]
    new = make_user("director2_city_a", world.orgs["city_a"], "case_director")
    client.force_login(old)
    response = client.post(url("director", case), {"new_director": new.pk, "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_director == new
    assert CaseEvent.objects.filter(case=case, kind=EventKind.DIRECTOR_CHANGED).exists()
    # The former director keeps access through the organisation only.
    assert client.get(url("detail", case)).status_code == 200


def test_sharing_and_unsharing_through_the_pages(world, client):
    case, parket = world.cases["city_a"], world.orgs["parket_b"]
    client.force_login(world.users["director_city_a"])
    response = client.post(
        url("share", case),
        {
            "organisation": parket.pk,
            "ground": "art_458ter",
            "consultation_reference": "IFG-overleg 12/2025",
            "scope": "whole_file",
            "ends_on": iso(30),
        },
    )
    assert response.status_code == 302
    client.force_login(world.users["liaison_parket_b"])
    assert client.get(url("detail", case)).status_code == 200
    client.force_login(world.users["director_city_a"])
    client.post(url("revoke_share", case, organisation_pk=parket.pk), {"confirm": "yes"})
    client.force_login(world.users["liaison_parket_b"])
    assert client.get(url("detail", case)).status_code == 404
    assert AuditEvent.objects.filter(case_id=case.pk, action="revoke").exists()
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert EventKind.SHARED in kinds and EventKind.UNSHARED in kinds


def test_the_owner_organisation_cannot_be_unshared(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    assert (
        client.post(url("revoke_share", case, organisation_pk=world.orgs["city_a"].pk)).status_code
        == 404
    )
    assert client.get(url("detail", case)).status_code == 200


def test_the_steering_page_shows_where_we_are(world, client):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["director_city_a"])
    page = client.get(url("detail", case)).content.decode()
    assert case.reference in page
    assert world.orgs["parket_a"].name in page  # organisations with access
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(url("detail", case)).content.decode()
    assert url("track", case) not in page  # no change links for view-only access


def test_seed_demo_is_idempotent_and_prints_logins(db):
    from io import StringIO

    from django.core.management import call_command

    from fjc.demo import DEMO_USERS
    from fjc.demo_factor import DEMO_TOTP_KEY

    out = StringIO()
    # Last year's few hundred cases: tests/test_demo_seed.py.
    call_command("seed_demo", "--allow-production", "--previous-year-cases=0", stdout=out)
    counts = (Case.objects.count(), AuditEvent.objects.count())
    call_command("seed_demo", "--allow-production", "--previous-year-cases=0", stdout=StringIO())
    assert (Case.objects.count(), AuditEvent.objects.count()) == counts
    assert "regisseur.stad" in out.getvalue()
    assert "demo-veilig-huis" in out.getvalue()
    # The second factor: the demo key and the command that prints a code.
    assert "DEMODEMODEMODEMODEMODEMODEMODEMO" in out.getvalue()
    assert "FJC_DEMO=true .venv/bin/python manage.py demo_code regisseur.stad" in out.getvalue()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice.objects.filter(key=DEMO_TOTP_KEY, confirmed=True).count() == len(DEMO_USERS)
    from partners.models import MunicipalityPopulation

    assert Municipality.objects.count() == 12
    mechelen = MunicipalityPopulation.objects.filter(municipality__name="Mechelen")
    assert mechelen.get(year=2020).inhabitants == 86921
    # Last year's funding carries the figures forward, so its split can be made.
    last_year = datetime.date.today().year - 1
    assert mechelen.get(year=last_year).inhabitants == 86921
    from reporting.models import FundingYear

    assert FundingYear.objects.filter(year=last_year).count() == 1
