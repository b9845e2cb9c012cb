"""Referrals to and from partners: rules, state machine, timeline, access, steering page;
the gaps panel on the case; the audited agreement download."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access.models import AuditAction, AuditEvent
from cases import selectors, services
from cases.models import (
    Case,
    CaseEvent,
    CasePartner,
    EventKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
    ReferrerKind,
)
from partners.models import Gap, GapKind, GapStatus

from .clock import MIDYEAR
from .factories import make_case

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
OUT, IN = ReferralDirection.OUTGOING, ReferralDirection.INCOMING
PENDING, ACCEPTED = ReferralStatus.PENDING, ReferralStatus.ACCEPTED
DECLINED, DONE = ReferralStatus.DECLINED, ReferralStatus.DONE
# Client data that must never reach the timeline.
SECRET = "Noor Voorbeeld, Kerkstraat 12"


def today() -> datetime.date:
    return timezone.localdate()


def iso(day: datetime.date) -> str:
    return day.isoformat()


def url(name: str, case: Case, **kwargs: int) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def snapshot(case: Case) -> tuple:
    """What the referral forms can change, to prove a refused form changed nothing."""
    return (
        sorted(
            Referral.objects.filter(case=case).values_list(
                "pk", "status", "answered_on", "decline_reason", "done_on", "version"
            )
        ),
        CaseEvent.objects.filter(case=case).count(),
        CasePartner.objects.filter(case=case).count(),
    )


@pytest.fixture
def director(world, client):
    client.force_login(world.users["director_city_a"])
    return world.users["director_city_a"]


@pytest.fixture
def case(world):
    return world.cases["city_a"]


# The ground for sharing an outgoing referral needs (issue 19, part 3).
GROUND = {"ground": "necessity", "necessity_reason": "Acuut gevaar"}


def refer(case, by, partner, direction=OUT, referred_on=None, reason=SECRET) -> Referral:
    return services.referral_create(
        case=case,
        by=by,
        direction=direction,
        partner=partner,
        referred_on=referred_on or today() - 3 * DAY,
        reason=reason,
        ground="necessity",
        necessity_reason="Test",
    )


# --- creating ---


@pytest.mark.parametrize(
    ("name", "direction", "kind"),
    [
        ("referral_out_add", OUT, EventKind.REFERRAL_SENT),
        ("referral_in_add", IN, EventKind.REFERRAL_RECEIVED),
    ],
)
def test_a_referral_is_recorded_in_each_direction(
    client, director, world, case, name, direction, kind
):
    partner = world.orgs["partner_a"]
    response = client.post(
        url(name, case),
        {"partner": partner.pk, "referred_on": iso(today() - DAY), "reason": SECRET, **GROUND},
    )
    assert response.status_code == 302
    assert response["Location"] == url("detail", case) + "#referrals-heading"
    referral = Referral.objects.get(case=case, partner=partner)
    assert (referral.direction, referral.status, referral.referred_on) == (
        direction,
        PENDING,
        today() - DAY,
    )
    assert referral.created_by == director and referral.version == 1
    assert referral.history.first().history_user == director
    # The latest one: the world already holds a referral in every case.
    event = CaseEvent.objects.filter(case=case, kind=kind).first()
    assert event is not None
    assert partner.name in event.summary and event.actor == director
    assert "Noor" not in event.summary and "Kerkstraat" not in event.summary


def test_the_case_version_is_not_touched_by_a_referral(director, world, case):
    before = Case.objects.get(pk=case.pk).version
    refer(case, director, world.orgs["partner_a"])
    assert Case.objects.get(pk=case.pk).version == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"referred_on": "FUTURE"}, "referred_on"),
        ({"referred_on": "1980-01-01"}, "referred_on"),
        ({"referred_on": "not a date"}, "referred_on"),
        ({"reason": "   "}, "reason"),
        ({"partner": ""}, "partner"),
        ({"partner": "INACTIVE"}, "partner"),
    ],
)
def test_a_bad_referral_is_refused_and_changes_nothing(client, director, world, case, data, field):
    inactive = world.orgs["partner_b"]
    inactive.is_active = False
    inactive.save()
    post = {
        "partner": world.orgs["partner_a"].pk,
        "referred_on": iso(today()),
        "reason": "Begeleiding",
        **GROUND,
        **data,
    }
    post["referred_on"] = {"FUTURE": iso(today() + DAY)}.get(
        post["referred_on"], post["referred_on"]
    )
    post["partner"] = {"INACTIVE": inactive.pk}.get(post["partner"], post["partner"])
    before = snapshot(case)
    response = client.post(url("referral_out_add", case), post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_an_inactive_partner_is_refused_by_the_service_too(director, world, case):
    partner = world.orgs["partner_a"]
    partner.is_active = False
    partner.save()
    with pytest.raises(ValidationError) as error:
        refer(case, director, partner)
    assert "partner" in error.value.error_dict


def test_a_closed_case_is_not_referred(client, director, world, case):
    from cases.models import ClosingReason

    closed = services.case_close(
        case=case, by=director, closing_reason=ClosingReason.objects.first(), closed_on=today()
    )
    before = snapshot(closed)
    response = client.post(
        url("referral_out_add", closed),
        {
            "partner": world.orgs["partner_a"].pk,
            "referred_on": iso(today()),
            "reason": "x",
            **GROUND,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot(closed) == before
    page = client.get(url("detail", closed)).content.decode()
    assert url("referral_out_add", closed) not in page


def test_the_incoming_form_offers_the_referring_partner_of_the_registration(
    client, director, world
):
    registered = services.case_create(
        by=director,
        owner_organisation=world.orgs["city_a"],
        case_director=director,
        opened_on=today() - 2 * DAY,
        referrer_kind=ReferrerKind.PARTNER,
        referrer_organisation=world.orgs["police_a"],
    )
    # Registration itself records no referral.
    assert not Referral.objects.filter(case=registered).exists()
    form = client.get(url("referral_in_add", registered)).context["form"]
    assert form["partner"].value() == world.orgs["police_a"].pk
    assert form["referred_on"].value() == today() - 2 * DAY
    # The outgoing form does not guess.
    assert (
        client.get(url("referral_out_add", registered)).context["form"]["partner"].value() is None
    )


# --- answering ---


def answer(client, case, referral, **data):
    post = {"status": ACCEPTED, "on": iso(today()), "version": referral.version, **data}
    return client.post(url("referral_answer", case, referral_pk=referral.pk), post)


def test_a_referral_is_accepted_then_done_with_events(client, director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    page = client.get(url("detail", case)).content.decode()
    answer_url = url("referral_answer", case, referral_pk=referral.pk)
    assert answer_url in page
    response = answer(client, case, referral, status=ACCEPTED, on=iso(today() - DAY))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.answered_on, referral.version) == (
        ACCEPTED,
        today() - DAY,
        2,
    )
    response = answer(client, case, referral, status=DONE)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.answered_on, referral.done_on) == (
        DONE,
        today() - DAY,
        today(),
    )
    events = CaseEvent.objects.filter(case=case, kind=EventKind.REFERRAL_ANSWERED)
    assert events.count() == 2
    assert all(world.orgs["partner_a"].name in e.summary for e in events)
    # Done is final: no answer link any more.
    assert answer_url not in client.get(url("detail", case)).content.decode()


def test_pending_may_go_straight_to_done(director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    services.referral_answer(referral=referral, by=director, status=DONE, on=today())
    referral.refresh_from_db()
    assert (referral.status, referral.answered_on, referral.done_on) == (DONE, today(), today())


def test_declining_needs_a_reason_which_stays_off_the_timeline(client, director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    before = snapshot(case)
    response = answer(client, case, referral, status=DECLINED, decline_reason="  ")
    assert response.status_code == 200
    assert "decline_reason" in response.context["form"].errors
    assert snapshot(case) == before
    response = answer(client, case, referral, status=DECLINED, decline_reason="Wachtlijst vol")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == (DECLINED, "Wachtlijst vol")
    event = CaseEvent.objects.get(case=case, kind=EventKind.REFERRAL_ANSWERED)
    assert "Wachtlijst" not in event.summary


def test_the_database_refuses_a_decline_without_reason(director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=DECLINED, answered_on=today())


@pytest.mark.parametrize(
    ("path", "status", "allowed"),
    [
        ([], ACCEPTED, True),
        ([], DECLINED, True),
        ([], DONE, True),
        ([ACCEPTED], ACCEPTED, False),
        ([ACCEPTED], DECLINED, False),
        ([ACCEPTED], DONE, True),
        ([DECLINED], ACCEPTED, False),
        ([DECLINED], DONE, False),
        ([DONE], ACCEPTED, False),
        ([DONE], DONE, False),
    ],
)
def test_the_answer_state_machine(director, world, case, path, status, allowed):
    referral = refer(case, director, world.orgs["partner_a"])
    for step in path:
        referral = services.referral_answer(
            referral=referral,
            by=director,
            status=step,
            on=today(),
            decline_reason="Geen plaats" if step == DECLINED else "",
        )
    reason = "Geen plaats" if status == DECLINED else ""

    def go():
        return services.referral_answer(
            referral=referral, by=director, status=status, on=today(), decline_reason=reason
        )

    if allowed:
        assert go().status == status
    else:
        with pytest.raises(ValidationError) as error:
            go()
        assert "status" in error.value.error_dict


@pytest.mark.parametrize(
    ("on", "field"),
    [
        ("FUTURE", "on"),
        ("BEFORE_REFERRAL", "on"),
        ("not a date", "on"),
    ],
)
def test_a_bad_answer_date_is_refused(client, director, world, case, on, field):
    referral = refer(case, director, world.orgs["partner_a"], referred_on=today() - 3 * DAY)
    dates = {"FUTURE": iso(today() + DAY), "BEFORE_REFERRAL": iso(today() - 4 * DAY)}
    before = snapshot(case)
    response = answer(client, case, referral, on=dates.get(on, on))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_done_cannot_be_before_the_acceptance(director, world, case):
    referral = refer(case, director, world.orgs["partner_a"], referred_on=today() - 5 * DAY)
    referral = services.referral_answer(
        referral=referral, by=director, status=ACCEPTED, on=today() - DAY
    )
    with pytest.raises(ValidationError) as error:
        services.referral_answer(referral=referral, by=director, status=DONE, on=today() - 2 * DAY)
    assert "on" in error.value.error_dict


def test_a_decline_reason_without_declining_is_refused(director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    with pytest.raises(ValidationError) as error:
        services.referral_answer(
            referral=referral, by=director, status=ACCEPTED, on=today(), decline_reason="x"
        )
    assert "decline_reason" in error.value.error_dict


def test_a_stale_answer_gets_409_and_keeps_the_input(client, director, world, case):
    referral = refer(case, director, world.orgs["partner_a"])
    stale = referral.version
    services.referral_answer(referral=referral, by=director, status=ACCEPTED, on=today())
    before = snapshot(case)
    response = answer(
        client, case, referral, status=DECLINED, decline_reason="Mijn invoer", version=stale
    )
    assert response.status_code == 409
    assert response.context["form"]["decline_reason"].value() == "Mijn invoer"
    assert snapshot(case) == before


def test_an_answer_is_recorded_on_a_closed_case(director, world, case):
    from cases.models import ClosingReason

    referral = refer(case, director, world.orgs["partner_a"])
    services.case_close(
        case=case, by=director, closing_reason=ClosingReason.objects.first(), closed_on=today()
    )
    referral = services.referral_answer(referral=referral, by=director, status=DONE, on=today())
    assert referral.status == DONE


# --- joining the care trajectory ---


def test_an_accepted_outgoing_referral_may_add_the_partner_to_the_care_trajectory(
    client, director, world, case
):
    partner = world.orgs["police_b"]
    referral = refer(case, director, partner)
    response = answer(
        client, case, referral, join_care_trajectory="on", care_role="Slachtofferbejegening"
    )
    assert response.status_code == 302
    joined = CasePartner.objects.get(case=case, organisation=partner)
    assert (joined.role, joined.since) == ("Slachtofferbejegening", today())
    # Already in the trajectory: a second accepted referral adds nothing and is no error.
    again = refer(case, director, partner)
    services.referral_answer(
        referral=again,
        by=director,
        status=ACCEPTED,
        on=today(),
        join_care_trajectory=True,
        care_role="x",
    )
    assert CasePartner.objects.filter(case=case, organisation=partner).count() == 1


def test_joining_the_care_trajectory_needs_a_role_and_changes_nothing_without(
    client, director, world, case
):
    referral = refer(case, director, world.orgs["police_b"])
    before = snapshot(case)
    response = answer(client, case, referral, join_care_trajectory="on", care_role="")
    assert response.status_code == 200
    assert "care_role" in response.context["form"].errors
    assert snapshot(case) == before


def test_an_incoming_referral_offers_no_care_trajectory(client, director, world, case):
    referral = refer(case, director, world.orgs["police_b"], direction=IN)
    form = client.get(url("referral_answer", case, referral_pk=referral.pk)).context["form"]
    assert "join_care_trajectory" not in form.fields
    with pytest.raises(ValidationError):
        services.referral_answer(
            referral=referral,
            by=director,
            status=ACCEPTED,
            on=today(),
            join_care_trajectory=True,
            care_role="x",
        )
    assert not CasePartner.objects.filter(case=case, organisation=world.orgs["police_b"]).exists()


# --- the timeline and the steering page ---


def test_the_steering_page_lists_referrals_and_the_timeline_holds_no_client_data(
    client, director, world, case
):
    out = refer(case, director, world.orgs["partner_a"])
    refer(case, director, world.orgs["police_b"], direction=IN)
    services.referral_answer(
        referral=out, by=director, status=DECLINED, on=today(), decline_reason="Geen capaciteit"
    )
    response = client.get(url("detail", case))
    steering = response.context["steering"]
    assert {r.direction for r in steering.referrals} == {OUT, IN}
    kinds = [e.kind for e in steering.events]
    for kind in (EventKind.REFERRAL_SENT, EventKind.REFERRAL_RECEIVED, EventKind.REFERRAL_ANSWERED):
        assert kind in kinds
    for event in steering.events:
        assert "Noor" not in event.summary and "Kerkstraat" not in event.summary
    page = response.content.decode()
    assert 'id="referrals-heading"' in page
    assert world.orgs["police_b"].name in page and "Geen capaciteit" in page
    assert url("referral_out_add", case) in page and url("referral_in_add", case) in page


def test_steering_page_query_count_is_constant_with_2_or_8_referrals(client, director, world):
    target = make_case(director)
    organisations = [world.orgs[k] for k in ("partner_a", "partner_b", "police_a", "police_b")]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("detail", target))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            referral = refer(target, director, organisations[i % 4], direction=OUT if i % 2 else IN)
            if i % 3 == 0:
                services.referral_answer(referral=referral, by=director, status=DONE, on=today())
            Gap.objects.create(
                kind=GapKind.WAITING_LIST,
                organisation=organisations[i % 4],
                description="Wachtlijst",
                signalled_on=today(),
                signalled_by=director,
                case=target,
            )

    add(2)
    few = count()
    add(6)
    assert Referral.objects.filter(case=target).count() == 8
    assert count() == few


# --- access ---


def _all_urls(world, case_key: str) -> list[tuple[str, str]]:
    c = world.cases[case_key]
    referral = world.children[case_key]["referral_pk"]
    answer_url = url("referral_answer", c, referral_pk=referral.pk)
    return [
        ("get", url("referral_out_add", c)),
        ("post", url("referral_out_add", c)),
        ("get", url("referral_in_add", c)),
        ("post", url("referral_in_add", c)),
        ("get", answer_url),
        ("post", answer_url),
    ]


def _valid_data(world, case_key: str) -> dict[str, str]:
    referral = world.children[case_key]["referral_pk"]
    return {
        "partner": str(world.orgs["partner_a"].pk),
        "referred_on": iso(today()),
        "reason": "x",
        "status": ACCEPTED,
        "on": iso(today()),
        "version": str(referral.version),
    }


def test_another_organisation_gets_404_everywhere(client, world):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["director_caw_a"])
    before = snapshot(case)
    for method, target in _all_urls(world, "city_a_shared"):
        data = _valid_data(world, "city_a_shared")
        response = getattr(client, method)(target, data) if method == "post" else client.get(target)
        assert response.status_code == 404, (method, target)
    assert snapshot(case) == before


def test_the_prosecutor_with_view_only_sees_but_gets_403(client, world):
    case = world.cases["city_a_shared"]
    client.force_login(world.users["liaison_parket_a"])
    page = client.get(url("detail", case)).content.decode()
    assert 'id="referrals-heading"' in page
    assert world.orgs["partner_b"].name in page  # the world's pending referral
    assert "/referrals/" not in page
    before = snapshot(case)
    for method, target in _all_urls(world, "city_a_shared"):
        data = _valid_data(world, "city_a_shared")
        response = getattr(client, method)(target, data) if method == "post" else client.get(target)
        assert response.status_code == 403, (method, target)
    assert snapshot(case) == before


def test_anonymous_visitors_go_to_the_login_page(client, world):
    for method, target in _all_urls(world, "city_a"):
        response = getattr(client, method)(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_an_administrator_gets_404(client, world):
    client.force_login(world.users["admin_city_a"])
    for method, target in _all_urls(world, "city_a"):
        response = getattr(client, method)(target, _valid_data(world, "city_a"))
        assert response.status_code == 404, (method, target)


def test_a_referral_of_another_case_is_404_even_for_its_own_director(client, director, world):
    city_a, other = world.cases["city_a"], world.cases["city_a_shared"]
    foreign = world.children["city_a_shared"]["referral_pk"]
    before = snapshot(other)
    target = url("referral_answer", city_a, referral_pk=foreign.pk)
    assert client.get(target).status_code == 404
    assert client.post(target, _valid_data(world, "city_a_shared")).status_code == 404
    assert snapshot(other) == before


def test_the_selector_restricts_referrals(world):
    case = world.cases["city_a"]
    assert selectors.case_referrals(case=case, user=world.users["director_city_a"]).count() == 1
    for username in ("director_caw_a", "admin_city_a", "netcoord_vo_a", "superuser"):
        assert not selectors.case_referrals(case=case, user=world.users[username]).exists()


# --- gaps signalled from the case ---


def test_the_case_shows_the_gaps_signalled_from_it(client, world):
    from cases.services import gap_signal
    from partners.services import gap_set_status

    case = world.cases["city_a_shared"]
    director = case.case_director
    gap = gap_signal(
        case=case,
        by=director,
        kind=GapKind.MISSING_SERVICE,
        description="Geen aanbod voor jonge plegers",
        organisation=world.orgs["partner_b"],
    )
    gap_set_status(gap=gap, by=world.users["netcoord_vo_a"], status=GapStatus.FOLLOW_UP)
    # A gap of another case, and one signalled without a case, stay off this page.
    gap_signal(case=world.cases["city_a"], by=director, kind=GapKind.OTHER, description="x")
    for username in ("director_city_a", "liaison_parket_a"):
        client.force_login(world.users[username])
        response = client.get(url("detail", case))
        assert [g.pk for g in response.context["steering"].gaps] == [gap.pk], username
        page = response.content.decode()
        assert str(GapKind.MISSING_SERVICE.label) in page
        assert str(GapStatus.FOLLOW_UP.label) in page
    for username in ("director_caw_a", "netcoord_vo_a", "admin_city_a"):
        assert not selectors.case_gaps(case=case, user=world.users[username]).exists()


# --- the agreement download is audited ---


def test_the_agreement_download_is_audited(client, world):
    agreement = world.directory["agreement_pk"]
    user = world.users["director_city_a"]
    client.force_login(user)
    response = client.get(
        reverse("partners:agreement_download", kwargs={"agreement_pk": agreement.pk})
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_id=str(agreement.pk))
    assert (event.user, event.object_type, event.view_name) == (
        user,
        "partners.agreement",
        "partners:agreement_download",
    )


# --- demo data ---


def test_the_demo_holds_referrals_of_two_years_and_stays_idempotent(db, time_machine):
    """Last year's and this year's so far, on a day well into the year (``MIDYEAR``)."""
    from io import StringIO

    from django.core.management import call_command

    from fjc.demo import seed

    time_machine.move_to(MIDYEAR)
    # Without last year's few hundred cases (tests/test_demo_seed.py).
    call_command("seed_demo", "--allow-production", "--previous-year-cases=0", stdout=StringIO())
    referrals = Referral.objects.all()
    year = today().year
    assert {r.referred_on.year for r in referrals} == {year - 1, year}
    assert {r.direction for r in referrals} == {OUT, IN}
    assert {r.status for r in referrals} >= {ACCEPTED, DECLINED, DONE}
    assert referrals.values("partner").distinct().count() >= 4
    counts = (Case.objects.count(), referrals.count())
    seed(previous_year_cases=0)
    assert (Case.objects.count(), Referral.objects.count()) == counts
