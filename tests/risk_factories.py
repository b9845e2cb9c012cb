"""Fictional risk-assessment data for tests: people in a case, answers, assessments."""

import datetime
import itertools
from typing import Any

from django.utils import timezone

from cases.models import Case, CaseParty, Person
from risk.instruments import load_shipped_instruments
from risk.models import InstrumentVersion, VersionStatus
from risk.services import assessment_create, joint_assessment_create

from . import party_roles as pr

CHECKLIST = "checklist-24"
DANGER = "danger-scale-20"
CHILD = "child-safety"

_names = itertools.count(1)


def shipped(code: str) -> InstrumentVersion:
    """The newest published version of a shipped instrument.

    The data migration loads them, but a transactional test empties every table when it
    ends; loading again is a no-op when they are there.
    """
    version = (
        InstrumentVersion.objects.filter(instrument__code=code, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        load_shipped_instruments()
        return shipped(code)
    return version


def add_party(case: Case, role: dict = pr.VICTIM, first_name: str = "Alex") -> CaseParty:
    """People are added by the client-system screens; tests create the rows directly."""
    n = next(_names)
    last_name = f"Voorbeeld{n}"
    person = Person.objects.create(
        first_name=first_name, last_name=last_name, name_key=f"{last_name} {first_name}".lower()
    )
    return CaseParty.objects.create(case=case, person=person, **role, involved_since=case.opened_on)


def answers_for(version: InstrumentVersion, **counts: int) -> dict[str, str]:
    """``answers_for(v, yes=14, unknown=3)``: the first 14 items "yes", the next 3 "unknown",
    the rest "no"."""
    codes = list(version.items.order_by("section__order", "order").values_list("code", flat=True))
    answers: dict[str, str] = {}
    position = 0
    for answer, count in counts.items():
        for code in codes[position : position + count]:
            answers[code] = answer
        position += count
    for code in codes[position:]:
        answers[code] = "no"
    return answers


def weighted_answers(version: InstrumentVersion, total: int) -> dict[str, str]:
    """Answers of the weighted scale that add up to exactly ``total``."""
    items = list(version.items.prefetch_related("options").order_by("-id"))
    weights = {i.code: next(o.weight for o in i.options.all() if o.code == "yes") for i in items}
    answers = dict.fromkeys(weights, "no")
    remaining = total
    # Greedy from heavy to light weights; the scale has enough ones to land on any total.
    for code, weight in sorted(weights.items(), key=lambda kv: -kv[1]):
        if weight <= remaining:
            answers[code] = "yes"
            remaining -= weight
    assert remaining == 0, f"cannot reach {total}"
    return answers


def make_assessment(
    case: Case,
    *,
    by: Any = None,
    code: str = CHECKLIST,
    answers: dict[str, str] | None = None,
    parties: list[CaseParty] | None = None,
    assessed_on: datetime.date | None = None,
    **extra: Any,
) -> Any:
    version = shipped(code)
    return assessment_create(
        case=case,
        by=by or case.case_director,
        instrument_version=version,
        assessed_on=assessed_on or timezone.localdate(),
        parties=parties or [add_party(case)],
        answers=answers if answers is not None else answers_for(version, yes=3),
        **extra,
    )


# --- makers for the permission matrix (tests/conftest.py CHILDREN) ---


def matrix_version(case: Case) -> InstrumentVersion:
    return shipped(CHECKLIST)


def matrix_assessment(case: Case) -> Any:
    return make_assessment(case)


def matrix_joint(case: Case) -> Any:
    version = shipped(CHECKLIST)
    first = make_assessment(case, answers=answers_for(version, yes=4))
    second = make_assessment(case, answers=answers_for(version, yes=6))
    return joint_assessment_create(
        case=case,
        by=case.case_director,
        assessments=[first, second],
        held_on=timezone.localdate(),
        level=second.level.grade,
    )
