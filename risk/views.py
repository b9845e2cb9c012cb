"""Risk assessment pages of a case. Thin: authorise through access.views, then selector or service."""

from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from access import audit
from access.models import AuditAction
from access.parts import CasePart
from access.policy import Action, is_permitted, may_decide_on_risk, restrict
from access.views import CaseScopedMixin
from cases.models import Case
from cases.views.base import CaseFormView
from common.submission import OneTimeSubmissionMixin

from . import escalation, selectors, services
from .forms import (
    AssessmentForm,
    DecisionForm,
    DismissSuggestionForm,
    JointAssessmentForm,
    RaiseLevelForm,
)
from .models import Assessment, InstrumentVersion, JointAssessment, VersionStatus
from .scope import scope_text


def _deny(view: Any, *, purpose: str, obj: Any) -> None:
    audit.record(
        user=view.request.user,
        action=AuditAction.DENIED,
        obj=obj,
        request=view.request,
        purpose=purpose,
    )
    raise PermissionDenied


class RiskListView(CaseScopedMixin, DetailView):
    """All assessments, joint assessments and decisions of a case, with the chart."""

    model = Case
    case_part = CasePart.RISK
    template_name = "risk/assessment_list.html"
    context_object_name = "case"
    audit_purpose = "risk assessments of a case"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        overview = selectors.risk_overview(case=self.object, user=self.user, with_details=True)
        decisions = list(selectors.decision_list(user=self.user, case=self.object))
        audit.record_list(
            user=self.user,
            model=Assessment,
            request=self.request,
            ids=[a.pk for a in overview.assessments],
            purpose="risk assessment list",
        )
        return {**context, "overview": overview, "decisions": decisions}


class AssessmentChooseView(CaseScopedMixin, DetailView):
    """Step 1 of a new assessment: choose the instrument (its newest published version)."""

    model = Case
    case_part = CasePart.RISK
    action = Action.CHANGE
    template_name = "risk/assessment_choose.html"
    context_object_name = "case"
    audit_purpose = "choose risk instrument"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A link from a child's page names the child (``?party=``): passed on to step 2.
        party = self.request.GET.get("party", "")
        return {
            **super().get_context_data(**kwargs),
            "versions": selectors.published_versions(),
            "party": party if party.isdigit() else "",
        }


class AssessmentFillView(OneTimeSubmissionMixin, CaseFormView):
    """Step 2: answer every item of the chosen instrument version."""

    form_class = AssessmentForm
    template_name = "risk/assessment_form.html"
    success_message = gettext_lazy("Risk assessment saved.")
    audit_purpose = "fill in risk assessment"
    created: Assessment | None = None

    @cached_property
    def instrument_version(self) -> InstrumentVersion:
        return get_object_or_404(
            InstrumentVersion.objects.select_related("instrument"),
            pk=self.kwargs["version_pk"],
            status=VersionStatus.PUBLISHED,
        )

    def get_initial(self) -> dict[str, Any]:
        # Pre-selects the person a link names (a child's page: ``?party=``).
        party = self.request.GET.get("party", "")
        return {"parties": [int(party)]} if party.isdigit() else {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "case": self.case,
            "instrument_version": self.instrument_version,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = self.instrument_version.instrument.name
        context["instrument_version"] = self.instrument_version
        return context

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        self.created = services.assessment_create(
            case=self.case,
            by=self.user,
            instrument_version=self.instrument_version,
            assessed_on=d["assessed_on"],
            parties=d["parties"],
            answers=form.answers(),
            level=d["level"],
            judgement_reason=d["judgement_reason"],
            escalation=d["escalation"],
            escalation_incidents=d["escalation_incidents"],
            escalation_note=d["escalation_note"],
            notes=d["notes"],
            scope_reason=d.get("scope_reason", ""),
        )

    def get_success_url(self) -> str:
        assert self.created is not None
        return reverse("risk:detail", kwargs={"pk": self.case.pk, "assessment_pk": self.created.pk})


class AssessmentDetailView(CaseScopedMixin, DetailView):
    model = Assessment
    pk_url_kwarg = "assessment_pk"
    template_name = "risk/assessment_detail.html"
    context_object_name = "assessment"
    audit_purpose = "risk assessment"

    def base_queryset(self) -> Any:
        return Assessment.objects.filter(case_id=self.kwargs["pk"]).select_related(
            "case",
            "instrument_version__instrument",
            "level",
            "computed_level",
            "organisation",
            "assessor",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assessment = self.object
        answers = selectors.assessment_answers(user=self.user, assessment=assessment)
        sections: list[tuple[Any, list[Any]]] = []
        for answer in answers:
            if not sections or sections[-1][0].pk != answer.item.section_id:
                sections.append((answer.item.section, []))
            sections[-1][1].append(answer)
        can_change = is_permitted(self.user, assessment.case, Action.CHANGE)
        parties = restrict(
            assessment.parties.select_related("person").order_by(
                "-is_victim", "-is_perpetrator", "position", "pk"
            ),
            self.user,
        )
        return {
            **context,
            "case": assessment.case,
            "sections": sections,
            "parties": list(parties),
            "scope": scope_text(assessment.instrument_version.instrument)
            if assessment.scope_reason
            else "",
            "can_raise": can_change
            and assessment.assessor_id == self.user.pk
            and assessment.instrument_version.levels.filter(
                order__gt=assessment.level.order
            ).exists(),
        }


class AssessmentRaiseView(CaseFormView):
    """The assessor raises the level by professional judgement (never lowers it)."""

    form_class = RaiseLevelForm
    title = gettext_lazy("Raise the level")
    submit_label = gettext_lazy("Raise the level")
    success_message = gettext_lazy("The level is raised.")
    template_name = "risk/raise_form.html"
    audit_purpose = "raise risk level"
    assessment: Assessment

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.assessment = get_object_or_404(
            restrict(Assessment.objects.filter(case=self.case), self.user).select_related(
                "level", "computed_level", "instrument_version__instrument", "organisation"
            ),
            pk=kwargs["assessment_pk"],
        )
        if self.assessment.assessor_id != self.user.pk:
            _deny(self, purpose="only the assessor raises a level", obj=self.assessment)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"version": self.assessment.version}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "assessment": self.assessment}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "assessment": self.assessment}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.assessment_raise_level(
            assessment=self.assessment,
            by=self.user,
            level=d["level"],
            reason=d["reason"],
            raised_on=d["raised_on"],
            expected_version=d["version"],
        )

    def get_success_url(self) -> str:
        return reverse(
            "risk:detail", kwargs={"pk": self.case.pk, "assessment_pk": self.assessment.pk}
        )


