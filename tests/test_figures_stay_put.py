"""Issue 12, part 7: a year's figures never move with what happens after the year.

A year of data is built through the services (cases registered, closed, reopened, moved,
assessed and raised, referred and answered, gaps followed up, restraining orders started and
extended). Hypothesis then generates sequences of events dated after the year and asserts that
every raw cell of ``annual_figures(year)`` and its checksum stay identical. The year is built
once per test; each example runs in a savepoint that is rolled back.

To add a kind of event, write a function ``(year, pick, day) -> bool`` (True when the
services accepted it; a refusal is fine, the events are random) and add it to ``EVENTS``.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import (
    Case,
    ChildFile,
    ChildReportedTo,
    ClosingReason,
    FormOfViolence,
    Measure,
    MeasureKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
    RelationshipContext,
    Status,
    Track,
)
from cases.services import (
    ChildFileContent,
    case_change_status,
    case_change_track,
    case_close,
    case_create,
    case_reopen,
    case_update,
    child_file_save,
    measure_add,
    measure_extend,
    measure_lift,
    person_create_in_case,
    person_link_to_case,
    prosecution_decision_add,
    referral_answer,
    referral_create,
)
from partners.models import Gap, GapKind, GapStatus, Organisation, OrganisationKind
from partners.services import gap_set_status
from reporting.figures import annual_figures, figures_checksum
from risk.models import Assessment, RiskGrade
from risk.services import assessment_raise_level

from . import party_roles as pr
from . import risk_factories as rf
from .clock import TODAY
from .factories import make_organisation
from .figures_helpers import make_director

# Two years back, so that at least a year of days lies between the year's end and today.
YEAR = TODAY.year - 2
START, END = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
DAYS_AFTER = (TODAY - END).days  # events are dated END + 1 .. TODAY

pytestmark = pytest.mark.django_db


def day_in_year(rng: random.Random, after: datetime.date = START) -> datetime.date:
    return after + datetime.timedelta(days=rng.randrange((END - after).days + 1))


@dataclass
class Year:
    """The ids of what the year holds; events read the rows afresh."""

    director: Any
    partners: list[Organisation]
    reasons: list[ClosingReason]
    cases: list[int] = field(default_factory=list)
    assessments: list[int] = field(default_factory=list)
    referrals: list[int] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    # Child files (issue 18, part 5), recorded in the year with a report and a child plan.
    child_files: list[int] = field(default_factory=list)


def _accepted(action: Callable[[], Any]) -> bool:
    try:
        action()
    except ValidationError:
        return False
    return True


def build_year(seed: int = 12) -> Year:
    """About twenty cases of every sort, through the services, dated in the year (some
    registered the year before, carried over)."""
    rng = random.Random(seed)
    director = make_director("director_stay_put")
    year = Year(
        director=director,
        partners=[make_organisation(f"Partner {n}", OrganisationKind.PARTNER) for n in range(3)],
        reasons=list(ClosingReason.objects.filter(is_active=True)[:3]),
    )
    checklist = rf.shipped(rf.CHECKLIST)
    levels = {grade: checklist.levels.get(grade=grade) for grade in RiskGrade}
    for n in range(24):
        carried_over = n % 4 == 0
        opened = day_in_year(rng) - datetime.timedelta(days=365 if carried_over else 0)
        track = rng.choice(list(Track))  # an anonymous consult is always track 1
        case = case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            track=Track.ADVICE if n == 7 else track,
            opened_on=opened,
            is_anonymous_consult=n == 7,
            relationship_contexts=RelationshipContext.objects.filter(
                code__in=CONTEXTS[n % len(CONTEXTS)]
            ),
            forms_of_violence=FormOfViolence.objects.filter(code__in=FORMS[n % len(FORMS)]),
        )
        if case.is_anonymous_consult:
            continue
        year.cases.append(case.pk)
        if carried_over and n % 8 == 0:
            # Closed before the year: not running in it, unless reopened in it.
            closed_on = min(opened + datetime.timedelta(days=rng.randrange(60)), START)
            closed_on -= datetime.timedelta(days=1)
            if closed_on >= opened:
                case_close(
                    case=case,
                    by=director,
                    closing_reason=rng.choice(year.reasons),
                    closed_on=closed_on,
                )
                continue
        first = max(opened, START)
        if case.track != Track.CHAIN and rng.random() < 0.4:
            case = case_change_track(
                case=case,
                by=director,
                to_track=Track.CHAIN,
                changed_on=day_in_year(rng, first),
                reason="Risico",
            )
        if rng.random() < 0.5:
            # A perpetrator already in the case: a victim linked later may make a repeat.
            rf.add_party(case, pr.PERPETRATOR, first_name="Kim")
        if rng.random() < 0.6:
            party = rf.add_party(case, pr.VICTIM)
            assessment = rf.make_assessment(
                case,
                answers=rf.answers_for(checklist, yes=rng.choice((3, 11, 14))),
                assessed_on=day_in_year(rng, first),
                parties=[party],
            )
            year.assessments.append(assessment.pk)
            if assessment.level.grade < RiskGrade.HIGH and rng.random() < 0.5:
                assessment_raise_level(
                    assessment=assessment,
                    by=director,
                    level=levels[RiskGrade.HIGH],
                    reason="Professioneel oordeel",
                    raised_on=day_in_year(rng, assessment.assessed_on),
                )
        if rng.random() < 0.6:
            referral = referral_create(
                case=case,
                by=director,
                direction=rng.choice(list(ReferralDirection)),
                partner=rng.choice(year.partners),
                referred_on=day_in_year(rng, first),
                reason="Hulp",
                ground="necessity",
                necessity_reason="Test",
            )
            year.referrals.append(referral.pk)
            if rng.random() < 0.5:
                status = rng.choice([ReferralStatus.ACCEPTED, ReferralStatus.DECLINED])
                referral_answer(
                    referral=referral,
                    by=director,
                    status=status,
                    on=day_in_year(rng, referral.referred_on),
                    decline_reason="Wachtlijst" if status == ReferralStatus.DECLINED else "",
                )
        if case.track == Track.CHAIN or rng.random() < 0.3:
            starts = day_in_year(rng, first)
            order = measure_add(
                case=case,
                by=director,
                kind=MeasureKind.RESTRAINING_ORDER,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=10),
            )
            year.orders.append(order.pk)
            if rng.random() < 0.4 and starts + datetime.timedelta(days=5) <= END:
                measure_extend(
                    measure=order,
                    by=director,
                    new_end=starts + datetime.timedelta(days=24),
                    decided_on=starts + datetime.timedelta(days=5),
                )
        # Last, so that the steps above still found the case open.
        if rng.random() < 0.5:
            closed_on = day_in_year(rng, first)
            case = case_close(
                case=case, by=director, closing_reason=rng.choice(year.reasons), closed_on=closed_on
            )
            if rng.random() < 0.4 and closed_on < END:
                case = case_reopen(
                    case=case,
                    by=director,
                    reason="Nieuwe feiten",
                    reopened_on=day_in_year(rng, closed_on + datetime.timedelta(days=1)),
                )
    for n in range(6):
        signalled = day_in_year(rng)
        gap = Gap.objects.create(
            kind=rng.choice(list(GapKind)),
            description="Wachtlijst",
            signalled_on=signalled,
            signalled_by=director,
        )
        year.gaps.append(gap.pk)
        if n % 2 == 0:
            gap_set_status(
                gap=gap,
                by=director,
                status=GapStatus.FOLLOW_UP,
                changed_on=day_in_year(rng, signalled),
            )
    return year


# What the year's cases are recorded as (the events below reclassify them after the year).
CONTEXTS = (("partner",), ("ex_partner",), ("parent_child", "partner"), ())
FORMS = (("physical",), ("psychological", "economic"), (), ("stalking",), ("neglect",))


def _pick(ids: list[int], pick: int) -> int:
    return ids[pick % len(ids)]


# --- events dated after the year: (year, pick, day) -> accepted? ---


def _case(year: Year, pick: int, **conditions: Any) -> Case | None:
    """One of the year's cases meeting the conditions now, or None."""
    ids = list(
        Case.objects.filter(pk__in=year.cases, **conditions)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return Case.objects.get(pk=_pick(ids, pick)) if ids else None


def close_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    case = _case(year, pick, status__in=[s for s in Status if s != Status.CLOSED])
    if case is None:
        return False
    reason = year.reasons[pick % len(year.reasons)]
    return _accepted(
        lambda: case_close(case=case, by=year.director, closing_reason=reason, closed_on=day)
    )


def reopen_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    case = _case(year, pick, status=Status.CLOSED)
    if case is None:
        return False
    return _accepted(
        lambda: case_reopen(case=case, by=year.director, reason="Terug", reopened_on=day)
    )


def change_a_status(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))
    status = [Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP][pick % 3]
    return _accepted(
        lambda: case_change_status(case=case, by=year.director, to_status=status, changed_on=day)
    )


