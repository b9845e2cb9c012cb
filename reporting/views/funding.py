"""The funding pages of the operations lead: the years, and per year the amounts, the
staffing, the municipalities' inhabitants and the resulting split."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, View

from access.views import RoleRequiredMixin
from accounts.roles import FUNDING_ROLES
from common.submission import OneTimeSubmissionMixin
from common.versioning import EditConflict
from common.views import ServiceFormMixin, add_service_errors
from partners.models import Municipality
from reporting import services
from reporting.forms import (
    FundingYearCreateForm,
    FundingYearForm,
    InhabitantsFormSet,
    StaffingFormSet,
)
from reporting.funding import RULE, Share, inhabitants_for_year, municipal_split
from reporting.models import FundingYear


class FundingMixin(RoleRequiredMixin):
    required_roles = FUNDING_ROLES


class FundingListView(FundingMixin, ListView):
    template_name = "reporting/funding_list.html"
    context_object_name = "years"

    def get_queryset(self) -> Any:
        return FundingYear.objects.order_by("-year")


class FundingCreateView(OneTimeSubmissionMixin, ServiceFormMixin, FundingMixin, FormView):
    template_name = "reporting/funding_create.html"
    form_class = FundingYearCreateForm
    success_message = _("Funding year added. Enter its staffing and inhabitants.")
    funding: FundingYear

    def perform(self, form: Any) -> None:
        data = form.cleaned_data
        self.funding = services.funding_year_create(
            by=self.user,
            year=data["year"],
            flemish_amount=data["flemish_amount"],
            local_amount=data["local_amount"],
            notes=data["notes"],
        )

    def get_success_url(self) -> str:
        return reverse("reporting:funding_edit", kwargs={"funding_year_pk": self.funding.pk})


class FundingEditView(FundingMixin, View):
    template_name = "reporting/funding_edit.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.municipalities = list(Municipality.objects.order_by("name"))
        self.names = {m.pk: m.name for m in self.municipalities}

    def get_funding(self) -> FundingYear:
        return get_object_or_404(
            FundingYear.objects.prefetch_related("staffing_lines"),
            pk=self.kwargs["funding_year_pk"],
        )

    def _forms(self, funding: FundingYear, data: Any = None) -> dict[str, Any]:
        population = inhabitants_for_year(funding.year)
        return {
            "form": FundingYearForm(
                data,
                initial={
                    "version": funding.version,
                    "flemish_amount": funding.flemish_amount,
                    "local_amount": funding.local_amount,
                    "notes": funding.notes,
                },
            ),
            "staffing": StaffingFormSet(
                data,
                prefix="staffing",
                initial=[
                    {"funder": line.funder, "role": line.role, "fte": line.fte}
                    for line in funding.staffing_lines.all()
                ],
            ),
            "inhabitants": InhabitantsFormSet(
                data,
                prefix="inhabitants",
                initial=[
                    {"municipality": m.pk, "inhabitants": population.get(m)}
                    for m in self.municipalities
                ],
                form_kwargs={"names": self.names},
            ),
        }

    def _render(self, funding: FundingYear, forms: dict[str, Any], status: int = 200) -> Any:
        split: list[Share] = []
        split_error = ""
        try:
            split = municipal_split(funding.local_amount, inhabitants_for_year(funding.year))
        except ValidationError as error:
            split_error = " ".join(error.messages)
        context = {
            "funding": funding,
            **forms,
            # The error summary at the top lists the lines' and inhabitants' errors too.
            "also_forms": [forms["staffing"], forms["inhabitants"]],
            "split": split,
            "split_error": split_error,
            "split_total": sum((share.amount for share in split), Decimal("0.00")),
            "split_rule": gettext(RULE),
            "back": reverse("reporting:funding_list"),
            # A stale page: the error summary links to the page as it is now.
            "edit_conflict": status == 409,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        funding = self.get_funding()
        return self._render(funding, self._forms(funding))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        funding = self.get_funding()
        forms = self._forms(funding, request.POST)
        form, staffing, inhabitants = forms["form"], forms["staffing"], forms["inhabitants"]
        if not (form.is_valid() and staffing.is_valid() and inhabitants.is_valid()):
            return self._render(funding, forms)
        lines = [
            services.StaffingInput(
                funder=row.cleaned_data["funder"],
                role=row.cleaned_data["role"],
                fte=row.cleaned_data["fte"],
            )
            for row in staffing.forms
            if not row.is_empty_row
        ]
        counts = {
            row.cleaned_data["municipality"]: row.cleaned_data.get("inhabitants")
            for row in inhabitants.forms
        }
        try:
            # The service is atomic: a broken rule leaves year, staffing and inhabitants as they were.
            services.funding_year_update(
                funding=funding,
                by=self.user,
                expected_version=form.cleaned_data["version"],
                flemish_amount=form.cleaned_data["flemish_amount"],
                local_amount=form.cleaned_data["local_amount"],
                notes=form.cleaned_data["notes"],
                staffing=lines,
                inhabitants=counts,
            )
        except EditConflict as conflict:
            form.add_error(None, str(conflict))
            return self._render(funding, forms, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
            return self._render(funding, forms)
        messages.success(request, _("Funding saved."))
        return redirect("reporting:funding_edit", funding_year_pk=funding.pk)


urlpatterns = [
    path("funding/", FundingListView.as_view(), name="funding_list"),
    path("funding/new/", FundingCreateView.as_view(), name="funding_create"),
    path("funding/<int:funding_year_pk>/", FundingEditView.as_view(), name="funding_edit"),
]
