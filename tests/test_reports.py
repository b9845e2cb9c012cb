"""The annual report runs: building the PDF, failures, access, progress and downloads."""

import datetime
import io
import socket
import time
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from access.models import AuditAction, AuditEvent
from cases.models import Case, Track
from common import pdf as common_pdf
from fjc.celery import app as celery_app
from partners.models import MunicipalityPopulation
from reporting import pdf, reports, tasks
from reporting.charts import bar_chart_svg
from reporting.figures import Column, Table, annual_figures, figures_checksum
from reporting.figures.base import COMPLEMENTARY, SUPPRESSED
from reporting.models import FundingYear, ReportRun, ReportStatus
from reporting.services import report_request

from .clock import TODAY
from .conftest import drop_celery_connections
from .factories import MunicipalityFactory, make_case

pytestmark = pytest.mark.django_db

YEAR = TODAY.year - 1


LOCAL_AMOUNT = Decimal("100000.00")


def _cases_in(world, year: int) -> None:
    """Seven track-1 cases and one track-3 case opened in ``year``: "7" shows, "1" is "< 5";
    the world's funding year with three municipalities to split the local amount over."""
    for _ in range(3):
        make_case(world.users["director_city_b"])
    Case.objects.update(opened_on=datetime.date(year, 3, 1))
    assert Case.objects.filter(track=Track.ADVICE).count() == 7
    assert Case.objects.filter(track=Track.CHAIN).count() == 1
    for name, inhabitants in (("Alfadorp", 10_001), ("Betastad", 20_000), ("Gammawijk", 3)):
        MunicipalityPopulation.objects.create(
            municipality=MunicipalityFactory.create(name=name),
            year=year,
            inhabitants=inhabitants,
        )
    FundingYear.objects.filter(year=year).update(
        local_amount=LOCAL_AMOUNT, flemish_amount=Decimal("250000.00")
    )


def _request_now(user, captured, year: int = YEAR) -> ReportRun:
    with captured(execute=True):
        run = report_request(year=year, by=user)
    run.refresh_from_db()
    return run


def _squash(text: str) -> str:
    return "".join(text.split())


def _pdf_text(run: ReportRun) -> str:
    with run.file.open("rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_eager_build_makes_a_pdf_with_the_selectors_figures(
    world, django_capture_on_commit_callbacks
):
    _cases_in(world, YEAR)
    run = _request_now(world.users["opslead_city_a"], django_capture_on_commit_callbacks)

    assert run.status == ReportStatus.DONE, run.error
    assert run.progress == 100
    assert run.started_at and run.finished_at and run.requested_by == world.users["opslead_city_a"]
    assert (run.file.name or "").startswith("reports/")
    chapters = annual_figures(YEAR)
    assert run.checksum == figures_checksum(chapters)

    text = _pdf_text(run)
    flat = _squash(text)
    assert "Veilig Huis Mechelen" in text
    assert str(YEAR) in text
    # Every row of every table, as the selectors display it (so "< 5" included), in order.
    for chapter in chapters:
        assert _squash(chapter.title) in flat
        for table in chapter.tables:
            assert _squash(table.title) in flat
            for row in table.display_rows():
                assert _squash("".join(row)) in flat, (table.key, row)
    assert SUPPRESSED in text
    # The case table in particular: the single track-3 case hidden as "< 5", and the 7
    # track-1 cases hidden as its complement "x" (else 8 - 7 - 0 gives the 1 away); the
    # markers explained under the table.
    per_track = next(t for c in chapters for t in c.tables if t.key == "cases_per_track")
    shown = {row[0]: row[1] for row in per_track.display_rows()}  # label: new cases
    assert shown[str(Track.ADVICE.label)] == COMPLEMENTARY
    assert shown[str(Track.CHAIN.label)] == SUPPRESSED
    assert shown["Totaal"] == "8"
    assert _squash("“x”: een aantal (nooit 0)") in flat
    # The funding split: every municipality's share as displayed, adding up to the total.
    split = next(t for c in chapters for t in c.tables if t.key == "funding_split")
    amounts = {
        key: Decimal(str(row[-1])) for key, row in zip(split.row_keys, split.rows, strict=True)
    }
    assert amounts.pop("total") == LOCAL_AMOUNT == sum(amounts.values())
    for row in split.display_rows():
        assert _squash("".join(row)) in flat, row
    # Amounts in the Dutch format (issue 12): "100.000,00", never "100000.00".
    assert _squash("100.000,00") in flat and str(LOCAL_AMOUNT) not in text
    # No person: no client or staff name of the world appears.
    for user in world.users.values():
        assert user.get_full_name() not in text


