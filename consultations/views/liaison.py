"""The prosecutor liaison's view: the consultations their office takes part in, the track-3
agenda cases with the judicial information, and the parket's own reference."""

from typing import Any

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from access import audit
from access.policy import may_enter_parket_reference
from access.views import RoleRequiredMixin
from accounts.roles import RoleCode
from common.views import ServiceFormMixin

from ..forms.minutes import ParketReferenceForm
from ..models import AgendaItem
from ..selectors.liaison import liaison_consultations
from ..services.liaison import parket_reference_set
from .minutes import AgendaItemScopedMixin


class LiaisonOverviewView(RoleRequiredMixin, TemplateView):
    required_roles = frozenset({RoleCode.PROSECUTOR_LIAISON})
    template_name = "consultations/liaison/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entries = liaison_consultations(user=self.user)
        audit.record_list(
            user=self.request.user,
            model=AgendaItem,
            ids=[item.pk for entry in entries for item in entry.items],
            request=self.request,
            purpose="prosecutor liaison overview",
        )
        return {**super().get_context_data(**kwargs), "entries": entries}


class ParketReferenceView(ServiceFormMixin, AgendaItemScopedMixin, FormView):
    """Only a liaison with open consultation access to the case (``access.policy``); outside
    the access window the page does not exist for them."""

    template_name = "consultations/minutes/form.html"
    form_class = ParketReferenceForm
    audit_purpose = "parket reference form"
    title = gettext_lazy("Parket reference")
    success_message = gettext_lazy("Parket reference saved.")

    def item_denial(self, item: Any) -> int | None:
        if may_enter_parket_reference(self.user, item):
            return None
        # Outside the access window the page does not exist for the liaison; anyone else
        # who sees the consultation simply lacks the right.
        return 404 if self.user.has_role(RoleCode.PROSECUTOR_LIAISON) else 403

    def get_initial(self) -> dict[str, Any]:
        case = self.item.case
        return {"reference": case.parket_notice_number, "version": case.version}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "title": self.title}

    def perform(self, form: Any) -> None:
        parket_reference_set(
            agenda_item=self.item,
            by=self.user,
            expected_version=form.cleaned_data["version"],
            reference=form.cleaned_data["reference"],
        )

    def get_success_url(self) -> str:
        return reverse("consultations:liaison")


urlpatterns: list[URLPattern] = [
    path("parket/", LiaisonOverviewView.as_view(), name="liaison"),
    path(
        "<int:pk>/items/<int:item_pk>/parket-reference/",
        ParketReferenceView.as_view(),
        name="parket_reference",
    ),
]
