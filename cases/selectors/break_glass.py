"""Reads of emergency accesses: the banner on a case's pages, the requester's own open
accesses, and the review list. None of them reads the case's content."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from access.policy import break_glass_review_condition
from accounts.types import AnyUser

from ..models import BreakGlassAccess


def _open(now: datetime.datetime) -> Q:
    return Q(ended_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


def open_break_glass_on_case(case_id: int, now: datetime.datetime | None = None) -> list[Any]:
    """The emergency accesses open now on one case, for its banner (one query)."""
    moment = now or timezone.now()
    return list(
        BreakGlassAccess.objects.filter(_open(moment), case_id=case_id)
        .select_related("requested_by")
        .order_by("ends_at", "pk")
    )


def my_open_break_glass(user: AnyUser, now: datetime.datetime | None = None) -> list[Any]:
    """The user's own open emergency accesses (they may end them early)."""
    moment = now or timezone.now()
    return list(
        BreakGlassAccess.objects.filter(_open(moment), requested_by_id=user.pk)
        .select_related("case")
        .order_by("ends_at", "pk")
    )


@dataclass(frozen=True)
class ReviewList:
    awaiting: list[Any]
    reviewed: list[Any]


# The reviewed accesses the list keeps showing (the most recent): the audit trail keeps all.
REVIEWED_SHOWN = 50


def break_glass_review_list(*, user: AnyUser) -> ReviewList:
    """The emergency accesses ``user`` may review (access.policy.break_glass_review_condition):
    awaiting review (open or ended), and the most recent reviewed ones, an unjustified verdict
    among them. Two queries, however many rows."""
    mine = (
        BreakGlassAccess.objects.filter(break_glass_review_condition(user, "case_id"))
        .select_related("case", "requested_by", "ended_by", "review", "review__reviewed_by")
        .order_by("-starts_at", "-pk")
    )
    return ReviewList(
        awaiting=list(mine.filter(review__isnull=True)),
        reviewed=list(mine.filter(review__isnull=False)[:REVIEWED_SHOWN]),
    )