def test_the_pdf_is_in_dutch_with_contents_page_numbers_and_charts(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    _cases_in(world, YEAR)
    seen = {}
    original = pdf.render_pdf

    def keep_html(html: str) -> bytes:
        seen["html"] = html
        return original(html)

    monkeypatch.setattr(pdf, "render_pdf", keep_html)
    run = _request_now(world.users["opslead_city_a"], django_capture_on_commit_callbacks)
    assert run.status == ReportStatus.DONE
    html = seen["html"]
    assert '<html lang="nl">' in html
    assert 'class="bar-chart"' in html and "<title" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    reader = PdfReader(run.file.open("rb"))
    assert len(reader.pages) >= 3  # cover, contents, a chapter
    # Page numbers in the margin ("n / total") on the chapter pages.
    assert f"3 / {len(reader.pages)}" in reader.pages[2].extract_text()


def test_two_runs_over_the_same_data_agree_and_a_change_shows(
    world, client, django_capture_on_commit_callbacks
):
    _cases_in(world, YEAR)
    lead = world.users["opslead_city_a"]
    first = _request_now(lead, django_capture_on_commit_callbacks)
    second = _request_now(world.users["opslead_city_b"], django_capture_on_commit_callbacks)
    assert first.checksum == second.checksum != ""
    make_case(world.users["director_city_a"])
    Case.objects.update(opened_on=datetime.date(YEAR, 5, 1))
    third = _request_now(lead, django_capture_on_commit_callbacks)
    assert third.checksum != first.checksum

    client.force_login(lead)
    response = client.get(reverse("reporting:reports"))
    rows = {row.run.pk: row for row in response.context["rows"]}
    assert rows[second.pk].same_as == first.pk
    assert rows[first.pk].same_as is None
    assert rows[third.pk].same_as is None
    assert f"#{first.pk}" in response.content.decode()


def test_a_failing_build_ends_in_a_clear_error_on_the_page(
    world, client, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    _cases_in(world, YEAR)

    def broken(html: str) -> bytes:
        raise RuntimeError("renderer exploded at secret-detail-42")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    client.force_login(world.users["opslead_city_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:reports"), {"year": YEAR})
    assert response.status_code == 302
    run = ReportRun.objects.filter(year=YEAR).latest("pk")
    assert run.status == ReportStatus.FAILED
    assert run.error == tasks.FAILED_MESSAGE
    assert not run.file
    # The traceback went to the log; the page shows the message, never the technical detail.
    assert "secret-detail-42" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert "secret-detail-42" not in page and "RuntimeError" not in page
    fragment = client.get(reverse("reporting:report_status", kwargs={"run_pk": run.pk}))
    body = fragment.content.decode()
    assert 'data-status="failed"' in body
    assert "message--error" in body
    assert "hx-trigger" not in body


def test_missing_inhabitants_fail_the_run_with_the_rules_own_message(
    world, client, django_capture_on_commit_callbacks
):
    # The world has last year's funding but no municipality: no split can be made.
    run = _request_now(world.users["opslead_city_a"], django_capture_on_commit_callbacks)
    assert run.status == ReportStatus.FAILED
    assert "municipalit" in run.error or "gemeente" in run.error
    client.force_login(world.users["opslead_city_a"])
    body = client.get(reverse("reporting:report_status", kwargs={"run_pk": run.pk})).content
    assert run.error.encode() in body


def test_the_soft_time_limit_fails_the_run_with_its_own_message(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from celery.exceptions import SoftTimeLimitExceeded

    def too_slow(year: int) -> list:
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(tasks, "annual_figures", too_slow)
    run = _request_now(world.users["opslead_city_a"], django_capture_on_commit_callbacks)
    assert run.status == ReportStatus.FAILED
    assert run.error == tasks.TOO_LONG_MESSAGE


def test_the_task_leaves_a_finished_run_alone(world, monkeypatch):
    run = world.directory["run_pk"]
    monkeypatch.setattr(tasks, "annual_figures", lambda year: pytest.fail("rebuilt"))
    tasks.build_annual_report.apply(args=(run.pk,)).get()
    tasks.build_annual_report.apply(args=(999999,)).get()
    run.refresh_from_db()
    assert run.status == ReportStatus.DONE and run.checksum == "0" * 64


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def no_broker(settings):
    """A real (non-eager) Celery setup whose Redis broker is not there.

    The Celery app reads the Django settings live (``config_from_object`` with the CELERY
    namespace), so overriding the settings is enough; the asserts make sure of it.
    """
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_free_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    drop_celery_connections()
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    assert celery_app.conf.task_always_eager is False
    yield
    drop_celery_connections()


def test_an_unreachable_broker_fails_the_run_at_once(
    world, client, no_broker, django_capture_on_commit_callbacks
):
    client.force_login(world.users["opslead_city_a"])
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:reports"), {"year": YEAR})
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    run = ReportRun.objects.filter(year=YEAR).latest("pk")
    assert run.status == ReportStatus.FAILED
    assert run.error == reports.BROKER_UNREACHABLE_MESSAGE
    assert run.celery_task_id
    page = client.get(response["Location"]).content.decode()
    assert "background processing cannot be reached" in page or "achtergrond" in page


def test_a_run_without_heartbeat_is_failed_in_the_database_when_looked_at(world, client):
    lead = world.users["opslead_city_a"]
    running = ReportRun.objects.create(
        requested_by=lead,
        year=YEAR,
        status=ReportStatus.RUNNING,
        progress=40,
        started_at=timezone.now() - datetime.timedelta(minutes=3),
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=61),
    )
    fresh = ReportRun.objects.create(
        requested_by=lead,
        year=YEAR - 1,
        status=ReportStatus.RUNNING,
        progress=40,
        progress_label=tasks.gettext_noop("Drawing the chapters"),
        started_at=timezone.now() - datetime.timedelta(minutes=3),
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=30),
    )
    client.force_login(lead)
    stale = client.get(reverse("reporting:report_status", kwargs={"run_pk": running.pk}))
    body = stale.content.decode()
    assert 'data-status="failed"' in body and "hx-trigger" not in body
    # Failed in the database, with a way to ask again for the same year.
    running.refresh_from_db()
    assert running.status == ReportStatus.FAILED and running.finished_at is not None
    assert f'name="year" value="{YEAR}"' in body
    busy = client.get(reverse("reporting:report_status", kwargs={"run_pk": fresh.pk}))
    body = busy.content.decode()
    assert 'data-status="running"' in body
    assert 'hx-trigger="every 2s"' in body
    assert 'value="40"' in body


def test_a_finished_run_stops_polling_and_offers_the_download(world, client):
    run = world.directory["run_pk"]
    client.force_login(world.users["opslead_city_b"])
    body = client.get(reverse("reporting:report_status", kwargs={"run_pk": run.pk})).content
    assert b"hx-trigger" not in body
    assert reverse("reporting:report_download", kwargs={"run_pk": run.pk}).encode() in body


def test_download_is_an_audited_attachment(world, client):
    run = world.directory["run_pk"]
    client.force_login(world.users["opslead_city_b"])  # not the requester: runs are the FJC's
    response = client.get(reverse("reporting:report_download", kwargs={"run_pk": run.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'attachment; filename="jaarcijfers-{run.year}-{run.pk}.pdf"'
        == response["Content-Disposition"]
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="reporting.reportrun")
    assert event.object_id == str(run.pk) and event.user == world.users["opslead_city_b"]


def test_download_404_for_a_missing_run_or_file(world, client):
    lead = world.users["opslead_city_a"]
    client.force_login(lead)
    url = "reporting:report_download"
    assert client.get(reverse(url, kwargs={"run_pk": 999999})).status_code == 404
    queued = ReportRun.objects.create(requested_by=lead, year=YEAR)
    assert client.get(reverse(url, kwargs={"run_pk": queued.pk})).status_code == 404
    gone = ReportRun.objects.create(requested_by=lead, year=YEAR, status=ReportStatus.DONE)
    gone.file.save("gone.pdf", ContentFile(b"%PDF-1.7"), save=True)
    gone.file.storage.delete(gone.file.name or "")
    assert client.get(reverse(url, kwargs={"run_pk": gone.pk})).status_code == 404
    status = reverse("reporting:report_status", kwargs={"run_pk": 999999})
    assert client.get(status).status_code == 404


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("opslead_city_a", 200),
        ("director_city_a", 403),
        ("netcoord_vo_a", 403),
        ("liaison_parket_a", 403),
        ("admin_city_a", 403),
        (None, 302),
    ],
)
def test_access_by_role(world, client, username, expected):
    run = world.directory["run_pk"]
    if username:
        client.force_login(world.users[username])
    for name, kwargs in (
        ("reporting:reports", {}),
        ("reporting:report_status", {"run_pk": run.pk}),
        ("reporting:report_download", {"run_pk": run.pk}),
    ):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == expected, name
        if expected == 302:
            assert response["Location"].startswith(reverse("login"))
    before = ReportRun.objects.count()
    client.post(reverse("reporting:reports"), {"year": YEAR})
    assert ReportRun.objects.count() == before + (1 if expected == 200 else 0)


def test_the_setting_adds_a_role(world, client, settings):
    settings.FJC_REPORT_ROLES = ["operations_lead", "network_coordinator"]
    client.force_login(world.users["netcoord_vo_a"])
    assert client.get(reverse("reporting:reports")).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert reverse("reporting:reports") in home
    client.force_login(world.users["director_city_a"])
    assert client.get(reverse("reporting:reports")).status_code == 403
    assert reverse("reporting:reports") not in client.get(reverse("home")).content.decode()


def test_the_service_refuses_others_and_bad_years(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        report_request(year=YEAR, by=world.users["director_city_a"])
    with pytest.raises(ValidationError) as error:
        report_request(year=YEAR + 5, by=world.users["opslead_city_a"])
    assert "year" in error.value.message_dict
    assert ReportRun.objects.count() == 1  # the world's own run only


def test_a_bad_year_is_a_form_error_and_nothing_is_queued(world, client):
    client.force_login(world.users["opslead_city_a"])
    before = ReportRun.objects.count()
    for year in ("1999", "abc", str(YEAR + 5), ""):
        response = client.post(reverse("reporting:reports"), {"year": year})
        assert response.status_code == 200
        assert "year" in response.context["form"].errors
    assert ReportRun.objects.count() == before


def test_the_page_defaults_to_last_year_and_offers_years_with_data(world, client):
    Case.objects.filter(pk=world.cases["city_a"].pk).update(opened_on=datetime.date(2019, 1, 1))
    client.force_login(world.users["opslead_city_a"])
    response = client.get(reverse("reporting:reports"))
    form = response.context["form"]
    assert form.initial["year"] == YEAR
    years = [value for value, _label in form.fields["year"].choices]
    assert years[0] == YEAR + 1 and 2019 in years and 2018 not in years


def test_a_requester_who_lost_the_role_gets_no_report(world, django_capture_on_commit_callbacks):
    lead = world.users["opslead_city_a"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = report_request(year=YEAR, by=lead)
    lead.roles.clear()
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert run.error == tasks.NOT_ALLOWED_MESSAGE


def test_the_page_query_count_does_not_grow_with_runs(world, client, django_assert_max_num_queries):
    lead = world.users["opslead_city_a"]
    client.force_login(lead)
    client.get(reverse("reporting:reports"))
    for year in range(2015, 2025):
        ReportRun.objects.create(requested_by=world.users["opslead_city_b"], year=year)
    with django_assert_max_num_queries(12):
        client.get(reverse("reporting:reports"))


# --- the charts ---


def test_a_bar_chart_hides_small_counts_and_leaves_out_the_total():
    table = Table(
        key="t",
        title="Cases per track",
        columns=(Column("track", "Track", is_label=True), Column("n", "Cases", True)),
        rows=[["Track 1", 12], ["Track 2", 3], ["Track 3", 0], ["Total", 15]],
        row_keys=["1", "2", "3", "total"],
    )
    svg = bar_chart_svg(table, chart_id="c")
    assert svg is not None
    assert 'role="img"' in svg and '<title id="c-title">' in svg
    assert "Track 2: &lt; 5" in svg  # in the description, shown as "< 5"
    assert svg.count('fill="#1d4e89"') == 1  # one bar: 12; none for "< 5", 0 or the total
    assert "Total" not in svg


def test_no_chart_for_tables_of_amounts_or_several_columns():
    wide = Table(
        key="w",
        title="Split",
        columns=(
            Column("m", "Municipality", is_label=True),
            Column("i", "Inhabitants"),
            Column("a", "Amount"),
        ),
        rows=[["A", 100, 5]],
    )
    assert bar_chart_svg(wide, chart_id="w") is None
    amounts = Table(
        key="a",
        title="Amounts",
        columns=(Column("f", "Funder", is_label=True), Column("a", "Amount")),
        rows=[["Flemish", 10]],
    )
    assert bar_chart_svg(amounts, chart_id="a") is None


def test_the_pdf_fetches_nothing_from_the_network():
    fetcher = common_pdf._url_fetcher_class()(allowed_protocols=("file",))
    for url in ("https://example.org/x.css", "http://127.0.0.1/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="annual report"):
            fetcher.fetch(url)
    css = (common_pdf.STATIC_DIR / "css" / "report-print.css").as_uri()
    assert fetcher.fetch(css) is not None


def test_a_table_of_several_counts_gets_a_bar_per_count_and_amounts_get_none():
    counts = Table(
        key="t",
        title="Cases per track",
        columns=(
            Column("track", "Track", is_label=True),
            Column("new", "New", True),
            Column("running", "Running", True),
            Column("total", "Total", True),
        ),
        rows=[["Track 1", 12, 20, 32], ["Track 2", 30, 3, 33]],
        row_keys=["1", "2"],
    )
    svg = pdf._chart(counts, "c")
    assert svg is not None and 'role="img"' in svg
    # New and running are drawn as two series; the total column is not a series.
    assert "New" in svg and "Running" in svg
    amounts = Table(
        key="a",
        title="Amounts",
        columns=(Column("what", "What", is_label=True), Column("eur", "Euro")),
        rows=[["Flemish", Decimal("1.00")]],
    )
    assert pdf._chart(amounts, "a") is None


def _report_html(world, captured, monkeypatch) -> dict[str, str]:
    """The annual report's HTML and its PDF's text, for the data of ``_cases_in``."""
    seen: dict[str, str] = {}
    original = pdf.render_pdf

    def keep_html(html: str) -> bytes:
        seen["html"] = html
        return original(html)

    monkeypatch.setattr(pdf, "render_pdf", keep_html)
    _cases_in(world, YEAR)
    run = _request_now(world.users["opslead_city_a"], captured)
    assert run.status == ReportStatus.DONE, run.error
    seen["text"] = _pdf_text(run)
    return seen


def test_the_pdf_prints_numbers_the_belgian_way(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    seen = _report_html(world, django_capture_on_commit_callbacks, monkeypatch)
    flat = _squash(seen["text"])
    # Amounts with a thousands point and a decimal comma; counts of inhabitants grouped.
    for shown in ("250.000,00", "100.000,00", "350.000,00", "10.001", "20.000", "30.004"):
        assert _squash(shown) in flat, shown
    for english in ("250000.00", "350000.00", "30004"):
        assert english not in flat, english
    # A rate per 10,000 inhabitants with a decimal comma. The total's rate counts only the
    # cases of the municipalities in its denominator: none of the 8 (0 over 30,004: 0,0).
    assert _squash("Totaal830.004-0,0") in flat
    # A year stays a year, not "2.025".
    assert f"{YEAR:,}".replace(",", ".") not in seen["html"]


def _text_beyond_the_right_margin(html: str) -> list[str]:
    """Every piece of text WeasyPrint laid out past the page's right margin."""
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TextBox

    document = HTML(
        string=html,
        base_url=common_pdf.STATIC_DIR.as_uri() + "/",
        url_fetcher=common_pdf._url_fetcher_class()(allowed_protocols=("file",)),
    ).render()
    beyond = []
    for page in document.pages:
        box = page._page_box
        right = box.margin_width() - box.margin_right
        for child in box.descendants():
            if isinstance(child, TextBox) and child.position_x + child.width > right + 0.5:
                beyond.append(child.text)
    return beyond


def test_every_table_fits_on_an_a4_page(world, django_capture_on_commit_callbacks, monkeypatch):
    seen = _report_html(world, django_capture_on_commit_callbacks, monkeypatch)
    # The widest table (municipalities: five columns, the last "per 10,000 inhabitants")
    # used to run off the page: its header and values were cut off.
    assert _text_beyond_the_right_margin(seen["html"]) == []
    assert _squash("Nieuwe dossiers per 10.000 inwoners") in _squash(seen["text"])


def test_the_dutch_pdf_holds_no_english(world, django_capture_on_commit_callbacks, monkeypatch):
    seen = _report_html(world, django_capture_on_commit_callbacks, monkeypatch)
    text = seen["text"]
    assert "People in the client system" not in text
    # Every title, intro, note and column label of the figures is translated: the Dutch
    # text differs from the English one (the source), apart from words both languages share.
    same_in_both = {"", "FTE", "Sector", "Status"}
    with translation.override("en"):
        english = annual_figures(YEAR)
    with translation.override("nl"):
        dutch = annual_figures(YEAR)
    untranslated = []
    for en_chapter, nl_chapter in zip(english, dutch, strict=True):
        pairs = [(en_chapter.title, nl_chapter.title), (en_chapter.intro, nl_chapter.intro)]
        for en_table, nl_table in zip(en_chapter.tables, nl_chapter.tables, strict=True):
            pairs += [(en_table.title, nl_table.title), (en_table.note, nl_table.note)]
            pairs += [
                (en_column.label, nl_column.label)
                for en_column, nl_column in zip(en_table.columns, nl_table.columns, strict=True)
            ]
            # A note made of several sentences: each English sentence is gone in Dutch.
            untranslated += [
                sentence
                for sentence in en_table.note.split(". ")
                if len(sentence) > 20 and sentence in nl_table.note
            ]
        untranslated += [en for en, nl in pairs if en == nl and en not in same_in_both]
    assert untranslated == []
