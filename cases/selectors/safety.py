"""Reads for safety plans. Every one starts from ``access.policy.restrict``; which parts a
reader sees is decided there (the confidential fields), never in a template."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from access.parts import CasePart
from access.policy import HIDDEN, CaseAccess, restrict, shown_value
from accounts.models import User

from ..models import Case, CaseParty, SafetyPlan, SafetyPlanPart
from ..services.safety import PART_FIELDS, PLAN_PARTIES, gets_safety_plan
from .scoped import case_rows


@dataclass(frozen=True)
class ShownPart:
    """One part of a plan as this reader sees it: its text, or hidden (a fixed word)."""

    name: str
    label: str
    value: str
    hidden: bool = False
    shareable: bool = False


def shown_parts(record: Any, *, may_see: bool) -> list[ShownPart]:
    """The parts of a plan (or of one of its historical versions) for a reader who may or may
    not see its confidential fields (``access.policy.shown_value``)."""
    shared = set(record.shareable_parts or ())
    parts = []
    for name in PART_FIELDS:
        value = shown_value(record, name, may_see=may_see)
        label = str(SafetyPlanPart(name).label)
        if value is HIDDEN:
            parts.append(ShownPart(name, label, "", hidden=True, shareable=False))
        else:
            parts.append(ShownPart(name, label, value, shareable=name in shared))
    return parts


@dataclass
class PlanVersion:
    """One saved version: what was agreed when, and by whom it was written down."""

    number: int
    agreed_on: datetime.date
    review_on: datetime.date
    saved_at: datetime.datetime
    saved_by: Any
    parts: list[ShownPart]


@dataclass
class PlanDetail:
    plan: SafetyPlan
    current: PlanVersion
    earlier: list[PlanVersion] = field(default_factory=list)
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def review_overdue(self) -> bool:
        return self.plan.review_on < self.today


def case_safety_plans(*, user: User, case: Case) -> QuerySet[SafetyPlan]:
    return restrict(SafetyPlan.objects.filter(case=case), user).select_related("party__person")


def safety_plan_detail(*, user: User, case: Case, plan_pk: Any, may_see: bool) -> PlanDetail | None:
    """The plan with its versions, newest first; ``None`` when the user may not see it. Two
    queries whatever the number of versions (the plan, its history with the writers)."""
    plan = case_safety_plans(user=user, case=case).filter(pk=plan_pk).first()
    if plan is None:
        return None
    # Only after the plan itself was checked: history rows outlive what they describe.
    records = (
        SafetyPlan.history.filter(id=plan.pk)
        .exclude(history_type="-")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    versions = [
        PlanVersion(
            number=record.version,
            agreed_on=record.agreed_on,
            review_on=record.review_on,
            saved_at=record.history_date,
            saved_by=record.history_user,
            parts=shown_parts(record, may_see=may_see),
        )
        for record in records
    ]
    return PlanDetail(plan=plan, current=versions[0], earlier=versions[1:])


@dataclass
class PlanLine:
    """A victim or a child of the case on the steering page: their plan, if any."""

    party: CaseParty
    plan: SafetyPlan | None
    today: datetime.date

    @property
    def review_overdue(self) -> bool:
        return self.plan is not None and self.plan.review_on < self.today


def plan_lines(
    *,
    user: User,
    case: Case,
    parties: list[CaseParty],
    today: datetime.date,
    access: CaseAccess | None = None,
    read: bool = True,
) -> list[PlanLine]:
    """Per victim and child (of ``parties``, already read for the page) whether a plan exists
    and its review date. One query; none for a reader without the rest of the file, none
    without a victim or child, and none when ``read`` is False (the caller knows the case has
    no plan at all: ``cases.selectors.steering.has_rows``)."""
    shown = [party for party in parties if gets_safety_plan(party)]
    plans = (
        {
            plan.party_id: plan
            for plan in case_rows(
                SafetyPlan.objects.filter(case=case), user, access, part=CasePart.FILE
            ).only("pk", "party_id", "case_id", "review_on")
        }
        if shown and read
        else {}
    )
    return [PlanLine(party=party, plan=plans.get(party.pk), today=today) for party in shown]


def plan_parties(*, user: User, case: Case, without_plan: bool = False) -> QuerySet[CaseParty]:
    """The victims and children of the case (``without_plan``: those who have no safety plan
    yet, the choices the create form offers)."""
    parties = restrict(CaseParty.objects.filter(PLAN_PARTIES, case=case), user)
    if without_plan:
        parties = parties.filter(safety_plan__isnull=True)
    return parties.select_related("person").order_by(
        "-is_victim", "position", "person__last_name", "person__first_name", "pk"
    )


def safety_plan_reviews_due(*, user: User, until: datetime.date) -> QuerySet[SafetyPlan]:
    """The plans the user may see whose review falls on or before ``until`` (overdue ones
    included), soonest first: for a deadline board. Review dates only, no part of a plan."""
    return (
        restrict(SafetyPlan.objects.filter(review_on__lte=until), user, part=CasePart.FILE)
        .select_related("case")
        .only(
            "pk",
            "case_id",
            "party_id",
            "review_on",
            "case__reference",
            "case__is_anonymous_consult",
        )
        .order_by("review_on", "pk")
    )
