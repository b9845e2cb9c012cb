from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from access import audit
from access.policy import (
    may_read_break_glass_reviews,
    may_read_legal_bases,
    may_register,
    may_triage,
    may_use_annual_reports,
    may_use_inbox,
    may_work_with_cases,
)
from access.views import AuthenticatedView
from accounts.roles import AUDIT_ROLES, RoleCode
from cases import selectors as case_selectors
from cases.models import Case, CaseAction, Status, Track
from cases.selectors.board import Board, deadline_board
from cases.selectors.break_glass import break_glass_review_list
from consultations.models import ConsultationStatus
from consultations.selectors.planning import consultation_list
from partners.selectors import network_headlines
from reporting.reports import report_run_list
from reporting.workload import open_workload

from . import health as fjc_health

# How many rows each list on the home page shows; the full lists are one click away.
HOME_ROWS = 10


class HomeView(AuthenticatedView, TemplateView):
    """A start page per role (issue 16): each block comes from the selector its own page
    uses, in a fixed number of queries whatever the number of rows."""

    template_name = "home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        works_with_cases = may_work_with_cases(user)
        is_case_director = works_with_cases and user.has_role(RoleCode.CASE_DIRECTOR)
        is_liaison = works_with_cases and user.has_role(RoleCode.PROSECUTOR_LIAISON)
        context.update(
            works_with_cases=works_with_cases,
            is_case_director=is_case_director,
            is_liaison=is_liaison,
            is_administrator=user.is_administrator,
            is_operations_lead=user.has_role(RoleCode.OPERATIONS_LEAD),
            is_network_coordinator=user.has_role(RoleCode.NETWORK_COORDINATOR),
            is_auditor=user.has_role(*AUDIT_ROLES),
            may_read_legal_bases=may_read_legal_bases(user),
            may_use_annual_reports=may_use_annual_reports(user),
            # The partners' ways in (issue 19): links only, no query of their own.
            may_register=may_register(user),
            may_triage=may_triage(user),
            may_use_inbox=may_use_inbox(user) and not is_case_director,
        )
        shown_cases: list[Case] = []
        if is_case_director:
            context["my_case_count"] = case_selectors.case_count(
                user=user, scope=case_selectors.Scope.MINE
            )
            # The most urgent items of the deadline board (cases:board has them all):
            # overdue and coming actions among them. Below it, only what the board's period
            # does not reach: later actions assigned to the director personally.
            context["board"] = board = deadline_board(user=user, limit=HOME_ROWS)
            context["actions"] = actions = case_selectors.home_actions(user=user, after=board.until)
            self._audit_reads(board, actions)
            # Hit notices (cases.models.HitNotice): the unread ones, and the last few read.
            context["hit_notices"] = list(case_selectors.case_hit_notices(user=user)[:10])
        elif works_with_cases:
            # Liaisons and partner professionals work on what others shared with them: the
            # liaison on the track-3 cases, a partner on any open one.
            shared = case_selectors.case_list(user=user, scope=case_selectors.Scope.SHARED).exclude(
                status=Status.CLOSED
            )
            if is_liaison:
                shared = shared.filter(track=Track.CHAIN)
            shown_cases = list(shared[: HOME_ROWS + 1])
            context["shared_cases"] = shown_cases[:HOME_ROWS]
            context["more_shared_cases"] = len(shown_cases) > HOME_ROWS
        if works_with_cases:
            context["consultations"] = self._consultations()
        if context["is_operations_lead"]:
            context["workload"] = open_workload()
            context["report_runs"] = report_run_list(limit=3)
        if context["is_network_coordinator"]:
            context["network"] = network_headlines()
        if context["is_auditor"] and may_read_break_glass_reviews(user):
            context["reviews_awaiting"] = len(break_glass_review_list(user=user).awaiting)
        if shown_cases:
            audit.record_list(
                user=user,
                model=Case,
                ids=[c.pk for c in shown_cases[:HOME_ROWS]],
                request=self.request,
                purpose="home page cases",
            )
        return context

    def _consultations(self) -> dict[str, Any]:
        """The consultations the user takes part in or manages that are still to come, and
        those waiting for their confirmation of the duty of secrecy (date only)."""
        listing = consultation_list(user=self.user)
        start_of_today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        upcoming = [
            c
            for c in reversed(listing.visible)
            if c.status == ConsultationStatus.PLANNED and c.scheduled_at >= start_of_today
        ]
        upcoming.sort(key=lambda c: (c.scheduled_at, c.pk))
        return {
            "upcoming": upcoming[:HOME_ROWS],
            "awaiting_secrecy": sorted(listing.awaiting_secrecy, key=lambda c: c.scheduled_at),
        }

    def _audit_reads(self, board: Board, actions: case_selectors.HomeActions) -> None:
        """The page lists cases (the board's, the later actions') and actions with their
        case's reference, as the case lists do: the trail records the ids shown (two rows,
        whatever the number of items)."""
        later = actions.assigned_later
        audit.record_list(
            user=self.user,
            model=Case,
            ids=sorted({*board.case_ids, *(a.case_id for a in later)}),
            request=self.request,
            purpose="home page deadlines",
        )
        audit.record_list(
            user=self.user,
            model=CaseAction,
            ids=sorted(a.pk for a in later),
            request=self.request,
            purpose="home page actions",
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
