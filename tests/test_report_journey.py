"""The operations lead's annual report, in a real Chromium against a live server.

With the Redis of scripts/test.sh a real Celery worker builds the report in the
background while the page polls the run's status fragment; the PDF step is held back
until the test has seen the progress. Without Redis the report is built in-process.
"""

import os
import re
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting import pdf
from reporting.models import ReportRun

from .test_journeys import log_in
from .test_reports import _cases_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def release(request, monkeypatch):
    """Holds the PDF step back until set; yields whether a real worker is running."""
    gate = threading.Event()
    original = pdf.render_pdf

    def held_back(html: str) -> bytes:
        gate.wait(timeout=30)
        return original(html)

    monkeypatch.setattr(pdf, "render_pdf", held_back)
    if not os.environ.get("REDIS_URL"):
        gate.set()  # eager: the request itself builds the report
        yield gate, False
        return
    celery = request.getfixturevalue("redis_celery")
    with start_worker(celery, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        try:
            yield gate, True
        finally:
            gate.set()


def test_operations_lead_asks_for_last_years_report_and_downloads_it(
    world, live_server, page: Page, release
):
    gate, in_background = release
    year = timezone.localdate().year - 1
    _cases_in(world, year)
    log_in(page, live_server.url, "opslead_city_a")
    page.get_by_role("navigation").get_by_role(
        "link", name=re.compile("Annual figures|Jaarcijfers")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Annual figures|Jaarcijfers")
    )
    expect(page.get_by_label(re.compile("Year|Jaar"))).to_have_value(str(year))

    before = set(ReportRun.objects.values_list("pk", flat=True))
    page.get_by_role("button", name=re.compile("Make the report|Rapport maken")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Annual figures|Jaarcijfers")
    )
    run = ReportRun.objects.exclude(pk__in=before).get()
    assert run.year == year and run.requested_by == world.users["opslead_city_a"]
    status = page.locator(f"#run-status-{run.pk}")
    if in_background:
        # The fragment is polled: the run moves on to the PDF step without a reload.
        expect(status).to_have_attribute("data-status", "running", timeout=20_000)
        expect(status.locator("progress")).to_have_attribute("value", "85", timeout=20_000)
        gate.set()
    expect(status).to_have_attribute("data-status", "done", timeout=30_000)
    expect(status).not_to_have_attribute("hx-trigger", re.compile(".*"))
    with page.expect_download() as download_info:
        status.get_by_role("link", name=re.compile("Download|Downloaden")).click()
    download = download_info.value
    assert download.suggested_filename == f"jaarcijfers-{year}-{run.pk}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_operations_lead_publishes_a_year_and_sees_a_back_dated_change(
    world, live_server, page: Page
):
    """Publish last year's report, register a case back-dated into that year, compute the
    year again from the published year's panel, and read which cells changed. Built
    in-process (no worker): the publication, not the background work, is tested here."""
    import datetime

    from cases.services import case_create
    from reporting.models import PublishedReport

    year = timezone.localdate().year - 1
    _cases_in(world, year)
    log_in(page, live_server.url, "opslead_city_a")
    page.goto(f"{live_server.url}/reporting/annual-report/")
    before = set(ReportRun.objects.values_list("pk", flat=True))
    page.get_by_role("button", name="Rapport maken").click()
    run = ReportRun.objects.exclude(pk__in=before).get()
    row = page.locator(f"#run-{run.pk}")
    expect(row.locator(f"#run-status-{run.pk}")).to_have_attribute("data-status", "done")

    row.get_by_text("Publiceren…").click()
    row.get_by_label("Notitie").fill("Verstuurd naar de twaalf gemeenten.")
    row.get_by_role("button", name=re.compile(f"Aanvraag #{run.pk} publiceren")).click()
    published = PublishedReport.objects.get(run=run)
    expect(page.locator(".messages")).to_contain_text(
        f"gepubliceerd als versie {published.version}"
    )
    panel = page.locator(f"#published-{year}")
    expect(panel).to_contain_text("Verstuurd naar de twaalf gemeenten.")
    expect(panel.locator("[data-comparison]")).to_have_attribute(
        "data-comparison", "not-recomputed"
    )

    director = world.users["director_city_a"]
    case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        opened_on=datetime.date(year, 6, 1),
    )
    panel.get_by_role("button", name=f"{year} nu opnieuw berekenen").click()
    panel = page.locator(f"#published-{year}")
    expect(panel.locator("[data-comparison]")).to_have_attribute("data-comparison", "differs")
    panel.get_by_role("link", name="Bekijk de verschillen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Verschillen in het jaarrapport {year}"
    )
    cells = page.locator("#changed-cells")
    # The total of new cases stays shown (a track's own count may be hidden as a complement).
    changed = (
        cells.locator("tr", has_text="Nieuwe en lopende dossiers per spoor")
        .filter(has_text="Nieuwe dossiers")
        .filter(has_text="Totaal")
    )
    expect(changed).to_have_count(1)
    texts = changed.locator("td").all_inner_texts()
    assert texts[:4] == [
        "Dossiers",
        "Nieuwe en lopende dossiers per spoor",
        "Totaal",
        "Nieuwe dossiers",
    ]
    assert int(texts[5]) == int(texts[4]) + 1
