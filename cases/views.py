import csv
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from access import audit
from access.models import AuditAction
from access.policy import Action, may_work_with_cases
from access.services import grant_case_to_organisation, revoke_case_from_organisation
from access.views import CaseScopedMixin, CaseWorkRequiredMixin, RoleRequiredMixin
from accounts.roles import RoleCode
from partners.models import Organisation

from . import selectors, services
from .forms import CaseCreateForm, CaseShareForm, CaseUpdateForm
from .models import Case


class CaseListView(CaseWorkRequiredMixin, ListView):
    template_name = "cases/case_list.html"
    context_object_name = "cases"
    paginate_by = 25

    def get_queryset(self) -> Any:
        return selectors.case_list(user=self.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        audit.record_list(
            user=self.user,
            model=Case,
            request=self.request,
            ids=[c.pk for c in context["cases"]],
            purpose="case list",
        )
        return context


class CaseExportView(CaseWorkRequiredMixin, View):
    """The case list as CSV: the same selector as the page, so they cannot differ."""

    def get(self, request: HttpRequest) -> HttpResponse:
        cases = list(selectors.case_list(user=self.user))
        audit.record_list(
            user=self.user,
            model=Case,
            request=request,
            ids=[c.pk for c in cases],
            purpose="case list export",
            action=AuditAction.EXPORT,
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Reference"),
                _("Organisation"),
                _("Case director"),
                _("Track"),
                _("Status"),
                _("Opened on"),
            ]
        )
        for c in cases:
            writer.writerow(
                [
                    c.reference,
                    c.owner_organisation.name,
                    str(c.case_director),
                    c.track,
                    c.get_status_display(),
                    c.opened_on.isoformat(),
                ]
            )
        return response


class CaseDetailView(CaseScopedMixin, DetailView):
    model = Case
    template_name = "cases/case_detail.html"
    context_object_name = "case"
    audit_purpose = "case page"

    def base_queryset(self) -> Any:
        return Case.objects.for_list()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["shared_with"] = selectors.organisations_with_access(case=self.object)
        return context


class CaseHistoryView(CaseScopedMixin, DetailView):
    model = Case
    template_name = "cases/case_history.html"
    context_object_name = "case"
    audit_purpose = "case history"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        records = list(selectors.case_history(user=self.user, case_pk=self.object.pk))
        context["records"] = [
            (r, r.diff_against(r.prev_record) if r.prev_record else None) for r in records
        ]
        return context


class CaseCreateView(RoleRequiredMixin, FormView):
    required_roles = frozenset({RoleCode.CASE_DIRECTOR})
    template_name = "cases/case_create.html"
    form_class = CaseCreateForm

    def has_required_role(self) -> bool:
        user = self.user
        return (
            super().has_required_role()
            and may_work_with_cases(user)
            and user.organisation_id is not None
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "organisation": self.user.organisation}

    def form_valid(self, form: CaseCreateForm) -> HttpResponse:
        organisation = self.user.organisation
        assert organisation is not None  # has_required_role made sure
        case = services.case_create(
            by=self.user,
            owner_organisation=organisation,
            case_director=form.cleaned_data["case_director"],
            track=form.cleaned_data["track"],
            opened_on=form.cleaned_data["opened_on"],
        )
        messages.success(self.request, _("Case %(ref)s registered.") % {"ref": case.reference})
        return redirect("cases:detail", pk=case.pk)


class CaseUpdateView(CaseScopedMixin, FormView):
    model = Case
    action = Action.CHANGE
    template_name = "cases/case_update.html"
    form_class = CaseUpdateForm
    audit_purpose = "edit case"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {
            "track": self.object.track,
            "status": self.object.status,
            "version": self.object.version,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "case": self.object}

    def form_valid(self, form: CaseUpdateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.case_update(
                case=self.object,
                by=self.user,
                expected_version=data["version"],
                track=data["track"],
                status=data["status"],
            )
        except services.EditConflict as conflict:
            form.add_error(None, str(conflict))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(self.request, _("Changes saved."))
        return redirect("cases:detail", pk=self.object.pk)


class CaseShareView(CaseScopedMixin, FormView):
    model = Case
    action = Action.CHANGE
    template_name = "cases/case_share.html"
    form_class = CaseShareForm
    audit_purpose = "share case"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "case": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "case": self.object,
            "shared_with": selectors.organisations_with_access(case=self.object).exclude(
                pk=self.object.owner_organisation_id
            ),
        }

    def form_valid(self, form: CaseShareForm) -> HttpResponse:
        organisation = form.cleaned_data["organisation"]
        grant_case_to_organisation(
            case=self.object,
            organisation=organisation,
            actions=(Action.VIEW,),
            by=self.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(self.request, _("Shared with %(org)s.") % {"org": organisation.name})
        return redirect("cases:share", pk=self.object.pk)


class CaseRevokeShareView(CaseScopedMixin, View):
    model = Case
    action = Action.CHANGE
    audit_purpose = "stop sharing case"
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponseRedirect:
        case = self.get_object()
        organisation = get_object_or_404(
            Organisation.objects.exclude(pk=case.owner_organisation_id), pk=organisation_pk
        )
        revoke_case_from_organisation(
            case=case, organisation=organisation, by=request.user, reason="stop sharing"
        )
        messages.success(request, _("No longer shared with %(org)s.") % {"org": organisation.name})
        return redirect("cases:share", pk=case.pk)
