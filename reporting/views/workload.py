"""The operations lead's workload page and its CSV (issue 19, part 4).

Both read :func:`reporting.workload.workload`, so the file shows what the page shows
("< 5" included). Aggregates and staff names only: no client, no case reference. Each
view and each download is audited, without a case id.
"""

import csv
from collections.abc import Iterator
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views.generic import View

from access import audit
from access.models import AuditAction
from access.views import RoleRequiredMixin
from accounts.roles import WORKLOAD_ROLES
from common.spreadsheet import BYTE_ORDER_MARK, CSV_CONTENT_TYPE, csv_number, formula_safe
from reporting.figures.base import SUPPRESSED
from reporting.workload import csv_rows, workload

WORKLOAD_PURPOSE = "operations workload"
WORKLOAD_EXPORT_PURPOSE = "operations workload export"


class _Line:
    """A file-like object that hands back what the CSV writer writes."""

    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return csv_number(value)
    return formula_safe(value)


def stream_csv(rows: list[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")
    yield BYTE_ORDER_MARK
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


class WorkloadMixin(RoleRequiredMixin):
    required_roles = WORKLOAD_ROLES


class WorkloadView(WorkloadMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        audit.record(
            user=request.user,
            action=AuditAction.VIEW,
            object_type="reporting.workload",
            request=request,
            purpose=WORKLOAD_PURPOSE,
        )
        return TemplateResponse(
            request,
            "reporting/workload.html",
            {"workload": workload(), "suppressed": SUPPRESSED},
        )


class WorkloadCsvView(WorkloadMixin, View):
    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            object_type="reporting.workload",
            request=request,
            purpose=WORKLOAD_EXPORT_PURPOSE,
            detail={"format": "csv"},
        )
        response = StreamingHttpResponse(
            stream_csv(csv_rows(workload())), content_type=CSV_CONTENT_TYPE
        )
        # A date only: nothing personal in a file name.
        response["Content-Disposition"] = (
            f'attachment; filename="werklast-{timezone.localdate():%Y%m%d}.csv"'
        )
        return response


urlpatterns = [
    path("workload/", WorkloadView.as_view(), name="workload"),
    path("workload/csv/", WorkloadCsvView.as_view(), name="workload_csv"),
]
