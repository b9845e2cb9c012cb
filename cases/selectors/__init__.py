"""Reads for cases. Every one starts from ``access.policy.restrict``."""

from .core import case_shares, open_shares, organisations_with_access
from .history import CaseHistory, HistoryEntry, case_full_history, case_history
from .journal import (
    HomeActions,
    action_assignee_candidates,
    case_actions,
    home_actions,
    journal_entries,
)
from .lists import (
    CaseListFilter,
    Scope,
    case_count,
    case_list,
    case_list_page,
    default_scope,
    normalise_name,
    parse_scope,
    scopes_for,
)
from .people import DuplicateCandidate, case_parties, probable_duplicates
from .referrals import case_gaps, case_referrals
from .steering import (
    case_hit_notices,
    case_steering,
    contact_summary,
    restraining_order_warnings,
    steering_presence,
)
from .trajectory import restraining_orders_ending

__all__ = [
    "CaseHistory",
    "CaseListFilter",
    "DuplicateCandidate",
    "HistoryEntry",
    "HomeActions",
    "Scope",
    "action_assignee_candidates",
    "case_actions",
    "case_count",
    "case_full_history",
    "case_gaps",
    "case_history",
    "case_hit_notices",
    "case_list",
    "case_list_page",
    "case_parties",
    "case_referrals",
    "case_shares",
    "case_steering",
    "contact_summary",
    "default_scope",
    "home_actions",
    "journal_entries",
    "normalise_name",
    "open_shares",
    "organisations_with_access",
    "parse_scope",
    "probable_duplicates",
    "restraining_order_warnings",
    "restraining_orders_ending",
    "scopes_for",
    "steering_presence",
]
