"""The deadline board (issue 17): what is due, ending or overdue across the user's cases.

One list, sorted by urgency (overdue first, then by date), fed by *sources*: one function per
kind of dated item, each a single query through ``access.policy.restrict`` (so the page runs
a fixed number of queries whatever the number of cases, and an out-of-scope case never shows).
The home page shows the first rows of the same list.

Sources register themselves with :func:`register_source`: this module knows the kinds of the
``cases`` app; ``consultations`` (a layer above, which ``cases`` may not import) registers the
consultation dates and the ending consultation accesses in its ``AppConfig.ready()``. A later
part (plan reviews, safety plan reviews, conditions ending) adds its kind the same way: a
``BoardSource`` with a code, a label and a function from a :class:`BoardQuery` to items.

An item says no more about people than a list row does: the case's reference and label
(``cases.selectors.labels``), the kind, the date and a short description made of fixed words,
organisation names and dates; free texts (a measure's conditions, a hearing's subject, a
referral's reason) stay on the case's own pages. The one exception is an action's "what",
which is the action itself, as on the home page and the actions page.
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.functions import Collate
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import (
    Action,
    case_access_path,
    directing_condition,
    may_hold_case_access,
    restrict,
    restrict_rows,
)
from accounts.models import User

from ..models import (
    Case,
    CaseAction,
    CaseShare,
    Hearing,
    JudicialCondition,
    Measure,
    MeasureKind,
    PartnerAnswerOutcome,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from .inbox import with_partner_answer
from .labels import case_labels
from .plan import plan_evaluations_due
from .safety import safety_plan_reviews_due


class BoardScope(StrEnum):
    # The cases I (co-)direct, and the actions assigned to me.
    MINE = "mine"
    # Every case I may see, and the actions of my organisation (see ``actions_source``).
    ORGANISATION = "organisation"


class BoardPeriod(StrEnum):
    OVERDUE = "overdue"
    WEEK = "week"
    MONTH = "month"


# How many days ahead each period looks; overdue items show in every period.
PERIOD_DAYS = {BoardPeriod.OVERDUE: -1, BoardPeriod.WEEK: 7, BoardPeriod.MONTH: 30}
DEFAULT_PERIOD = BoardPeriod.MONTH
DEFAULT_SCOPE = BoardScope.MINE


@dataclass(frozen=True)
class BoardQuery:
    """What a source is asked: whose board, which day, up to which day, which scope."""

    user: User
    today: datetime.date
    until: datetime.date  # the last day shown; before ``today``: overdue items only
    scope: BoardScope = DEFAULT_SCOPE
    # The board shows only this many items (the home page): a source whose rows can grow
    # without bound (overdue actions, however old) fetches only its first ``limit + 1`` by date
    # (:meth:`first`), which is all the board can show, and says whether there are more.
    limit: int | None = None

    @property
    def overdue_only(self) -> bool:
        return self.until < self.today

    def mine(self, path: str = "case_id") -> Q:
        """The scope's condition on cases (``path``: to the case's primary key): the cases I
        (co-)direct for "mine", nothing more (``restrict`` already limits) otherwise."""
        if self.scope == BoardScope.MINE:
            return directing_condition(self.user, path)
        return Q()

    def restricted[M: Any](
        self, queryset: QuerySet[M], action: Action = Action.VIEW
    ) -> QuerySet[M]:
        """``restrict(queryset)`` within the scope (``mine()`` included). For "mine" in the row
        shape (``access.policy.restrict_rows``): PostgreSQL starts from the cases I
        (co-)direct and checks each row met, instead of gathering the thousands of cases I
        may see first; the same rows."""
        if self.scope == BoardScope.MINE:
            mine = directing_condition(self.user, case_access_path(queryset.model))
            return restrict_rows(queryset.filter(mine), self.user, action)
        return restrict(queryset, self.user, action)

    def start_of(self, day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    def first[M: Any](self, queryset: QuerySet[M], date_field: str) -> QuerySet[M]:
        """``queryset`` in the board's order (by date, then the case's reference in the code
        point order that Python's sort of the items uses), cut at ``limit + 1`` rows when the
        board is limited: the cut cannot drop an item the board would show."""
        code_points = "C" if connections[queryset.db].vendor == "postgresql" else "BINARY"
        ordered = queryset.order_by(date_field, Collate("case__reference", code_points), "pk")
        if self.limit is None:
            return ordered
        return ordered[: self.limit + 1]

    def with_case[M: Any](self, queryset: QuerySet[M]) -> QuerySet[M]:
        """``queryset`` (already restricted) with its case, in the same query. The case's
        label is read once for the whole board (:func:`deadline_board`)."""
        return queryset.select_related("case")


@dataclass(frozen=True)
class BoardItem:
    kind: str
    on: datetime.date
    today: datetime.date
    case_pk: int
    reference: str
    anonymous: bool
    description: str
    url: str
    # The case's short label: filled in once for the items shown (``deadline_board``).
    label: str = ""
    # A restraining order inside the warning period (``FJC_RESTRAINING_ORDER_WARNING_DAYS``).
    warning: bool = False
    # The row the item is about (a measure, a hearing, ...): with ``kind``, what a notice
    # about it is keyed by (notices: never the same notice twice).
    object_pk: int | None = None

    @property
    def is_overdue(self) -> bool:
        return self.on < self.today

    @property
    def is_today(self) -> bool:
        return self.on == self.today

    @property
    def days_left(self) -> int:
        return (self.on - self.today).days

    @property
    def kind_label(self) -> str:
        source = _SOURCES.get(self.kind)
        return str(source.label) if source else self.kind


@dataclass(frozen=True)
class BoardSource:
    """One kind of item on the board: ``kind`` is its code (in the filter's URL), ``label``
    its name, ``items`` gives the items of one :class:`BoardQuery` in a fixed number of
    queries.

    ``from_today``: every item is dated today or later, never overdue (a hearing to come, a
    suggestion to decide today). The board does not ask such a source for its overdue items,
    nor when its overdue items already fill a limited board (:func:`deadline_board`)."""

    kind: str
    label: str | Promise
    items: Callable[[BoardQuery], Iterable[BoardItem]]
    from_today: bool = False


_SOURCES: dict[str, BoardSource] = {}


def register_source(source: BoardSource) -> None:
    """Add a kind to the board (the order of registration orders items of the same day)."""
    _SOURCES[source.kind] = source


def board_kinds() -> list[tuple[str, str]]:
    """The kinds on the board, as choices (code, label)."""
    return [(source.kind, str(source.label)) for source in _SOURCES.values()]


@dataclass
class Board:
    today: datetime.date
    until: datetime.date
    items: list[BoardItem]
    # Whether ``items`` was cut at the limit asked for.
    more: bool = False

    @property
    def case_ids(self) -> list[int]:
        return sorted({item.case_pk for item in self.items})


def deadline_board(
    *,
    user: User,
    scope: BoardScope = DEFAULT_SCOPE,
    period: BoardPeriod = DEFAULT_PERIOD,
    kinds: Sequence[str] = (),
    today: datetime.date | None = None,
    limit: int | None = None,
) -> Board:
    """The user's deadline board: overdue items first (oldest first), then by date; on the
    same day in the order the kinds were registered, then by case reference.

    ``kinds``: only these kinds (all when empty). Nothing at all for anyone who may not hold
    case access (an administrator): each source starts from ``restrict``.
    """
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=PERIOD_DAYS[period])
    board = Board(today=today, until=until, items=[])
    if not may_hold_case_access(user):
        return board
    query = BoardQuery(user=user, today=today, until=until, scope=scope, limit=limit)
    order = {kind: position for position, kind in enumerate(_SOURCES)}
    sources = [
        source
        for source in _SOURCES.values()
        if (not kinds or source.kind in kinds) and not (source.from_today and query.overdue_only)
    ]
    if limit is not None:
        # Overdue items come first. Once more than ``limit`` of them are found, the items
        # shown are all overdue and the board has more: a source dated from today on could
        # change neither, so it is not asked (the home page of a busy director).
        sources.sort(key=lambda source: source.from_today)
    items: list[BoardItem] = []
    overdue = 0
    for source in sources:
        if source.from_today and limit is not None and overdue > limit:
            break
        found = [item for item in source.items(query) if item.on <= until]
        overdue += sum(item.is_overdue for item in found)
        items.extend(found)
    items.sort(key=lambda i: (not i.is_overdue, i.on, order.get(i.kind, 0), i.reference))
    if limit is not None and len(items) > limit:
        items, board.more = items[:limit], True
    board.items = _labelled(items, user)
    return board


def _labelled(items: list[BoardItem], user: User) -> list[BoardItem]:
    """The items with their case's label, read in one query for the cases shown (not in
    each source's query: a label is an expression Django builds and PostgreSQL plans per
    query, a dozen times for a board that shows ten rows). Each item's source decided that
    the user may see its case."""
    labels = case_labels(user, {item.case_pk for item in items})
    return [dataclasses.replace(item, label=labels.get(item.case_pk, "")) for item in items]


def item_for(
    query: BoardQuery, row: Any, *, kind: str, on: datetime.date, description: str, url: str
) -> BoardItem:
    """A board item about ``row`` (loaded with ``BoardQuery.with_case``)."""
    return case_item(
        query, row.case, kind=kind, on=on, description=description, url=url, object_pk=row.pk
    )


def case_item(
    query: BoardQuery,
    case: Case,
    *,
    kind: str,
    on: datetime.date,
    description: str,
    url: str,
    object_pk: int | None = None,
) -> BoardItem:
    """A board item about ``case`` itself (or, with ``object_pk``, one of its records)."""
    return BoardItem(
        kind=kind,
        on=on,
        today=query.today,
        case_pk=case.pk,
        reference=case.reference,
        anonymous=case.is_anonymous_consult,
        description=description,
        url=url,
        object_pk=object_pk,
    )


def steering_url(case_pk: int, section: str) -> str:
    """The steering page at a section's heading (its ``<details>`` opens on the anchor)."""
    return reverse("cases:detail", kwargs={"pk": case_pk}) + f"#{section}"


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- the kinds of the cases app ---


