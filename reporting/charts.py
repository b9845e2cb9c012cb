"""Bar charts of the annual figures as SVG, built on the server for the PDF (and any page).

Same approach as ``risk.charts``: plain Python, presentation attributes instead of style
(the CSP forbids inline style), every text escaped, a <title> and <desc> for assistive
technology. The table next to the chart stays the source of the numbers.

Hidden counts stay hidden: a bar is drawn only for a count ``Table.display_rows()`` shows
as a number, so a count shown as "< 5" or "x" (a complement of the secondary suppression)
gets no bar (its length would give the number away), only its marker.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.figures.base import HIDDEN_MARKERS, Column, Table

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 56
BAR_HEIGHT = 16
ROW_GAP = 8
TOP = 8
FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"'
INK = "#1f2933"
BAR = "#1d4e89"
TRACK = "#eef1f4"
# Row keys that sum other rows: a bar for them would dwarf the rest.
TOTAL_ROW_KEYS = frozenset({"total"})
# A hidden count ("< 5", "x") gets an outline of the whole track, dashed and unfilled: the
# reader sees that a value is there but hidden, and no length gives the number away.
HIDDEN_STROKE = "#4a5563"
NOTE_HEIGHT = 22


def hidden_bar(x: int, y: int, width: int, height: int) -> str:
    """The dashed, unfilled outline drawn for a hidden count (its marker, "< 5" or "x", is
    written beside it and in the chart's description)."""
    return (
        f'<rect x="{x + 0.5}" y="{y + 0.5}" width="{width - 1}" height="{height - 1}" '
        f'fill="none" stroke="{HIDDEN_STROKE}" stroke-width="1" stroke-dasharray="4 3" '
        f'class="bar-hidden"/>'
    )


def hidden_note(y: int) -> str:
    """The line under a chart with hidden counts: why their bars are outlines."""
    text = _("Dashed outline: a hidden count (“< 5” or “x”), not drawn to protect privacy.")
    return (
        f'<text x="0" y="{y + 14}" {FONT} font-size="11" fill="{INK}" class="bar-hidden-note">'
        f"{escape(text)}</text>"
    )


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def chartable_column(table: Table) -> int | None:
    """The index of the one count column of a table that a bar chart can show, if any.

    A bar chart fits a table of one label column and one count column; anything wider
    (amounts, several counts, rates) is left to the table alone.
    """
    columns: Sequence[Column] = table.columns
    if len(columns) != 2 or not columns[0].is_label or not columns[1].suppress_small:
        return None
    values = [row[1] for row in _bar_rows(table)]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    return 1


def _bar_rows(table: Table) -> list[Sequence[object]]:
    keys = list(table.row_keys) or [""] * len(table.rows)
    return [row for row, key in zip(table.rows, keys, strict=True) if key not in TOTAL_ROW_KEYS]


def _shown_rows(table: Table) -> list[list[str]]:
    keys = list(table.row_keys) or [""] * len(table.rows)
    return [
        row
        for row, key in zip(table.display_rows(), keys, strict=True)
        if key not in TOTAL_ROW_KEYS
    ]


def bar_chart_svg(table: Table, *, chart_id: str) -> SafeString | None:
    """A horizontal bar chart of ``table``, or None when the table is not one count column."""
    column = chartable_column(table)
    if column is None:
        return None
    rows = _bar_rows(table)
    shown: list[tuple[str, str, int | None]] = []
    for row, displayed in zip(rows, _shown_rows(table), strict=True):
        value = row[column]
        assert isinstance(value, int)
        text = displayed[column]
        # Only a count shown as a number gets a bar.
        shown.append((str(row[0]), text, None if text in HIDDEN_MARKERS else value))
    largest = max((length for _l, _t, length in shown if length), default=0)
    inner = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    any_hidden = any(text in HIDDEN_MARKERS for _l, text, _length in shown)
    body_height = TOP * 2 + len(shown) * (BAR_HEIGHT + ROW_GAP)
    height = body_height + (NOTE_HEIGHT if any_hidden else 0)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = "; ".join(f"{label}: {text}" for label, text, _length in shown)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(_("Chart: %(title)s") % {"title": table.title})}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for index, (label, text, length) in enumerate(shown):
        y = TOP + index * (BAR_HEIGHT + ROW_GAP)
        baseline = y + BAR_HEIGHT - 4
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{baseline}" {FONT} font-size="11" fill="{INK}" '
            f'text-anchor="end">{escape(_shorten(label))}</text>'
        )
        out.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{inner}" height="{BAR_HEIGHT}" '
            f'fill="{TRACK}"/>'
        )
        if length and largest:
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{_fmt(inner * length / largest)}" '
                f'height="{BAR_HEIGHT}" fill="{BAR}"><title>{escape(label)}: {escape(text)}'
                f"</title></rect>"
            )
        elif text in HIDDEN_MARKERS:
            out.append(hidden_bar(LABEL_WIDTH, y, inner, BAR_HEIGHT))
        out.append(
            f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{baseline}" {FONT} font-size="11" '
            f'fill="{INK}">{escape(text)}</text>'
        )
    if any_hidden:
        out.append(hidden_note(body_height))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above went through escape()
