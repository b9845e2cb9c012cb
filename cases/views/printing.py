"""The print view of a case (issue 17, part 9): a page the browser prints, and the same as PDF.

Whoever may see the case may print it: both views are built on the access base of the steering
page (out of scope 404, an administrator 404, anonymous to the login page), show only what
that page shows the reader (``cases.selectors.printing``), and are audited with their own
purpose, so the audit trail tells a print from a look at the screen.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.views.generic import DetailView, View

from access import audit
from access.models import AuditAction
from access.views import CaseScopedMixin
from common.downloads import content_disposition
from common.pdf import render_pdf

from ..models import Case
from ..selectors.printing import case_print


class _CasePrintMixin(CaseScopedMixin):
    model = Case

    def base_queryset(self) -> Any:
        # The same read of the case as the steering page.
        return Case.objects.for_list().select_related("closing_reason", "referrer_organisation")

    def print_context(self, case: Case) -> dict[str, Any]:
        printout = case_print(case=case, user=self.user)
        # The steering page's own includes (the summary strip) read ``steering``.
        return {"case": case, "printout": printout, "steering": printout.steering}


class CasePrintView(_CasePrintMixin, DetailView):
    """The page to print ("Afdrukken"): the steering summary, people, plans, trajectory."""

    template_name = "cases/print/case_print.html"
    context_object_name = "case"
    audit_purpose = "case print view"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.print_context(self.object))
        return context


class CasePrintPdfView(_CasePrintMixin, View):
    """The same content as a PDF download (WeasyPrint, static files only); an EXPORT row."""

    audit_purpose = "case print pdf"
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        case = self.get_object()
        context = {
            **self.print_context(case),
            "installation_name": settings.FJC_INSTALLATION_NAME,
        }
        audit.record(
            user=self.user,
            action=AuditAction.EXPORT,
            obj=case,
            request=request,
            purpose="case print pdf",
        )
        html = render_to_string("cases/print/case_print_pdf.html", context, request=request)
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        # No personal data in the file name: the case's reference only (it names no one).
        response["Content-Disposition"] = content_disposition(f"dossier-{case.reference}.pdf")
        return response


urlpatterns: list[URLPattern] = [
    path("<int:pk>/print/", CasePrintView.as_view(), name="print"),
    path("<int:pk>/print/pdf/", CasePrintPdfView.as_view(), name="print_pdf"),
]
