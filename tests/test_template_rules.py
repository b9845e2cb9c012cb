"""Templates only display: no business rule is decided in a template.

A status compared with a string (``consultation.status == "planned"``) or a date compared with
today (``action.due_on < today``) is a rule; it belongs in a model property or a selector
(``Consultation.is_planned``, ``cases.selectors.journal.overdue``) that pages, exports and
services share. This test reads every template and fails on such a comparison.
"""

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

IF_TAG = re.compile(r"{%-?\s*(?:if|elif)\s(.*?)-?%}", re.DOTALL)
# `value == "text"` / `value != 'text'`, and the same with the string first.
STRING_COMPARISON = re.compile(
    r"""(?P<left>[\w.|:]+)\s*(?:==|!=)\s*["']|["'][^"']*["']\s*(?:==|!=)\s*(?P<right>[\w.|:]+)"""
)
# A comparison with today or now, or of a date (`..._on`) or moment (`..._at`) field.
DATE_COMPARISON = re.compile(
    r"""(?:\b(?:today|now)\b|\w_(?:on|at)\b)\s*(?:<|>|<=|>=|==|!=)\s*\S"""
    r"""|\S\s*(?:<|>|<=|>=|==|!=)\s*[\w.]*(?:\btoday\b|\bnow\b|_on\b|_at\b)"""
)
# Comparisons with a string that are about presentation, not about the case work.
PRESENTATION = (
    "request.resolver_match.",  # which navigation link is the current page
    "column.aria_sort",  # the sort arrow of a table column
    "field.widget_type",  # how a form field is rendered
    "field.name",  # which form fields a filter bar renders
)


def _conditions() -> list[tuple[str, str]]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in IF_TAG.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(TEMPLATES)}:{line}", match.group(1)))
    return found


def test_the_templates_are_read():
    conditions = _conditions()
    assert len(conditions) > 100
    assert any("is_overdue" in condition for _where, condition in conditions)


def test_no_template_compares_a_value_with_a_string():
    offending = []
    for where, condition in _conditions():
        for match in STRING_COMPARISON.finditer(condition):
            operand = match.group("left") or match.group("right")
            if not operand.startswith(PRESENTATION):
                offending.append(f"{where}: {condition.strip()}")
    assert not offending, "Move the rule into a model property or a selector:\n" + "\n".join(
        offending
    )


def test_no_template_compares_dates():
    offending = [
        f"{where}: {condition.strip()}"
        for where, condition in _conditions()
        if DATE_COMPARISON.search(condition)
    ]
    assert not offending, "Move the rule into a model property or a selector:\n" + "\n".join(
        offending
    )


def test_the_checks_catch_what_they_are_for():
    assert STRING_COMPARISON.search('detail.may_manage and consultation.status == "planned"')
    assert STRING_COMPARISON.search("'done' != run.shown_status")
    assert DATE_COMPARISON.search("action.due_on < today")
    assert DATE_COMPARISON.search("steering.today > measure.ends_on")
    assert not DATE_COMPARISON.search("page_obj.paginator.num_pages > 1")
    assert not DATE_COMPARISON.search("action.is_overdue")
