"""Minutes per agenda case: what was shared (disclosures), the decisions and the actions.

Who may read them is the consultation view's rule; who may record them is
``access.policy.may_record_minutes`` (the chair and the case directors of the agenda case).
"""

from typing import Any, ClassVar

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from access.policy import may_record_minutes
from access.views import ConsultationScopedMixin
from common.submission import OneTimeSubmissionMixin
from common.views import ServiceFormMixin

from ..forms.minutes import (
    ConsultationActionForm,
    DecisionsForm,
    DisclosureForm,
    PlanReviewForm,
)
from ..models import AgendaItem, Consultation
from ..selectors import minutes as selectors
from ..services import minutes as services


class AgendaItemScopedMixin(ConsultationScopedMixin):
    """Pages of one agenda item (``pk``: the consultation, ``item_pk``: the item).

    The consultation and the item come through :class:`access.views.ConsultationScopedMixin`
    (404 out of scope, the same answer as for an item that does not exist); ``record`` pages
    also need the right to record minutes (403).
    """

    record: ClassVar[bool] = False
    consultation: Consultation
    item: AgendaItem

    def item_denial(self, item: AgendaItem) -> int | None:
        if self.record and not may_record_minutes(self.request.user, item):
            return 403
        return None

    def load_item(self, request: HttpRequest) -> None:
        self.consultation = self.get_consultation(record=False)
        self.item = self.get_agenda_item()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.load_item(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),  # type: ignore[misc]
            "consultation": self.consultation,
            "item": self.item,
            "case": self.item.case,
        }


def minutes_url(item: AgendaItem) -> str:
    return reverse("consultations:minutes", kwargs={"pk": item.consultation_id, "item_pk": item.pk})


class MinutesView(AgendaItemScopedMixin, TemplateView):
    template_name = "consultations/minutes/item.html"
    audit_purpose = "consultation minutes"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "disclosures": list(selectors.item_disclosures(self.item)),
            "actions": list(selectors.item_actions(self.item)),
            "plan": selectors.item_plan(self.item),
            "may_record": may_record_minutes(self.request.user, self.item),
        }


class _MinutesFormView(ServiceFormMixin, AgendaItemScopedMixin, FormView):
    """A form that records part of the minutes; rules broken in the service show on the
    form and change nothing; a stale version answers 409 and keeps the input."""

    template_name = "consultations/minutes/form.html"
    record = True
    title: ClassVar[Any] = ""
    success_message: ClassVar[Any] = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title}

    def get_success_url(self) -> str:
        return minutes_url(self.item)


class DisclosureAddView(OneTimeSubmissionMixin, _MinutesFormView):
    form_class = DisclosureForm
    title = gettext_lazy("Record what was shared")
    success_message = gettext_lazy("Disclosure recorded.")
    audit_purpose = "record disclosure"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "consultation": self.consultation}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.disclosure_record(
            agenda_item=self.item,
            by=self.user,
            organisation=d["organisation"],
            shared_by=d["shared_by"],
            content=d["content"],
            client_consent=d["client_consent"],
        )


class DecisionsView(_MinutesFormView):
    form_class = DecisionsForm
    title = gettext_lazy("Decisions")
    success_message = gettext_lazy("Decisions saved; the case is marked as discussed.")
    audit_purpose = "record decisions"

    def get_initial(self) -> dict[str, Any]:
        return {"decisions": self.item.decisions, "version": self.item.version}

    def perform(self, form: Any) -> None:
        services.agenda_item_record_decisions(
            agenda_item=self.item,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            decisions=form.cleaned_data["decisions"],
        )


class ActionAddView(OneTimeSubmissionMixin, _MinutesFormView):
    form_class = ConsultationActionForm
    title = gettext_lazy("Add an action decided in the consultation")
    success_message = gettext_lazy("Action added to the case.")
    audit_purpose = "add consultation action"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.item.case}

    def perform(self, form: Any) -> None:
        d = form.cleaned_data
        services.consultation_action_add(
            agenda_item=self.item,
            by=self.user,
            description=d["description"],
            due_on=d["due_on"],
            assignee_user=d["assignee_user"],
            assignee_organisation=d["assignee_organisation"],
        )


class PlanReviewView(OneTimeSubmissionMixin, _MinutesFormView):
    """The consultation's review of the agenda case's plan of approach (once per item)."""

    form_class = PlanReviewForm
    title = gettext_lazy("Record the review of the plan of approach")
    success_message = gettext_lazy("Review of the plan of approach recorded.")
    audit_purpose = "record plan review"

    def perform(self, form: Any) -> None:
        services.plan_review_record(
            agenda_item=self.item,
            by=self.user,
            outcome=form.cleaned_data["outcome"],
            next_evaluation_on=form.cleaned_data["next_evaluation_on"],
        )


_ITEM = "<int:pk>/items/<int:item_pk>"

urlpatterns: list[URLPattern] = [
    path(f"{_ITEM}/minutes/", MinutesView.as_view(), name="minutes"),
    path(f"{_ITEM}/minutes/decisions/", DecisionsView.as_view(), name="minutes_decisions"),
    path(
        f"{_ITEM}/minutes/disclosures/add/",
        DisclosureAddView.as_view(),
        name="minutes_disclosure_add",
    ),
    path(f"{_ITEM}/minutes/actions/add/", ActionAddView.as_view(), name="minutes_action_add"),
    path(f"{_ITEM}/minutes/plan-review/", PlanReviewView.as_view(), name="minutes_plan_review"),
]
