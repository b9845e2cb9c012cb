"""Risk over time as SVG, built on the server: the same markup serves the page and a PDF.

Plain Python, no JavaScript and no style attributes (the CSP forbids inline style): colours
and fonts are SVG presentation attributes. The chart has a <title> and <desc>; the page
shows the same points as a table for anyone who cannot see the chart.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import RiskGrade


@dataclass(frozen=True)
class ChartPoint:
    on: datetime.date
    grade: int
    level_label: str
    series: str
    score: int | None = None
    max_score: int | None = None
    is_joint: bool = False
    recorded_at: datetime.datetime | None = None

    @property
    def score_share(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


WIDTH = 640
LEFT = 96
RIGHT = 24
LEVEL_TOP, LEVEL_BOTTOM = 40, 140
SCORE_TOP, SCORE_BOTTOM = 190, 290
AXIS_Y = SCORE_BOTTOM + 18
LEGEND_Y = AXIS_Y + 28
FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"'
INK = "#1f2933"
MUTED = "#4a5563"
LINE = "#cfd4da"
BANDS = {RiskGrade.LOW: "#e6f2ea", RiskGrade.MEDIUM: "#fbf0d2", RiskGrade.HIGH: "#f8dede"}
SERIES_COLOURS = ["#1d4e89", "#a4161a", "#1e6b3a", "#6b3fa0", "#8a5a00", "#0f6b73"]


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" {FONT} font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _x_scale(points: Sequence[ChartPoint]) -> "dict[datetime.date, float]":
    days = sorted({p.on for p in points})
    inner = WIDTH - LEFT - RIGHT
    if len(days) == 1:
        return {days[0]: LEFT + inner / 2}
    first, span = days[0], (days[-1] - days[0]).days
    return {d: LEFT + 12 + (inner - 24) * (d - first).days / span for d in days}


def _grade_y(grade: int) -> float:
    step = (LEVEL_BOTTOM - LEVEL_TOP) / len(RiskGrade)
    return LEVEL_BOTTOM - step * (grade - 0.5)


def _share_y(share: float) -> float:
    return SCORE_BOTTOM - (SCORE_BOTTOM - SCORE_TOP) * share


def _marker(x: float, y: float, colour: str, point: ChartPoint, tooltip: str) -> str:
    data = f'data-date="{point.on.isoformat()}" data-grade="{point.grade}"' + (
        f' data-score="{point.score}"' if point.score is not None else ""
    )
    title = f"<title>{escape(tooltip)}</title>"
    if point.is_joint:
        return (
            f'<rect class="risk-chart__point" x="{_fmt(x - 6)}" y="{_fmt(y - 6)}" width="12" '
            f'height="12" fill="{colour}" stroke="#ffffff" stroke-width="1.5" {data}>{title}</rect>'
        )
    return (
        f'<circle class="risk-chart__point" cx="{_fmt(x)}" cy="{_fmt(y)}" r="5.5" '
        f'fill="{colour}" stroke="#ffffff" stroke-width="1.5" {data}>{title}</circle>'
    )


def describe(points: Sequence[ChartPoint]) -> str:
    if not points:
        return _("No risk assessments yet.")
    first, last = points[0], points[-1]
    return ngettext(
        "%(count)s assessment from %(first)s to %(last)s. The most recent level is %(level)s.",
        "%(count)s assessments from %(first)s to %(last)s. The most recent level is %(level)s.",
        len(points),
    ) % {
        "count": len(points),
        "first": date_format(first.on, "SHORT_DATE_FORMAT"),
        "last": date_format(last.on, "SHORT_DATE_FORMAT"),
        "level": last.level_label,
    }


def tooltip(point: ChartPoint) -> str:
    parts = [date_format(point.on, "SHORT_DATE_FORMAT"), point.series, point.level_label]
    if point.score is not None:
        parts.append(
            _("score %(score)s of %(max)s") % {"score": point.score, "max": point.max_score}
        )
    return " — ".join(parts)


def risk_chart_svg(points: Sequence[ChartPoint], *, chart_id: str = "risk-chart") -> SafeString:
    """Level (on the common scale) and score (share of the instrument's maximum) over time.

    ``points`` are in chronological order; the level line follows the current level.
    """
    points = list(points)
    series = list(dict.fromkeys(p.series for p in points if not p.is_joint))
    colours = {name: SERIES_COLOURS[i % len(SERIES_COLOURS)] for i, name in enumerate(series)}
    legend_rows = _legend_rows(series, any(p.is_joint for p in points))
    height = LEGEND_Y + 18 * len(legend_rows) + 6
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="risk-chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{title_id}">{escape(_("Risk level and score over time"))}</title>',
        f'<desc id="{desc_id}">{escape(describe(points))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    # Level panel: one band per grade of the common scale.
    out.append(_text(LEFT, LEVEL_TOP - 14, _("Level"), size=12))
    step = (LEVEL_BOTTOM - LEVEL_TOP) / len(RiskGrade)
    for grade in RiskGrade:
        top = LEVEL_BOTTOM - step * grade
        out.append(
            f'<rect x="{LEFT}" y="{_fmt(top)}" width="{WIDTH - LEFT - RIGHT}" '
            f'height="{_fmt(step)}" fill="{BANDS[grade]}"/>'
        )
        out.append(_text(LEFT - 8, _grade_y(grade) + 4, str(grade.label), anchor="end"))
    # Score panel: 0-100 % of each instrument's highest possible score.
    out.append(_text(LEFT, SCORE_TOP - 14, _("Score (share of the maximum)"), size=12))
    for share in (0, 0.5, 1):
        y = _share_y(share)
        out.append(
            f'<line x1="{LEFT}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" y2="{_fmt(y)}" '
            f'stroke="{LINE}" stroke-width="1"/>'
        )
        out.append(_text(LEFT - 8, y + 4, f"{int(share * 100)}%", anchor="end"))
    if points:
        xs = _x_scale(points)
        out.extend(_x_axis(xs))
        level_path = " ".join(f"{_fmt(xs[p.on])},{_fmt(_grade_y(p.grade))}" for p in points)
        out.append(
            f'<polyline points="{level_path}" fill="none" stroke="{MUTED}" stroke-width="2" '
            f'stroke-linejoin="round"/>'
        )
        for p in points:
            colour = INK if p.is_joint else colours[p.series]
            out.append(_marker(xs[p.on], _grade_y(p.grade), colour, p, tooltip(p)))
        for name in series:
            scored = [p for p in points if p.series == name and p.score_share is not None]
            if not scored:
                continue
            path = " ".join(
                f"{_fmt(xs[p.on])},{_fmt(_share_y(p.score_share or 0))}" for p in scored
            )
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colours[name]}" '
                f'stroke-width="2" stroke-linejoin="round"/>'
            )
            for p in scored:
                x, y = xs[p.on], _share_y(p.score_share or 0)
                out.append(_marker(x, y, colours[name], p, tooltip(p)))
                out.append(_text(x, y - 9, str(p.score), anchor="middle", size=10))
    else:
        out.append(
            _text(WIDTH / 2, (LEVEL_TOP + SCORE_BOTTOM) / 2, describe(points), anchor="middle")
        )
    for row, entries in enumerate(legend_rows):
        y = LEGEND_Y + 18 * row
        for x, name, is_joint in entries:
            colour = INK if is_joint else colours[name]
            if is_joint:
                out.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
            else:
                out.append(f'<circle cx="{x + 5}" cy="{y - 4}" r="5" fill="{colour}"/>')
            out.append(_text(x + 16, y, name))
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above went through escape()


def _x_axis(xs: "dict[datetime.date, float]") -> list[str]:
    out = [
        f'<line x1="{LEFT}" y1="{SCORE_BOTTOM}" x2="{WIDTH - RIGHT}" y2="{SCORE_BOTTOM}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    ]
    days = sorted(xs)
    labelled = [days[0]] if len(days) == 1 else [days[0], days[-1]]
    if len(days) > 2:
        middle = days[len(days) // 2]
        # Only when it does not crowd the first and last labels.
        if min(xs[middle] - xs[days[0]], xs[days[-1]] - xs[middle]) > 90:
            labelled.insert(1, middle)
    for day in days:
        out.append(
            f'<line x1="{_fmt(xs[day])}" y1="{LEVEL_TOP}" x2="{_fmt(xs[day])}" '
            f'y2="{SCORE_BOTTOM}" stroke="{LINE}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
    for day in labelled:
        out.append(_text(xs[day], AXIS_Y, date_format(day, "SHORT_DATE_FORMAT"), anchor="middle"))
    return out


def _legend_rows(series: list[str], with_joint: bool) -> list[list[tuple[int, str, bool]]]:
    entries = [(name, False) for name in series] + (
        [(_("Joint assessment"), True)] if with_joint else []
    )
    rows: list[list[tuple[int, str, bool]]] = [[]]
    x = LEFT
    for name, is_joint in entries:
        width = 16 + 7 * len(name) + 18
        if rows[-1] and x + width > WIDTH - RIGHT:
            rows.append([])
            x = LEFT
        rows[-1].append((x, name, is_joint))
        x += width
    return rows if rows[0] else []