def move_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))
    track = [Track.ADVICE, Track.OUTREACH, Track.CHAIN][pick % 3]
    return _accepted(
        lambda: case_change_track(
            case=case, by=year.director, to_track=track, changed_on=day, reason="Later"
        )
    )


def raise_a_level(year: Year, pick: int, day: datetime.date) -> bool:
    # The picked assessment, or the next one after it that is not at its top level yet.
    for offset in range(len(year.assessments)):
        assessment = Assessment.objects.select_related("level").get(
            pk=_pick(year.assessments, pick + offset)
        )
        higher = assessment.instrument_version.levels.filter(order__gt=assessment.level.order)
        level = higher.order_by("order").first()
        if level is not None:
            break
    else:
        return False
    return _accepted(
        lambda: assessment_raise_level(
            assessment=assessment, by=year.director, level=level, reason="Later", raised_on=day
        )
    )


def answer_a_referral(year: Year, pick: int, day: datetime.date) -> bool:
    open_ = Referral.objects.filter(
        pk__in=year.referrals, status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
    )
    ids = list(open_.order_by("pk").values_list("pk", flat=True))
    if not ids:
        return False
    referral = Referral.objects.get(pk=_pick(ids, pick))
    status = [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.DONE][pick % 3]
    return _accepted(
        lambda: referral_answer(
            referral=referral,
            by=year.director,
            status=status,
            on=day,
            decline_reason="Geen plaats" if status == ReferralStatus.DECLINED else "",
        )
    )


