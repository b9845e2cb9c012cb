"""The risk panel on a case's steering page, the chart, and small display helpers."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from access.policy import is_active_case_director, may_decide_on_risk

from .. import escalation
from ..charts import ChartPoint, risk_chart_svg
from ..models import RiskGrade
from ..selectors import risk_overview

register = template.Library()


@register.simple_tag(takes_context=True)
def case_risk_overview(context: template.Context, case: Any) -> Any:
    """``{% case_risk_overview case as risk_overview %}``: the overview for the steering page's
    summary strip; ``{% risk_panel %}`` later in the page reuses it (no second read)."""
    if case.is_anonymous_consult:
        return None
    return _overview(context, case)


def _overview(context: template.Context, case: Any) -> Any:
    request = context.get("request")
    user = request.user if request is not None else context["user"]
    steering = context.get("steering")
    return risk_overview(
        case=case,
        user=user,
        can_change=getattr(steering, "can_change", None),
        co_director_ids=(
            [co.user_id for co in steering.co_directors] if steering is not None else None
        ),
        # The case's access as the steering selector decided it for this request (its risk
        # reads filter by the case's id, no permission subquery each).
        access=getattr(steering, "access", None),
    )


@register.inclusion_tag("risk/_panel.html", takes_context=True)
def risk_panel(context: template.Context, case: Any) -> dict[str, Any]:
    """``{% risk_panel case %}``: current level, prompt, chart. Reuses what the steering page knows."""
    if case.is_anonymous_consult:
        return {"show": False}
    overview = context.get("risk_overview") or _overview(context, case)
    # On the steering page the escalation notice (``case_escalation``) takes over the prompt.
    hide_prompt = context.get("escalation") is not None
    return {"show": True, "case": case, "overview": overview, "hide_prompt": hide_prompt}


@register.simple_tag(takes_context=True)
def case_escalation(context: template.Context, case: Any) -> Any:
    """``{% case_escalation case as escalation %}``: the suggestion for track 3 or the chain
    setup warning (``risk.escalation``), for those who steer the case (change access); None
    for anyone else. At most one query."""
    steering = context.get("steering")
    if steering is None or not steering.can_change:
        return None
    request = context.get("request")
    user = request.user if request is not None else context["user"]
    co_director_ids = [co.user_id for co in steering.co_directors]
    result = escalation.case_escalation(
        case=case,
        user=user,
        may_dismiss=may_decide_on_risk(user, case, co_director_ids=co_director_ids),
        access=getattr(steering, "access", None),
    )
    result.may_plan = is_active_case_director(user)
    return result


@register.simple_tag
def risk_chart(points: list[ChartPoint], chart_id: str = "risk-chart") -> SafeString:
    return risk_chart_svg(points, chart_id=chart_id)


@register.filter
def grade_label(value: int) -> str:
    return str(RiskGrade(value).label)
