"""The network coordinator's dashboard: the partner network's figures for a chosen period,
each table with an SVG chart, downloadable as CSV (per table) and XLSX (all tables).

Aggregates only: no case, no person, no link to either. The operations lead (workload and
figures, the annual report) may look too; case directors and administrators may not.
The same selectors (``reporting.figures.partnership.dashboard_tables``) feed the page and
both downloads, so their numbers cannot differ.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from access import audit
from access.models import AuditAction
from access.views import RoleRequiredMixin
from accounts.roles import DASHBOARD_ROLES
from common.spreadsheet import CSV_CONTENT_TYPE
from reporting.exports import XLSX_CONTENT_TYPE, table_csv, tables_xlsx
from reporting.figures.base import SUPPRESSED, Table
from reporting.figures.partnership import dashboard_tables
from reporting.figures.period import Period
from reporting.network_charts import series_chart_svg

MAX_YEARS = 5
# Far enough for any real period; keeps month arithmetic clear of date.max.
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2999, 12, 31)

# Which columns each table's chart shows.
CHART_COLUMNS = {
    "referrals_per_partner": ("in", "out"),
    "referrals_per_month": ("in", "out"),
    "consultation_participation": ("consultations", "cases"),
    "cases_by_municipality": ("cases",),
    "gaps": ("total",),
    "trainings": ("participants",),
}


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("To (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start is None or end is None:
            return data
        if not (EARLIEST <= start <= LATEST and EARLIEST <= end <= LATEST):
            raise forms.ValidationError(
                _("Choose dates between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.year, "latest": LATEST.year}
            )
        if end < start:
            self.add_error("end", _("The end of the period lies before its start."))
        elif end >= _years_later(start, MAX_YEARS):
            self.add_error(
                "end", _("A period can span at most %(years)s years.") % {"years": MAX_YEARS}
            )
        return data


def default_period() -> Period:
    return Period.year(timezone.localdate().year)


@dataclass(frozen=True)
class Preset:
    label: str
    period: Period

    @property
    def query(self) -> str:
        return urlencode(
            {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        )


def presets(today: datetime.date, shown: Period) -> list[Preset]:
    """This year, last year, and the four quarters of the year shown."""
    year = shown.start.year
    found = [
        Preset(gettext("This year"), Period.year(today.year)),
        Preset(gettext("Last year"), Period.year(today.year - 1)),
    ]
    for quarter in range(4):
        start = datetime.date(year, quarter * 3 + 1, 1)
        end = (
            datetime.date(year, 12, 31)
            if quarter == 3
            else datetime.date(year, quarter * 3 + 4, 1) - datetime.timedelta(days=1)
        )
        found.append(
            Preset(
                gettext("Q%(quarter)s %(year)s") % {"quarter": quarter + 1, "year": year},
                Period(start, end),
            )
        )
    return found


@dataclass(frozen=True)
class ShownTable:
    table: Table
    rows: list[list[str]]
    chart: Any
    csv_query: str


class NetworkDashboardView(RoleRequiredMixin, View):
    required_roles = DASHBOARD_ROLES

    def period(self, request: HttpRequest) -> tuple[Period, PeriodForm, bool]:
        """The period asked for, or the default one (and whether the request was refused)."""
        if "start" not in request.GET and "end" not in request.GET:
            period = default_period()
            form = PeriodForm(initial={"start": period.start, "end": period.end})
            return period, form, False
        form = PeriodForm(request.GET)
        if form.is_valid():
            return Period(form.cleaned_data["start"], form.cleaned_data["end"]), form, False
        return default_period(), form, True

    def get(self, request: HttpRequest) -> HttpResponse:
        period, form, refused = self.period(request)
        tables = dashboard_tables(period)
        kind = request.GET.get("format", "")
        if kind == "csv":
            return self.csv(request, period, tables)
        if kind == "xlsx":
            return self.xlsx(request, period, tables)
        if kind:
            raise Http404
        period_query = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
        shown = [
            ShownTable(
                table=table,
                rows=table.display_rows(),
                chart=series_chart_svg(
                    table, columns=CHART_COLUMNS[table.key], chart_id=f"chart-{table.key}"
                ),
                csv_query=f"{period_query}&{urlencode({'format': 'csv', 'table': table.key})}",
            )
            for table in tables
        ]
        return TemplateResponse(
            request,
            "reporting/dashboard.html",
            {
                "form": form,
                "refused": refused,
                "period": period,
                "presets": presets(timezone.localdate(), period),
                "tables": shown,
                "xlsx_query": f"{period_query}&format=xlsx",
                "suppressed": SUPPRESSED,
            },
        )

    def _audit(self, request: HttpRequest, period: Period, detail: dict[str, str]) -> None:
        # Aggregates only: no case id, no object; the trail says who took which figures.
        audit.record(
            user=request.user,
            action=AuditAction.EXPORT,
            object_type="reporting.network_dashboard",
            request=request,
            purpose="network dashboard export",
            detail={"start": period.start.isoformat(), "end": period.end.isoformat(), **detail},
        )

    def _filename(self, period: Period, stem: str, extension: str) -> str:
        # Dates and a table key only: nothing personal in a file name.
        return f"netwerk-{stem}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"

    def csv(self, request: HttpRequest, period: Period, tables: list[Table]) -> HttpResponse:
        key = request.GET.get("table", "")
        table = next((t for t in tables if t.key == key), None)
        if table is None:
            raise Http404
        self._audit(request, period, {"format": "csv", "table": table.key})
        response = HttpResponse(table_csv(table), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{self._filename(period, table.key, "csv")}"'
        )
        return response

    def xlsx(self, request: HttpRequest, period: Period, tables: list[Table]) -> HttpResponse:
        self._audit(request, period, {"format": "xlsx"})
        response = HttpResponse(
            tables_xlsx(tables, heading=gettext("Network dashboard")),
            content_type=XLSX_CONTENT_TYPE,
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self._filename(period, "dashboard", "xlsx")}"'
        )
        return response


urlpatterns = [
    path("network/", NetworkDashboardView.as_view(), name="dashboard"),
]
