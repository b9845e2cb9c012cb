"""Writes for the plan of approach ("one family, one plan"): the plan, its goals with their
agreements, evaluations, and the review noted from an art. 458ter consultation.

Every write is one transaction with history (django-simple-history); the plan and the goals
carry a version (``common.versioning``), so a form opened before someone else's save is
refused. Making the plan and a consultation's review are lines on the case's timeline.
"""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from access.policy import directs_case
from accounts.models import User
from common.dates import DateKind, check_dates
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from ..models import (
    Case,
    CaseParty,
    EventKind,
    GoalOutcome,
    PlanAgreement,
    PlanEvaluation,
    PlanGoal,
    PlanGoalOutcome,
    PlanOfApproach,
    PlanStatus,
)
from .events import record_event


@dataclass(frozen=True)
class PlanFacts:
    """What the plan itself says: its state, the day it was made, the shared aim and the next
    evaluation (required once the plan is active)."""

    made_on: datetime.date
    status: str = PlanStatus.DRAFT
    aim: str = ""
    next_evaluation_on: datetime.date | None = None


@dataclass(frozen=True)
class AgreementLine:
    """One agreement of a goal: which organisation (and optionally which of its people) does
    what by when."""

    organisation: Organisation
    what: str
    due_on: datetime.date
    user: User | None = None


@dataclass(frozen=True)
class GoalContent:
    """A goal: for whom (``party``; ``None``: the family as a whole), what, a note for the case
    team, and its agreements (the whole list: saving replaces it)."""

    description: str
    party: CaseParty | None = None
    team_note: str = ""
    agreements: Sequence[AgreementLine] = ()


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _check_plan(facts: PlanFacts, *, case: Case) -> None:
    check_dates(
        {
            "made_on": (facts.made_on, DateKind.HAPPENED),
            "next_evaluation_on": (facts.next_evaluation_on, DateKind.PLANNED),
        }
    )
    problems = {}
    if facts.status not in PlanStatus.values:
        problems["status"] = _("Choose whether the plan is a draft or active.")
    if facts.made_on < case.opened_on:
        problems["made_on"] = _("A plan of approach cannot be made before the case was registered.")
    if facts.next_evaluation_on is None:
        if facts.status == PlanStatus.ACTIVE:
            problems["next_evaluation_on"] = _(
                "An active plan has a date on which it is evaluated."
            )
    elif facts.next_evaluation_on <= facts.made_on:
        problems["next_evaluation_on"] = _(
            "The next evaluation lies after the day the plan was made."
        )
    if problems:
        raise ValidationError(problems)


def _apply_plan(plan: PlanOfApproach, facts: PlanFacts) -> None:
    plan.made_on = facts.made_on
    plan.status = facts.status
    plan.aim = facts.aim.strip()
    plan.next_evaluation_on = facts.next_evaluation_on


@transaction.atomic
def plan_create(*, case: Case, by: User, facts: PlanFacts) -> PlanOfApproach:
    """The case's plan of approach (one per case); a line on the timeline."""
    case = locked_for_update(case, None)
    if PlanOfApproach.objects.filter(case=case).exists():
        raise ValidationError(_("This case already has a plan of approach; change that one."))
    if case.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult has no plan of approach."))
    _check_plan(facts, case=case)
    plan = PlanOfApproach(case=case)
    _apply_plan(plan, facts)
    save_versioned(plan, by, bump=False)
    record_event(case=case, kind=EventKind.PLAN_MADE, actor=by, summary=_day(plan.made_on))
    return plan


@transaction.atomic
def plan_update(
    *, plan: PlanOfApproach, by: User, expected_version: int | None, facts: PlanFacts
) -> PlanOfApproach:
    """A new version of the plan (a stale form is refused)."""
    plan = locked_for_update(plan, expected_version)
    _check_plan(facts, case=plan.case)
    _apply_plan(plan, facts)
    save_versioned(plan, by)
    return plan


# --- goals and their agreements ---


def _check_goal(plan: PlanOfApproach, content: GoalContent) -> None:
    problems: dict[str, list[str]] = {}
    if not content.description.strip():
        problems["description"] = [_("Describe the goal.")]
    if content.party is not None and content.party.case_id != plan.case_id:
        problems["party"] = [_("This person is not in this case.")]
    agreement_problems = []
    for line in content.agreements:
        if not line.what.strip():
            agreement_problems.append(_("Say for each agreement what is done."))
        if not line.organisation.is_active:
            agreement_problems.append(_("Choose an active partner organisation."))
        if line.user is not None and line.user.organisation_id != line.organisation.pk:
            agreement_problems.append(
                _("The person of an agreement works for the organisation chosen.")
            )
        check_dates({"agreements": (line.due_on, DateKind.PLANNED)})
    if agreement_problems:
        problems["agreements"] = sorted(set(agreement_problems))
    if problems:
        raise ValidationError(problems)  # type: ignore[arg-type]


def _check_sharing(shared: bool | None, *, by: User, plan: PlanOfApproach, current: bool) -> bool:
    """What a consultation sees of the goal is the case director's (and co-directors') choice;
    the rest of the team leaves it as it was (``None``)."""
    if shared is None or shared == current:
        return current
    if not directs_case(by, plan.case):
        raise ValidationError(
            {
                "shared_in_consultation": _(
                    "Only the case director chooses what is shown in a consultation."
                )
            }
        )
    return shared


