"""Reminders from the deadline board (issue 17, part 2): urgent notices and the daily overview.

Both read each user's own deadline board (``cases.selectors.board.deadline_board``, which goes
through ``access.policy`` for every kind, the consultations' kinds included), at the moment the
task runs: a case the user may no longer see, an account closed, a role taken away gives no
notice on the next run. The scope is the board page's default: a case director's own cases and
actions, everyone else's cases they may see.

* **Urgent**, hourly: a restraining order inside its warning period
  (``FJC_RESTRAINING_ORDER_WARNING_DAYS``, the board's and the steering page's rule), a hearing
  tomorrow, an action overdue, a referral unanswered (``FJC_REFERRAL_ANSWER_DAYS``). One notice
  per user, kind, object and date (``notices.Notification``'s unique key): the same order
  ending on the same day is told once, however often the task runs.
* **The daily overview**, once a day: every item of the board for the coming week and the
  overdue ones, as lines of reference, kind, date and link. One per user per day.

What a notice or an e-mail holds is decided in ``notices``: a reference, a kind, a date, a
link. The board's descriptions (an action's text, a court's name) are never passed on.
"""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from access.policy import is_active_case_director, may_work_with_cases
from accounts.models import User
from accounts.roles import CASE_WORKING_ROLES
from notices.models import NoticeKind
from notices.services import DigestLine, notify

from ..selectors.board import (
    Board,
    BoardItem,
    BoardKind,
    BoardPeriod,
    BoardScope,
    deadline_board,
)


def recipients() -> QuerySet[User]:
    """Active accounts with a case-working role (each is checked again with the policy)."""
    return (
        User.objects.filter(is_active=True, roles__code__in=CASE_WORKING_ROLES)
        .distinct()
        .order_by("pk")
    )


def board_for(user: User, today: datetime.date) -> Board:
    """The user's board as their deadline page opens it: the week ahead and overdue items."""
    scope = BoardScope.MINE if is_active_case_director(user) else BoardScope.ORGANISATION
    return deadline_board(user=user, scope=scope, period=BoardPeriod.WEEK, today=today)


def urgent_kind(item: BoardItem) -> NoticeKind | None:
    """The notice an item of the board calls for at once, or None (it waits for the
    overview)."""
    if item.kind == BoardKind.MEASURE_END and item.warning:
        return NoticeKind.ORDER_ENDING
    if item.kind == BoardKind.HEARING and item.days_left == 1:
        return NoticeKind.HEARING_TOMORROW
    if item.kind == BoardKind.ACTION and item.is_overdue:
        return NoticeKind.ACTION_OVERDUE
    if item.kind == BoardKind.REFERRAL:
        return NoticeKind.REFERRAL_UNANSWERED
    return None


def _object_key(item: BoardItem) -> str:
    return f"{item.kind}:{item.object_pk if item.object_pk is not None else item.case_pk}"


def _users(users: QuerySet[User] | None) -> Iterator[User]:
    for user in users if users is not None else recipients():
        if may_work_with_cases(user):
            yield user


def send_urgent_notices(
    *, today: datetime.date | None = None, users: QuerySet[User] | None = None
) -> int:
    """Tell every user about their urgent deadlines; the number of notices made now."""
    today = today or timezone.localdate()
    made = 0
    for user in _users(users):
        for item in board_for(user, today).items:
            kind = urgent_kind(item)
            if kind is None:
                continue
            notice = notify(
                user=user,
                kind=kind,
                object_key=_object_key(item),
                due_on=item.on,
                url=item.url,
                reference=item.reference,
            )
            made += notice is not None
    return made


def send_daily_digests(
    *, today: datetime.date | None = None, users: QuerySet[User] | None = None
) -> int:
    """Each user's overview of the day (nothing for an empty board); the number made now."""
    today = today or timezone.localdate()
    made = 0
    for user in _users(users):
        board = board_for(user, today)
        if not board.items:
            continue
        # The kinds' names in the installation's language: the lines are stored as shown.
        with translation.override(settings.LANGUAGE_CODE):
            lines = [
                DigestLine(reference=item.reference, kind=item.kind_label, on=item.on, url=item.url)
                for item in board.items
            ]
        notice = notify(
            user=user,
            kind=NoticeKind.DIGEST,
            object_key="board",
            due_on=today,
            url=reverse("cases:board"),
            lines=lines,
        )
        made += notice is not None
    return made
