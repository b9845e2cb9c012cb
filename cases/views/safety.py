"""Safety plans: one per victim and per child, versioned; thin views over the services."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, directs_case, is_permitted, may_see_confidential
from access.views import CaseScopedMixin
from common.submission import OneTimeSubmissionMixin

from .. import services
from ..forms.safety import SafetyPlanForm
from ..models import Case, SafetyPlan
from ..selectors.safety import plan_parties, safety_plan_detail
from .base import CaseFormView


def plan_url(plan: SafetyPlan) -> str:
    return reverse("cases:safety_plan", kwargs={"pk": plan.case_id, "safety_plan_pk": plan.pk})


class SafetyPlanAddView(OneTimeSubmissionMixin, CaseFormView):
    form_class = SafetyPlanForm
    template_name = "cases/safety/plan_form.html"
    title = gettext_lazy("Make a safety plan")
    submit_label = gettext_lazy("Save the safety plan")
    success_message = gettext_lazy("Safety plan saved.")
    section = "safety-plans-heading"
    audit_purpose = "add safety plan"
    plan: SafetyPlan

    def get_initial(self) -> dict[str, Any]:
        party = self.request.GET.get("party", "")
        return {"party": party} if party.isdigit() else {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            # A sent form accepts any victim or child, so that the same form sent twice reaches
            # the one-time token (common.submission) rather than "not a valid choice"; a
            # second plan for one person is the service's refusal.
            "parties": plan_parties(
                user=self.user, case=self.case, without_plan=self.request.method != "POST"
            ),
            "may_choose_sharing": directs_case(self.user, self.case),
        }

    def perform(self, form: Any) -> None:
        self.plan = services.safety_plan_create(
            case=self.case,
            party=form.cleaned_data["party"],
            by=self.user,
            content=form.content(),
            shareable_parts=form.shareable() or (),
        )

    def get_success_url(self) -> str:
        return plan_url(self.plan)


class SafetyPlanEditView(CaseFormView):
    """A new version of the plan; a form opened before someone else's save is refused (409)."""

    form_class = SafetyPlanForm
    template_name = "cases/safety/plan_form.html"
    title = gettext_lazy("Change the safety plan")
    submit_label = gettext_lazy("Save as a new version")
    success_message = gettext_lazy("New version of the safety plan saved.")
    audit_purpose = "edit safety plan"

    @cached_property
    def plan(self) -> SafetyPlan:
        return get_object_or_404(
            SafetyPlan.objects.select_related("party__person"),
            case=self.case,
            pk=self.kwargs["safety_plan_pk"],
        )

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "plan": self.plan,
            "may_choose_sharing": directs_case(self.user, self.case),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "plan": self.plan}

    def perform(self, form: Any) -> None:
        services.safety_plan_update(
            plan=self.plan,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            content=form.content(),
            shareable_parts=form.shareable(),
        )

    def get_success_url(self) -> str:
        return plan_url(self.plan)


class SafetyPlanDetailView(CaseScopedMixin, DetailView):
    """The current version and every earlier one, each part as this reader may see it."""

    model = Case
    case_part = CasePart.FILE  # a safety plan is part of the whole file only
    template_name = "cases/safety/plan_detail.html"
    context_object_name = "case"
    audit_purpose = "safety plan"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.user
        can_change = is_permitted(user, case, Action.CHANGE)
        may_see = may_see_confidential(user, case, can_change=can_change)
        detail = safety_plan_detail(
            user=user, case=case, plan_pk=self.kwargs["safety_plan_pk"], may_see=may_see
        )
        if detail is None:
            audit.record(
                user=user,
                action=AuditAction.DENIED,
                request=self.request,
                object_type=SafetyPlan._meta.label_lower,
                object_id=self.kwargs["safety_plan_pk"],
                case_id=case.pk,
                purpose="out of scope",
            )
            raise Http404
        audit.record(
            user=user,
            action=AuditAction.VIEW,
            obj=detail.plan,
            request=self.request,
            purpose="safety plan with versions",
        )
        context.update(detail=detail, can_change=can_change, may_see_confidential=may_see)
        return context


urlpatterns: list[URLPattern] = [
    path("<int:pk>/safety-plans/add/", SafetyPlanAddView.as_view(), name="safety_plan_add"),
    path(
        "<int:pk>/safety-plans/<int:safety_plan_pk>/",
        SafetyPlanDetailView.as_view(),
        name="safety_plan",
    ),
    path(
        "<int:pk>/safety-plans/<int:safety_plan_pk>/edit/",
        SafetyPlanEditView.as_view(),
        name="safety_plan_edit",
    ),
]