def _save_agreements(goal: PlanGoal, lines: Sequence[AgreementLine], by: User) -> None:
    for old in list(goal.agreements.all()):
        attribute(old, by).delete()
    for line in lines:
        attribute(
            PlanAgreement(
                case_id=goal.case_id,
                goal=goal,
                organisation=line.organisation,
                user=line.user,
                what=line.what.strip(),
                due_on=line.due_on,
            ),
            by,
        ).save()


@transaction.atomic
def plan_goal_add(
    *,
    plan: PlanOfApproach,
    by: User,
    content: GoalContent,
    shared_in_consultation: bool | None = None,
) -> PlanGoal:
    """A goal with its agreements. The plan is locked, so two goals added at once both land
    and a plan changed meanwhile is not overwritten."""
    plan = locked_for_update(plan, None)
    _check_goal(plan, content)
    goal = PlanGoal(
        case_id=plan.case_id,
        plan=plan,
        party=content.party,
        description=content.description.strip(),
        team_note=content.team_note.strip(),
        shared_in_consultation=_check_sharing(
            shared_in_consultation, by=by, plan=plan, current=False
        ),
    )
    save_versioned(goal, by, bump=False)
    _save_agreements(goal, content.agreements, by)
    return goal


@transaction.atomic
def plan_goal_update(
    *,
    goal: PlanGoal,
    by: User,
    expected_version: int | None,
    content: GoalContent,
    shared_in_consultation: bool | None = None,
) -> PlanGoal:
    """A new version of the goal and its agreements (a stale form is refused)."""
    goal = locked_for_update(goal, expected_version)
    if goal.removed_at is not None:
        raise ValidationError(_("This goal was removed from the plan."))
    _check_goal(goal.plan, content)
    goal.party = content.party
    goal.description = content.description.strip()
    goal.team_note = content.team_note.strip()
    goal.shared_in_consultation = _check_sharing(
        shared_in_consultation, by=by, plan=goal.plan, current=goal.shared_in_consultation
    )
    save_versioned(goal, by)
    _save_agreements(goal, content.agreements, by)
    return goal


@transaction.atomic
def plan_goal_remove(*, goal: PlanGoal, by: User) -> PlanGoal:
    """Take a goal off the plan; its row stays for the evaluations that judged it."""
    goal = locked_for_update(goal, None)
    if goal.removed_at is not None:
        raise ValidationError(_("This goal was already removed from the plan."))
    goal.removed_at = timezone.now()
    save_versioned(goal, by)
    return goal


# --- evaluations ---


@dataclass(frozen=True)
class OutcomeLine:
    outcome: str
    note: str = ""


@transaction.atomic
def plan_evaluation_add(
    *,
    plan: PlanOfApproach,
    by: User,
    held_on: datetime.date,
    next_evaluation_on: datetime.date,
    outcomes: Mapping[int, OutcomeLine],
) -> PlanEvaluation:
    """An evaluation: the outcome of every current goal (keyed by the goal's id), and the next
    evaluation date, which becomes the plan's."""
    plan = locked_for_update(plan, None)
    check_dates(
        {
            "held_on": (held_on, DateKind.HAPPENED),
            "next_evaluation_on": (next_evaluation_on, DateKind.PLANNED),
        }
    )
    problems: dict[str, str] = {}
    if held_on < plan.made_on:
        problems["held_on"] = _("A plan cannot be evaluated before it was made.")
    if next_evaluation_on <= held_on:
        problems["next_evaluation_on"] = _("The next evaluation lies after this one.")
    goals = list(plan.goals.filter(removed_at__isnull=True))
    if not goals:
        problems["__all__"] = _("The plan has no goals to evaluate yet.")
    elif set(outcomes) != {goal.pk for goal in goals} or any(
        line.outcome not in GoalOutcome.values for line in outcomes.values()
    ):
        problems["__all__"] = _("Give the outcome of every goal.")
    if problems:
        raise ValidationError(problems)
    evaluation = PlanEvaluation(
        case_id=plan.case_id,
        plan=plan,
        held_on=held_on,
        evaluated_by=by,
        next_evaluation_on=next_evaluation_on,
    )
    attribute(evaluation, by).save()
    for goal in goals:
        line = outcomes[goal.pk]
        attribute(
            PlanGoalOutcome(
                case_id=plan.case_id,
                evaluation=evaluation,
                goal=goal,
                outcome=line.outcome,
                note=line.note.strip(),
            ),
            by,
        ).save()
    plan.next_evaluation_on = next_evaluation_on
    save_versioned(plan, by)
    return evaluation


@transaction.atomic
def plan_review_noted(
    *,
    plan: PlanOfApproach,
    by: User,
    reviewed_on: datetime.date,
    next_evaluation_on: datetime.date,
) -> PlanOfApproach:
    """The plan was reviewed in an art. 458ter consultation (``consultations`` keeps the
    review): its next evaluation date follows the review, and the timeline says so."""
    plan = locked_for_update(plan, None)
    plan.next_evaluation_on = next_evaluation_on
    save_versioned(plan, by)
    record_event(
        case=plan.case,
        kind=EventKind.PLAN_REVIEWED,
        actor=by,
        summary=_("Case consultation of %(date)s") % {"date": _day(reviewed_on)},
    )
    return plan
