"""Writes for safety plans: one per victim or child in a case, every save a version."""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from access.policy import directs_case, may_share_in_consultation
from accounts.models import User
from common.dates import DateKind, check_dates
from common.versioning import locked_for_update, save_versioned

from ..models import Case, CaseParty, FamilyPosition, SafetyPlan, SafetyPlanPart

# The people a safety plan is made for: a victim, and a child of the family (whether the child
# was a direct victim, a witness or neither is recorded).
PLAN_PARTIES = Q(is_victim=True) | Q(position=FamilyPosition.CHILD)


def gets_safety_plan(party: CaseParty) -> bool:
    """Whether a safety plan can be made for ``party`` (:data:`PLAN_PARTIES`, in Python)."""
    return party.is_victim or party.position == FamilyPosition.CHILD


# The text parts, in the order a plan is read (SafetyPlanPart names the model's fields).
PART_FIELDS: tuple[str, ...] = tuple(SafetyPlanPart.values)


@dataclass(frozen=True)
class PlanContent:
    """What a version of a plan says and when it was agreed."""

    agreed_on: datetime.date
    review_on: datetime.date
    warning_signs: str = ""
    safe_places: str = ""
    people_to_call: str = ""
    code_word: str = ""
    perpetrator_agreements: str = ""
    children_arrangements: str = ""


def shareable_choices() -> list[str]:
    """The parts a case director may choose to share in a consultation (access.policy)."""
    return [part for part in PART_FIELDS if may_share_in_consultation(SafetyPlan, part)]


def _check_dates(
    content: PlanContent, *, case: Case, previous_agreed_on: datetime.date | None
) -> None:
    check_dates(
        {
            "agreed_on": (content.agreed_on, DateKind.HAPPENED),
            "review_on": (content.review_on, DateKind.PLANNED),
        }
    )
    problems = {}
    if content.agreed_on < case.opened_on:
        problems["agreed_on"] = _("A safety plan cannot be agreed before the case was registered.")
    elif previous_agreed_on is not None and content.agreed_on < previous_agreed_on:
        problems["agreed_on"] = _(
            "A new version cannot be agreed before the version it replaces was."
        )
    if content.review_on <= content.agreed_on:
        problems["review_on"] = _("The review date lies after the day the plan was agreed.")
    if problems:
        raise ValidationError(problems)


def _check_content(content: PlanContent) -> None:
    if not any(getattr(content, name).strip() for name in PART_FIELDS):
        raise ValidationError(_("Fill in at least one part of the safety plan."))


def _check_shareable(
    shareable_parts: Collection[str], *, by: User, case: Case, current: Collection[str]
) -> list[str]:
    chosen = [part for part in PART_FIELDS if part in set(shareable_parts)]
    if set(shareable_parts) - set(PART_FIELDS):
        raise ValidationError({"shareable_parts": _("Choose parts of the safety plan.")})
    refused = [part for part in chosen if part not in shareable_choices()]
    if refused:
        raise ValidationError(
            {"shareable_parts": _("Confidential parts are never shared in a consultation.")}
        )
    # What a consultation hears is the case director's choice (and the co-directors'): the
    # rest of the team edits the plan and leaves the choice as it was.
    if set(chosen) != set(current) and not directs_case(by, case):
        raise ValidationError(
            {
                "shareable_parts": _(
                    "Only the case director chooses what may be shared in a consultation."
                )
            }
        )
    return chosen


def _apply(plan: SafetyPlan, content: PlanContent) -> None:
    plan.agreed_on = content.agreed_on
    plan.review_on = content.review_on
    for name in PART_FIELDS:
        setattr(plan, name, getattr(content, name).strip())


@transaction.atomic
def safety_plan_create(
    *,
    case: Case,
    party: CaseParty,
    by: User,
    content: PlanContent,
    shareable_parts: Collection[str] = (),
) -> SafetyPlan:
    """The first version of the safety plan of a victim or a child in ``case``."""
    case = locked_for_update(case, None)
    if party.case_id != case.pk:
        raise ValidationError({"party": _("This person is not in this case.")})
    if not gets_safety_plan(party):
        raise ValidationError({"party": _("A safety plan is made for a victim or a child.")})
    if SafetyPlan.objects.filter(party=party).exists():
        raise ValidationError(
            {"party": _("This person already has a safety plan; change that one.")}
        )
    _check_content(content)
    _check_dates(content, case=case, previous_agreed_on=None)
    plan = SafetyPlan(case=case, party=party)
    plan.shareable_parts = _check_shareable(shareable_parts, by=by, case=case, current=())
    _apply(plan, content)
    save_versioned(plan, by, bump=False)
    return plan


@transaction.atomic
def safety_plan_update(
    *,
    plan: SafetyPlan,
    by: User,
    expected_version: int | None,
    content: PlanContent,
    shareable_parts: Collection[str] | None = None,
) -> SafetyPlan:
    """A new version of the plan (``expected_version``: the one the form was opened with; a
    stale edit is refused). ``shareable_parts`` ``None``: unchanged."""
    plan = locked_for_update(plan, expected_version)
    case = plan.case
    _check_content(content)
    _check_dates(content, case=case, previous_agreed_on=plan.agreed_on)
    if shareable_parts is not None:
        plan.shareable_parts = _check_shareable(
            shareable_parts, by=by, case=case, current=plan.shareable_parts
        )
    _apply(plan, content)
    save_versioned(plan, by)
    return plan
