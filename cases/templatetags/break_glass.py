"""The banner every page of a case shows while an emergency access to it is open."""

from typing import Any

from django import template

from ..models import Case
from ..selectors.break_glass import open_break_glass_on_case
from ..selectors.steering import has_rows

register = template.Library()


@register.inclusion_tag("cases/break_glass/banner.html")
def break_glass_banner(case: Any) -> dict[str, Any]:
    """Open emergency accesses on ``case`` (anything else in a page's ``case``: none)."""
    if not isinstance(case, Case) or case.pk is None:
        return {"accesses": []}
    # The steering page read with the case whether it has any emergency access at all.
    if not has_rows(case, "break_glass"):
        return {"accesses": []}
    return {"accesses": open_break_glass_on_case(case.pk)}
