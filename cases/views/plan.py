"""The plan of approach ("one family, one plan"): thin views over cases.services.plan.

One plan per case, so its pages are addressed by the case alone; goals by their own id
inside the case (another case's goal is a 404, like any object out of scope).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, directs_case, is_permitted, may_see_confidential
from access.views import CaseScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.views import Confirmation, ConfirmationMixin

from .. import services
from ..forms.plan import EvaluationForm, GoalForm, PlanForm
from ..models import Case, PlanGoal, PlanOfApproach
from ..selectors.journal import action_assignee_candidates
from ..selectors.plan import case_plan, current_goals, goal_parties, plan_detail, plan_goal
from .base import CaseFormView


def plan_url(case_pk: int) -> str:
    return reverse("cases:plan", kwargs={"pk": case_pk})


class PlanDetailView(CaseScopedMixin, DetailView):
    """The plan: its state, goals with agreements, evaluations and reviews in consultations."""

    model = Case
    case_part = CasePart.FILE  # the plan is part of the whole file only
    template_name = "cases/plan/detail.html"
    context_object_name = "case"
    audit_purpose = "plan of approach"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.user
        can_change = is_permitted(user, case, Action.CHANGE)
        may_see = may_see_confidential(user, case, can_change=can_change)
        detail = plan_detail(user=user, case=case, may_see=may_see)
        if detail is not None:
            audit.record(
                user=user,
                action=AuditAction.VIEW,
                obj=detail.plan,
                request=self.request,
                purpose="plan of approach with goals",
            )
        context.update(detail=detail, can_change=can_change, may_see_confidential=may_see)
        return context


class _PlanFormView(CaseFormView):
    template_name = "cases/plan/form.html"

    def get_success_url(self) -> str:
        return plan_url(self.case.pk)

    @cached_property
    def plan(self) -> PlanOfApproach:
        plan = case_plan(user=self.user, case=self.case)
        if plan is None:
            raise Http404
        return plan

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "cancel_url": plan_url(self.case.pk)}


class PlanAddView(OneTimeSubmissionMixin, _PlanFormView):
    form_class = PlanForm
    title = gettext_lazy("Make a plan of approach")
    submit_label = gettext_lazy("Save the plan")
    success_message = gettext_lazy("Plan of approach saved.")
    audit_purpose = "add plan of approach"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # One plan per case: the case that has one goes to it.
        if case_plan(user=self.user, case=self.case) is not None:
            return redirect(plan_url(self.case.pk))
        return super().get(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {}

    def perform(self, form: Any) -> None:
        services.plan_create(case=self.case, by=self.user, facts=form.facts())


class PlanEditView(_PlanFormView):
    form_class = PlanForm
    title = gettext_lazy("Change the plan of approach")
    submit_label = gettext_lazy("Save as a new version")
    success_message = gettext_lazy("Plan of approach saved.")
    audit_purpose = "edit plan of approach"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plan": self.plan}

    def perform(self, form: Any) -> None:
        services.plan_update(
            plan=self.plan,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            facts=form.facts(),
        )


class _GoalFormView(_PlanFormView):
    form_class = GoalForm
    template_name = "cases/plan/goal_form.html"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def goal_kwargs(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "parties": goal_parties(user=self.user, case=self.case),
            "users": action_assignee_candidates(case=self.case),
            "may_choose_sharing": directs_case(self.user, self.case),
            **self.goal_kwargs(),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["also_forms"] = [context["form"].agreements]
        return context


class GoalAddView(OneTimeSubmissionMixin, _GoalFormView):
    title = gettext_lazy("Add a goal")
    submit_label = gettext_lazy("Add the goal")
    success_message = gettext_lazy("Goal added to the plan.")
    audit_purpose = "add plan goal"

    def get_initial(self) -> dict[str, Any]:
        party = self.request.GET.get("party", "")
        return {"party": party} if party.isdigit() else {}

    def perform(self, form: Any) -> None:
        services.plan_goal_add(
            plan=self.plan,
            by=self.user,
            content=form.content(),
            shared_in_consultation=form.shared(),
        )


class _GoalMixin:
    """The goal in the URL (``goal_pk``), a current goal of this case's plan, else 404."""

    kwargs: dict[str, Any]
    case: Case
    user: Any

    @cached_property
    def goal(self) -> PlanGoal:
        goal = plan_goal(user=self.user, case=self.case, goal_pk=self.kwargs["goal_pk"])
        if goal is None:
            raise Http404
        return goal


class GoalEditView(_GoalMixin, _GoalFormView):
    title = gettext_lazy("Change the goal")
    submit_label = gettext_lazy("Save the goal")
    success_message = gettext_lazy("Goal saved.")
    audit_purpose = "edit plan goal"

    def goal_kwargs(self) -> dict[str, Any]:
        return {"goal": self.goal}

    def perform(self, form: Any) -> None:
        services.plan_goal_update(
            goal=self.goal,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            content=form.content(),
            shared_in_consultation=form.shared(),
        )


class GoalRemoveView(ConfirmationMixin, CaseScopedMixin, View):
    """Take a goal off the plan, after asking; its evaluations keep it."""

    model = Case
    action = Action.CHANGE
    audit_purpose = "remove plan goal"

    def get_goal(self) -> PlanGoal:
        goal = plan_goal(user=self.user, case=self.get_object(), goal_pk=self.kwargs["goal_pk"])
        if goal is None:
            raise Http404
        return goal

    def get_confirmation(self) -> Confirmation:
        goal = self.get_goal()
        return Confirmation(
            title=_("Remove this goal from the plan?"),
            subject=_("Goal “%(goal)s”, in case %(case)s.")
            % {"goal": goal, "case": self.get_object().reference},
            consequences=(
                _("Its agreements leave the plan with it."),
                _("Earlier evaluations keep their outcome for it; the history keeps the goal."),
            ),
            cancel_url=plan_url(self.get_object().pk),
        )

    def act(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.plan_goal_remove(goal=self.get_goal(), by=self.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Goal removed from the plan."))
        return redirect(plan_url(self.get_object().pk))


class EvaluationAddView(OneTimeSubmissionMixin, _PlanFormView):
    form_class = EvaluationForm
    title = gettext_lazy("Evaluate the plan")
    submit_label = gettext_lazy("Save the evaluation")
    success_message = gettext_lazy("Evaluation saved.")
    audit_purpose = "add plan evaluation"

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "goals": list(current_goals(self.plan))}

    def perform(self, form: Any) -> None:
        services.plan_evaluation_add(
            plan=self.plan,
            by=self.user,
            held_on=form.cleaned_data["held_on"],
            next_evaluation_on=form.cleaned_data["next_evaluation_on"],
            outcomes=form.outcomes(),
        )


urlpatterns: list[URLPattern] = [
    path("<int:pk>/plan/", PlanDetailView.as_view(), name="plan"),
    path("<int:pk>/plan/add/", PlanAddView.as_view(), name="plan_add"),
    path("<int:pk>/plan/edit/", PlanEditView.as_view(), name="plan_edit"),
    path("<int:pk>/plan/goals/add/", GoalAddView.as_view(), name="plan_goal_add"),
    path("<int:pk>/plan/goals/<int:goal_pk>/edit/", GoalEditView.as_view(), name="plan_goal_edit"),
    path(
        "<int:pk>/plan/goals/<int:goal_pk>/remove/",
        GoalRemoveView.as_view(),
        name="plan_goal_remove",
    ),
    path(
        "<int:pk>/plan/evaluations/add/",
        EvaluationAddView.as_view(),
        name="plan_evaluation_add",
    ),
]
