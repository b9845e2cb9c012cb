"""The steering page's summary strip: the next deadline and the restraining order's end.

Computed from what the steering selector already loaded (open actions, hearings, measures)
plus one read: the next planned case consultation that has the case on its agenda.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext

from access.policy import CaseAccess
from accounts.models import User

from ..models import Case, CaseAction, Hearing, Measure, MeasureKind
from .scoped import case_rows


class DeadlineKind(StrEnum):
    ACTION = "action"
    HEARING = "hearing"
    MEASURE_END = "measure_end"
    CONSULTATION = "consultation"


@dataclass(frozen=True)
class Deadline:
    on: datetime.date
    kind: DeadlineKind
    # The object the date comes from (an action, a hearing, a measure), None for a consultation.
    source: Any = None

    @property
    def is_overdue(self) -> bool:
        return self.on < timezone.localdate()

    @property
    def description(self) -> str:
        """What falls due, in the reader's language: the action's own words, else the kind."""
        if self.kind == DeadlineKind.ACTION:
            return str(self.source.description)
        if self.kind == DeadlineKind.HEARING:
            court = getattr(self.source, "court", "")
            return f"{gettext('hearing')} ({court})" if court else gettext("hearing")
        if self.kind == DeadlineKind.MEASURE_END:
            return gettext("end of the measure “%(kind)s”") % {
                "kind": self.source.get_kind_display()
            }
        return gettext("case consultation")


def next_consultation_at(
    *, case: Case, user: User, access: CaseAccess | None = None
) -> datetime.datetime | None:
    """When the case is next discussed in a planned case consultation (None: not planned).

    Read through the agenda items' reverse relation so that ``cases`` does not import
    ``consultations`` (the import layers); the agenda item is restricted like any case child.
    """
    items = case.agenda_items.filter(  # type: ignore[attr-defined]
        removed_at__isnull=True,
        consultation__status="planned",
        consultation__scheduled_at__gte=timezone.now(),
    )
    at: datetime.datetime | None = case_rows(items, user, access).aggregate(
        at=Min("consultation__scheduled_at")
    )["at"]
    return at


def next_deadline(
    *,
    today: datetime.date,
    open_actions: Iterable[CaseAction] = (),
    hearings: Iterable[Hearing] = (),
    measures: Iterable[Measure] = (),
    consultation_at: datetime.datetime | None = None,
) -> Deadline | None:
    """The soonest date the case team must act on.

    An open action counts even when it is overdue (it still waits, and it is the most
    urgent); hearings, measure ends and consultations count from today on. On the same day
    the order of the arguments decides (an action before a hearing).
    """
    candidates: list[Deadline] = [
        Deadline(action.due_on, DeadlineKind.ACTION, action) for action in open_actions
    ]
    candidates += [
        Deadline(timezone.localdate(hearing.held_at), DeadlineKind.HEARING, hearing)
        for hearing in hearings
        if timezone.localdate(hearing.held_at) >= today
    ]
    candidates += [
        Deadline(measure.ends_on, DeadlineKind.MEASURE_END, measure)
        for measure in measures
        if measure.ends_on is not None and measure.ends_on >= today
    ]
    if consultation_at is not None and timezone.localdate(consultation_at) >= today:
        candidates.append(Deadline(timezone.localdate(consultation_at), DeadlineKind.CONSULTATION))
    # min() keeps the first of equal dates: the argument order above.
    return min(candidates, key=lambda deadline: deadline.on, default=None)


def restraining_order_end(
    measures: Iterable[Measure], today: datetime.date
) -> datetime.date | None:
    """The end of the restraining order in force (the soonest, if several); None if none."""
    ends = [
        measure.ends_on
        for measure in measures
        if measure.kind == MeasureKind.RESTRAINING_ORDER
        and measure.ends_on is not None
        and measure.lifted_on is None
        and measure.starts_on <= today <= measure.ends_on
    ]
    return min(ends, default=None)
