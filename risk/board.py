"""The escalation kinds on the deadline board (``cases.selectors.board``), registered in
``RiskConfig.ready()``: ``cases`` may not import this app, and the rule lives in
``risk.escalation``. Each source is one query through ``access.policy.restrict`` (change access:
those who steer the case act on it)."""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import Action
from cases.models import Case
from cases.selectors.board import (
    BoardItem,
    BoardQuery,
    BoardSource,
    case_item,
    register_source,
    steering_url,
)

from .escalation import chain_setup_warnings, escalation_suggestions

SUGGESTED = "chain_suggested"
CHAIN_INCOMPLETE = "chain_incomplete"


def _cases(query: BoardQuery) -> QuerySet[Case]:
    return query.restricted(Case.objects.all(), Action.CHANGE)


def _item(
    query: BoardQuery,
    case: Case,
    *,
    kind: str,
    on: datetime.date,
    description: str,
    section: str,
) -> BoardItem:
    """An item about the case, linked to a section of its steering page."""
    return case_item(
        query, case, kind=kind, on=on, description=description, url=steering_url(case.pk, section)
    )


def suggested_for_chain(query: BoardQuery) -> list[BoardItem]:
    """Open track-1/2 cases suggested for track 3, dated today (to decide now); the reasons
    are fixed words."""
    suggestions = escalation_suggestions(_cases(query), user=query.user, today=query.today)
    return [
        _item(
            query,
            suggestion.case,
            kind=SUGGESTED,
            on=query.today,
            description=_("Suggested for track 3 (chain approach): %(reasons)s")
            % {"reasons": suggestion.reason_text},
            section="escalation",
        )
        for suggestion in suggestions.values()
    ]


def chain_incomplete(query: BoardQuery) -> list[BoardItem]:
    """Track-3 cases still lacking part of the chain approach, dated on the day it was due
    (so they show as overdue)."""
    warnings = chain_setup_warnings(_cases(query), user=query.user, today=query.today)
    return [
        _item(
            query,
            warning.case,
            kind=CHAIN_INCOMPLETE,
            on=warning.due_on,
            description=_("Chain approach incomplete: %(missing)s")
            % {"missing": warning.missing_text},
            section="chain-warning",
        )
        for warning in warnings.values()
    ]


def register() -> None:
    register_source(
        BoardSource(
            SUGGESTED, gettext_lazy("Suggested for track 3"), suggested_for_chain, from_today=True
        )
    )
    register_source(
        BoardSource(CHAIN_INCOMPLETE, gettext_lazy("Chain approach incomplete"), chain_incomplete)
    )
