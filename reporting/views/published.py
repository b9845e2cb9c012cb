"""Published annual reports: publishing a finished run and the page of differences between a
published year and today's recomputation.

Publishing is the operations lead's alone (``access.policy.may_publish_annual_reports``);
everyone who may use the annual reports sees the publications and their differences. The
published PDF is downloaded through the run's own role-checked, audited download.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View

from access.policy import may_publish_annual_reports
from access.views import RoleRequiredMixin
from reporting.models import PublishedReport, ReportRun
from reporting.publishing import NOTE_MAX_LENGTH, published_comparison, report_publish

from .report import ReportAccessMixin


class PublishForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note (e.g. what this correction changes)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportPublishView(RoleRequiredMixin, View):
    """POST only, naming the run: submitting the same form twice publishes it once (the
    service refuses a run that was published already)."""

    http_method_names = ["post"]

    def has_required_role(self) -> bool:
        return may_publish_annual_reports(self.request.user)

    def post(self, request: HttpRequest, run_pk: int) -> HttpResponse:
        run = get_object_or_404(ReportRun.objects.defer("figures"), pk=run_pk)
        back = redirect(reverse("reporting:reports") + "#published")
        form = PublishForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for error in form.errors.get("note", [])))
            return back
        try:
            published = report_publish(run=run, by=self.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return back
        messages.success(
            request,
            _("The annual report %(year)s was published as version %(version)s (run #%(run)s).")
            % {"year": published.year, "version": published.version, "run": run.pk},
        )
        return back


class PublishedDifferencesView(ReportAccessMixin, View):
    """Which shown cells of a published version differ from today's recomputation."""

    def get(self, request: HttpRequest, published_pk: int) -> HttpResponse:
        published = get_object_or_404(
            PublishedReport.objects.select_related("run", "published_by").defer("run__figures"),
            pk=published_pk,
        )
        return TemplateResponse(
            request,
            "reporting/report_differences.html",
            {"comparison": published_comparison(published)},
        )


urlpatterns = [
    path(
        "annual-report/<int:run_pk>/publish/",
        ReportPublishView.as_view(),
        name="report_publish",
    ),
    path(
        "annual-report/published/<int:published_pk>/differences/",
        PublishedDifferencesView.as_view(),
        name="report_differences",
    ),
]
