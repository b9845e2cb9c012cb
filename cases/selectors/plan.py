"""Reads for the plan of approach. Every one starts from ``access.policy.restrict``; which
free texts a reader sees is decided there (the confidential fields), never in a template.

The reviews in a consultation are ``consultations.PlanReview`` rows, read through the plan's
reverse relation ``consultation_reviews`` (this app does not import ``consultations``)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from access.parts import CasePart
from access.policy import HIDDEN, CaseAccess, restrict, shown_value
from accounts.models import User

from ..models import (
    Case,
    CaseParty,
    PlanAgreement,
    PlanEvaluation,
    PlanGoal,
    PlanGoalOutcome,
    PlanOfApproach,
    PlanStatus,
)
from .scoped import case_rows


def case_plan(*, user: User, case: Case) -> PlanOfApproach | None:
    """The case's plan, if there is one and the user reads the rest of the file."""
    return restrict(PlanOfApproach.objects.filter(case=case), user).first()


def current_goals(plan: PlanOfApproach) -> QuerySet[PlanGoal]:
    """The goals on the plan now (removed ones left out), the person loaded, with their
    agreements (one query for them all). Call only on a plan read through ``restrict``."""
    return (
        PlanGoal.objects.filter(plan=plan, removed_at__isnull=True)
        .select_related("party__person")
        .prefetch_related(
            Prefetch(
                "agreements",
                queryset=PlanAgreement.objects.select_related("organisation", "user"),
            )
        )
        .order_by("created_at", "pk")
    )


@dataclass
class ShownGoal:
    """A goal as this reader sees it: the note for the case team, or hidden."""

    goal: PlanGoal
    agreements: list[PlanAgreement]
    team_note: str
    team_note_hidden: bool = False

    @property
    def for_family(self) -> bool:
        return self.goal.party_id is None


def shown_goal(goal: PlanGoal, *, may_see: bool) -> ShownGoal:
    note = shown_value(goal, "team_note", may_see=may_see)
    return ShownGoal(
        goal=goal,
        agreements=list(goal.agreements.all()),
        team_note="" if note is HIDDEN else note,
        team_note_hidden=note is HIDDEN,
    )


@dataclass
class ShownOutcome:
    outcome: PlanGoalOutcome
    note: str
    note_hidden: bool = False


@dataclass
class ShownEvaluation:
    evaluation: PlanEvaluation
    outcomes: list[ShownOutcome]


@dataclass
class PlanDetail:
    plan: PlanOfApproach
    goals: list[ShownGoal]
    evaluations: list[ShownEvaluation]
    reviews: list[Any]  # consultations.PlanReview, newest first
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def evaluation_overdue(self) -> bool:
        return evaluation_overdue(self.plan, self.today)


def evaluation_overdue(plan: PlanOfApproach, today: datetime.date) -> bool:
    """The one rule: an active plan whose next evaluation date has passed."""
    return (
        plan.status == PlanStatus.ACTIVE
        and plan.next_evaluation_on is not None
        and plan.next_evaluation_on < today
    )


def plan_detail(*, user: User, case: Case, may_see: bool) -> PlanDetail | None:
    """The plan with its current goals and agreements, its evaluations (each outcome's note as
    this reader may see it) and its reviews in consultations; ``None`` when there is no plan or
    the user may not see it. A fixed number of queries, whatever the number of rows."""
    plan = case_plan(user=user, case=case)
    if plan is None:
        return None
    goals = [shown_goal(goal, may_see=may_see) for goal in current_goals(plan)]
    evaluations = []
    for evaluation in (
        PlanEvaluation.objects.filter(plan=plan)
        .select_related("evaluated_by")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=PlanGoalOutcome.objects.select_related("goal__party__person"),
            )
        )
    ):
        outcomes = []
        for outcome in evaluation.outcomes.all():
            note = shown_value(outcome, "note", may_see=may_see)
            outcomes.append(
                ShownOutcome(outcome, "" if note is HIDDEN else note, note_hidden=note is HIDDEN)
            )
        evaluations.append(ShownEvaluation(evaluation, outcomes))
    reviews = list(
        plan.consultation_reviews.select_related("agenda_item__consultation").order_by(
            "-reviewed_on", "-pk"
        )
    )
    return PlanDetail(plan=plan, goals=goals, evaluations=evaluations, reviews=reviews)


