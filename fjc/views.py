from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from access import audit
from access.policy import may_work_with_cases
from access.views import AuthenticatedView
from accounts.roles import RoleCode
from cases import selectors as case_selectors
from cases.models import Case, CaseAction

from . import health as fjc_health


class HomeView(AuthenticatedView, TemplateView):
    """A start page that fits the user's roles."""

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        context["works_with_cases"] = may_work_with_cases(user)
        if context["works_with_cases"]:
            context["my_case_count"] = (
                case_selectors.case_list(user=user).filter(case_director=user).count()
            )
        context["is_case_director"] = context["works_with_cases"] and user.has_role(
            RoleCode.CASE_DIRECTOR
        )
        if context["is_case_director"]:
            # A fixed number of queries, however many cases and actions there are.
            context["actions"] = actions = case_selectors.home_actions(user=user)
            self._audit_reads(actions)
            # Hit notices (cases.models.HitNotice): the unread ones, and the last few read.
            context["hit_notices"] = list(case_selectors.case_hit_notices(user=user)[:10])
            # Room for "restraining orders ending soon" (built separately).
        context["is_administrator"] = user.is_administrator
        context["is_operations_lead"] = user.has_role(RoleCode.OPERATIONS_LEAD)
        context["is_network_coordinator"] = user.has_role(RoleCode.NETWORK_COORDINATOR)
        return context

    def _audit_reads(self, actions: case_selectors.HomeActions) -> None:
        """The page lists actions with their case's reference, as the case lists do: the trail
        records the ids shown (two rows, whatever the number of actions)."""
        shown = [*actions.overdue, *actions.upcoming, *actions.assigned_to_me]
        action_ids = sorted({a.pk for a in shown})
        case_ids = sorted({a.case_id for a in shown})
        audit.record_list(
            user=self.user,
            model=CaseAction,
            ids=action_ids,
            request=self.request,
            purpose="home page actions",
        )
        audit.record_list(
            user=self.user,
            model=Case,
            ids=case_ids,
            request=self.request,
            purpose="home page cases",
        )


@never_cache
@login_not_required
def health(request: HttpRequest) -> HttpResponse:
    """Readiness: the database, Redis and the Celery worker, each on its own
    (``fjc.health``); 503 when one of them is down, so a load balancer stops sending users
    here and an operator sees which part failed. No personal data."""
    report = fjc_health.report()
    return JsonResponse(report.as_dict(), status=200 if report.healthy else 503)


@never_cache
@login_not_required
def health_live(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers requests. Touches neither the database nor Redis, so
    an outage elsewhere never makes compose restart a web server that is fine."""
    return JsonResponse({"status": "ok"})
