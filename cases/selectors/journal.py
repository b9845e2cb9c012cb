"""Reads for the case journal and the actions (afspraken)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.utils import timezone

from access.policy import (
    Action,
    case_directors_condition,
    directing_condition,
    only_active_case_directors,
    restrict,
)
from accounts.models import User

from ..models import Case, CaseAction, EntryKind, JournalEntry, reference_sort_keys
from .labels import case_label_expression

# How far ahead the home page looks for actions that are coming up.
UPCOMING_DAYS = 14
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
    """Open actions for a case director's home page."""

    today: datetime.date
    upcoming_days: int = UPCOMING_DAYS
    overdue: list[CaseAction] = field(default_factory=list)
    upcoming: list[CaseAction] = field(default_factory=list)
    assigned_to_me: list[CaseAction] = field(default_factory=list)
    # Whether a list was cut at HOME_LIST_LIMIT.
    more_overdue: bool = False
    more_upcoming: bool = False
    more_assigned_to_me: bool = False


def _limited(queryset: QuerySet[CaseAction]) -> tuple[list[CaseAction], bool]:
    rows = list(queryset[: HOME_LIST_LIMIT + 1])
    return rows[:HOME_LIST_LIMIT], len(rows) > HOME_LIST_LIMIT


def home_actions(*, user: User, today: datetime.date | None = None) -> HomeActions:
    """Overdue and upcoming open actions in the cases ``user`` directs or co-directs, and the
    open actions assigned to ``user`` personally in any case they may see.

    Three queries, whatever the number of cases or actions. Every row passes through
    ``access.policy.restrict``: directing a case the user can no longer see shows nothing.
    """
    today = today or timezone.localdate()
    open_actions = with_overdue_flag(
        restrict(CaseAction.objects.filter(done_on__isnull=True), user, Action.VIEW)
        .select_related("case", "assignee_user", "assignee_organisation")
        .annotate(case_label=case_label_expression(user, "case_id"))
        .order_by("due_on", *reference_sort_keys("case__"), "pk"),
        today,
    )
    # Subqueries, not a join over co-directors: a join would repeat rows.
    in_my_cases = open_actions.filter(directing_condition(user, "case_id"))
    overdue_rows, more_overdue = _limited(in_my_cases.filter(overdue(today)))
    upcoming, more_upcoming = _limited(
        in_my_cases.filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=UPCOMING_DAYS)
        )
    )
    assigned, more_assigned = _limited(open_actions.filter(assignee_user=user.pk))
    return HomeActions(
        today=today,
        overdue=overdue_rows,
        upcoming=upcoming,
        assigned_to_me=assigned,
        more_overdue=more_overdue,
        more_upcoming=more_upcoming,
        more_assigned_to_me=more_assigned,
    )
