"""Reads for cases. Every one starts from ``access.policy.restrict``."""

from .core import case_history, case_list, organisations_with_access
from .steering import case_steering, contact_summary, restraining_order_warnings

__all__ = [
    "case_history",
    "case_list",
    "case_steering",
    "contact_summary",
    "organisations_with_access",
    "restraining_order_warnings",
]