def change_a_gap(year: Year, pick: int, day: datetime.date) -> bool:
    gap = Gap.objects.get(pk=_pick(year.gaps, pick))
    status = [GapStatus.FOLLOW_UP, GapStatus.ADDRESSED, GapStatus.CLOSED, GapStatus.NEW][pick % 4]
    return _accepted(
        lambda: gap_set_status(gap=gap, by=year.director, status=status, changed_on=day)
    )


def extend_an_order(year: Year, pick: int, day: datetime.date) -> bool:
    running = list(
        Measure.objects.filter(pk__in=year.orders, ends_on__gte=day).values_list("pk", flat=True)
    )
    if not running:
        return False
    order = Measure.objects.get(pk=_pick(running, pick))
    return _accepted(
        lambda: measure_extend(
            measure=order,
            by=year.director,
            new_end=(order.ends_on or day) + datetime.timedelta(days=14),
            decided_on=day,
        )
    )


def lift_an_order(year: Year, pick: int, day: datetime.date) -> bool:
    running = list(
        Measure.objects.filter(pk__in=year.orders, ends_on__gt=day).values_list("pk", flat=True)
    )
    if not running:
        return False
    order = Measure.objects.get(pk=_pick(running, pick))
    return _accepted(
        lambda: measure_lift(
            measure=order,
            by=year.director,
            lifted_on=day,
            lifted_by=year.partners[pick % len(year.partners)],
            reason="Later",
        )
    )


def decide_on_prosecution(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))
    return _accepted(
        lambda: prosecution_decision_add(
            case=case,
            by=year.director,
            kind="dismissed",
            decided_on=day,
            decided_by=year.partners[pick % len(year.partners)],
        )
    )


def start_an_order(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))
    return _accepted(
        lambda: year.orders.append(
            measure_add(
                case=case,
                by=year.director,
                kind=MeasureKind.RESTRAINING_ORDER,
                starts_on=day,
                ends_on=day + datetime.timedelta(days=10),
            ).pk
        )
    )


def register_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    def register() -> None:
        case = case_create(
            by=year.director,
            owner_organisation=year.director.organisation,
            case_director=year.director,
            track=[Track.ADVICE, Track.OUTREACH, Track.CHAIN][pick % 3],
            opened_on=day,
        )
        year.cases.append(case.pk)

    return _accepted(register)


