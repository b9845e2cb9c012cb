"""Bar charts of the network dashboard's tables, as server-rendered SVG.

``reporting.charts.bar_chart_svg`` draws one count column; the dashboard's tables have
several (in and out, sessions and participants), so this draws one bar per chosen column
and row, in the same style (its constants are reused) and with the same rule for small
counts: a bar is drawn only for a value shown as it is, so a "< 5" or an "x" (a complement
of the secondary suppression) gets no bar (its length would give the number away), only
its marker and a dashed outline, explained under the chart. The table next to the
chart is the text alternative; the chart has role="img", a <title> and a <desc>.
"""

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reporting.charts import (
    BAR,
    BAR_HEIGHT,
    FONT,
    INK,
    LABEL_WIDTH,
    NOTE_HEIGHT,
    ROW_GAP,
    TOP,
    TOTAL_ROW_KEYS,
    TRACK,
    VALUE_WIDTH,
    WIDTH,
    hidden_bar,
    hidden_note,
)
from reporting.figures.base import HIDDEN_MARKERS, Table

# A second series needs a colour that differs from BAR in lightness too (colour-blind
# readers), with enough contrast against the white page.
SERIES_COLOURS = (BAR, "#c05621", "#2f7d4f", "#6b4c9a")
LEGEND_HEIGHT = 22


def _shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def series_chart_svg(
    table: Table, *, columns: Sequence[str], chart_id: str, label_column: int = 0
) -> SafeString | None:
    """Horizontal bars of ``columns`` (column keys) per row of ``table``, total rows left
    out; None when there is nothing to draw."""
    positions = {column.key: index for index, column in enumerate(table.columns)}
    series = [(positions[key], str(table.columns[positions[key]].label)) for key in columns]
    displayed = table.display_rows()
    keys = list(table.row_keys) or [""] * len(table.rows)
    rows = [
        (str(raw[label_column]), raw, shown)
        for raw, shown, key in zip(table.rows, displayed, keys, strict=True)
        if key not in TOTAL_ROW_KEYS
    ]
    if not rows:
        return None

    def drawn(raw: Sequence[object], shown: Sequence[str], index: int) -> int | None:
        value = raw[index]
        # A count shown as such (in the language's format: "1.234"), not hidden.
        if isinstance(value, bool) or not isinstance(value, int) or shown[index] in HIDDEN_MARKERS:
            return None
        return value

    largest = max(
        (drawn(raw, shown, index) or 0 for _label, raw, shown in rows for index, _s in series),
        default=0,
    )
    group = len(series) * BAR_HEIGHT + ROW_GAP
    legend = LEGEND_HEIGHT if len(series) > 1 else 0
    any_hidden = any(
        shown[index] in HIDDEN_MARKERS for _l, _r, shown in rows for index, _n in series
    )
    body_height = TOP * 2 + legend + len(rows) * group
    height = body_height + (NOTE_HEIGHT if any_hidden else 0)
    inner = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = "; ".join(
        f"{label}: " + ", ".join(f"{name} {shown[index]}" for index, name in series)
        for label, _raw, shown in rows
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(_("Chart: %(title)s") % {"title": table.title})}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    if legend:
        x = LABEL_WIDTH
        for number, (_index, name) in enumerate(series):
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            out.append(
                f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16}" y="{TOP + 10}" {FONT} font-size="11" fill="{INK}">'
                f"{escape(_shorten(name, 30))}</text>"
            )
            x += 24 + 7 * min(len(name), 30)
    for row_number, (label, raw, shown) in enumerate(rows):
        top = TOP + legend + row_number * group
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{top + BAR_HEIGHT - 4}" {FONT} font-size="11" '
            f'fill="{INK}" text-anchor="end">{escape(_shorten(label))}</text>'
        )
        for number, (index, name) in enumerate(series):
            y = top + number * BAR_HEIGHT
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{inner}" height="{BAR_HEIGHT - 2}" '
                f'fill="{TRACK}"/>'
            )
            length = drawn(raw, shown, index)
            if length and largest:
                out.append(
                    f'<rect x="{LABEL_WIDTH}" y="{y}" '
                    f'width="{inner * length / largest:.1f}" height="{BAR_HEIGHT - 2}" '
                    f'fill="{colour}"><title>{escape(label)}, {escape(name)}: '
                    f"{escape(shown[index])}</title></rect>"
                )
            elif shown[index] in HIDDEN_MARKERS:
                out.append(hidden_bar(LABEL_WIDTH, y, inner, BAR_HEIGHT - 2))
            out.append(
                f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + BAR_HEIGHT - 5}" {FONT} '
                f'font-size="11" fill="{INK}">{escape(shown[index])}</text>'
            )
    if any_hidden:
        out.append(hidden_note(body_height))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above went through escape()
