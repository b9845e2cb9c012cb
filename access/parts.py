"""The parts of a case file, and the scopes a share may have: the words the sharing rules use.

A share opens a *scope* of a case to another organisation; a scope is a fixed set of *parts*.
Which model (and which page) belongs to which part, and which scope opens which part, is
decided in :mod:`access.policy` (``case_part_of``, ``scopes_including``); this module only
names them, so that the ``cases`` models can use the same choices.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CasePart(models.TextChoices):
    # Registration (reference, track, status, urgency, municipality, forms of violence,
    # description), the directors and the client system (people, their roles, relations).
    SUMMARY = "summary", _("Summary and client system")
    # Risk assessments (individual and joint), raises of a level and decisions on them.
    RISK = "risk", _("Risk assessments")
    # Police reports, measures and their extensions, hearings, the parket's notice number and
    # the alignment of the judicial and care trajectories.
    JUDICIAL = "judicial", _("Judicial information")
    # Everything else: journal, actions, timeline, status and track changes, referrals, care
    # partners, history. Anything not declared otherwise belongs here (default deny).
    FILE = "file", _("The rest of the file")


class ShareScope(models.TextChoices):
    SUMMARY = "summary", _("Summary and client system")
    SUMMARY_RISK = "summary_risk", _("Summary, client system and risk")
    SUMMARY_RISK_JUDICIAL = (
        "summary_risk_judicial",
        _("Summary, client system, risk and judicial information"),
    )
    WHOLE_FILE = "whole_file", _("The whole file")


SCOPE_PARTS: dict[str, frozenset[CasePart]] = {
    ShareScope.SUMMARY: frozenset({CasePart.SUMMARY}),
    ShareScope.SUMMARY_RISK: frozenset({CasePart.SUMMARY, CasePart.RISK}),
    ShareScope.SUMMARY_RISK_JUDICIAL: frozenset(
        {CasePart.SUMMARY, CasePart.RISK, CasePart.JUDICIAL}
    ),
    ShareScope.WHOLE_FILE: frozenset(CasePart),
}
ALL_PARTS: frozenset[CasePart] = frozenset(CasePart)