class BoardKind(StrEnum):
    MEASURE_END = "measure_end"
    HEARING = "hearing"
    ACTION = "action"
    REFERRAL = "referral"
    SHARE_END = "share_end"
    SAFETY_PLAN_REVIEW = "safety_plan_review"
    PLAN_EVALUATION = "plan_evaluation"
    CONDITION_END = "condition_end"


def measures_ending(query: BoardQuery) -> list[BoardItem]:
    """Measures ending from today to the end of the period. A restraining order inside the
    warning period is marked: the same rule as the steering page's warning."""
    rows = query.with_case(
        restrict(Measure.objects.all(), query.user).filter(
            query.mine(), ends_on__gte=query.today, ends_on__lte=query.until
        )
    )
    window = settings.FJC_RESTRAINING_ORDER_WARNING_DAYS
    items = []
    for measure in rows:
        assert measure.ends_on is not None
        item = item_for(
            query,
            measure,
            kind=BoardKind.MEASURE_END,
            on=measure.ends_on,
            description=_("End of the measure “%(kind)s”") % {"kind": measure.get_kind_display()},
            url=steering_url(measure.case_id, "judicial-heading"),
        )
        if (
            measure.kind == MeasureKind.RESTRAINING_ORDER
            and (measure.ends_on - query.today).days <= window
        ):
            item = dataclasses.replace(item, warning=True)
        items.append(item)
    return items


