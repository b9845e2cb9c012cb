"""The annual figures as a PDF (WeasyPrint).

The document is rendered from the chapters ``reporting.figures.annual_figures`` returns,
generically: every table through ``Table.display_rows()`` (so "< 5" and the complements
"x" are applied exactly as on screen, with the markers explained under the table) and a bar chart for each table of counts. ``common.pdf`` turns the HTML into
the PDF, reading the stylesheet from the static folder on disk and nothing else.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from common.pdf import render_pdf
from reporting.charts import bar_chart_svg
from reporting.figures.base import Chapter, Table, disclosure_legend
from reporting.network_charts import SERIES_COLOURS, series_chart_svg


@dataclass(frozen=True)
class RenderedTable:
    table: Table
    rows: list[list[str]]
    chart: SafeString | None
    anchor: str
    legend: str = ""


@dataclass(frozen=True)
class RenderedChapter:
    chapter: Chapter
    tables: list[RenderedTable]
    anchor: str


def _chart(table: Table, chart_id: str) -> SafeString | None:
    """One count column: a bar chart; several (e.g. new and running cases per track): a bar
    per count column and row. Amounts, rates and tables without a label column get none."""
    single = bar_chart_svg(table, chart_id=chart_id)
    if single is not None or not table.columns or not table.columns[0].is_label:
        return single
    counts = [c.key for c in table.columns[1:] if c.suppress_small and c.key != "total"]
    if len(counts) < 2 or len(counts) > len(SERIES_COLOURS):
        return None
    return series_chart_svg(table, columns=counts, chart_id=chart_id)


def render_chapter(chapter: Chapter, index: int) -> RenderedChapter:
    anchor = f"chapter-{index}"
    tables = [
        RenderedTable(
            table=table,
            rows=table.display_rows(),
            chart=_chart(table, f"{anchor}-chart-{number}"),
            anchor=f"{anchor}-table-{number}",
            legend=disclosure_legend() if table.has_hidden_cells() else "",
        )
        for number, table in enumerate(chapter.tables, start=1)
    ]
    return RenderedChapter(chapter=chapter, tables=tables, anchor=anchor)


def report_html(
    *, chapters: Sequence[RenderedChapter], year: int, made_at: datetime.datetime
) -> str:
    return render_to_string(
        "reporting/report_pdf.html",
        {
            "chapters": chapters,
            "year": year,
            "made_at": made_at,
            "installation_name": settings.FJC_INSTALLATION_NAME,
        },
    )


def report_pdf(
    *, chapters: Sequence[RenderedChapter], year: int, made_at: datetime.datetime
) -> bytes:
    """The annual report's PDF, made from its rendered chapters."""
    return render_pdf(report_html(chapters=chapters, year=year, made_at=made_at))
