"""Issue 12, part 1: the facts the figures count are dated records, and a period's figures
read them as they were on its days (closings with their reason, running cases, level raises,
gap status changes), whatever happened after the period."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cases.models import Case, ClosingReason, Gender, Status, StatusChange
from cases.services import case_change_status, case_close, case_reopen
from partners.models import Gap, GapKind, GapStatus, GapStatusChange
from partners.services import gap_add_follow_up, gap_set_status
from reporting.figures.cases import cases_per_track
from reporting.figures.common import track_on
from reporting.figures.duration import closing_reasons, duration
from reporting.figures.period import Period
from reporting.figures.risk import by_risk_level
from risk.models import LevelRaise, RiskGrade
from risk.services import assessment_raise_level

from . import party_roles as pr
from . import risk_factories as rf
from .figures_helpers import D, close, make_director, move, new_case, person, values

YEAR = Period.year(2025)
pytestmark = pytest.mark.django_db


def reopen(case, on):
    return case_reopen(case=case, by=case.case_director, reason="Nieuwe feiten", reopened_on=on)


@pytest.fixture
def reasons():
    ClosingReason.objects.update(is_active=False)
    return {
        "goal": ClosingReason.objects.create(name_nl="Doel bereikt", name_en="Goal", order=1),
        "moved": ClosingReason.objects.create(name_nl="Verhuisd", name_en="Moved", order=2),
    }


@pytest.fixture
def director():
    return make_director()


def test_closings_and_running_cases_follow_the_dated_records(director, reasons):
    goal, moved = reasons["goal"], reasons["moved"]
    # Closed in 2024, reopened in 2026: not running in 2025 (it was, by the case row).
    gone = new_case(director, D(2024, 1, 10), 2, closed=D(2024, 6, 1), reason=goal)
    reopen(gone, D(2026, 1, 5))
    # Closed in 2025, reopened in 2026: closed in 2025 with its reason (it disappeared).
    back = new_case(director, D(2025, 2, 1), 2, closed=D(2025, 5, 1), reason=moved)
    reopen(back, D(2026, 1, 5))
    move(back, 3, D(2026, 2, 1))  # a later move does not change its track when closed
    # Closed twice in 2025: once, with its last closing (date and reason).
    twice = new_case(director, D(2025, 1, 1), 1, closed=D(2025, 3, 1), reason=goal)
    reopen(twice, D(2025, 4, 1))
    close(twice, D(2025, 11, 1), moved)
    # Closed in 2024, reopened in 2025: running.
    reopened = new_case(director, D(2024, 3, 1), 2, closed=D(2024, 12, 31), reason=goal)
    reopen(reopened, D(2025, 6, 1))
    # Closed on 1 January 2025: it ran that day.
    first_day = new_case(director, D(2024, 5, 1), 1, closed=D(2025, 1, 1), reason=goal)

    assert values(cases_per_track(YEAR))["total"] == (2, 4)  # back, twice, reopened, first_day
    assert values(cases_per_track(YEAR))["2"] == (1, 2)  # back and reopened, in track 2
    named = {
        key: count
        for key, count in values(closing_reasons(YEAR)).items()
        if key in (str(goal.pk), str(moved.pk), "total")
    }
    # back and twice with "moved" (twice's last closing), first_day with "goal".
    assert named == {str(goal.pk): 1, str(moved.pk): 2, "total": 3}
    per_track, buckets = duration(YEAR)
    days = {
        "back": (D(2025, 5, 1) - D(2025, 2, 1)).days,  # 89, track 2 on its closing date
        "twice": (D(2025, 11, 1) - D(2025, 1, 1)).days,  # 304, to its last closing
        "first_day": (D(2025, 1, 1) - D(2024, 5, 1)).days,  # 245
    }
    assert values(per_track)["2"] == (1, Decimal(days["back"]), Decimal(days["back"]))
    assert values(per_track)["1"][0] == 2
    assert values(per_track)["total"][0] == 3
    assert values(buckets)["total"] == 3
    # 2024: gone and reopened (on 31 December) were closed; first_day only in 2025.
    assert values(closing_reasons(Period.year(2024)))["total"] == 2
    assert values(cases_per_track(Period.year(2024)))["total"] == (3, 3)
    assert gone.pk and first_day.pk


def test_a_closing_keeps_its_reason_after_reopening(director, reasons):
    case = new_case(director, D(2025, 2, 1), 2, closed=D(2025, 5, 1), reason=reasons["goal"])
    case = reopen(case, D(2025, 6, 1))
    assert (case.closing_reason, case.closed_on) == (None, None)
    closing = StatusChange.objects.get(case=case, to_status=Status.CLOSED)
    assert (closing.changed_on, closing.closing_reason) == (D(2025, 5, 1), reasons["goal"])
    assert StatusChange.objects.get(case=case, to_status=Status.ACTIVE).closing_reason is None


def test_a_status_change_dated_before_the_last_one_is_refused(director, reasons):
    """Otherwise the records, read in date order, would say the case is open while it is
    closed (or the reverse)."""
    case = new_case(director, D(2025, 1, 1), 2)
    case = case_change_status(
        case=case, by=director, to_status=Status.ACTIVE, changed_on=D(2025, 6, 10)
    )
    with pytest.raises(ValidationError):
        case_close(case=case, by=director, closing_reason=reasons["goal"], closed_on=D(2025, 6, 5))
    with pytest.raises(ValidationError):
        case_change_status(
            case=case, by=director, to_status=Status.FOLLOW_UP, changed_on=D(2025, 6, 9)
        )
    case = close(case, D(2025, 6, 10), reasons["goal"])  # the same day is fine
    assert case.status == Status.CLOSED


def test_a_move_dated_before_the_last_move_is_refused(director):
    """The track on a day is read from the moves in date order, as the status is."""
    case = move(new_case(director, D(2025, 1, 1), 1), 2, D(2025, 6, 10))
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        move(case, 3, D(2025, 6, 9))
    assert refused.value.messages == [
        "De datum kan niet vóór de laatste wijziging van spoor (10/06/2025) liggen."
    ]
    case = move(case, 3, D(2025, 6, 10))  # the same day is fine
    assert case.track == 3
    assert track_on_day(case, D(2025, 6, 9)) == 1
    assert track_on_day(case, D(2025, 6, 10)) == 3


def track_on_day(case, day):
    return (
        Case.objects.filter(pk=case.pk).annotate(t=track_on(day)).values_list("t", flat=True).get()
    )


def test_a_back_dated_closing_recorded_later_changes_the_year(director, reasons):
    case = new_case(director, D(2025, 3, 1), 2)
    before = values(closing_reasons(YEAR))["total"], values(cases_per_track(YEAR))["total"]
    close(case, D(2025, 9, 1), reasons["goal"])  # recorded today, dated inside 2025
    after = values(closing_reasons(YEAR))["total"], values(cases_per_track(YEAR))["total"]
    assert before == (0, (1, 1)) and after == (1, (1, 1))
    assert values(cases_per_track(Period.year(2026)))["total"] == (0, 0)


# --- risk levels raised on a date ---


def _assessed(director, yes, on):
    case = new_case(director, D(2025, 1, 1), 2)
    party = person(case, pr.VICTIM, gender=Gender.FEMALE)
    checklist = rf.shipped(rf.CHECKLIST)
    assessment = rf.make_assessment(
        case, answers=rf.answers_for(checklist, yes=yes), assessed_on=on, parties=[party]
    )
    return case, assessment, checklist


def test_a_raise_is_a_dated_record_and_a_later_one_leaves_the_year_alone(director):
    case, assessment, checklist = _assessed(director, 3, D(2025, 3, 1))
    medium = checklist.levels.get(grade=RiskGrade.MEDIUM)
    high = checklist.levels.get(grade=RiskGrade.HIGH)
    low = assessment.level
    assessment = assessment_raise_level(
        assessment=assessment, by=director, level=medium, reason="Dreiging", raised_on=D(2025, 7, 1)
    )
    year = values(by_risk_level(YEAR))
    assert year["2"] == 1
    assessment = assessment_raise_level(
        assessment=assessment, by=director, level=high, reason="Wapen", raised_on=D(2026, 1, 2)
    )
    assert values(by_risk_level(YEAR)) == year  # raised after the year: 2025 is unchanged
    assert values(by_risk_level(Period.year(2026)))["3"] == 1
    assert values(by_risk_level(Period(D(2025, 1, 1), D(2025, 6, 30))))["1"] == 1
    raises = list(LevelRaise.objects.filter(assessment=assessment))
    assert [(r.from_level, r.to_level, r.raised_on) for r in raises] == [
        (low, medium, D(2025, 7, 1)),
        (medium, high, D(2026, 1, 2)),
    ]
    assert raises[0].reason == "Dreiging" and raises[0].raised_by == director
    assert assessment.level == high  # the current level stays on the assessment
    with pytest.raises(ValidationError):
        raises[0].save()  # immutable
    assert case.pk


def test_a_raise_is_dated_within_the_assessment_and_after_the_last_raise(director):
    _case, assessment, checklist = _assessed(director, 3, D(2025, 3, 1))
    medium = checklist.levels.get(grade=RiskGrade.MEDIUM)
    high = checklist.levels.get(grade=RiskGrade.HIGH)
    for day in (D(2025, 2, 28), timezone.localdate() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            assessment_raise_level(
                assessment=assessment, by=director, level=medium, reason="x", raised_on=day
            )
    assessment = assessment_raise_level(
        assessment=assessment, by=director, level=medium, reason="x", raised_on=D(2025, 5, 1)
    )
    with pytest.raises(ValidationError):
        assessment_raise_level(
            assessment=assessment, by=director, level=high, reason="y", raised_on=D(2025, 4, 1)
        )
    assert LevelRaise.objects.filter(assessment=assessment).count() == 1


# --- gaps change status on a date ---


def test_gap_status_changes_are_dated_records(director):
    gap = Gap.objects.create(
        kind=GapKind.OTHER,
        description="Geen tolk",
        signalled_on=D(2025, 3, 1),
        signalled_by=director,
    )
    follow_up = gap_add_follow_up(gap=gap, by=director, date=D(2025, 3, 10), action="Gebeld")
    assert follow_up.pk
    gap.refresh_from_db()
    gap_set_status(gap=gap, by=director, status=GapStatus.FOLLOW_UP, changed_on=D(2025, 3, 11))
    with pytest.raises(ValidationError):  # before the last change
        gap_set_status(gap=gap, by=director, status=GapStatus.CLOSED, changed_on=D(2025, 3, 9))
    with pytest.raises(ValidationError):  # in the future
        gap_set_status(
            gap=gap,
            by=director,
            status=GapStatus.CLOSED,
            changed_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    gap = gap_set_status(gap=gap, by=director, status=GapStatus.CLOSED, changed_on=D(2026, 1, 3))
    changes = GapStatusChange.objects.filter(gap=gap)
    # Setting the status it has records nothing.
    assert [(c.from_status, c.to_status, c.changed_on) for c in changes] == [
        (GapStatus.NEW, GapStatus.FOLLOW_UP, D(2025, 3, 10)),
        (GapStatus.FOLLOW_UP, GapStatus.CLOSED, D(2026, 1, 3)),
    ]
    assert gap.status == GapStatus.CLOSED
    with pytest.raises(ValidationError):
        changes[0].save()