def hearings(query: BoardQuery) -> list[BoardItem]:
    """Hearings from today to the end of the period (the court, not the subject)."""
    rows = query.with_case(
        restrict(Hearing.objects.all(), query.user).filter(
            query.mine(),
            held_at__gte=query.start_of(query.today),
            held_at__lt=query.start_of(query.until + datetime.timedelta(days=1)),
        )
    )
    return [
        item_for(
            query,
            hearing,
            kind=BoardKind.HEARING,
            on=timezone.localdate(hearing.held_at),
            description=_("Hearing at %(time)s, %(court)s")
            % {
                "time": date_format(timezone.localtime(hearing.held_at), "TIME_FORMAT"),
                "court": hearing.court,
            },
            url=steering_url(hearing.case_id, "judicial-heading"),
        )
        for hearing in rows
    ]


def actions_due(query: BoardQuery) -> list[BoardItem]:
    """Open actions due by the end of the period, overdue ones however old.

    Mine: assigned to me, or in a case I (co-)direct. My organisation: also those assigned
    to my organisation or to a colleague of it, and those in a case it owns.

    Each way an action can be wanted is one arm of a ``UNION ALL`` of open actions (the
    partial indexes on open actions by case and by assignee), so PostgreSQL starts from the
    user's own cases and assignments and never reads every overdue action of the database;
    ``restrict`` then checks the few rows found.
    """
    user = query.user
    open_actions = CaseAction.objects.filter(done_on__isnull=True, due_on__lte=query.until)
    arms = [
        open_actions.filter(directing_condition(user, "case_id")),
        open_actions.filter(assignee_user=user.pk),
    ]
    organisation_id = getattr(user, "organisation_id", None)
    if query.scope == BoardScope.ORGANISATION and organisation_id is not None:
        arms += [
            open_actions.filter(assignee_organisation_id=organisation_id),
            open_actions.filter(assignee_user__organisation_id=organisation_id),
            open_actions.filter(case__owner_organisation_id=organisation_id),
        ]
    first, *others = (arm.values("pk") for arm in arms)
    wanted = first.union(*others, all=True)
    # The arms already hold the scope: for "mine" a few hundred rows, each checked on its own.
    wanted_actions = CaseAction.objects.filter(pk__in=wanted)
    if query.scope == BoardScope.MINE:
        permitted = restrict_rows(wanted_actions, user, Action.VIEW)
    else:
        permitted = restrict(wanted_actions, user, Action.VIEW)
    rows = query.with_case(
        query.first(
            with_partner_answer(permitted.select_related("assignee_organisation"), action=True),
            "due_on",
        )
    )
    return [
        item_for(
            query,
            action,
            kind=BoardKind.ACTION,
            on=action.due_on,
            description=_action_text(action),
            url=reverse("cases:actions", kwargs={"pk": action.case_id}),
        )
        for action in rows
    ]


