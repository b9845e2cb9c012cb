"""Reads for the case journal and the actions (afspraken)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from access.policy import (
    Action,
    case_directors_condition,
    only_active_case_directors,
    restrict,
    restrict_rows,
)
from accounts.models import User

from ..models import Case, CaseAction, EntryKind, JournalEntry, reference_sort_keys
from .labels import case_label_expression

# A home page list stops here; the case pages hold the rest.
HOME_LIST_LIMIT = 50


def journal_entries(
    *, user: User, case: Case, kind: EntryKind | str | None = None
) -> QuerySet[JournalEntry]:
    """The entries of one case that ``user`` may see, newest first.

    ``access.policy.restrict`` hides "case team only" entries from anyone without change
    access (e.g. the prosecutor's office on a shared case). ``corrected`` tells whether the
    author corrected the text afterwards; the earlier text stays in the history.
    """
    history = JournalEntry.history.model  # type: ignore[attr-defined]
    entries = restrict(JournalEntry.objects.filter(case=case), user, Action.VIEW)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.select_related("author").annotate(
        corrected=Exists(history.objects.filter(id=OuterRef("pk"), history_type="~"))
    )


def action_assignee_candidates(*, case: Case) -> QuerySet[User]:
    """Staff an action of ``case`` can be assigned to: its director and co-directors and the
    other active case directors of the owning organisation."""
    return (
        only_active_case_directors(User.objects.all())
        .filter(case_directors_condition(case) | Q(organisation_id=case.owner_organisation_id))
        .select_related("organisation")
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )


def overdue(today: datetime.date) -> Q:
    """The one definition of an overdue action: not done yet, and its date lies before today.

    Lists filter and count with it; ``with_overdue_flag`` gives each row the same answer, so a
    template only displays ``action.is_overdue`` and never compares dates itself.
    """
    return Q(done_on__isnull=True, due_on__lt=today)


def with_overdue_flag(actions: QuerySet[CaseAction], today: datetime.date) -> QuerySet[CaseAction]:
    return actions.annotate(
        is_overdue=ExpressionWrapper(overdue(today), output_field=BooleanField())
    )


def case_actions(
    *, user: User, case: Case, today: datetime.date | None = None
) -> QuerySet[CaseAction]:
    """All actions of one case: open ones first by due date, then done ones, latest first."""
    actions = (
        restrict(CaseAction.objects.filter(case=case), user, Action.VIEW)
        .select_related("assignee_user", "assignee_organisation")
        .order_by(F("done_on").desc(nulls_first=True), "due_on", "pk")
    )
    return with_overdue_flag(actions, today or timezone.localdate())


@dataclass
class HomeActions:
    """The open actions assigned to a case director personally that fall after the deadline
    board's period (``after``): the home page's board already lists everything due until then,
    overdue actions and those assigned to them included (``cases.selectors.board``)."""

    today: datetime.date
    after: datetime.date
    assigned_later: list[CaseAction] = field(default_factory=list)
    # Whether the list was cut at HOME_LIST_LIMIT.
    more_assigned_later: bool = False


def _limited(queryset: QuerySet[CaseAction]) -> tuple[list[CaseAction], bool]:
    rows = list(queryset[: HOME_LIST_LIMIT + 1])
    return rows[:HOME_LIST_LIMIT], len(rows) > HOME_LIST_LIMIT


def home_actions(
    *, user: User, after: datetime.date, today: datetime.date | None = None
) -> HomeActions:
    """Open actions assigned to ``user`` personally, in any case they may see, due after
    ``after`` (the end of the home page's deadline board), soonest first.

    One query, whatever the number of cases or actions. Every row passes through
    ``access.policy.restrict``: an action in a case the user can no longer see shows nothing.
    """
    today = today or timezone.localdate()
    assigned, more = _limited(
        with_overdue_flag(
            # The user's own open actions (their assignee index), each checked on its own
            # (the row shape): never the thousands of cases they may see gathered first.
            restrict_rows(
                CaseAction.objects.filter(
                    done_on__isnull=True, assignee_user=user.pk, due_on__gt=after
                ),
                user,
                Action.VIEW,
            )
            .select_related("case", "assignee_user", "assignee_organisation")
            .annotate(case_label=case_label_expression(user, "case_id"))
            .order_by("due_on", *reference_sort_keys("case__"), "pk"),
            today,
        )
    )
    return HomeActions(today=today, after=after, assigned_later=assigned, more_assigned_later=more)
