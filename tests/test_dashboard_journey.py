"""The network coordinator's dashboard over the demo data, in a real Chromium against a
live server: log in, open last year's figures, download a CSV, and get 404 on a case."""

import csv
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from cases.models import Case
from fjc.demo import DEMO_PASSWORD, seed
from reporting.figures.base import HIDDEN_MARKERS
from reporting.figures.period import Period
from reporting.figures.publication import dashboard_figures

from .test_journeys import code_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_demo(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    code_step(page, User.objects.get(username=username))


def _figures(period: Period) -> dict[str, list[list[str]]]:
    """Per table: the displayed values of its count columns, row by row (no labels, so
    the comparison does not depend on the language)."""
    found = {}
    for table in dashboard_figures(period)[0]:
        keep = [i for i, column in enumerate(table.columns) if not column.is_label]
        found[table.key] = [[row[i] for i in keep] for row in table.display_rows()]
    return found


def _page_figures(page: Page, key: str, keep: list[int]) -> list[list[str]]:
    rows = page.locator(f'table[data-table="{key}"] tbody tr')
    out = []
    for index in range(rows.count()):
        cells = rows.nth(index).locator("th, td").all_inner_texts()
        out.append([cells[i].strip() for i in keep])
    return out


def test_network_coordinator_reads_last_years_figures_and_downloads_a_csv(live_server, page: Page):
    seed(previous_year_cases=0)  # without last year's few hundred cases: fast
    last_year = timezone.localdate().year - 1
    period = Period.year(last_year)
    expected = _figures(period)

    log_in_demo(page, live_server.url, "netwerk")
    page.get_by_role("navigation", name=re.compile("Main navigation|Hoofdnavigatie")).get_by_role(
        "link", name=re.compile("^(Network|Netwerk)$")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Network dashboard|Netwerkdashboard")
    )
    page.get_by_role("link", name=re.compile("^(Last year|Vorig jaar)$")).click()
    # Calendar periods only: the year as "period=2025", no free range of days.
    expect(page).to_have_url(re.compile(rf"\?period={last_year}$"))
    expect(page.locator("#period-shown")).to_contain_text(str(last_year))

    # What the page shows is what the selectors compute for the demo data.
    for table in dashboard_figures(period)[0]:
        keep = [i for i, column in enumerate(table.columns) if not column.is_label]
        assert _page_figures(page, table.key, keep) == expected[table.key], table.key
        expect(page.locator(f"#chart-{table.key}")).to_have_attribute("role", "img")

    # Pinned by hand from fjc.demo: last year's gaps (waiting list closed, missing service
    # addressed, refused service in follow-up): three gaps, all hidden now ...
    gaps_total = page.locator('table[data-table="gaps"] tbody tr').last
    gap_cells = gaps_total.locator("td").all_inner_texts()
    assert gap_cells[0] == "0" and set(gap_cells[1:]) <= HIDDEN_MARKERS
    # ... the one intervision (9 participants, CAW) ...
    intervision = page.locator('table[data-table="trainings"] tbody tr').nth(1)
    assert intervision.locator("td").all_inner_texts() == ["1", "9", "1"]
    # ... and three referrals each way (EARLIER_CASES), hidden ("< 5" or "x").
    referrals_total = page.locator('table[data-table="referrals_per_partner"] tbody tr').last
    assert set(referrals_total.locator("td").all_inner_texts()[1:]) <= HIDDEN_MARKERS
    # The markers explained under the tables.
    expect(page.locator(".disclosure-legend").first).to_contain_text("“x”")

    with page.expect_download() as download_info:
        page.locator("#gaps").get_by_role("link", name=re.compile("CSV")).click()
    download = download_info.value
    assert download.suggested_filename == f"netwerk-gaps-{last_year}0101-{last_year}1231.csv"
    # The Belgian Excel dialect: UTF-8 with a byte order mark, ";" between cells.
    with open(download.path(), "rb") as handle:
        assert handle.read(3) == b"\xef\xbb\xbf"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    # The table, an empty line, and the markers explained.
    assert rows[-2] == [] and rows[-1][0].startswith("“< 5”")
    assert rows[-3][1:] == gap_cells
    assert rows[1][1:] == expected["gaps"][0]

    # Aggregates only: every case page is a 404 for the network coordinator.
    case = Case.objects.order_by("id").first()
    assert case is not None
    response = page.goto(f"{live_server.url}/cases/{case.pk}/")
    assert response is not None and response.status == 404