def _action_text(action: Any) -> str:
    """The action, and for one assigned to an organisation what its inbox answered (fixed
    words and the organisation's name; the partner's short answer stays on the case)."""
    if action.assignee_organisation_id is None:
        return str(action.description)
    answer = (
        str(PartnerAnswerOutcome(action.partner_outcome).label)
        if action.partner_outcome
        else _("no answer yet")
    )
    return _("%(action)s — %(organisation)s: %(answer)s") % {
        "action": action.description,
        "organisation": action.assignee_organisation.name,
        "answer": answer,
    }


def referrals_unanswered(query: BoardQuery) -> list[BoardItem]:
    """Referrals still awaiting an answer ``FJC_REFERRAL_ANSWER_DAYS`` after they were made,
    dated on the day the answer was expected: outgoing ones wait for the partner, incoming
    ones for the FJC."""
    days = datetime.timedelta(days=settings.FJC_REFERRAL_ANSWER_DAYS)
    rows = query.with_case(
        restrict(Referral.objects.all(), query.user)
        .filter(query.mine(), status=ReferralStatus.PENDING, referred_on__lte=query.today - days)
        .select_related("partner")
    )
    items = []
    for referral in rows:
        particulars = {"partner": referral.partner.name, "on": _day(referral.referred_on)}
        if referral.direction == ReferralDirection.INCOMING:
            text = _("Referral by %(partner)s of %(on)s not answered yet") % particulars
        else:
            text = _("Referral to %(partner)s of %(on)s: no answer yet") % particulars
        items.append(
            item_for(
                query,
                referral,
                kind=BoardKind.REFERRAL,
                on=referral.referred_on + days,
                description=text,
                url=steering_url(referral.case_id, "referrals-heading"),
            )
        )
    return items


