"""The agenda and the minutes of a consultation as PDF, rendered on request.

Each document shows only the agenda items whose consultation view the requesting user may
open (``access.policy``, the same rule as the web pages). It is for participants with open
access, the chair and the case teams of the agenda cases; anyone else gets a 404.
"""

from typing import ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils import timezone
from django.views import View

from access import audit
from access.models import AuditAction
from access.views import ConsultationScopedMixin
from common.pdf import render_pdf

from ..selectors.minutes import consultation_document, may_download_documents

CONFIDENTIAL_MARK = "Vertrouwelijk — art. 458ter Sw."


class _ConsultationDocumentView(ConsultationScopedMixin, View):
    kind: ClassVar[str] = ""
    template_name: ClassVar[str] = ""
    http_method_names = ["get"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        consultation = self.get_consultation(record=False)
        document = consultation_document(user=self.user, consultation=consultation)
        # A participant whose access is over (or not open yet) gets nothing; the chair
        # always gets the consultation's own record.
        if not may_download_documents(
            user=self.user, consultation=consultation, items=[*document.items, *document.triage]
        ):
            self._deny(status=404, object_type="consultations.consultation", object_id=pk)
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            obj=consultation,
            request=request,
            purpose=f"consultation {self.kind} pdf",
            detail={
                "agenda_items": [item.pk for item in document.items],
                "cases": [item.case_id for item in document.items],
            },
        )
        html = render_to_string(
            self.template_name,
            {
                "document": document,
                "consultation": consultation,
                "confidential_mark": CONFIDENTIAL_MARK,
                "installation_name": settings.FJC_INSTALLATION_NAME,
                "made_at": timezone.now(),
            },
            request=request,
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        # No personal data in the file name: the consultation's number only.
        filename = f"casusoverleg-{pk}-{self.kind}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        return response


class AgendaPdfView(_ConsultationDocumentView):
    kind = "agenda"
    audit_purpose = "consultation agenda pdf"
    template_name = "consultations/documents/agenda.html"


class MinutesPdfView(_ConsultationDocumentView):
    kind = "minutes"
    audit_purpose = "consultation minutes pdf"
    template_name = "consultations/documents/minutes.html"


urlpatterns: list[URLPattern] = [
    path("<int:pk>/agenda.pdf", AgendaPdfView.as_view(), name="agenda_pdf"),
    path("<int:pk>/minutes.pdf", MinutesPdfView.as_view(), name="minutes_pdf"),
]
