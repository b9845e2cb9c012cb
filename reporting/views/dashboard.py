"""The network coordinator's dashboard: the partner network's figures for a calendar
month, quarter or year (nothing else: two free ranges of days could be subtracted), each
table with an SVG chart, downloadable as CSV (per table) and XLSX (all tables).

Aggregates only: no case, no person, no link to either. The operations lead (workload and
figures, the annual report) may look too; case directors and administrators may not.
The same protected tables (``reporting.figures.publication.dashboard_figures``) feed the
page and both downloads, so their numbers and hidden cells cannot differ.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import View

from access import audit
from access.models import AuditAction
from access.views import RoleRequiredMixin
from accounts.roles import DASHBOARD_ROLES
from common.db_routing import reporting_reads
from common.spreadsheet import CSV_CONTENT_TYPE
from reporting.exports import XLSX_CONTENT_TYPE, table_csv, tables_xlsx
from reporting.figures.base import COMPLEMENTARY, SUPPRESSED, Table, disclosure_legend
from reporting.figures.period import Period
from reporting.figures.publication import (
    calendar_code,
    dashboard_figures,
    month,
    parse_calendar_period,
    quarter,
)
from reporting.network_charts import series_chart_svg

# The first year the dashboard publishes; the last is this year.
FIRST_YEAR = 2000

# Which columns each table's chart shows.
CHART_COLUMNS = {
    "referrals_per_partner": ("in", "out"),
    "referrals_per_month": ("in", "out"),
    "consultation_participation": ("consultations", "cases"),
    "cases_by_municipality": ("cases",),
    "gaps": ("total",),
    "trainings": ("participants",),
    "minors_by_role": ("new", "running"),
    "child_trajectory": ("count",),
    "cases_by_relationship_context": ("new", "running"),
    "cases_by_form_of_violence": ("new", "running"),
    "registrations_by_sector": ("count",),
    "registration_decisions": ("count",),
    "registration_waiting_times": ("count",),
    "referrals_answered": ("count",),
}


PERIOD_HELP = _(
    "A calendar year (2025), quarter (2025-Q2) or month (2025-03). Only calendar periods "
    "are shown: two periods of any days could be subtracted from each other and give away "
    "a small number."
)
PERIOD_REFUSED = _(
    "Choose a calendar year (e.g. 2025), a quarter (e.g. 2025-Q2) or a month (e.g. "
    "2025-03) from %(first)s up to this year. Other periods, such as a range of days, are "
    "not shown, so that small numbers cannot be worked out by comparing two periods."
)


class PeriodForm(forms.Form):
    period = forms.CharField(
        label=_("Period"),
        # Checked in clean_period, so an empty field gets the same explanation.
        required=False,
        max_length=10,
        help_text=PERIOD_HELP,
        widget=forms.TextInput(attrs={"placeholder": "2025-Q2", "inputmode": "text"}),
    )

    def clean_period(self) -> Period:
        period = parse_calendar_period(self.cleaned_data["period"])
        this_year = timezone.localdate().year
        if period is None or not FIRST_YEAR <= period.start.year <= this_year:
            raise forms.ValidationError(PERIOD_REFUSED % {"first": FIRST_YEAR})
        return period


def default_period() -> Period:
    return Period.year(timezone.localdate().year)


@dataclass(frozen=True)
class Preset:
    label: str
    period: Period
    current: bool

    @property
    def query(self) -> str:
        return urlencode({"period": calendar_code(self.period)})


def presets(today: datetime.date, shown: Period) -> list[Preset]:
    """This year, last year, and the quarters and months of the year shown."""
    year = shown.start.year
    found = [
        (gettext("This year"), Period.year(today.year)),
        (gettext("Last year"), Period.year(today.year - 1)),
    ]
    if year not in (today.year, today.year - 1):
        found.append((str(year), Period.year(year)))
    for number in range(1, 5):
        found.append(
            (
                gettext("Q%(quarter)s %(year)s") % {"quarter": number, "year": year},
                quarter(year, number),
            )
        )
    for number in range(1, 13):
        period = month(year, number)
        if period.start <= today:
            found.append((formats.date_format(period.start, "YEAR_MONTH_FORMAT"), period))
    return [Preset(label, period, period == shown) for label, period in found]


@dataclass(frozen=True)
class ShownTable:
    table: Table
    rows: list[list[str]]
    chart: Any
    csv_query: str
    legend: str


class NetworkDashboardView(RoleRequiredMixin, View):
    required_roles = DASHBOARD_ROLES

    def period(self, request: HttpRequest) -> tuple[Period | None, PeriodForm]:
        """The calendar period asked for (this year by default), or None when refused."""
        if not request.GET.keys() - {"format", "table"}:
            period = default_period()
            return period, PeriodForm(initial={"period": calendar_code(period)})
        form = PeriodForm(request.GET)
        if set(request.GET) & {"start", "end"}:
            # The free day range of before: refused, whatever else the request holds.
            form.is_valid()
            form.errors.clear()
            form.add_error("period", PERIOD_REFUSED % {"first": FIRST_YEAR})
            return None, form
        if form.is_valid():
            return form.cleaned_data["period"], form
        return None, form

    def get(self, request: HttpRequest) -> HttpResponse:
        period, form = self.period(request)
        kind = request.GET.get("format", "")
        if kind not in ("", "csv", "xlsx"):
            raise Http404
        if period is None:
            # Nothing is computed for a refused period, and no file is made.
            return TemplateResponse(
                request,
                "reporting/dashboard.html",
                {
                    "form": form,
                    "refused": True,
                    "period": None,
                    "presets": presets(timezone.localdate(), default_period()),
                    "tables": [],
                },
                status=400,
            )
        # Aggregates only: they may come from the read replica (common.db_routing).
        with reporting_reads():
            tables, computed_at = dashboard_figures(period)
        if kind == "csv":
            return self.csv(request, period, tables)
        if kind == "xlsx":
            return self.xlsx(request, period, tables)
        period_query = urlencode({"period": calendar_code(period)})
        shown = [
            ShownTable(
                table=table,
                rows=table.display_rows(),
                chart=series_chart_svg(
                    table, columns=CHART_COLUMNS[table.key], chart_id=f"chart-{table.key}"
                ),
                csv_query=f"{period_query}&{urlencode({'format': 'csv', 'table': table.key})}",
                legend=disclosure_legend() if table.has_hidden_cells() else "",
            )
            for table in tables
        ]
        return TemplateResponse(
            request,
            "reporting/dashboard.html",
            {
                "form": form,
                "refused": False,
                "period": period,
                "presets": presets(timezone.localdate(), period),
                "tables": shown,
                "xlsx_query": f"{period_query}&format=xlsx",
                "suppressed": SUPPRESSED,
                "complementary": COMPLEMENTARY,
                "computed_at": computed_at,
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
            detail={
                "period": calendar_code(period),
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                **detail,
            },
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
