"""The figures' one-pass counts (``reporting.figures.onepass``) and the anti-join form of
``running_cases`` give exactly what the per-case expressions they replace give.

The reference is the rule as a correlated subquery per case (``status_on``, ``track_on``,
``initial_track``, ``current_grade_expression``): simple to read, slow at 100,000 cases. A
few hundred cases with random histories (moves, closings and reopenings, assessments raised
later, joint assessments on the same day, recorded at the same moment...) are counted both
ways, on several days, including days before, between and after the records.
"""

import datetime
import random
from collections import Counter

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.roles import RoleCode
from cases.models import (
    ROLE_FIELDS,
    AgeBand,
    Case,
    CaseParty,
    ClosingReason,
    FamilyPosition,
    Gender,
    Person,
    Status,
    StatusChange,
    Track,
    TrackChange,
)
from partners.models import OrganisationKind
from reporting.figures import people as people_figures
from reporting.figures.common import (
    case_files,
    closings,
    initial_track,
    new_cases,
    running_cases,
    status_on,
    track_on,
)
from reporting.figures.onepass import (
    closings_with_track,
    count_by_grade_on,
    count_by_initial_track,
    count_by_track_on,
)
from reporting.figures.period import Period
from risk.current import current_grade_expression
from risk.models import Assessment, JointAssessment, Level, LevelRaise

from .factories import make_organisation, make_user
from .risk_factories import CHECKLIST, shipped

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2024, 1, 1)
PERIODS = [
    Period(D(2024, 1, 1), D(2024, 12, 31)),
    Period(D(2024, 3, 1), D(2024, 3, 31)),
    Period(D(2024, 7, 1), D(2024, 9, 30)),
    Period(D(2025, 1, 1), D(2025, 12, 31)),
    Period(D(2023, 1, 1), D(2023, 12, 31)),
]


def _day(rng: random.Random, after: datetime.date, within: int = 120) -> datetime.date:
    return after + datetime.timedelta(days=rng.randrange(0, within))


@pytest.fixture
def histories():
    """Cases with random dated histories, made in bulk (the rows the services would write)."""
    rng = random.Random(20)
    city = make_organisation("Stad Eén Doorgang", OrganisationKind.CITY)
    director = make_user("director_onepass", city, RoleCode.CASE_DIRECTOR)
    version = shipped(CHECKLIST)
    levels = list(Level.objects.filter(version=version))
    moment = timezone.make_aware(datetime.datetime(2024, 6, 1, 12))
    reason = ClosingReason.objects.filter(is_active=True).first()
    cases = Case.objects.bulk_create(
        Case(
            reference=f"EEN-{i:04d}",
            owner_organisation=city,
            case_director=director,
            track=rng.choice(list(Track)),
            status=Status.ACTIVE,
            opened_on=_day(rng, START, 400),
            is_anonymous_consult=rng.random() < 0.05,
        )
        for i in range(240)
    )
    statuses, moves, assessments, joints = [], [], [], []
    for case in cases:
        day, status = case.opened_on, Status.ACTIVE
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            day = _day(rng, day, 90)  # sometimes the same day: then the id decides
            closing = status != Status.CLOSED
            statuses.append(
                StatusChange(
                    case=case,
                    from_status=status,
                    to_status=Status.CLOSED if closing else Status.ACTIVE,
                    changed_on=day,
                    closing_reason=reason if closing else None,
                    changed_by=director,
                )
            )
            status = Status.CLOSED if closing else Status.ACTIVE
        track = rng.choice(list(Track))
        for _ in range(rng.choice([0, 0, 1, 2])):
            target = rng.choice([t for t in Track if t != track])
            moves.append(
                TrackChange(
                    case=case,
                    from_track=track,
                    to_track=target,
                    changed_on=_day(rng, case.opened_on, 300),
                    reason="Test",
                    decided_by=director,
                )
            )
            track = target
        for _ in range(rng.choice([0, 1, 1, 2])):
            level = rng.choice(levels)
            assessments.append(
                Assessment(
                    case=case,
                    instrument_version=version,
                    assessor=director,
                    organisation=city,
                    assessed_on=_day(rng, case.opened_on, 200),
                    score=1,
                    level=level,
                    computed_level=level,
                )
            )
    Assessment.objects.bulk_create(assessments)
    StatusChange.objects.bulk_create(statuses)
    TrackChange.objects.bulk_create(moves)
    # Same-day records recorded at the same moment, and raises before and after the days.
    Assessment.objects.filter(pk__in=[a.pk for a in assessments[::3]]).update(created_at=moment)
    raises = []
    for assessment in assessments[::2]:
        day = assessment.assessed_on
        for _ in range(rng.choice([1, 2])):
            day = _day(rng, day, 150)
            raises.append(
                LevelRaise(
                    assessment=assessment,
                    from_level=rng.choice(levels),
                    to_level=rng.choice(levels),
                    raised_on=day,
                    reason="Test",
                    raised_by=director,
                )
            )
        if rng.random() < 0.5:
            grade = rng.choice(levels).grade
            joints.append(
                JointAssessment(
                    case_id=assessment.case_id,
                    held_on=rng.choice([assessment.assessed_on, _day(rng, assessment.assessed_on)]),
                    level=grade,
                    highest_level=grade,
                    recorded_by=director,
                )
            )
    LevelRaise.objects.bulk_create(raises)
    JointAssessment.objects.bulk_create(joints)
    JointAssessment.objects.filter(pk__in=[j.pk for j in joints[::2]]).update(recorded_at=moment)
    return cases