def refer_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))
    return _accepted(
        lambda: year.referrals.append(
            referral_create(
                case=case,
                by=year.director,
                direction=ReferralDirection.OUTGOING,
                partner=year.partners[pick % len(year.partners)],
                referred_on=day,
                reason="Later",
                ground="necessity",
                necessity_reason="Test",
            ).pk
        )
    )


def assess_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    case = Case.objects.get(pk=_pick(year.cases, pick))

    # About the people already in the case: who is involved when is another event's matter.
    parties = list(case.parties.all()[:1])
    if not parties:
        return False

    def assess() -> None:
        checklist = rf.shipped(rf.CHECKLIST)
        assessment = rf.make_assessment(
            case, answers=rf.answers_for(checklist, yes=14), assessed_on=day, parties=parties
        )
        year.assessments.append(assessment.pk)

    return _accepted(assess)


PEOPLE_ROLES = (pr.VICTIM, pr.PERPETRATOR, pr.CHILD)


def add_a_person(year: Year, pick: int, day: datetime.date) -> bool:
    """A person who joins a case of the year after it: a child born since, an adult."""
    case = _case(year, pick)
    if case is None:
        return False
    role = PEOPLE_ROLES[pick % len(PEOPLE_ROLES)]
    born = day - datetime.timedelta(days=pick % 200) if role is pr.CHILD else None
    return _accepted(
        lambda: person_create_in_case(
            case=case,
            by=year.director,
            **role,
            confirm_new=True,
            involved_since=day,
            first_name="Later",
            last_name=f"Persoon{pick}",
            date_of_birth=born,
        )
    )


def link_a_person(year: Year, pick: int, day: datetime.date) -> bool:
    """Someone of one case of the year joins another in the same role after the year (which
    can make either case a repeat)."""
    source = _case(year, pick, parties__isnull=False)
    target = _case(year, pick // 7 + 1)
    if source is None or target is None or source.pk == target.pk:
        return False
    party = source.parties.order_by("pk")[pick % source.parties.count()]
    return _accepted(
        lambda: person_link_to_case(
            case=target,
            by=year.director,
            person=party.person,
            position=party.position,
            roles=party.roles,
            involved_since=day,
        )
    )


def reclassify_a_case(year: Year, pick: int, day: datetime.date) -> bool:
    """Another relationship context and other forms, recorded after the year (today)."""
    case = Case.objects.get(pk=_pick(year.cases, pick))
    return _accepted(
        lambda: case_update(
            case=case,
            by=year.director,
            expected_version=case.version,
            relationship_contexts=RelationshipContext.objects.filter(
                code__in=CONTEXTS[(pick + 1) % len(CONTEXTS)]
            ),
            forms_of_violence=FormOfViolence.objects.filter(
                code__in=FORMS[(pick + 2) % len(FORMS)]
            ),
        )
    )


def add_child_files(year: Year, time_machine: Any) -> None:
    """Children of the year's cases with a child file recorded in the year (its history
    dated then): a report to the VK or the OCJ and a child plan."""
    for n, pk in enumerate(year.cases[:8]):
        day = datetime.date(YEAR, 12, 1 + n)
        time_machine.move_to(timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))
        case = Case.objects.get(pk=pk)
        if case.status == Status.CLOSED:
            continue
        party = person_create_in_case(
            case=case,
            by=year.director,
            **pr.CHILD,
            confirm_new=True,
            first_name="Kind",
            last_name=f"Jaar{n}",
        )
        child_file = child_file_save(
            case=case,
            party=party,
            by=year.director,
            expected_version=0,
            content=ChildFileContent(
                reported=True,
                reported_to=ChildReportedTo.VK if n % 2 else ChildReportedTo.OCJ,
                reported_on=day,
                plan_goals="Rust",
            ),
        )
        year.child_files.append(child_file.pk)
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12))))


def edit_a_child_file(year: Year, pick: int, day: datetime.date) -> bool:
    """A child file of the year edited after it: the report re-dated, taken out or moved to
    another service, the plan rewritten."""
    child_file = ChildFile.objects.get(pk=_pick(year.child_files, pick))
    variants = (
        ChildFileContent(reported=True, reported_to=ChildReportedTo.VK, reported_on=day),
        ChildFileContent(plan_goals="Anders"),
        ChildFileContent(
            reported=True,
            reported_to=ChildReportedTo.YOUTH_COURT,
            reported_on=child_file.reported_on,
            plan_goals="Rust",
        ),
    )
    return _accepted(
        lambda: child_file_save(
            case=child_file.case,
            party=child_file.party,
            by=year.director,
            expected_version=child_file.version,
            content=variants[pick % len(variants)],
        )
    )


