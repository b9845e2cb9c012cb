"""The data migrations of issue 12, part 1 lose nothing and change nothing when run again:
closings get their reason (and a closed case its closing record) from the case's history,
level raises and gap status changes are rebuilt from the assessments' and gaps' history."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from cases.models import ClosingReason, Status, StatusChange
from cases.services import case_reopen
from partners.models import Gap, GapKind, GapStatus, GapStatusChange
from partners.services import gap_set_status
from risk.models import LevelRaise, RiskGrade
from risk.services import assessment_raise_level

from . import risk_factories as rf
from .figures_helpers import D, close, make_director, new_case

CLOSINGS = importlib.import_module("cases.migrations.0012_closings_as_records")
RAISES = importlib.import_module("risk.migrations.0004_level_raises_from_history")
GAP_CHANGES = importlib.import_module("partners.migrations.0004_gap_status_changes_from_history")

pytestmark = pytest.mark.django_db


def _closings(case):
    return list(
        StatusChange.objects.filter(case=case, to_status=Status.CLOSED)
        .order_by("id")
        .values_list("changed_on", "closing_reason_id", "changed_by_id")
    )


def test_closings_get_their_reason_from_the_history_once():
    # Before 0010 a closing could have no reason: take the rule away inside this test.
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE cases_statuschange DROP CONSTRAINT status_change_closing_has_reason"
        )
    director = make_director()
    first, second = ClosingReason.objects.filter(is_active=True)[:2]
    twice = new_case(director, D(2025, 1, 1), 2, closed=D(2025, 3, 1), reason=first)
    case_reopen(case=twice, by=director, reason="Terug", reopened_on=D(2025, 4, 1))
    close(twice, D(2025, 9, 1), second)
    # Closed, but its closing was never recorded as a status change.
    unrecorded = new_case(director, D(2025, 2, 1), 1, closed=D(2025, 5, 5), reason=second)
    # A closing no history row knows of.
    orphan = new_case(director, D(2025, 2, 1), 1)
    StatusChange.objects.create(
        case=orphan,
        from_status=Status.REGISTERED,
        to_status=Status.CLOSED,
        changed_on=D(2025, 6, 1),
        changed_by=director,
    )
    expected_twice = _closings(twice)
    expected_unrecorded = _closings(unrecorded)
    assert [reason for _day, reason, _by in expected_twice] == [first.pk, second.pk]
    # As the data stood before 0009: closings without a reason, one closing missing.
    StatusChange.objects.filter(case=twice).update(closing_reason=None)
    StatusChange.objects.filter(case=unrecorded, to_status=Status.CLOSED).delete()
    changes_before = StatusChange.objects.count()

    assert CLOSINGS.fill_closings(apps) == {"filled": 3, "created": 1}
    assert _closings(twice) == expected_twice
    assert _closings(unrecorded) == expected_unrecorded
    created = StatusChange.objects.get(case=unrecorded, to_status=Status.CLOSED)
    assert created.from_status == Status.REGISTERED
    unknown = ClosingReason.objects.get(name_nl=CLOSINGS.UNKNOWN_NL)
    assert not unknown.is_active
    assert _closings(orphan) == [(D(2025, 6, 1), unknown.pk, director.pk)]
    assert StatusChange.objects.count() == changes_before + 1
    # Idempotent.
    assert CLOSINGS.fill_closings(apps) == {"filled": 0, "created": 0}
    assert StatusChange.objects.count() == changes_before + 1


def _raises(assessment):
    return list(
        LevelRaise.objects.filter(assessment=assessment)
        .order_by("raised_on", "id")
        .values_list("from_level_id", "to_level_id", "raised_on", "reason", "raised_by_id")
    )


def test_level_raises_are_rebuilt_from_the_history_once():
    director = make_director()
    case = new_case(director, D(2025, 1, 1), 2)
    checklist = rf.shipped(rf.CHECKLIST)
    assessment = rf.make_assessment(
        case, answers=rf.answers_for(checklist, yes=3), assessed_on=D(2025, 2, 1)
    )
    untouched = rf.make_assessment(
        case, answers=rf.answers_for(checklist, yes=3), assessed_on=D(2025, 2, 1)
    )
    for grade, reason in ((RiskGrade.MEDIUM, "Dreiging"), (RiskGrade.HIGH, "Wapen")):
        assessment = assessment_raise_level(
            assessment=assessment,
            by=director,
            level=checklist.levels.get(grade=grade),
            reason=reason,
        )
    expected = _raises(assessment)
    assert len(expected) == 2 and expected[0][2] == timezone.localdate()
    # As before 0004: the level was edited in place, no raise recorded.
    LevelRaise.objects.all().delete()

    assert RAISES.raises_from_history(apps) == 2
    assert _raises(assessment) == expected
    assert _raises(untouched) == []
    assert RAISES.raises_from_history(apps) == 0
    assert _raises(assessment) == expected


def _gap_changes(gap):
    return list(
        GapStatusChange.objects.filter(gap=gap)
        .order_by("changed_on", "id")
        .values_list("from_status", "to_status", "changed_on", "changed_by_id")
    )


def test_gap_status_changes_are_rebuilt_from_the_history_once():
    director = make_director()
    today = timezone.localdate()
    gap = Gap.objects.create(
        kind=GapKind.OTHER, description="Geen tolk", signalled_on=today, signalled_by=director
    )
    gap = gap_set_status(gap=gap, by=director, status=GapStatus.FOLLOW_UP)
    gap = gap_set_status(gap=gap, by=director, status=GapStatus.ADDRESSED)
    expected = _gap_changes(gap)
    # Signalled with a status other than "new" (no change recorded): from its signalling.
    closed = Gap.objects.create(
        kind=GapKind.OTHER,
        description="Wachtlijst",
        signalled_on=D(2025, 3, 1),
        signalled_by=director,
        status=GapStatus.CLOSED,
    )
    untouched = Gap.objects.create(
        kind=GapKind.OTHER, description="Nieuw", signalled_on=today, signalled_by=director
    )
    GapStatusChange.objects.all().delete()

    assert GAP_CHANGES.changes_from_history(apps) == 3
    assert _gap_changes(gap) == expected
    assert _gap_changes(closed) == [(GapStatus.NEW, GapStatus.CLOSED, D(2025, 3, 1), director.pk)]
    assert _gap_changes(untouched) == []
    assert GAP_CHANGES.changes_from_history(apps) == 0
    assert _gap_changes(gap) == expected
