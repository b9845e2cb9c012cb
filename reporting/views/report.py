"""The annual report pages: ask for a run, follow its progress, download the PDF; the
published years beside today's recomputation (publishing itself: ``published.py``).

Runs belong to the FJC, not to whoever asked: everyone allowed by
``access.policy.may_use_annual_reports`` sees and downloads every run; everyone else gets
a 403 for the pages, and a run that does not exist (or has no file) is a 404.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View

from access import audit
from access.models import AuditAction
from access.policy import may_publish_annual_reports, may_use_annual_reports
from access.views import RoleRequiredMixin
from common.views import add_service_errors
from reporting import services
from reporting.models import ReportRun, ReportStatus
from reporting.publishing import published_years
from reporting.reports import default_report_year, report_run_list, report_years


class ReportRequestForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(year, str(year)) for year in report_years()]


class ReportAccessMixin(RoleRequiredMixin):
    def has_required_role(self) -> bool:
        return may_use_annual_reports(self.request.user)


class ReportListView(ReportAccessMixin, FormView):
    template_name = "reporting/reports.html"
    form_class = ReportRequestForm

    def get_initial(self) -> dict[str, Any]:
        return {"year": default_report_year()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A run whose worker is gone is failed in the database before anyone sees it.
        services.expire_stale_runs()
        return {
            **super().get_context_data(**kwargs),
            "rows": report_run_list(),
            "published_years": published_years(),
            "may_publish": may_publish_annual_reports(self.request.user),
        }

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            run, joined = services.report_ask(year=form.cleaned_data["year"], by=self.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        run.refresh_from_db()
        if joined:
            messages.info(
                self.request,
                _(
                    "The annual report %(year)s is already being made (run #%(run)s): "
                    "it is shown below."
                )
                % {"year": run.year, "run": run.pk},
            )
        elif run.status == ReportStatus.FAILED:
            messages.error(self.request, run.error_message)
        else:
            messages.success(
                self.request,
                _("The annual report %(year)s (run #%(run)s) was asked for.")
                % {"year": run.year, "run": run.pk},
            )
        return redirect(reverse("reporting:reports") + f"#run-{run.pk}")


class ReportStatusView(ReportAccessMixin, View):
    """The status of one run as a fragment, polled by htmx until the run is finished."""

    def get(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        # The page is where a user waits: a run whose worker is gone turns failed here too.
        services.expire_stale_runs()
        run = get_object_or_404(ReportRun.objects.select_related("requested_by"), pk=run_pk)
        return TemplateResponse(request, "reporting/_run_status.html", {"run": run})


class ReportDownloadView(ReportAccessMixin, View):
    def get(self, request: HttpRequest, run_pk: int) -> FileResponse:
        run = get_object_or_404(ReportRun, pk=run_pk, status=ReportStatus.DONE)
        if not run.file.name or not run.file.storage.exists(run.file.name):
            raise Http404
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            obj=run,
            request=request,
            purpose="annual report download",
            detail={"year": run.year, "checksum": run.checksum},
        )
        return FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=run.download_name,
            content_type="application/pdf",
        )


urlpatterns = [
    path("annual-report/", ReportListView.as_view(), name="reports"),
    path("annual-report/<int:run_pk>/status/", ReportStatusView.as_view(), name="report_status"),
    path(
        "annual-report/<int:run_pk>/download/",
        ReportDownloadView.as_view(),
        name="report_download",
    ),
]
