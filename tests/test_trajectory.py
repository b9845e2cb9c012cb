"""Track 3: the judicial and the care trajectory — rules, events, conflicts, access."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import selectors, services
from cases.models import (
    Case,
    CaseEvent,
    CasePartner,
    EventKind,
    Hearing,
    Measure,
    MeasureExtension,
    MeasureKind,
    PoliceReport,
)
from partners.models import PoliceZone

from .factories import make_case

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
THV = MeasureKind.RESTRAINING_ORDER


def today() -> datetime.date:
    return timezone.localdate()


def iso(day: datetime.date) -> str:
    return day.isoformat()


def url(name: str, case: Case, **kwargs: int) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def snapshot(case: Case) -> tuple:
    """Everything the trajectory forms can change, to prove a refused form changed nothing."""
    case.refresh_from_db()
    return (
        case.version,
        case.parket_notice_number,
        case.alignment_notes,
        sorted(PoliceReport.objects.filter(case=case).values_list("number", "drawn_up_on")),
        sorted(
            Measure.objects.filter(case=case).values_list("kind", "starts_on", "ends_on", "version")
        ),
        MeasureExtension.objects.filter(measure__case=case).count(),
        Hearing.objects.filter(case=case).count(),
        sorted(CasePartner.objects.filter(case=case).values_list("organisation", "since", "until")),
        CaseEvent.objects.filter(case=case).count(),
    )


@pytest.fixture
def director(world, client):
    client.force_login(world.users["director_city_a"])
    return world.users["director_city_a"]


@pytest.fixture
def case(world):
    return world.cases["city_a_shared"]


def steering_events(client, case: Case) -> list[tuple[str, str]]:
    response = client.get(url("detail", case))
    assert response.status_code == 200
    return [(e.kind, e.summary) for e in response.context["steering"].events]


# --- police reports ---


def test_a_police_report_is_added_shown_and_on_the_timeline(client, director, case):
    zone = PoliceZone.objects.create(name="Rivierenland")
    response = client.post(
        url("police_report_add", case),
        {
            "number": " MN.12.L3.004512/26 ",
            "drawn_up_on": iso(today() - DAY),
            "police_zone": zone.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(url("detail", case))
    report = PoliceReport.objects.get(case=case, number="MN.12.L3.004512/26")
    assert (report.drawn_up_on, report.police_zone) == (today() - DAY, zone)
    assert report.history.first().history_user == director
    assert (EventKind.POLICE_REPORT_ADDED, "MN.12.L3.004512/26") in steering_events(client, case)
    page = client.get(url("detail", case)).content.decode()
    assert "MN.12.L3.004512/26" in page
    assert url("police_report_remove", case, police_report_pk=report.pk) in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": "PV-0001"}, "number"),  # the world already holds PV-0001 in every case
        ({"number": "pv-0001"}, "number"),  # the same PV typed in lower case
        ({"number": "   "}, "number"),
        ({"drawn_up_on": "FUTURE"}, "drawn_up_on"),
        ({"drawn_up_on": "ANCIENT"}, "drawn_up_on"),
        ({"drawn_up_on": "not a date"}, "drawn_up_on"),
    ],
)
def test_a_bad_police_report_is_refused_and_changes_nothing(client, director, case, data, field):
    dates = {"FUTURE": iso(today() + DAY), "ANCIENT": "1980-01-01"}
    post = {"number": "PV-0002", "drawn_up_on": iso(today()), **data}
    post["drawn_up_on"] = dates.get(post["drawn_up_on"], post["drawn_up_on"])
    before = snapshot(case)
    response = client.post(url("police_report_add", case), post)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_a_police_report_is_removed_with_history(client, director, world, case):
    report = world.children["city_a_shared"]["police_report_pk"]
    response = client.post(
        url("police_report_remove", case, police_report_pk=report.pk), {"confirm": "yes"}
    )
    assert response.status_code == 302
    assert not PoliceReport.objects.filter(pk=report.pk).exists()
    deleted = PoliceReport.history.filter(id=report.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", director)


def test_remove_on_get_only_asks(client, director, world, case):
    report = world.children["city_a_shared"]["police_report_pk"]
    response = client.get(url("police_report_remove", case, police_report_pk=report.pk))
    assert response.status_code == 200 and "confirmation" in response.context
    assert PoliceReport.objects.filter(pk=report.pk).exists()


# --- parket notice number and alignment ---


def test_notice_number_and_alignment_are_saved(client, director, case):
    response = client.get(url("trajectory_notes", case))
    assert response.context["form"]["version"].value() == case.version
    response = client.post(
        url("trajectory_notes", case),
        {
            "parket_notice_number": " ME.60.L1.001234/26 ",
            "alignment_notes": "Justitiehuis meldt voorwaarden aan CAW.",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    old_version = case.version
    case.refresh_from_db()
    assert case.parket_notice_number == "ME.60.L1.001234/26"
    assert case.alignment_notes == "Justitiehuis meldt voorwaarden aan CAW."
    assert case.version == old_version + 1
    assert case.history.first().history_user == director


def test_a_stale_notice_number_edit_gets_409_and_keeps_the_input(client, director, case):
    stale = case.version
    services.case_update_trajectory_notes(
        case=case,
        by=director,
        expected_version=stale,
        parket_notice_number="ME.60.L1.000001/26",
        alignment_notes="first",
    )
    before = snapshot(case)
    response = client.post(
        url("trajectory_notes", case),
        {
            "parket_notice_number": "ME.60.L1.999999/26",
            "alignment_notes": "second",
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert response.context["form"]["parket_notice_number"].value() == "ME.60.L1.999999/26"
    assert snapshot(case) == before
    assert case.parket_notice_number == "ME.60.L1.000001/26"


# --- measures ---


def test_a_restraining_order_of_fourteen_days_is_added_with_an_event(client, director, world, case):
    start = today() - 2 * DAY
    response = client.post(
        url("measure_add", case),
        {
            "kind": THV,
            "starts_on": iso(start),
            "ends_on": iso(start + 14 * DAY),
            "decided_by": world.orgs["parket_a"].pk,
        },
    )
    assert response.status_code == 302
    measure = Measure.objects.filter(case=case).latest("id")
    assert (measure.kind, measure.starts_on, measure.ends_on, measure.version) == (
        THV,
        start,
        start + 14 * DAY,
        1,
    )
    event = CaseEvent.objects.filter(case=case, kind=EventKind.MEASURE_STARTED).first()
    assert event is not None
    assert " \N{EN DASH} " in event.summary
    assert (EventKind.MEASURE_STARTED, event.summary) in steering_events(client, case)


def test_a_measure_other_than_a_thv_may_be_open_ended_and_long(client, director, case):
    response = client.post(
        url("measure_add", case),
        {"kind": MeasureKind.CONDITIONS, "starts_on": iso(today() - 100 * DAY)},
    )
    assert response.status_code == 302
    measure = Measure.objects.filter(case=case).latest("id")
    assert (measure.kind, measure.ends_on) == (MeasureKind.CONDITIONS, None)
    newest = CaseEvent.objects.filter(case=case, kind=EventKind.MEASURE_STARTED)[0]
    assert newest.summary.endswith(" \N{EN DASH} …")


@pytest.mark.parametrize(
    ("kind", "start", "end", "field"),
    [
        (THV, -20, -5, "ends_on"),  # 15 days: longer than 14
        (THV, -2, None, "ends_on"),  # a THV always has an end
        (THV, -2, -3, "ends_on"),  # end before start
        (MeasureKind.CONDITIONS, -2, -3, "ends_on"),  # end before start, for every kind
        (MeasureKind.PROTECTION_ORDER, 1, 5, "starts_on"),  # start in the future
        (MeasureKind.OTHER, -365 * 40, None, "starts_on"),  # absurdly old
        ("curfew", -2, 2, "kind"),  # not a kind we know
    ],
)
def test_a_bad_measure_is_refused_and_changes_nothing(
    client, director, case, kind, start, end, field
):
    before = snapshot(case)
    data = {"kind": kind, "starts_on": iso(today() + start * DAY)}
    if end is not None:
        data["ends_on"] = iso(today() + end * DAY)
    response = client.post(url("measure_add", case), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_the_thv_limit_is_configuration(client, director, case, settings):
    settings.FJC_RESTRAINING_ORDER_MAX_DAYS = 10
    data = {"kind": THV, "starts_on": iso(today() - 11 * DAY), "ends_on": iso(today())}
    response = client.post(url("measure_add", case), data)
    assert "ends_on" in response.context["form"].errors


# --- extending a measure ---


def test_the_family_court_extends_a_thv(client, director, world, case):
    measure = world.children["city_a_shared"]["measure_pk"]
    previous_end = measure.ends_on
    response = client.get(url("measure_extend", case, measure_pk=measure.pk))
    assert response.status_code == 200
    assert response.context["form"]["version"].value() == measure.version
    new_end = previous_end + 92 * DAY
    response = client.post(
        url("measure_extend", case, measure_pk=measure.pk),
        {
            "new_end": iso(new_end),
            "decided_on": iso(today()),
            "decided_by": world.orgs["parket_a"].pk,
            "version": measure.version,
        },
    )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert (measure.ends_on, measure.version) == (new_end, 2)
    extension = measure.extensions.get()
    assert (extension.previous_end, extension.new_end, extension.decided_by) == (
        previous_end,
        new_end,
        world.orgs["parket_a"],
    )
    assert measure.history.first().history_user == director
    kinds = [kind for kind, _summary in steering_events(client, case)]
    assert EventKind.MEASURE_EXTENDED in kinds


@pytest.mark.parametrize(
    ("new_end", "decided_on", "field"),
    [
        (93, 0, "new_end"),  # more than 92 days at once
        (0, 0, "new_end"),  # not after the current end
        (-1, 0, "new_end"),  # before the current end
        (30, 1, "decided_on"),  # decided in the future
        (30, -1, "decided_on"),  # decided before the measure started
    ],
)
def test_a_bad_extension_is_refused_and_changes_nothing(
    client, director, world, case, new_end, decided_on, field
):
    measure = world.children["city_a_shared"]["measure_pk"]
    before = snapshot(case)
    response = client.post(
        url("measure_extend", case, measure_pk=measure.pk),
        {
            "new_end": iso(measure.ends_on + new_end * DAY),
            "decided_on": iso(today() + decided_on * DAY),
            "version": measure.version,
        },
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_an_extension_after_the_end_is_refused(director, case):
    measure = services.measure_add(
        case=case, by=director, kind=THV, starts_on=today() - 10 * DAY, ends_on=today() - DAY
    )
    with pytest.raises(ValidationError) as error:
        services.measure_extend(measure=measure, by=director, new_end=today(), decided_on=today())
    assert "decided_on" in error.value.message_dict
    assert not measure.extensions.exists()


def test_an_open_ended_measure_cannot_be_extended(client, director, case):
    measure = services.measure_add(
        case=case, by=director, kind=MeasureKind.CONDITIONS, starts_on=today()
    )
    before = snapshot(case)
    response = client.post(
        url("measure_extend", case, measure_pk=measure.pk),
        {"new_end": iso(today() + DAY), "decided_on": iso(today()), "version": measure.version},
    )
    assert response.status_code == 200
    assert "__all__" in response.context["form"].errors
    assert snapshot(case) == before


def test_other_measures_are_not_bound_to_the_thv_extension_limit(director, case):
    measure = services.measure_add(
        case=case,
        by=director,
        kind=MeasureKind.CONDITIONS,
        starts_on=today() - DAY,
        ends_on=today() + 30 * DAY,
    )
    services.measure_extend(
        measure=measure, by=director, new_end=today() + 400 * DAY, decided_on=today()
    )
    measure.refresh_from_db()
    assert measure.ends_on == today() + 400 * DAY


def test_a_stale_extension_gets_409_and_changes_nothing(client, director, world, case):
    measure = world.children["city_a_shared"]["measure_pk"]
    stale = measure.version
    services.measure_extend(
        measure=measure,
        by=director,
        new_end=measure.ends_on + 10 * DAY,
        decided_on=today(),
        expected_version=stale,
    )
    before = snapshot(case)
    response = client.post(
        url("measure_extend", case, measure_pk=measure.pk),
        {
            "new_end": iso(measure.ends_on + 60 * DAY),
            "decided_on": iso(today()),
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert response.context["form"]["new_end"].value() == iso(measure.ends_on + 60 * DAY)
    assert snapshot(case) == before


# --- the warning before a THV ends ---


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.mark.parametrize(("days_left", "warned"), [(4, False), (3, True), (0, True), (-1, False)])
def test_the_thv_warning_edges(client, world, case, days_left, warned):
    director = world.users["director_city_a"]
    start = today()
    measure = services.measure_add(
        case=case, by=director, kind=THV, starts_on=start, ends_on=start + 10 * DAY
    )
    with time_machine.travel(_noon(measure.ends_on - days_left * DAY), tick=False):
        assert timezone.localdate() == measure.ends_on - days_left * DAY
        client.force_login(director)
        response = client.get(url("detail", case))
        assert response.status_code == 200
        page_warnings = {
            w.measure.pk: w.days_left for w in response.context["steering"].measure_warnings
        }
        across_cases = {
            w.measure.pk: w.days_left for w in selectors.restraining_orders_ending(user=director)
        }
    expected = {measure.pk: days_left} if warned else {}
    assert {k: v for k, v in page_warnings.items() if k == measure.pk} == expected
    assert {k: v for k, v in across_cases.items() if k == measure.pk} == expected


def test_restraining_orders_ending_respects_access(world):
    u = world.users
    ending = {}
    for key in ("city_a", "caw_a", "city_a_shared"):
        c = world.cases[key]
        ending[key] = services.measure_add(
            case=c,
            by=c.case_director,
            kind=THV,
            starts_on=today() - 10 * DAY,
            ends_on=today() + 2 * DAY,
        )

    def seen(user, **kwargs):
        return {w.measure.pk for w in selectors.restraining_orders_ending(user=user, **kwargs)}

    assert seen(u["director_city_a"]) == {ending["city_a"].pk, ending["city_a_shared"].pk}
    assert seen(u["director_caw_a"]) == {ending["caw_a"].pk}
    assert seen(u["liaison_parket_a"]) == {ending["city_a_shared"].pk}
    for nobody in ("liaison_parket_b", "opslead_city_a", "admin_city_a", "superuser"):
        assert seen(u[nobody]) == set()
    # A wider window also reaches the world's orders, still only in the user's own cases.
    wide = selectors.restraining_orders_ending(user=u["director_city_a"], within_days=14)
    assert {w.measure.case_id for w in wide} == {
        world.cases["city_a"].pk,
        world.cases["city_a_shared"].pk,
    }
    assert [w.days_left for w in wide] == sorted(w.days_left for w in wide)


# --- hearings ---


def test_a_hearing_is_planned_and_removed(client, director, case):
    held_at = timezone.localtime().replace(second=0, microsecond=0) + 20 * DAY
    response = client.post(
        url("hearing_add", case),
        {
            "held_at": held_at.strftime("%Y-%m-%dT%H:%M"),
            "court": "Familierechtbank Mechelen",
            "subject": "Verlenging THV",
        },
    )
    assert response.status_code == 302
    hearing = Hearing.objects.filter(case=case).latest("id")
    assert (hearing.held_at, hearing.court) == (held_at, "Familierechtbank Mechelen")
    events = steering_events(client, case)
    planned = [s for k, s in events if k == EventKind.HEARING_PLANNED]
    assert planned[0].startswith("Familierechtbank Mechelen, ")
    assert "Verlenging" not in planned[0]  # the subject may name people: not on the timeline
    response = client.post(url("hearing_remove", case, hearing_pk=hearing.pk), {"confirm": "yes"})
    assert response.status_code == 302
    assert not Hearing.objects.filter(pk=hearing.pk).exists()


@pytest.mark.parametrize(
    ("held_at", "court", "field"),
    [
        ("2026-13-40T10:00", "Familierechtbank", "held_at"),
        ("FAR", "Familierechtbank", "held_at"),
        ("OLD", "Familierechtbank", "held_at"),
        ("SOON", "  ", "court"),
    ],
)
def test_a_bad_hearing_is_refused_and_changes_nothing(
    client, director, case, held_at, court, field
):
    moments = {
        "FAR": timezone.localtime() + 365 * 4 * DAY,
        "OLD": timezone.localtime() - 365 * 40 * DAY,
        "SOON": timezone.localtime() + DAY,
    }
    if held_at in moments:
        held_at = moments[held_at].strftime("%Y-%m-%dT%H:%M")
    before = snapshot(case)
    response = client.post(url("hearing_add", case), {"held_at": held_at, "court": court})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


# --- care trajectory ---


def test_a_partner_joins_and_leaves_the_care_trajectory(client, director, world, case):
    cgg = world.orgs["partner_b"]
    response = client.post(
        url("care_partner_add", case),
        {"organisation": cgg.pk, "role": "Therapie slachtoffer", "since": iso(today() - 5 * DAY)},
    )
    assert response.status_code == 302
    partner = CasePartner.objects.get(case=case, organisation=cgg)
    assert (partner.role, partner.since, partner.until) == (
        "Therapie slachtoffer",
        today() - 5 * DAY,
        None,
    )
    response = client.get(url("care_partner_end", case, case_partner_pk=partner.pk))
    assert response.status_code == 200
    response = client.post(
        url("care_partner_end", case, case_partner_pk=partner.pk), {"until": iso(today() - DAY)}
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.until == today() - DAY
    assert partner.history.first().history_user == director
    events = steering_events(client, case)
    assert (EventKind.PARTNER_ADDED, cgg.name) in events
    assert (EventKind.PARTNER_ENDED, cgg.name) in events
    # An ended partner cannot be ended again.
    response = client.get(url("care_partner_end", case, case_partner_pk=partner.pk))
    assert response.status_code == 404
    # The same organisation may come back after it left.
    response = client.post(
        url("care_partner_add", case),
        {"organisation": cgg.pk, "role": "Nazorg", "since": iso(today())},
    )
    assert response.status_code == 302
    assert CasePartner.objects.filter(case=case, organisation=cgg).count() == 2


@pytest.mark.parametrize(
    ("org_key", "since", "field"),
    [
        ("partner_a", 0, "organisation"),  # already in the trajectory (world: since today)
        ("partner_b", 1, "since"),  # joins in the future
        ("partner_b", -365 * 40, "since"),  # absurdly old
    ],
)
def test_a_bad_partner_is_refused_and_changes_nothing(
    client, director, world, case, org_key, since, field
):
    before = snapshot(case)
    response = client.post(
        url("care_partner_add", case),
        {"organisation": world.orgs[org_key].pk, "role": "x", "since": iso(today() + since * DAY)},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


def test_a_partner_cannot_come_back_while_its_earlier_part_overlaps(director, world, case):
    cgg = world.orgs["partner_b"]
    partner = services.partner_add(
        case=case, by=director, organisation=cgg, role="x", since=today() - 20 * DAY
    )
    services.partner_end(case=case, by=director, partner=partner, until=today() - 10 * DAY)
    with pytest.raises(ValidationError) as error:
        services.partner_add(
            case=case, by=director, organisation=cgg, role="y", since=today() - 10 * DAY
        )
    assert "organisation" in error.value.message_dict
    services.partner_add(
        case=case, by=director, organisation=cgg, role="y", since=today() - 9 * DAY
    )


@pytest.mark.parametrize(("until", "field"), [(-1, "until"), (1, "until")])
def test_a_bad_partner_end_is_refused_and_changes_nothing(
    client, director, world, case, until, field
):
    partner = world.children["city_a_shared"]["case_partner_pk"]  # since today
    before = snapshot(case)
    response = client.post(
        url("care_partner_end", case, case_partner_pk=partner.pk),
        {"until": iso(today() + until * DAY)},
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot(case) == before


# --- an anonymous consult has no trajectory ---


def test_an_anonymous_consult_gets_no_trajectory(world):
    director = world.users["director_city_a"]
    consult = services.case_create(
        by=director,
        owner_organisation=world.orgs["city_a"],
        case_director=director,
        is_anonymous_consult=True,
        consult_question="?",
        advice_given="!",
    )
    with pytest.raises(ValidationError):
        services.police_report_add(case=consult, by=director, number="PV-9", drawn_up_on=today())
    with pytest.raises(ValidationError):
        services.measure_add(
            case=consult, by=director, kind=THV, starts_on=today(), ends_on=today() + DAY
        )
    with pytest.raises(ValidationError):
        services.partner_add(
            case=consult, by=director, organisation=world.orgs["partner_a"], role="x", since=today()
        )
    assert not PoliceReport.objects.filter(case=consult).exists()


# --- access ---


def _all_urls(world, case_key: str) -> list[tuple[str, str]]:
    """(method, url) of every change URL of this area for one case."""
    c = world.cases[case_key]
    ch = world.children[case_key]
    return [
        ("get", url("trajectory_notes", c)),
        ("post", url("trajectory_notes", c)),
        ("get", url("police_report_add", c)),
        ("post", url("police_report_add", c)),
        ("post", url("police_report_remove", c, police_report_pk=ch["police_report_pk"].pk)),
        ("get", url("measure_add", c)),
        ("post", url("measure_add", c)),
        ("get", url("measure_extend", c, measure_pk=ch["measure_pk"].pk)),
        ("post", url("measure_extend", c, measure_pk=ch["measure_pk"].pk)),
        ("get", url("hearing_add", c)),
        ("post", url("hearing_add", c)),
        ("post", url("hearing_remove", c, hearing_pk=ch["hearing_pk"].pk)),
        ("get", url("care_partner_add", c)),
        ("post", url("care_partner_add", c)),
        ("get", url("care_partner_end", c, case_partner_pk=ch["case_partner_pk"].pk)),
        ("post", url("care_partner_end", c, case_partner_pk=ch["case_partner_pk"].pk)),
    ]


def _valid_data(world, case_key: str) -> dict[str, str]:
    """Data that every form above would accept, so only access can stop it."""
    measure = world.children[case_key]["measure_pk"]
    return {
        "parket_notice_number": "X",
        "alignment_notes": "X",
        "version": str(measure.version),
        "number": "PV-NEW",
        "drawn_up_on": iso(today()),
        "kind": MeasureKind.OTHER,
        "starts_on": iso(today()),
        "new_end": iso(measure.ends_on + DAY),
        "decided_on": iso(today()),
        "held_at": (timezone.localtime() + DAY).strftime("%Y-%m-%dT%H:%M"),
        "court": "X",
        "organisation": str(world.orgs["partner_b"].pk),
        "role": "X",
        "since": iso(today()),
        "until": iso(today()),
    }


def test_the_prosecutor_sees_the_judicial_trajectory_but_changes_nothing(client, world, case):
    client.force_login(world.users["liaison_parket_a"])
    response = client.get(url("detail", case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "PV-0001" in page
    assert 'id="judicial-heading"' in page and 'id="care-heading"' in page
    for name in ("police_report_add", "measure_add", "hearing_add", "care_partner_add"):
        assert url(name, case) not in page
    assert "/extend/" not in page and "/remove/" not in page
    before = snapshot(case)
    data = _valid_data(world, "city_a_shared")
    for method, target in _all_urls(world, "city_a_shared"):
        response = getattr(client, method)(target, data) if method == "post" else client.get(target)
        assert response.status_code == 403, (method, target)
    assert snapshot(case) == before


def test_another_organisation_gets_404_everywhere(client, world, case):
    client.force_login(world.users["director_caw_a"])
    before = snapshot(case)
    data = _valid_data(world, "city_a_shared")
    for method, target in _all_urls(world, "city_a_shared"):
        response = getattr(client, method)(target, data) if method == "post" else client.get(target)
        assert response.status_code == 404, (method, target)
    assert snapshot(case) == before


def test_an_object_of_another_case_is_404_even_for_its_own_director(client, director, world):
    """The case in the URL is the director's, but the object belongs to their other case."""
    city_a, other = world.cases["city_a"], world.cases["city_a_shared"]
    ch = world.children["city_a_shared"]
    before = snapshot(city_a), snapshot(other)
    data = _valid_data(world, "city_a_shared")
    for method, target in [
        ("post", url("police_report_remove", city_a, police_report_pk=ch["police_report_pk"].pk)),
        ("get", url("measure_extend", city_a, measure_pk=ch["measure_pk"].pk)),
        ("post", url("measure_extend", city_a, measure_pk=ch["measure_pk"].pk)),
        ("post", url("hearing_remove", city_a, hearing_pk=ch["hearing_pk"].pk)),
        ("get", url("care_partner_end", city_a, case_partner_pk=ch["case_partner_pk"].pk)),
        ("post", url("care_partner_end", city_a, case_partner_pk=ch["case_partner_pk"].pk)),
    ]:
        response = getattr(client, method)(target, data) if method == "post" else client.get(target)
        assert response.status_code == 404, (method, target)
    assert (snapshot(city_a), snapshot(other)) == before


def test_anonymous_visitors_go_to_the_login_page(client, world, case):
    for method, target in _all_urls(world, "city_a_shared"):
        response = getattr(client, method)(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- the steering page stays cheap ---


def test_steering_page_query_count_does_not_grow_with_trajectory_rows(client, director, world):
    target = make_case(director, track=3)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("detail", target))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    organisations = iter(world.orgs.values())

    def add_rows(n: int) -> None:
        for i in range(n):
            services.police_report_add(
                case=target, by=director, number=f"PV-{n}-{i}", drawn_up_on=today()
            )
            m = services.measure_add(
                case=target, by=director, kind=THV, starts_on=today(), ends_on=today() + DAY
            )
            services.measure_extend(
                measure=m, by=director, new_end=today() + 2 * DAY, decided_on=today()
            )
            services.hearing_add(
                case=target, by=director, held_at=timezone.now() + DAY, court="Rechtbank"
            )
            services.partner_add(
                case=target, by=director, organisation=next(organisations), role="x", since=today()
            )

    add_rows(1)
    few = count()
    add_rows(3)
    assert count() == few