EVENTS: dict[str, Callable[[Year, int, datetime.date], bool]] = {
    "close": close_a_case,
    "reopen": reopen_a_case,
    "status": change_a_status,
    "move": move_a_case,
    "raise": raise_a_level,
    "answer": answer_a_referral,
    "gap": change_a_gap,
    "order": start_an_order,
    "extend": extend_an_order,
    "lift": lift_an_order,
    "decide": decide_on_prosecution,
    "register": register_a_case,
    "refer": refer_a_case,
    "assess": assess_a_case,
    "person": add_a_person,
    "link": link_a_person,
    "reclassify": reclassify_a_case,
    "child": edit_a_child_file,
}

event = st.tuples(
    st.sampled_from(sorted(EVENTS)),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=1, max_value=DAYS_AFTER),
)


def cells(chapters: Any) -> dict[tuple[str, str, str, str], Any]:
    """Every raw value, by chapter, table, row key and column key."""
    return {
        (chapter.key, t.key, row_key, column.key): value
        for chapter in chapters
        for t in chapter.tables
        for row_key, row in zip(t.row_keys, t.rows, strict=True)
        for column, value in zip(t.columns, row, strict=True)
        if not column.is_label
    }


def _apply(year: Year, events: list[tuple[str, int, int]]) -> list[str]:
    # In date order, as they would happen; a refused one is simply skipped.
    applied = []
    for name, pick, offset in sorted(events, key=lambda e: e[2]):
        if EVENTS[name](year, pick, END + datetime.timedelta(days=offset)):
            applied.append(name)
    return applied


@pytest.fixture
def year(time_machine):
    # Noon today: a date "today" is the same wherever the suite runs that day.
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12))))
    year = build_year()
    add_child_files(year, time_machine)
    return year


def test_every_kind_of_event_can_happen_after_the_year(year):
    """The property below would pass vacuously if the events were all refused."""
    for name, apply in EVENTS.items():
        accepted = [apply(year, pick, TODAY) for pick in range(6)]
        assert any(accepted), name


def test_events_after_the_year_change_none_of_its_figures(year):
    chapters = annual_figures(YEAR)
    expected, checksum = cells(chapters), figures_checksum(chapters)
    assert any(v for k, v in expected.items() if k[1] == "closing_reasons" and k[2] == "total")
    assert any(v for k, v in expected.items() if k[1] == "cases_by_risk_level")
    assert any(v for k, v in expected.items() if k[1] == "cases_by_relationship_context")
    assert any(v for k, v in expected.items() if k[1] == "cases_by_form_of_violence")
    assert any(v for k, v in expected.items() if k[1] == "child_trajectory")
    applied: list[str] = []

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(events=st.lists(event, min_size=1, max_size=8))
    def later_events_change_nothing(events):
        savepoint = transaction.savepoint_create()
        known = (list(year.cases), list(year.assessments), list(year.referrals), list(year.orders))
        try:
            applied.extend(_apply(year, events))
            now = annual_figures(YEAR)
            found = cells(now)
            changed = {key: (value, found.get(key)) for key, value in expected.items()}
            assert {k: v for k, v in changed.items() if v[0] != v[1]} == {}
            assert found == expected
            assert figures_checksum(now) == checksum
        finally:
            transaction.savepoint_rollback(savepoint)
            year.cases, year.assessments, year.referrals, year.orders = known

    later_events_change_nothing()
    assert len(applied) >= 25, applied


def test_a_back_dated_closing_does_change_the_year(year):
    """The only thing that may change a past year: a correction dated inside it."""
    checksum = figures_checksum(annual_figures(YEAR))
    case = Case.objects.filter(pk__in=year.cases, opened_on__lte=END).exclude(status=Status.CLOSED)[
        0
    ]
    case_close(case=case, by=year.director, closing_reason=year.reasons[0], closed_on=END)
    assert figures_checksum(annual_figures(YEAR)) != checksum
