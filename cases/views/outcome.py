"""Track 3: the judicial outcome (prosecution decision, conditions, breaches, an order lifted
early). Thin views over cases.services.judicial; the forms return to the judicial section."""

from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from access.policy import restrict
from common.submission import OneTimeSubmissionMixin

from .. import services
from ..forms.judicial import (
    BreachForm,
    ConditionEditForm,
    ConditionForm,
    MeasureLiftForm,
    ProsecutionDecisionForm,
)
from ..models import Breach, Case, JudicialCondition, Measure, MeasureKind
from .judicial import TrajectoryFormView, _ChildRemoveView


class ProsecutionDecisionAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = ProsecutionDecisionForm
    title = gettext_lazy("Record a prosecution decision")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Prosecution decision recorded.")
    audit_purpose = "add prosecution decision"

    def perform(self, form: Any) -> None:
        services.prosecution_decision_add(case=self.case, by=self.user, **form.cleaned_data)


class ConditionAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = ConditionForm
    title = gettext_lazy("Add conditions")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Conditions added.")
    audit_purpose = "add conditions"

    def perform(self, form: Any) -> None:
        services.condition_add(case=self.case, by=self.user, **form.cleaned_data)


class ConditionEditView(TrajectoryFormView):
    form_class = ConditionEditForm
    title = gettext_lazy("Change conditions")
    submit_label = gettext_lazy("Save")
    success_message = gettext_lazy("Changes saved.")
    audit_purpose = "edit conditions"
    condition: JudicialCondition

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        self.condition = get_object_or_404(
            JudicialCondition.objects.filter(case=self.case), pk=kwargs["condition_pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        c = self.condition
        return {
            "description": c.description,
            "starts_on": c.starts_on,
            "ends_on": c.ends_on,
            "version": c.version,
        }

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.condition_update(
            condition=self.condition,
            by=self.user,
            expected_version=d["version"],
            description=d["description"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
        )


class BreachAddView(OneTimeSubmissionMixin, TrajectoryFormView):
    form_class = BreachForm
    title = gettext_lazy("Record a breach")
    submit_label = gettext_lazy("Add")
    success_message = gettext_lazy("Breach recorded.")
    audit_purpose = "add breach"

    def get_form_kwargs(self) -> dict[str, Any]:
        scoped = {"case": self.case}
        return {
            **super().get_form_kwargs(),
            "measures": list(restrict(Measure.objects.filter(**scoped), self.user)),
            "conditions": list(restrict(JudicialCondition.objects.filter(**scoped), self.user)),
        }

    def perform(self, form: Any) -> None:
        services.breach_add(case=self.case, by=self.user, **form.service_kwargs())


class MeasureLiftView(TrajectoryFormView):
    form_class = MeasureLiftForm
    template_name = "cases/trajectory/measure_lift.html"
    title = gettext_lazy("Lift a restraining order early")
    submit_label = gettext_lazy("Lift")
    success_message = gettext_lazy("The restraining order was lifted.")
    audit_purpose = "lift restraining order"
    measure: Measure

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.case = self.get_object()
        # Only an order still running to its planned end can be lifted.
        self.measure = get_object_or_404(
            Measure.objects.filter(
                case=self.case, kind=MeasureKind.RESTRAINING_ORDER, lifted_on__isnull=True
            ),
            pk=kwargs["measure_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "version": self.measure.version}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "measure": self.measure}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.measure_lift(
            measure=self.measure,
            by=self.user,
            lifted_on=d["lifted_on"],
            lifted_by=d["lifted_by"],
            reason=d["reason"],
            expected_version=d["version"],
        )


class ConditionRemoveView(_ChildRemoveView):
    audit_purpose = "remove conditions"
    child_model = JudicialCondition  # type: ignore[assignment]
    child_kwarg = "condition_pk"
    done_message = gettext_lazy("Conditions removed.")
    question = gettext_lazy("Remove these conditions?")

    def describe(self, child: Any) -> str:
        return _("%(kind)s from %(start)s to %(end)s") % {
            "kind": child.get_kind_display(),
            "start": date_format(child.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(child.ends_on, "SHORT_DATE_FORMAT"),
        }

    def remove(self, case: Case, child: Any) -> None:
        services.condition_remove(case=case, by=self.user, condition=child)


class BreachRemoveView(_ChildRemoveView):
    audit_purpose = "remove breach"
    child_model = Breach  # type: ignore[assignment]
    child_kwarg = "breach_pk"
    done_message = gettext_lazy("Breach removed.")
    question = gettext_lazy("Remove this breach?")

    def describe(self, child: Any) -> str:
        return _("Breach of %(date)s") % {
            "date": date_format(child.occurred_on, "SHORT_DATE_FORMAT")
        }

    def remove(self, case: Case, child: Any) -> None:
        services.breach_remove(case=case, by=self.user, breach=child)


urlpatterns: list[URLPattern] = [
    path(
        "<int:pk>/trajectory/prosecution-decisions/add/",
        ProsecutionDecisionAddView.as_view(),
        name="prosecution_decision_add",
    ),
    path("<int:pk>/trajectory/conditions/add/", ConditionAddView.as_view(), name="condition_add"),
    path(
        "<int:pk>/trajectory/conditions/<int:condition_pk>/edit/",
        ConditionEditView.as_view(),
        name="condition_edit",
    ),
    path(
        "<int:pk>/trajectory/conditions/<int:condition_pk>/remove/",
        ConditionRemoveView.as_view(),
        name="condition_remove",
    ),
    path("<int:pk>/trajectory/breaches/add/", BreachAddView.as_view(), name="breach_add"),
    path(
        "<int:pk>/trajectory/breaches/<int:breach_pk>/remove/",
        BreachRemoveView.as_view(),
        name="breach_remove",
    ),
    path(
        "<int:pk>/trajectory/measures/<int:measure_pk>/lift/",
        MeasureLiftView.as_view(),
        name="measure_lift",
    ),
]
