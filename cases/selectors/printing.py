"""The print view of a case (issue 17, part 9): what the steering page shows, for paper.

Nothing is decided here that the steering page does not decide: the parts of the file a
reader sees, whether they see the confidential details of people and safety plans, and every
child row all come from :func:`cases.selectors.steering.case_steering` and the safety-plan
selectors, which ask ``access.policy``. This module only adds what a page on paper needs
beyond the screen: the current text of each safety plan (the screen links to it), each
child's whole file and the conversations with the child (the screen links to the child's page;
what the child said is shown as that page shows it to this reader) and the whole timeline (the
screen shows the latest lines). A fixed number of queries, whatever the
case holds.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from access.parts import CasePart
from access.policy import restrict
from accounts.models import User

from ..models import (
    Case,
    CaseEvent,
    CaseParty,
    ChildConversation,
    ChildFile,
    SafetyPlan,
)
from .children import ChildLine, ShownConversation, shown_conversation
from .plan import PlanDetail, plan_detail
from .safety import ShownPart, case_safety_plans, shown_parts
from .steering import Steering, case_steering
from .violence import ViolenceFacts


@dataclass
class PrintedPlan:
    """The current version of one safety plan, each part as this reader may see it."""

    party: CaseParty
    plan: SafetyPlan
    parts: list[ShownPart]
    today: datetime.date

    @property
    def review_overdue(self) -> bool:
        return self.plan.review_on < self.today


@dataclass
class PrintedChild:
    """One child the steering page lists: its line there (age, exposure), its whole file and
    the conversations, oldest first, as this reader may see them."""

    line: ChildLine
    child_file: ChildFile | None
    conversations: list[ShownConversation] = field(default_factory=list)


@dataclass
class CasePrint:
    steering: Steering
    # Per victim and child with a plan (the steering page's own list decides who is listed).
    safety_plans: list[PrintedPlan] = field(default_factory=list)
    # The whole timeline, oldest first (a reader of the rest of the file only).
    events: list[CaseEvent] = field(default_factory=list)
    # The plan of approach ("one family, one plan"), the team's notes as this reader may see them.
    plan_of_approach: PlanDetail | None = None
    # Per child the steering page lists (a reader of the rest of the file only).
    children: list[PrintedChild] = field(default_factory=list)
    # The case's relationship contexts and forms of violence, as the steering page lists them.
    violence: ViolenceFacts = field(default_factory=ViolenceFacts)
    printed_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def has_safety_plans(self) -> bool:
        return bool(self.safety_plans)


def printed_plans(
    *, user: User, case: Case, steering: Steering, today: datetime.date
) -> list[PrintedPlan]:
    """The safety plans of the victims and children the steering page lists, with their
    parts shown as ``access.policy`` lets this reader see them. One query; none for a reader
    without the rest of the file (a safety plan is part of it)."""
    if not steering.safety_plans:
        return []
    plans = {plan.party_id: plan for plan in case_safety_plans(user=user, case=case)}
    printed = []
    for line in steering.safety_plans:
        plan = plans.get(line.party.pk)
        if plan is None:
            continue
        printed.append(
            PrintedPlan(
                party=line.party,
                plan=plan,
                parts=shown_parts(plan, may_see=steering.may_see_confidential),
                today=today,
            )
        )
    return printed


def printed_children(*, user: User, case: Case, steering: Steering) -> list[PrintedChild]:
    """The children of the steering page's list, each with its child file (the steering
    page's own rows: school or childcare, psychologist, VK / OCJ / youth court, child plan)
    and the conversations, what the child said hidden unless this reader may see confidential
    details. One query; none when the steering page lists no child (it lists none for a
    reader without the rest of the file)."""
    if not steering.children:
        return []
    conversations: dict[int, list[ShownConversation]] = defaultdict(list)
    for conversation in (
        restrict(ChildConversation.objects.filter(case=case), user, part=CasePart.FILE)
        .select_related("held_by")
        .order_by("held_on", "pk")
    ):
        conversations[conversation.child_file_id].append(
            shown_conversation(conversation, may_see=steering.may_see_confidential)
        )
    return [
        PrintedChild(
            line=line,
            child_file=line.child_file,
            conversations=conversations[line.child_file.pk] if line.child_file else [],
        )
        for line in steering.children
    ]


def case_print(*, case: Case, user: User) -> CasePrint:
    """The case has been authorised for ``user`` (the print view is built on the same access
    base as the steering page); children are restricted again, as on that page."""
    steering = case_steering(case=case, user=user)
    events: list[CaseEvent] = []
    if CasePart.FILE in steering.parts:
        events = list(
            restrict(CaseEvent.objects.filter(case=case), user)
            .select_related("actor")
            .order_by("at", "id")
        )
    plan = None
    if CasePart.FILE in steering.parts:
        plan = plan_detail(user=user, case=case, may_see=steering.may_see_confidential)
    return CasePrint(
        steering=steering,
        plan_of_approach=plan,
        safety_plans=printed_plans(user=user, case=case, steering=steering, today=steering.today),
        children=printed_children(user=user, case=case, steering=steering),
        violence=steering.violence,
        events=events,
    )