class JointCreateView(OneTimeSubmissionMixin, CaseFormView):
    form_class = JointAssessmentForm
    template_name = "risk/joint_form.html"
    title = gettext_lazy("Joint risk assessment")
    success_message = gettext_lazy("Joint risk assessment recorded.")
    audit_purpose = "record joint risk assessment"
    created: JointAssessment | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "assessments": selectors.assessment_list(
                user=self.user, case=self.case, with_parties=False
            ),
        }

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        self.created = services.joint_assessment_create(
            case=self.case,
            by=self.user,
            assessments=list(d["assessments"]),
            held_on=d["held_on"],
            level=d["level"],
            lower_reason=d["lower_reason"],
            differences_note=d["differences_note"],
            organisations=d["organisations"],
        )

    def get_success_url(self) -> str:
        assert self.created is not None
        return reverse(
            "risk:joint_detail", kwargs={"pk": self.case.pk, "joint_pk": self.created.pk}
        )


class JointDetailView(CaseScopedMixin, DetailView):
    model = JointAssessment
    pk_url_kwarg = "joint_pk"
    template_name = "risk/joint_detail.html"
    context_object_name = "joint"
    audit_purpose = "joint risk assessment"

    def base_queryset(self) -> Any:
        return (
            JointAssessment.objects.filter(case_id=self.kwargs["pk"])
            .select_related("case", "recorded_by")
            .prefetch_related("organisations")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        joint = self.object
        assessments = restrict(joint.assessments.all(), self.user).select_related(
            "instrument_version__instrument", "level", "computed_level", "organisation", "assessor"
        )
        return {
            **context,
            "case": joint.case,
            "assessments": list(assessments.order_by("assessed_on", "id")),
            "differences": selectors.localised_differences(joint.differences),
        }


class DecisionView(CaseFormView):
    """The case director decides on track 3 and a case consultation after a high level."""

    section = "risk-heading"
    form_class = DecisionForm
    template_name = "risk/decision_form.html"
    title = gettext_lazy("Decide on track 3 and a case consultation")
    success_message = gettext_lazy("Decision recorded.")
    audit_purpose = "decide on risk level"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        if not may_decide_on_risk(self.user, self.case):
            _deny(self, purpose="only the case director decides", obj=self.case)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        overview = selectors.risk_overview(case=self.case, user=self.user, can_change=True)
        return {**super().get_context_data(**kwargs), "overview": overview}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.risk_decision_record(
            case=self.case,
            by=self.user,
            escalate=d["escalate"],
            consultation_wanted=d["consultation_wanted"],
            reason=d["reason"],
            decided_on=d["decided_on"],
        )


class DismissSuggestionView(OneTimeSubmissionMixin, CaseFormView):
    """The case director sets aside the suggestion to move the case to track 3, with a reason
    (``risk.escalation``): it comes back when a new reason arises."""

    section = "summary-heading"
    form_class = DismissSuggestionForm
    template_name = "risk/dismiss_form.html"
    title = gettext_lazy("Dismiss the suggestion for track 3")
    submit_label = gettext_lazy("Dismiss the suggestion")
    success_message = gettext_lazy("Suggestion dismissed.")
    audit_purpose = "dismiss a track-3 suggestion"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        if not may_decide_on_risk(self.user, self.case):
            _deny(self, purpose="only the case director decides", obj=self.case)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "reasons": escalation.current_reasons(case=self.case, user=self.user),
        }

    def perform(self, form: Any) -> None:
        services.escalation_dismiss(case=self.case, by=self.user, **form.cleaned_data)