def running_by_subquery(period: Period):
    """``running_cases`` as it was written before: the status on the day before the period
    as a scalar subquery per case."""
    reopened = StatusChange.objects.filter(
        case_id=OuterRef("pk"),
        from_status=Status.CLOSED,
        changed_on__range=(period.start, period.end),
    )
    day_before = period.start - datetime.timedelta(days=1)
    return (
        case_files()
        .filter(opened_on__lte=period.end)
        .alias(status_before=status_on(day_before), reopened_in_period=Exists(reopened))
        .filter(~Q(status_before=Status.CLOSED) | Q(reopened_in_period=True))
    )


def grouped(queryset, expression) -> dict:
    return dict(
        queryset.annotate(key=expression)
        .values("key")
        .annotate(n=Count("id"))
        .values_list("key", "n")
    )


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_running_cases_are_the_same_cases(histories, period):
    expected = set(running_by_subquery(period).values_list("pk", flat=True))
    assert set(running_cases(period).values_list("pk", flat=True)) == expected
    # Not a vacuous comparison: some ran, and later on some had been closed before the period.
    assert expected or period.end < START
    if period.start >= D(2024, 7, 1):
        assert len(expected) < case_files().filter(opened_on__lte=period.end).count()


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_tracks_counted_in_one_pass_are_those_of_the_subqueries(histories, period):
    running = running_cases(period)
    assert count_by_track_on(running, period.end) == grouped(running, track_on(period.end))
    new = new_cases(period)
    assert count_by_initial_track(new) == grouped(new, initial_track())


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_risk_grades_counted_in_one_pass_are_those_of_the_subqueries(histories, period):
    running = running_cases(period)
    expected = Counter(
        (grade, track == Track.ADVICE)
        for grade, track in running.annotate(
            grade=current_grade_expression(on=period.end), on_track=track_on(period.end)
        ).values_list("grade", "on_track")
    )
    found = {(grade, advice): n for grade, advice, n in count_by_grade_on(running, period.end)}
    assert found == dict(expected)
    assert len({grade for grade, _advice in expected}) > 2 or period.end < START


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_closings_with_their_track_on_the_day_are_those_of_the_subqueries(histories, period):
    closed = closings(period)
    expected = sorted(
        closed.annotate(track=track_on(OuterRef("changed_on"), case="case_id")).values_list(
            "track", "case__opened_on", "changed_on"
        )
    )
    assert sorted(closings_with_track(closed)) == expected


@pytest.fixture
def involvements(histories):
    """People in several cases each, with and without a date of birth (29 February too),
    several roles or none, a family position or none, involved from various days."""
    rng = random.Random(21)
    births = [None, D(2016, 2, 29), D(2007, 3, 1), D(2006, 12, 31), D(1990, 5, 5), D(2024, 8, 1)]
    people = Person.objects.bulk_create(
        Person(
            first_name=f"Fictief{i}",
            last_name="Doorgang",
            name_key=f"doorgang fictief{i}",
            date_of_birth=rng.choice(births),
            age_band=rng.choice(list(AgeBand)),
            gender=rng.choice(list(Gender)),
        )
        for i in range(150)
    )
    positions = ["", *FamilyPosition.values]
    parties = []
    for case, person in {(rng.choice(histories), rng.choice(people)) for _ in range(500)}:
        roles = {field: rng.random() < 0.3 for field in ROLE_FIELDS.values()}
        position = rng.choice(positions)
        if not position and not any(roles.values()):  # a position or a role, always
            position = rng.choice(FamilyPosition.values)
        parties.append(
            CaseParty(
                case=case,
                person=person,
                position=position,
                involved_since=_day(rng, case.opened_on, 200),
                **roles,
            )
        )
    CaseParty.objects.bulk_create(parties)


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_people_folded_in_the_database_are_those_tallied_in_python(involvements, period):
    in_sql = people_figures._counted_in_sql(period)
    in_python = people_figures._tallied(people_figures.people_by_person(period))
    assert vars(in_sql) == vars(in_python)
    assert in_python.minors[people_figures.RUNNING] > 0 or period.end < START


def test_many_periods_folded_in_one_query_are_each_period_tallied_in_python(
    involvements, django_assert_num_queries
):
    """The dashboard counts its seventeen periods' people in one query: the same answer per
    period as the reference, whatever the other periods in the query."""
    with django_assert_num_queries(1):
        together = people_figures._counted_in_sql_per_period(PERIODS)
    assert list(together) == PERIODS
    for period in PERIODS:
        alone = people_figures._tallied(people_figures.people_by_person(period))
        assert vars(together[period]) == vars(alone), period
