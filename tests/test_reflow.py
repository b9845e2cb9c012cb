"""The steering page's summary strip (next deadline, restraining order end) and valid HTML:
machine-readable dates without microseconds, "< 5" escaped, hidden counts explained."""

import datetime
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import EntryKind, MeasureKind
from cases.selectors.deadlines import (
    DeadlineKind,
    next_consultation_at,
    next_deadline,
    restraining_order_end,
)
from cases.services import journal_entry_add
from common.templatetags.iso_dates import iso_datetime
from reporting.charts import bar_chart_svg
from reporting.figures.base import Column, Table

TODAY = datetime.date(2026, 3, 10)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def action(due: int) -> Any:
    return SimpleNamespace(due_on=_days(due), description=f"action {due}")


def hearing(days: int) -> Any:
    return SimpleNamespace(held_at=_at(_days(days)))


def measure(ends: int | None, starts: int = -5, kind: str = MeasureKind.RESTRAINING_ORDER) -> Any:
    return SimpleNamespace(
        kind=kind,
        starts_on=_days(starts),
        ends_on=None if ends is None else _days(ends),
        lifted_on=None,
    )


# --- which date is the next deadline ---


def test_no_dates_no_deadline():
    assert next_deadline(today=TODAY) is None


def test_the_soonest_date_wins_whatever_its_kind():
    deadline = next_deadline(
        today=TODAY,
        open_actions=[action(9), action(6)],
        hearings=[hearing(4)],
        measures=[measure(12)],
        consultation_at=_at(_days(7)),
    )
    assert deadline is not None
    assert (deadline.kind, deadline.on) == (DeadlineKind.HEARING, _days(4))

    deadline = next_deadline(
        today=TODAY, open_actions=[action(9)], measures=[measure(3)], hearings=[hearing(4)]
    )
    assert deadline is not None and deadline.kind == DeadlineKind.MEASURE_END

    deadline = next_deadline(
        today=TODAY, open_actions=[action(9)], consultation_at=_at(_days(2)), hearings=[]
    )
    assert deadline is not None
    assert (deadline.kind, deadline.on) == (DeadlineKind.CONSULTATION, _days(2))


def test_an_overdue_open_action_still_wins_but_past_hearings_and_ends_do_not():
    deadline = next_deadline(
        today=TODAY,
        open_actions=[action(-3), action(5)],
        hearings=[hearing(-10), hearing(1)],
        measures=[measure(-1)],
        consultation_at=_at(_days(-2)),
    )
    assert deadline is not None
    assert (deadline.kind, deadline.on) == (DeadlineKind.ACTION, _days(-3))
    assert deadline.source.description == "action -3"

    deadline = next_deadline(
        today=TODAY, hearings=[hearing(-10)], measures=[measure(-1)], consultation_at=_at(_days(-2))
    )
    assert deadline is None


def test_on_the_same_day_an_action_comes_before_a_hearing_and_a_measure_end_counts_today():
    deadline = next_deadline(today=TODAY, hearings=[hearing(0)], open_actions=[action(0)])
    assert deadline is not None and deadline.kind == DeadlineKind.ACTION
    deadline = next_deadline(today=TODAY, measures=[measure(0), measure(None)])
    assert deadline is not None and (deadline.kind, deadline.on) == (
        DeadlineKind.MEASURE_END,
        TODAY,
    )


def test_restraining_order_end_is_that_of_the_order_in_force():
    assert restraining_order_end([], TODAY) is None
    assert restraining_order_end([measure(-1), measure(None)], TODAY) is None
    assert restraining_order_end([measure(20, starts=5)], TODAY) is None  # not started yet
    other = measure(4, kind="other_measure")
    assert restraining_order_end([other, measure(8), measure(6)], TODAY) == _days(6)


# --- the page ---


@pytest.mark.django_db
def test_steering_page_shows_the_summary_strip(world, client):
    case = world.cases["city_a"]
    client.force_login(world.users["director_city_a"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    strip = html[html.index('aria-labelledby="summary-heading"') :]
    strip = strip[: strip.index("</section>")]
    assert case.get_track_display() in strip and case.get_status_display() in strip
    for key in ("track", "status", "risk", "deadline", "restraining-order", "open-actions"):
        assert f'data-summary="{key}"' in strip
    # The world's restraining order ends in 14 days; its open action is due today.
    ends = timezone.localdate() + datetime.timedelta(days=14)
    assert f'datetime="{ends.isoformat()}"' in strip
    assert "Matrix action" in strip
    # Open actions come before the long sections, which are collapsed with a count.
    assert html.index('id="actions-heading"') < html.index('id="people-heading"')
    assert re.search(
        r'<details>\s*<summary><h2 id="people-heading">[^<]*<span class="count">', html
    )


@pytest.mark.django_db
def test_next_consultation_is_read_through_the_access_rules(world):
    case = world.cases["city_a"]
    planned = next_consultation_at(case=case, user=world.users["director_city_a"])
    assert next_consultation_at(case=case, user=world.users["director_city_b"]) is None
    if planned is not None:
        assert planned >= timezone.now() - datetime.timedelta(minutes=1)


def test_iso_datetime_has_no_fractional_seconds():
    moment = timezone.make_aware(datetime.datetime(2026, 3, 10, 9, 5, 7, 123456))
    assert re.fullmatch(r"2026-03-10T\d\d:05:07[+-]\d\d:\d\d", iso_datetime(moment))
    assert iso_datetime(datetime.date(2026, 3, 10)) == "2026-03-10"
    assert iso_datetime(None) == ""


ISO = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)?)?")


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["cases:detail", "cases:journal"])
def test_every_datetime_attribute_is_valid_html(world, client, url_name):
    case = world.cases["city_a"]
    director = world.users["director_city_a"]
    # now(): microseconds that date:'c' used to write into the attribute.
    journal_entry_add(case=case, by=director, kind=EntryKind.NOTE, text="Gesprek")
    client.force_login(director)
    html = client.get(reverse(url_name, args=[case.pk])).content.decode()
    values = re.findall(r'datetime="([^"]*)"', html)
    assert values
    for value in values:
        assert ISO.fullmatch(value), value


@pytest.mark.django_db
def test_small_count_note_is_escaped_on_the_reports_page(world, client):
    client.force_login(world.users["opslead_city_a"])
    html = client.get(reverse("reporting:reports")).content.decode()
    assert "“&lt; 5”" in html
    assert "< 5" not in html


def test_a_hidden_count_is_drawn_as_an_outline_and_explained():
    table = Table(
        key="t",
        title="Cases per track",
        columns=(Column("track", "Track", is_label=True), Column("n", "Cases", True)),
        rows=[["Track 1", 12], ["Track 2", 3]],
        row_keys=["1", "2"],
    )
    svg = str(bar_chart_svg(table, chart_id="c"))
    assert svg.count('class="bar-hidden"') == 1
    assert 'class="bar-hidden-note"' in svg
    # The outline spans the whole track: its width says nothing about the count.
    track = re.search(r'<rect x="230" y="\d+" width="(\d+)"', svg)
    assert track is not None
    outline = re.search(r'width="([\d.]+)" height="\d+" fill="none"', svg)
    assert outline is not None and float(outline.group(1)) == int(track.group(1)) - 1
    shown = Table(
        key="s",
        title="Cases",
        columns=table.columns,
        rows=[["Track 1", 12], ["Track 2", 30]],
        row_keys=["1", "2"],
    )
    assert "bar-hidden" not in str(bar_chart_svg(shown, chart_id="s"))
