"""Writes for cases. Keyword-only, in a transaction, history attributed to the acting user."""

from .core import (
    EditConflict,
    case_add_co_director,
    case_change_director,
    case_change_status,
    case_change_track,
    case_close,
    case_create,
    case_remove_co_director,
    case_reopen,
    case_share,
    case_unshare,
    case_update,
    locked_for_update,
)
from .events import record_event

__all__ = [
    "EditConflict",
    "case_add_co_director",
    "case_change_director",
    "case_change_status",
    "case_change_track",
    "case_close",
    "case_create",
    "case_remove_co_director",
    "case_reopen",
    "case_share",
    "case_unshare",
    "case_update",
    "locked_for_update",
    "record_event",
]