@dataclass
class PlanState:
    """The steering page's line on the plan: none, a draft, or active with its goals, the next
    evaluation (overdue flagged) and the last review in a consultation."""

    plan: PlanOfApproach | None
    today: datetime.date
    goal_count: int = 0
    last_review_on: datetime.date | None = None
    last_evaluated_on: datetime.date | None = None

    @property
    def evaluation_overdue(self) -> bool:
        return self.plan is not None and evaluation_overdue(self.plan, self.today)

    @property
    def is_draft(self) -> bool:
        return self.plan is not None and self.plan.status == PlanStatus.DRAFT


def plan_state(
    *, user: User, case: Case, today: datetime.date, access: CaseAccess | None = None
) -> PlanState:
    """One query: the plan with its number of current goals, its last evaluation and its last
    review in a consultation (subqueries, so the counts never multiply)."""
    goals = (
        PlanGoal.objects.filter(plan=OuterRef("pk"), removed_at__isnull=True)
        .order_by()
        .values("plan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    evaluations = (
        PlanEvaluation.objects.filter(plan=OuterRef("pk"))
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    # consultations.PlanReview, through the reverse relation (no import of that app).
    reviews = (
        PlanOfApproach.objects.filter(pk=OuterRef("pk"))
        .values("pk")
        .annotate(last=Max("consultation_reviews__reviewed_on"))
        .values("last")
    )
    plan = (
        case_rows(PlanOfApproach.objects.filter(case=case), user, access, part=CasePart.FILE)
        .annotate(
            goal_count=Coalesce(Subquery(goals, output_field=IntegerField()), 0),
            last_evaluated_on=Subquery(evaluations),
            last_review_on=Subquery(reviews),
        )
        .first()
    )
    if plan is None:
        return PlanState(plan=None, today=today)
    return PlanState(
        plan=plan,
        today=today,
        goal_count=plan.goal_count,  # type: ignore[attr-defined]
        last_review_on=plan.last_review_on,  # type: ignore[attr-defined]
        last_evaluated_on=plan.last_evaluated_on,  # type: ignore[attr-defined]
    )


def goal_parties(*, user: User, case: Case) -> QuerySet[CaseParty]:
    """The people of the case a goal can be for."""
    return (
        restrict(CaseParty.objects.filter(case=case), user)
        .select_related("person")
        .order_by(
            "-is_victim",
            "-is_perpetrator",
            "position",
            "person__last_name",
            "person__first_name",
            "pk",
        )
    )


def plan_goal(*, user: User, case: Case, goal_pk: Any) -> PlanGoal | None:
    """A current goal of the case's plan, or ``None`` (another case's, removed, out of sight)."""
    return (
        restrict(PlanGoal.objects.filter(case=case, removed_at__isnull=True), user)
        .select_related("plan", "party__person")
        .filter(pk=goal_pk)
        .first()
    )


def plan_evaluations_due(*, user: User, until: datetime.date) -> QuerySet[PlanOfApproach]:
    """Active plans the user may see whose next evaluation falls on or before ``until``
    (overdue ones included), soonest first: for a deadline board. Dates only."""
    return (
        restrict(
            PlanOfApproach.objects.filter(
                Q(status=PlanStatus.ACTIVE) & Q(next_evaluation_on__lte=until)
            ),
            user,
            part=CasePart.FILE,
        )
        .select_related("case")
        .order_by("next_evaluation_on", "pk")
    )
