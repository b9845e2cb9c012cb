"""Track 3, the judicial outcome: the prosecution decision, conditions, breaches, a restraining
order lifted early, and the extension rule of the law of 15 May 2012."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import (
    Breach,
    Case,
    CaseEvent,
    ConditionKind,
    EventKind,
    JudicialCondition,
    Measure,
    MeasureExtension,
    MeasureKind,
    ProsecutionDecision,
    ProsecutionDecisionKind,
)
from cases.selectors.trajectory import restraining_orders_ending
from partners.models import OrganisationKind
from reporting.figures.judicial import judicial_tables
from reporting.figures.period import Period

from .factories import make_organisation
from .figures_helpers import D, make_director, new_case, table, values

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
THV = MeasureKind.RESTRAINING_ORDER


def today() -> datetime.date:
    return timezone.localdate()


def url(name: str, case: Case, **kwargs: int) -> str:
    return reverse(f"cases:{name}", kwargs={"pk": case.pk, **kwargs})


def messages_of(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


@pytest.fixture
def director(db):
    return make_director("director_judicial")


@pytest.fixture
def parket(db):
    return make_organisation("Parket Judicieel", OrganisationKind.PROSECUTOR)


@pytest.fixture
def case(director):
    return new_case(director, today() - 60 * DAY, 3)


def order(case: Case, starts: datetime.date, days: int = 14) -> Measure:
    return services.measure_add(
        case=case, by=case.case_director, kind=THV, starts_on=starts, ends_on=starts + days * DAY
    )


def end(measure: Measure) -> datetime.date:
    assert measure.ends_on is not None
    return measure.ends_on


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


# --- the prosecution decision ---


def test_a_decision_is_dated_by_an_organisation_and_goes_on_the_timeline(director, case, parket):
    decision = services.prosecution_decision_add(
        case=case,
        by=director,
        kind=ProsecutionDecisionKind.PROBATION,
        decided_on=today() - 3 * DAY,
        decided_by=parket,
    )
    assert decision.decided_by == parket
    event = CaseEvent.objects.get(case=case, kind=EventKind.PROSECUTION_DECIDED)
    assert "Parket Judicieel" in event.summary
    assert decision.history.count() == 1
    # A later decision is a new row; the earlier one stays for the figures of its year.
    services.prosecution_decision_add(
        case=case,
        by=director,
        kind=ProsecutionDecisionKind.SUMMONS,
        decided_on=today(),
        decided_by=parket,
    )
    assert list(ProsecutionDecision.objects.filter(case=case).values_list("kind", flat=True)) == [
        ProsecutionDecisionKind.PROBATION,
        ProsecutionDecisionKind.SUMMONS,
    ]


@pytest.mark.parametrize(
    "decided_on", [lambda: today() + DAY, lambda: datetime.date(202, 1, 1)], ids=["future", "typo"]
)
def test_an_implausible_decision_date_is_refused(director, case, parket, decided_on):
    with pytest.raises(ValidationError) as error:
        services.prosecution_decision_add(
            case=case,
            by=director,
            kind=ProsecutionDecisionKind.DISMISSED,
            decided_on=decided_on(),
            decided_by=parket,
        )
    assert "decided_on" in error.value.message_dict
    assert not ProsecutionDecision.objects.filter(case=case).exists()


def test_who_decided_must_be_an_active_organisation(director, case, parket):
    with pytest.raises(ValidationError) as error:
        services.prosecution_decision_add(
            case=case,
            by=director,
            kind=ProsecutionDecisionKind.DISMISSED,
            decided_on=today(),
            decided_by="de procureur",  # type: ignore[arg-type]
        )
    assert "decided_by" in error.value.message_dict
    parket.is_active = False
    parket.save()
    with pytest.raises(ValidationError) as error:
        services.prosecution_decision_add(
            case=case,
            by=director,
            kind=ProsecutionDecisionKind.DISMISSED,
            decided_on=today(),
            decided_by=parket,
        )
    assert "decided_by" in error.value.message_dict


def test_an_anonymous_consult_has_no_judicial_outcome(director, parket):
    consult = new_case(director, today(), 1, is_anonymous_consult=True)
    with pytest.raises(ValidationError):
        services.prosecution_decision_add(
            case=consult,
            by=director,
            kind=ProsecutionDecisionKind.OTHER,
            decided_on=today(),
            decided_by=parket,
        )


# --- conditions and breaches ---


def test_conditions_have_a_period_and_a_description(director, case):
    with pytest.raises(ValidationError) as error:
        services.condition_add(
            case=case,
            by=director,
            kind=ConditionKind.RELEASE,
            description="Geen contact",
            starts_on=today(),
            ends_on=today() - DAY,
        )
    assert "ends_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.condition_add(
            case=case,
            by=director,
            kind=ConditionKind.RELEASE,
            description="  ",
            starts_on=today(),
            ends_on=today() + DAY,
        )
    assert "description" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.condition_add(
            case=case,
            by=director,
            kind=ConditionKind.RELEASE,
            description="Geen contact",
            starts_on=today(),
            ends_on=today() + 20 * 365 * DAY,
        )
    assert "ends_on" in error.value.message_dict
    condition = services.condition_add(
        case=case,
        by=director,
        kind=ConditionKind.PROBATION,
        description="Begeleiding volgen",
        starts_on=today() - 10 * DAY,
        ends_on=today() + 365 * DAY,
    )
    assert EventKind.CONDITIONS_IMPOSED in kinds(case)
    # The description may name people: it stays off the timeline.
    assert "Begeleiding" not in CaseEvent.objects.get(kind=EventKind.CONDITIONS_IMPOSED).summary
    updated = services.condition_update(
        condition=condition,
        by=director,
        expected_version=condition.version,
        description="Begeleiding volgen bij het justitiehuis",
        starts_on=condition.starts_on,
        ends_on=today() + 100 * DAY,
    )
    assert updated.version == condition.version + 1
    assert updated.history.count() == 2


def test_a_breach_is_of_one_thing_on_a_day_it_held(director, case):
    thv = order(case, today() - 5 * DAY)
    condition = services.condition_add(
        case=case,
        by=director,
        kind=ConditionKind.RELEASE,
        description="Geen contact",
        starts_on=today() - 5 * DAY,
        ends_on=today() + 30 * DAY,
    )
    with pytest.raises(ValidationError) as error:
        services.breach_add(
            case=case, by=director, occurred_on=today(), description="Contact", measure=None
        )
    assert "breached" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.breach_add(
            case=case,
            by=director,
            occurred_on=today(),
            description="x",
            measure=thv,
            condition=condition,
        )
    assert "breached" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.breach_add(
            case=case, by=director, occurred_on=today() - 6 * DAY, description="x", measure=thv
        )
    assert "occurred_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.breach_add(
            case=case, by=director, occurred_on=today() + DAY, description="x", measure=thv
        )
    assert "occurred_on" in error.value.message_dict
    breach = services.breach_add(
        case=case, by=director, occurred_on=today(), description="Kwam aan de woning", measure=thv
    )
    assert breach.measure == thv
    event = CaseEvent.objects.get(case=case, kind=EventKind.BREACH_RECORDED)
    assert "woning" not in event.summary
    services.breach_add(
        case=case, by=director, occurred_on=today(), description="Belde", condition=condition
    )
    # Conditions with a breach stay until the breach goes.
    with pytest.raises(ValidationError):
        services.condition_remove(case=case, by=director, condition=condition)


def test_a_breach_of_another_cases_order_is_refused(director, case):
    other = new_case(director, today() - 30 * DAY, 3)
    thv = order(other, today() - 2 * DAY)
    with pytest.raises(ValidationError):
        services.breach_add(
            case=case, by=director, occurred_on=today(), description="x", measure=thv
        )


# --- the extension rule (law of 15 May 2012, art. 5: once, at most three months) ---


def test_an_order_is_extended_once_by_default(director, case):
    thv = order(case, today() - 5 * DAY)
    services.measure_extend(
        measure=thv, by=director, new_end=end(thv) + 30 * DAY, decided_on=today()
    )
    thv.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.measure_extend(
            measure=thv, by=director, new_end=end(thv) + 10 * DAY, decided_on=today()
        )
    assert "slechts één keer verlengd" in messages_of(error)
    assert MeasureExtension.objects.filter(measure=thv).count() == 1


def test_the_number_and_total_length_of_extensions_are_settings(director, case, settings):
    settings.FJC_RESTRAINING_ORDER_MAX_EXTENSIONS = 2
    settings.FJC_RESTRAINING_ORDER_EXTENSION_MAX_DAYS = 60
    thv = order(case, today() - 5 * DAY)
    original_end = end(thv)
    thv = services.measure_extend(
        measure=thv, by=director, new_end=original_end + 40 * DAY, decided_on=today()
    )
    # The length counts from the original end over every extension: 40 + 21 > 60.
    with pytest.raises(ValidationError) as error:
        services.measure_extend(
            measure=thv, by=director, new_end=original_end + 61 * DAY, decided_on=today()
        )
    assert "maximaal 60 dagen" in messages_of(error)
    thv = services.measure_extend(
        measure=thv, by=director, new_end=original_end + 60 * DAY, decided_on=today()
    )
    with pytest.raises(ValidationError) as error:
        services.measure_extend(
            measure=thv, by=director, new_end=end(thv) + DAY, decided_on=today()
        )
    assert "maximaal 2 keer" in messages_of(error)
    settings.FJC_RESTRAINING_ORDER_MAX_EXTENSIONS = 0
    other = order(case, today() - DAY)
    with pytest.raises(ValidationError) as error:
        services.measure_extend(
            measure=other, by=director, new_end=end(other) + DAY, decided_on=today()
        )
    assert "kan niet verlengd worden" in messages_of(error)


# --- an order lifted early ---


def test_lifting_early_is_dated_before_the_planned_end_by_an_organisation(director, case, parket):
    thv = order(case, today() - 5 * DAY)
    for lifted_on, field in [
        (today() - 6 * DAY, "lifted_on"),  # before the start
        (today() + DAY, "lifted_on"),  # in the future
    ]:
        with pytest.raises(ValidationError) as error:
            services.measure_lift(
                measure=thv, by=director, lifted_on=lifted_on, lifted_by=parket, reason="Rust"
            )
        assert field in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_lift(
            measure=thv,
            by=director,
            lifted_on=today(),
            lifted_by=None,  # type: ignore[arg-type]
            reason="Rust",
        )
    assert "lifted_by" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.measure_lift(
            measure=thv, by=director, lifted_on=today(), lifted_by=parket, reason=""
        )
    assert "reason" in error.value.message_dict
    lifted = services.measure_lift(
        measure=thv, by=director, lifted_on=today() - DAY, lifted_by=parket, reason="Rust"
    )
    assert lifted.lifted_on == today() - DAY
    assert lifted.ends_on == today() + 9 * DAY  # the planned end is kept
    assert lifted.in_force_until == today() - DAY
    assert EventKind.MEASURE_LIFTED in kinds(case)
    # Lifted: no more extension, no second lift, no warning that it ends.
    with pytest.raises(ValidationError):
        services.measure_extend(
            measure=lifted, by=director, new_end=end(lifted) + DAY, decided_on=today()
        )
    with pytest.raises(ValidationError):
        services.measure_lift(
            measure=lifted, by=director, lifted_on=today(), lifted_by=parket, reason="x"
        )
    assert thv.pk not in [
        w.measure.pk for w in restraining_orders_ending(user=director, within_days=30)
    ]


def test_a_planned_end_cannot_be_lifted_early_on_or_after_it(director, case, parket):
    thv = order(case, today() - 14 * DAY)  # ends today
    with pytest.raises(ValidationError) as error:
        services.measure_lift(
            measure=thv, by=director, lifted_on=today(), lifted_by=parket, reason="x"
        )
    assert "lifted_on" in error.value.message_dict


def test_other_measures_are_not_lifted_here(director, case, parket):
    measure = services.measure_add(
        case=case,
        by=director,
        kind=MeasureKind.CONDITIONS,
        starts_on=today() - DAY,
        ends_on=today() + 30 * DAY,
    )
    with pytest.raises(ValidationError):
        services.measure_lift(
            measure=measure, by=director, lifted_on=today(), lifted_by=parket, reason="x"
        )


def test_an_early_lift_ends_the_period_in_force_in_the_figures(director, parket):
    by = director
    x = new_case(director, D(2024, 12, 1), 3)
    # 25 Dec 2024 - 8 Jan 2025, lifted on 30 Dec 2024: not in force in 2025.
    lifted = services.measure_add(
        case=x, by=by, kind=THV, starts_on=D(2024, 12, 25), ends_on=D(2025, 1, 8)
    )
    services.measure_lift(
        measure=lifted, by=by, lifted_on=D(2024, 12, 30), lifted_by=parket, reason="Rust"
    )
    # The same order without a lift is in force in 2025 for its last eight days.
    services.measure_add(case=x, by=by, kind=THV, starts_on=D(2024, 12, 26), ends_on=D(2025, 1, 8))
    # Lifted in 2025 itself: still in force during 2025.
    kept = services.measure_add(
        case=x, by=by, kind=THV, starts_on=D(2025, 3, 1), ends_on=D(2025, 3, 15)
    )
    services.measure_lift(
        measure=kept, by=by, lifted_on=D(2025, 3, 2), lifted_by=parket, reason="Rust"
    )
    assert values(table(judicial_tables(Period.year(2025)), "restraining_orders"))["in_force"] == 2
    assert values(table(judicial_tables(Period.year(2024)), "restraining_orders"))["in_force"] == 2
    # A period after the lift, inside the planned end: not in force.
    march = Period(D(2025, 3, 3), D(2025, 3, 31))
    assert values(table(judicial_tables(march), "restraining_orders"))["in_force"] == 0


# --- the pages ---


@pytest.fixture
def world_case(world):
    return world.cases["city_a_shared"]


@pytest.fixture
def owner(world, client):
    client.force_login(world.users["director_city_a"])
    return world.users["director_city_a"]


def test_the_owner_records_a_decision_through_the_form(client, owner, world_case, world):
    parket = world.orgs["parket_a"]
    page = client.get(url("prosecution_decision_add", world_case))
    assert page.status_code == 200
    data = {
        "kind": ProsecutionDecisionKind.MEDIATION,
        "decided_on": today().isoformat(),
        "decided_by": parket.pk,
        "submission_token": page.context["form"].fields["submission_token"].initial,
    }
    response = client.post(url("prosecution_decision_add", world_case), data)
    assert response.status_code == 302
    # Sent twice (a double click, a retry): one decision.
    again = client.post(url("prosecution_decision_add", world_case), data)
    assert again.status_code == 302
    decision = ProsecutionDecision.objects.get(case=world_case)
    assert decision.decided_by == parket
    # A free-text "who decided" is refused by the form (not an organisation of the list).
    refused = client.post(
        url("prosecution_decision_add", world_case),
        {**data, "decided_by": "de procureur"},
    )
    assert refused.status_code == 200
    assert "decided_by" in refused.context["form"].errors


def test_the_steering_page_shows_the_outcome_in_dutch(client, owner, world_case, world):
    parket = world.orgs["parket_a"]
    services.prosecution_decision_add(
        case=world_case,
        by=owner,
        kind=ProsecutionDecisionKind.DISMISSED,
        decided_on=today(),
        decided_by=parket,
    )
    thv = world.children["city_a_shared"]["measure_pk"]
    services.breach_add(
        case=world_case, by=owner, occurred_on=today(), description="Aan de deur", measure=thv
    )
    page = client.get(url("detail", world_case)).content.decode()
    assert "Beslissing over vervolging" in page
    assert "Seponering" in page
    assert parket.name in page
    assert "Voorwaarden" in page
    assert "Matrix conditions" in page  # the world's conditions, with their end date
    assert "Inbreuken" in page
    assert "Aan de deur" in page
    for name in ("prosecution_decision_add", "condition_add", "breach_add"):
        assert url(name, world_case) in page
    assert url("measure_lift", world_case, measure_pk=thv.pk) in page
    condition = world.children["city_a_shared"]["condition_pk"]
    assert url("condition_remove", world_case, condition_pk=condition.pk) in page
    assert url("condition_edit", world_case, condition_pk=condition.pk) in page
    timeline = [e.kind for e in client.get(url("detail", world_case)).context["steering"].events]
    assert EventKind.PROSECUTION_DECIDED in timeline
    assert EventKind.BREACH_RECORDED in timeline


def test_lifting_through_the_form_ends_the_order(client, owner, world_case, world):
    thv = world.children["city_a_shared"]["measure_pk"]
    response = client.post(
        url("measure_lift", world_case, measure_pk=thv.pk),
        {
            "lifted_on": today().isoformat(),
            "lifted_by": world.orgs["parket_a"].pk,
            "reason": "Situatie gestabiliseerd",
            "version": thv.version,
        },
    )
    assert response.status_code == 302
    thv.refresh_from_db()
    assert thv.lifted_on == today()
    # Once lifted, the lift form is gone (404) and the page says so.
    assert client.get(url("measure_lift", world_case, measure_pk=thv.pk)).status_code == 404
    page = client.get(url("detail", world_case)).content.decode()
    assert "vroegtijdig opgeheven" in page


def test_removing_a_breach_asks_first(client, owner, world_case, world):
    breach = world.children["city_a_shared"]["breach_pk"]
    target = url("breach_remove", world_case, breach_pk=breach.pk)
    assert client.post(target).status_code == 200  # the question, nothing removed
    assert Breach.objects.filter(pk=breach.pk).exists()
    assert client.post(target, {"confirm": "yes"}).status_code == 302
    assert not Breach.objects.filter(pk=breach.pk).exists()
    assert Breach.history.filter(id=breach.pk, history_type="-").exists()


@pytest.mark.parametrize(
    ("user", "get_status", "post_status"),
    [
        ("director_city_a", 200, None),
        ("director_city_b", 404, 404),
        ("liaison_parket_a", 403, 403),  # reads the shared case, changes nothing
        ("admin_city_a", 404, 404),
        (None, 302, 302),
    ],
)
def test_who_may_open_the_outcome_forms(client, world, world_case, user, get_status, post_status):
    if user:
        client.force_login(world.users[user])
    condition = world.children["city_a_shared"]["condition_pk"]
    for target in (
        url("prosecution_decision_add", world_case),
        url("condition_add", world_case),
        url("condition_edit", world_case, condition_pk=condition.pk),
        url("breach_add", world_case),
    ):
        assert client.get(target).status_code == get_status, target
        if post_status is not None:
            assert client.post(target, {}).status_code == post_status, target
    before = JudicialCondition.objects.filter(case=world_case).count()
    if post_status is not None:
        client.post(
            url("condition_remove", world_case, condition_pk=condition.pk), {"confirm": "yes"}
        )
        assert JudicialCondition.objects.filter(case=world_case).count() == before


def test_the_figures_count_prosecution_decisions_by_kind_in_their_year(director, parket):
    x = new_case(director, D(2024, 11, 1), 3)
    y = new_case(director, D(2025, 2, 1), 3)
    for case, kind, day in [
        (x, ProsecutionDecisionKind.DISMISSED, D(2024, 12, 31)),
        (x, ProsecutionDecisionKind.SUMMONS, D(2025, 1, 1)),
        (y, ProsecutionDecisionKind.PROBATION, D(2025, 12, 31)),
        (y, ProsecutionDecisionKind.PROBATION, D(2026, 1, 1)),
    ]:
        services.prosecution_decision_add(
            case=case, by=director, kind=kind, decided_on=day, decided_by=parket
        )
    counts = values(table(judicial_tables(Period.year(2025)), "prosecution_decisions"))
    assert counts == {
        "dismissed": 0,
        "mediation": 0,
        "probation": 1,
        "summons": 1,
        "other": 0,
        "total": 2,
    }
    counts_2024 = values(table(judicial_tables(Period.year(2024)), "prosecution_decisions"))
    assert counts_2024["dismissed"] == 1
    assert counts_2024["total"] == 1


def test_a_breach_is_recorded_through_the_form(client, owner, world_case, world):
    thv = world.children["city_a_shared"]["measure_pk"]
    page = client.get(url("breach_add", world_case))
    assert f"m{thv.pk}" in page.content.decode()
    data = {"breached": f"m{thv.pk}", "occurred_on": today().isoformat(), "description": "Belde"}
    assert client.post(url("breach_add", world_case), data).status_code == 302
    assert Breach.objects.filter(measure=thv, description="Belde").exists()
    # An order of another case is not a choice.
    other = world.children["city_b"]["measure_pk"]
    refused = client.post(url("breach_add", world_case), {**data, "breached": f"m{other.pk}"})
    assert refused.status_code == 200
    assert "breached" in refused.context["form"].errors


def test_a_stale_condition_edit_gets_409_and_changes_nothing(client, owner, world_case, world):
    condition = world.children["city_a_shared"]["condition_pk"]
    stale = condition.version
    services.condition_update(
        condition=condition,
        by=owner,
        expected_version=stale,
        description="Eerst gewijzigd",
        starts_on=condition.starts_on,
        ends_on=condition.ends_on,
    )
    response = client.post(
        url("condition_edit", world_case, condition_pk=condition.pk),
        {
            "description": "Later gewijzigd",
            "starts_on": condition.starts_on.isoformat(),
            "ends_on": condition.ends_on.isoformat(),
            "version": stale,
        },
    )
    assert response.status_code == 409
    condition.refresh_from_db()
    assert condition.description == "Eerst gewijzigd"
