"""Reads for the partner inbox (issue 19, part 3): the referrals and actions addressed to the
user's organisation, and one item as its reader may see it.

What a partner sees of a referral is the referral letter's content: its reason, the
information agreed for the partner, the case's reference (no names), the requesting
organisation, the case director's contact and the date an answer is expected. Of an action:
what, by when, and the same. Never the case file: its people, journal or risk.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery

from access.policy import inbox_condition
from accounts.models import User

from ..models import (
    CaseAction,
    PartnerAnswer,
    PartnerAnswerOutcome,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from ..services.inbox import ACTION_NEXT, inbox_item_url
from ..services.referrals import NEXT_STATUSES

OPEN_REFERRAL = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


@dataclass(frozen=True)
class InboxRow:
    kind: str  # "referral" or "action"
    item: Any
    reference: str
    requested_by: Any
    received_on: datetime.date
    due_on: datetime.date
    status: str
    url: str
    today: datetime.date

    @property
    def is_overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def is_referral(self) -> bool:
        return self.kind == "referral"


def referral_due_on(referral: Referral) -> datetime.date:
    """When an answer is expected: the day the deadline board starts to show it."""
    return referral.referred_on + datetime.timedelta(days=settings.FJC_REFERRAL_ANSWER_DAYS)


def _latest_answer(organisation_path: str) -> Subquery:
    return Subquery(
        PartnerAnswer.objects.filter(
            action_id=OuterRef("pk"), organisation_id=OuterRef(organisation_path)
        )
        .order_by("-recorded_at", "-id")
        .values("outcome")[:1]
    )


def with_partner_answer[M: Any](queryset: QuerySet[M], *, action: bool = False) -> QuerySet[M]:
    """``queryset`` (referrals or actions) with the latest partner answer's outcome and short
    answer (``partner_outcome``, ``partner_note``; an action's: of the organisation it is
    assigned to now), in the same query: the steering page shows what the partner said."""
    if action:
        latest = PartnerAnswer.objects.filter(
            action_id=OuterRef("pk"), organisation_id=OuterRef("assignee_organisation_id")
        )
    else:
        latest = PartnerAnswer.objects.filter(referral_id=OuterRef("pk"))
    latest = latest.order_by("-recorded_at", "-id")
    return queryset.annotate(
        partner_outcome=Subquery(latest.values("outcome")[:1]),
        partner_note=Subquery(latest.values("note")[:1]),
    )


def _actions(user: User) -> QuerySet[CaseAction]:
    return (
        CaseAction.objects.filter(inbox_condition(user, CaseAction))
        .select_related("case__owner_organisation")
        .annotate(latest_answer=_latest_answer("assignee_organisation_id"))
    )


def _action_status(action: Any) -> str:
    if action.done_on is not None:
        return str(PartnerAnswerOutcome.DONE.label)
    if action.latest_answer:
        return str(PartnerAnswerOutcome(action.latest_answer).label)
    return str(ReferralStatus.PENDING.label)


def inbox_rows(*, user: User, handled: bool, today: datetime.date) -> list[InboxRow]:
    """The organisation's inbox: open items (awaiting an answer, or accepted and not yet
    done) or handled ones (declined or done), oldest due first. Two queries."""
    referrals = Referral.objects.filter(
        inbox_condition(user, Referral), direction=ReferralDirection.OUTGOING
    ).select_related("case__owner_organisation")
    if handled:
        referrals = referrals.exclude(status__in=OPEN_REFERRAL)
    else:
        referrals = referrals.filter(status__in=OPEN_REFERRAL)
    actions = _actions(user)
    declined = Q(latest_answer=PartnerAnswerOutcome.DECLINED)
    if handled:
        actions = actions.filter(Q(done_on__isnull=False) | declined)
    else:
        # NULL (no answer yet) must stay: a plain exclude would drop it.
        actions = actions.filter(done_on__isnull=True).filter(
            Q(latest_answer__isnull=True) | ~declined
        )
    rows = [
        InboxRow(
            kind="referral",
            item=r,
            reference=r.case.reference,
            requested_by=r.case.owner_organisation,
            received_on=r.referred_on,
            due_on=referral_due_on(r),
            status=r.get_status_display(),
            url=inbox_item_url(r),
            today=today,
        )
        for r in referrals
    ]
    rows += [
        InboxRow(
            kind="action",
            item=a,
            reference=a.case.reference,
            requested_by=a.case.owner_organisation,
            received_on=a.created_at.date(),
            due_on=a.due_on,
            status=_action_status(a),
            url=inbox_item_url(a),
            today=today,
        )
        for a in actions
    ]
    rows.sort(key=lambda row: (row.due_on, row.reference))
    return rows


@dataclass
class InboxDetail:
    kind: str
    item: Any
    reference: str
    requested_by: Any
    director: Any
    received_on: datetime.date
    due_on: datetime.date
    status: str
    # Referral: its reason and the information agreed for the partner; action: what.
    what: str
    partner_information: str = ""
    ground: str = ""
    answers: list[Any] = field(default_factory=list)
    # The answers the user may give now (codes), in the order accept, decline, complete.
    outcomes: list[str] = field(default_factory=list)

    @property
    def is_referral(self) -> bool:
        return self.kind == "referral"


def _outcomes(allowed: frozenset[str]) -> list[str]:
    return [code for code in PartnerAnswerOutcome.values if code in allowed]


def inbox_detail(*, item: Referral | CaseAction, user: User, may_answer: bool) -> InboxDetail:
    """One item (already fetched through ``access.policy.restrict_inbox``)."""
    case = item.case
    if isinstance(item, Referral):
        answers = list(item.partner_answers.select_related("answered_by", "organisation"))
        return InboxDetail(
            kind="referral",
            item=item,
            reference=case.reference,
            requested_by=case.owner_organisation,
            director=case.case_director,
            received_on=item.referred_on,
            due_on=referral_due_on(item),
            status=item.get_status_display(),
            what=item.reason,
            partner_information=item.partner_information,
            ground=item.get_ground_display() if item.ground else "",
            answers=answers,
            outcomes=_outcomes(NEXT_STATUSES[item.status]) if may_answer else [],
        )
    assert item.assignee_organisation_id is not None  # an inbox item is addressed
    answers = list(
        item.partner_answers.filter(organisation_id=item.assignee_organisation_id).select_related(
            "answered_by", "organisation"
        )
    )
    latest = answers[-1].outcome if answers else None
    status = (
        PartnerAnswerOutcome.DONE.label
        if item.done_on is not None
        else (PartnerAnswerOutcome(latest).label if latest else ReferralStatus.PENDING.label)
    )
    allowed = frozenset() if item.done_on is not None else ACTION_NEXT[latest]
    return InboxDetail(
        kind="action",
        item=item,
        reference=case.reference,
        requested_by=case.owner_organisation,
        director=case.case_director,
        received_on=item.created_at.date(),
        due_on=item.due_on,
        status=str(status),
        what=item.description,
        answers=answers,
        outcomes=_outcomes(allowed) if may_answer else [],
    )