def shares_ending(query: BoardQuery) -> list[BoardItem]:
    """Open shares of my cases that end within ``FJC_ACCESS_ENDING_DAYS``: the case team
    (change access) extends or lets them end."""
    last_day = min(
        query.until, query.today + datetime.timedelta(days=settings.FJC_ACCESS_ENDING_DAYS)
    )
    rows = query.with_case(
        query.restricted(CaseShare.objects.all(), Action.CHANGE)
        .filter(
            ended_at__isnull=True,
            starts_on__lte=query.today,
            ends_on__gte=query.today,
            ends_on__lte=last_day,
        )
        .select_related("organisation")
    )
    return [
        item_for(
            query,
            share,
            kind=BoardKind.SHARE_END,
            on=share.ends_on,
            description=_("Shared with %(organisation)s until %(until)s")
            % {"organisation": share.organisation.name, "until": _day(share.ends_on)},
            url=reverse("cases:share", kwargs={"pk": share.case_id}),
        )
        for share in rows
    ]


register_source(
    BoardSource(
        BoardKind.MEASURE_END, gettext_lazy("Measure ends"), measures_ending, from_today=True
    )
)
register_source(BoardSource(BoardKind.HEARING, gettext_lazy("Hearing"), hearings, from_today=True))
register_source(BoardSource(BoardKind.ACTION, gettext_lazy("Action to do"), actions_due))
register_source(
    BoardSource(BoardKind.REFERRAL, gettext_lazy("Referral unanswered"), referrals_unanswered)
)
register_source(
    BoardSource(BoardKind.SHARE_END, gettext_lazy("Share ends"), shares_ending, from_today=True)
)


def safety_plan_reviews(query: BoardQuery) -> list[BoardItem]:
    """Safety plans whose review is due by the end of the period, overdue ones however old.
    Only the date: neither the person nor any part of the plan is named on the board."""
    rows = query.with_case(
        query.first(
            safety_plan_reviews_due(user=query.user, until=query.until).filter(query.mine()),
            "review_on",
        )
    )
    return [
        item_for(
            query,
            plan,
            kind=BoardKind.SAFETY_PLAN_REVIEW,
            on=plan.review_on,
            description=_("Review the safety plan"),
            url=reverse(
                "cases:safety_plan", kwargs={"pk": plan.case_id, "safety_plan_pk": plan.pk}
            ),
        )
        for plan in rows
    ]


register_source(
    BoardSource(
        BoardKind.SAFETY_PLAN_REVIEW, gettext_lazy("Safety plan review"), safety_plan_reviews
    )
)


def plan_evaluations(query: BoardQuery) -> list[BoardItem]:
    """Active plans of approach whose next evaluation is due by the end of the period, overdue
    ones however old. The date only: no goal, no person."""
    rows = query.with_case(
        query.first(
            plan_evaluations_due(user=query.user, until=query.until).filter(query.mine()),
            "next_evaluation_on",
        )
    )
    items = []
    for plan in rows:
        assert plan.next_evaluation_on is not None
        items.append(
            item_for(
                query,
                plan,
                kind=BoardKind.PLAN_EVALUATION,
                on=plan.next_evaluation_on,
                description=_("Evaluate the plan of approach"),
                url=reverse("cases:plan", kwargs={"pk": plan.case_id}),
            )
        )
    return items


register_source(
    BoardSource(BoardKind.PLAN_EVALUATION, gettext_lazy("Plan evaluation due"), plan_evaluations)
)


def conditions_ending(query: BoardQuery) -> list[BoardItem]:
    """Judicial conditions (release, probation, ...) ending from today to the end of the period
    and within ``FJC_CONDITION_ENDING_DAYS``: the kind of conditions, never their text."""
    last_day = min(
        query.until, query.today + datetime.timedelta(days=settings.FJC_CONDITION_ENDING_DAYS)
    )
    rows = query.with_case(
        restrict(JudicialCondition.objects.all(), query.user).filter(
            query.mine(), ends_on__gte=query.today, ends_on__lte=last_day
        )
    )
    return [
        item_for(
            query,
            condition,
            kind=BoardKind.CONDITION_END,
            on=condition.ends_on,
            description=_("End of the %(kind)s") % {"kind": condition.get_kind_display().lower()},
            url=steering_url(condition.case_id, "judicial-heading"),
        )
        for condition in rows
    ]


register_source(
    BoardSource(
        BoardKind.CONDITION_END,
        gettext_lazy("Conditions end"),
        conditions_ending,
        from_today=True,
    )
)
