"""Published annual reports are frozen (issue 12, part 4): snapshots, publishing, versions,
immutability, and the differences between a published year and today's recomputation."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AuditAction, AuditEvent
from access.policy import may_publish_annual_reports
from accounts.roles import RoleCode
from cases.models import Track
from cases.services import case_create
from reporting.figures import Chapter, Column, Table, annual_figures
from reporting.figures.base import SUPPRESSED
from reporting.models import FrozenError, PublishedReport, ReportRun, ReportStatus
from reporting.publishing import report_publish
from reporting.snapshot import CellChange, Part, figures_snapshot, snapshot_differences

from .clock import TODAY
from .factories import make_user
from .test_reports import _cases_in, _request_now

YEAR = TODAY.year - 1


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in the source language here; the pages pick their own (Dutch)."""
    with translation.override("en"):
        yield


# --- snapshots and their differences, without a database ---


def _table(rows, *, key="t", row_keys=("a", "b", "total"), columns=None) -> Table:
    return Table(
        key=key,
        title=f"Tabel {key}",
        columns=columns
        or (
            Column("label", "Soort", is_label=True),
            Column("new", "Nieuw", suppress_small=True),
            Column("amount", "Bedrag"),
        ),
        rows=rows,
        row_keys=row_keys,
    )


def _snapshot(*tables: Table) -> dict:
    with translation.override("nl"):
        return figures_snapshot([Chapter("c", "Hoofdstuk", tables)], language="nl")


def test_a_snapshot_keeps_keys_labels_raw_and_shown_values_in_dutch():
    snapshot = _snapshot(
        _table([["A", 3, Decimal("1234.50")], ["B", 12, None], ["Totaal", 15, Decimal("0")]])
    )
    assert snapshot["language"] == "nl"
    [chapter] = snapshot["chapters"]
    [table] = chapter["tables"]
    assert (chapter["key"], chapter["title"], table["key"]) == ("c", "Hoofdstuk", "t")
    assert [c["key"] for c in table["columns"]] == ["label", "new", "amount"]
    assert [c["label"] for c in table["columns"]] == ["Soort", "Nieuw", "Bedrag"]
    first = table["rows"][0]
    assert first["key"] == "a" and first["label"] == "A"
    assert first["raw"] == ["A", 3, "1234.50"]
    assert first["shown"] == ["A", SUPPRESSED, "1.234,50"]
    assert table["rows"][1]["shown"] == ["B", "12", "-"]


def test_unchanged_snapshots_have_no_differences():
    rows = [["A", 3, Decimal("1")], ["B", 12, Decimal("2")], ["Totaal", 15, Decimal("3")]]
    assert not snapshot_differences(
        _snapshot(_table(rows)), _snapshot(_table(rows))
    ).has_differences


def test_differences_list_shown_values_and_hide_a_change_behind_small_counts():
    then = _snapshot(_table([["A", 3, Decimal("1")], ["B", 12, Decimal("2")], ["T", 15, None]]))
    # A: 3 -> 4, both "< 5"; B: 12 -> 13; the total 15 -> 17; the amount of A 1 -> 1.5.
    now = _snapshot(_table([["A", 4, Decimal("1.5")], ["B", 13, Decimal("2")], ["T", 17, None]]))
    differences = snapshot_differences(then, now)
    assert differences.cells == [
        CellChange("Hoofdstuk", "Tabel t", "A", "Nieuw", "", "", hidden=True),
        CellChange("Hoofdstuk", "Tabel t", "A", "Bedrag", "1", "1,5"),
        CellChange("Hoofdstuk", "Tabel t", "B", "Nieuw", "12", "13"),
        CellChange("Hoofdstuk", "Tabel t", "T", "Nieuw", "15", "17"),
    ]
    assert not (differences.rows_added or differences.columns_added)


def test_a_count_that_becomes_small_shows_as_the_reader_saw_it():
    then = _snapshot(_table([["A", 6, None], ["B", 0, None], ["T", 6, None]]))
    now = _snapshot(_table([["A", 2, None], ["B", 0, None], ["T", 2, None]]))
    cells = snapshot_differences(then, now).cells
    assert [(c.row, c.published, c.today, c.hidden) for c in cells] == [
        ("A", "6", SUPPRESSED, False),
        ("T", "6", SUPPRESSED, False),
    ]


def test_added_and_removed_tables_rows_and_columns_are_named():
    columns = (Column("label", "Soort", is_label=True), Column("new", "Nieuw"))
    then = _snapshot(
        _table([["A", 1], ["B", 2]], row_keys=("a", "b"), columns=columns),
        _table([["X", 1]], key="old", row_keys=("x",), columns=columns),
    )
    wider = (*columns, Column("running", "Lopend"))
    now = _snapshot(
        _table([["A", 1, 5], ["C", 3, 5]], row_keys=("a", "c"), columns=wider),
        _table([["Y", 1]], key="new", row_keys=("y",), columns=columns),
    )
    differences = snapshot_differences(then, now)
    assert differences.has_differences and differences.cells == []
    assert differences.rows_removed == [Part("Hoofdstuk", "Tabel t", "B")]
    assert differences.rows_added == [Part("Hoofdstuk", "Tabel t", "C")]
    assert differences.columns_added == [Part("Hoofdstuk", "Tabel t", "Lopend")]
    assert differences.tables_removed == [Part("Hoofdstuk", "Tabel old")]
    assert differences.tables_added == [Part("Hoofdstuk", "Tabel new")]


def test_a_renamed_label_is_no_difference_in_the_figures():
    then = _snapshot(_table([["Stad Alfa", 7, None]], row_keys=("1",)))
    now = _snapshot(_table([["Stad Alfa (hernoemd)", 7, None]], row_keys=("1",)))
    assert not snapshot_differences(then, now).has_differences


# --- publishing ---


def _run(world, captured) -> ReportRun:
    return _request_now(world.users["opslead_city_a"], captured)


@pytest.fixture
def year_with_data(world):
    _cases_in(world, YEAR)
    return world


@pytest.mark.django_db
def test_a_finished_run_stores_the_figures_as_the_pdf_shows_them(
    year_with_data, django_capture_on_commit_callbacks
):
    run = _run(year_with_data, django_capture_on_commit_callbacks)
    assert run.status == ReportStatus.DONE and run.figures is not None
    with translation.override("nl"):
        chapters = annual_figures(YEAR)
        expected = figures_snapshot(chapters, language="nl")
    assert run.figures == expected
    assert [c["key"] for c in run.figures["chapters"]] == [c.key for c in chapters]
    per_track = next(
        t for c in run.figures["chapters"] for t in c["tables"] if t["key"] == "cases_per_track"
    )
    chain = next(row for row in per_track["rows"] if row["key"] == str(Track.CHAIN))
    assert chain["raw"][1] == 1 and chain["shown"][1] == SUPPRESSED
    assert per_track["title"] == "Nieuwe en lopende dossiers per spoor"  # Dutch, as the PDF


@pytest.mark.django_db
def test_publishing_freezes_a_copy_and_is_audited(
    year_with_data, django_capture_on_commit_callbacks
):
    world = year_with_data
    lead = world.users["opslead_city_b"]
    run = _run(world, django_capture_on_commit_callbacks)
    published = report_publish(run=run, by=lead, note="  Verstuurd naar de gemeenten.  ")
    # The world's run of the same year is version 1: this is the correction after it.
    assert published.version == world.directory["published_pk"].version + 1 == 2
    assert (published.year, published.run, published.published_by) == (YEAR, run, lead)
    assert published.figures == run.figures and published.checksum == run.checksum
    assert published.note == "Verstuurd naar de gemeenten."
    with run.file.open("rb") as handle:
        import hashlib

        assert published.pdf_sha256 == hashlib.sha256(handle.read()).hexdigest()
    event = AuditEvent.objects.get(
        object_type="reporting.publishedreport", object_id=str(published.pk)
    )
    assert event.action == AuditAction.CHANGE and event.user == lead
    assert event.detail == {"year": YEAR, "version": 2, "run": run.pk, "checksum": run.checksum}


@pytest.mark.django_db
def test_versions_follow_each_other_and_a_run_is_published_once(
    year_with_data, django_capture_on_commit_callbacks
):
    world = year_with_data
    lead = world.users["opslead_city_a"]
    first = _run(world, django_capture_on_commit_callbacks)
    second = _run(world, django_capture_on_commit_callbacks)
    assert report_publish(run=second, by=lead).version == 2
    with pytest.raises(ValidationError, match="published already"):
        report_publish(run=second, by=lead)
    # An older run never replaces a newer publication.
    with pytest.raises(ValidationError, match="later run of this year"):
        report_publish(run=first, by=lead)
    third = _run(world, django_capture_on_commit_callbacks)
    assert report_publish(run=third, by=lead, note="Correctie").version == 3
    assert list(PublishedReport.objects.filter(year=YEAR).values_list("version", "run_id")) == [
        (3, third.pk),
        (2, second.pk),
        (1, world.directory["run_pk"].pk),
    ]


@pytest.mark.django_db
def test_the_service_refuses_what_cannot_be_published(world):
    lead = world.users["opslead_city_a"]
    this_year = ReportRun.objects.create(
        requested_by=lead,
        year=timezone.localdate().year,
        status=ReportStatus.DONE,
        figures={"chapters": []},
        file="reports/x.pdf",
    )
    with pytest.raises(ValidationError, match="once the year is over"):
        report_publish(run=this_year, by=lead)
    before_snapshots = ReportRun.objects.create(
        requested_by=lead, year=YEAR, status=ReportStatus.DONE, file="reports/y.pdf"
    )
    with pytest.raises(ValidationError, match="stored figures"):
        report_publish(run=before_snapshots, by=lead)
    queued = ReportRun.objects.create(requested_by=lead, year=YEAR)
    with pytest.raises(ValidationError, match="stored figures"):
        report_publish(run=queued, by=lead)
    missing_pdf = ReportRun.objects.create(
        requested_by=lead,
        year=YEAR,
        status=ReportStatus.DONE,
        figures={"chapters": []},
        file="reports/gone.pdf",
    )
    with pytest.raises(ValidationError, match="cannot be found"):
        report_publish(run=missing_pdf, by=lead)
    with pytest.raises(ValidationError):
        report_publish(run=missing_pdf, by=lead, note="x" * 1001)
    assert PublishedReport.objects.count() == 1  # the world's


@pytest.mark.django_db
def test_only_the_operations_lead_publishes(world, settings):
    settings.FJC_REPORT_ROLES = ["operations_lead", "network_coordinator"]
    run = ReportRun.objects.create(
        requested_by=world.users["opslead_city_a"], year=YEAR, status=ReportStatus.DONE
    )
    lead_and_admin = make_user(
        "lead_admin", world.orgs["city_a"], RoleCode.OPERATIONS_LEAD, RoleCode.ADMINISTRATOR
    )
    for username in ("netcoord_vo_a", "director_city_a", "admin_city_a", "superuser"):
        user = world.users[username]
        assert not may_publish_annual_reports(user), username
        with pytest.raises(PermissionDenied):
            report_publish(run=run, by=user)
    assert not may_publish_annual_reports(lead_and_admin)
    assert may_publish_annual_reports(world.users["opslead_city_b"])
    inactive = world.users["opslead_city_b"]
    inactive.is_active = False
    assert not may_publish_annual_reports(inactive)


# --- frozen ---


@pytest.mark.django_db
def test_a_publication_cannot_be_changed_or_deleted_by_the_application(world):
    published = world.directory["published_pk"]
    published.note = "rewritten"
    with pytest.raises(FrozenError):
        published.save()
    with pytest.raises(FrozenError):
        published.delete()
    with pytest.raises(FrozenError):
        PublishedReport.objects.filter(pk=published.pk).update(note="rewritten")
    with pytest.raises(FrozenError):
        PublishedReport.objects.filter(pk=published.pk).delete()
    # Its run, and so its PDF, stay as long as it is published.
    with pytest.raises(ProtectedError):
        published.run.delete()
    assert PublishedReport.objects.get(pk=published.pk).note == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE reporting_publishedreport SET note = 'rewritten' WHERE id = %s",
        "UPDATE reporting_publishedreport SET checksum = '' WHERE id = %s",
        "DELETE FROM reporting_publishedreport WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_a_publication(world, statement):
    published = world.directory["published_pk"]
    with (
        pytest.raises(DatabaseError, match="frozen"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [published.pk])
    assert PublishedReport.objects.filter(pk=published.pk, note="", version=1).exists()


# --- the pages ---


def _publish_url(run: ReportRun) -> str:
    return reverse("reporting:report_publish", kwargs={"run_pk": run.pk})


def _differences_url(published: PublishedReport) -> str:
    return reverse("reporting:report_differences", kwargs={"published_pk": published.pk})


@pytest.mark.django_db
def test_submitting_the_publish_form_twice_makes_one_version(
    year_with_data, client, django_capture_on_commit_callbacks
):
    world = year_with_data
    run = _run(world, django_capture_on_commit_callbacks)
    client.force_login(world.users["opslead_city_a"])
    page = client.get(reverse("reporting:reports")).content.decode()
    assert _publish_url(run) in page
    assert _publish_url(world.directory["run_pk"]) not in page  # published already
    first = client.post(_publish_url(run), {"note": "Eerste publicatie"}, follow=True)
    second = client.post(_publish_url(run), {"note": "Eerste publicatie"}, follow=True)
    assert PublishedReport.objects.filter(run=run).count() == 1
    assert "gepubliceerd als versie 2" in first.content.decode()
    assert "al gepubliceerd" in second.content.decode()
    assert client.get(_publish_url(run)).status_code == 405  # a POST only


@pytest.mark.django_db
def test_a_report_role_without_publishing_sees_but_cannot_publish(
    year_with_data, client, settings, django_capture_on_commit_callbacks
):
    settings.FJC_REPORT_ROLES = ["operations_lead", "network_coordinator"]
    world = year_with_data
    run = _run(world, django_capture_on_commit_callbacks)
    client.force_login(world.users["netcoord_vo_a"])
    page = client.get(reverse("reporting:reports")).content.decode()
    assert _publish_url(run) not in page
    assert client.post(_publish_url(run)).status_code == 403
    assert client.get(_differences_url(world.directory["published_pk"])).status_code == 200
    assert not PublishedReport.objects.filter(run=run).exists()


def _new_case_in(world, opened_on: datetime.date, track: int = Track.ADVICE) -> None:
    """A registration through the service; back-dated when ``opened_on`` is in the past."""
    director = world.users["director_city_a"]
    case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        track=track,
        opened_on=opened_on,
    )


type Names = tuple[str, str, str, str]


def _cells(chapters) -> dict[Names, tuple[Names, str, object]]:
    """(chapter, table, row key, column key) -> ((chapter title, table title, row label,
    column label), shown value, raw value), label columns left out: straight from the
    selectors, not from a stored snapshot."""
    cells: dict[Names, tuple[Names, str, object]] = {}
    for chapter in chapters:
        for table in chapter.tables:
            for index, (row, shown) in enumerate(
                zip(table.rows, table.display_rows(), strict=True)
            ):
                label = " \u2013 ".join(
                    value for value, c in zip(shown, table.columns, strict=True) if c.is_label
                )
                row_key = table.row_keys[index] if table.row_keys else str(index)
                for column, raw, value in zip(table.columns, row, shown, strict=True):
                    if not column.is_label:
                        names: Names = (
                            chapter.title,
                            table.title,
                            label or row_key,
                            column.label,
                        )
                        cells[(chapter.key, table.key, row_key, column.key)] = (names, value, raw)
    return cells


def _expected_changes(before, after) -> list[CellChange]:
    changes = []
    for key, (names, shown, raw) in before.items():
        _names, shown_now, raw_now = after[key]
        chapter, table, row, column = names
        if shown != shown_now:
            changes.append(CellChange(chapter, table, row, column, shown, shown_now))
        elif raw != raw_now:
            changes.append(CellChange(chapter, table, row, column, "", "", hidden=True))
    return changes


@pytest.mark.django_db
def test_a_back_dated_case_shows_exactly_the_changed_cells(
    year_with_data, client, django_capture_on_commit_callbacks
):
    world = year_with_data
    lead = world.users["opslead_city_a"]
    published = report_publish(run=_run(world, django_capture_on_commit_callbacks), by=lead)
    with translation.override("nl"):
        before = _cells(annual_figures(YEAR))
    # The back-dated corrections: a track-1 case and a track-3 case opened in June.
    _new_case_in(world, datetime.date(YEAR, 6, 1))
    _new_case_in(world, datetime.date(YEAR, 6, 1), Track.CHAIN)
    with translation.override("nl"):
        after = _cells(annual_figures(YEAR))
        track_3 = str(Track.CHAIN.label)
    today = _run(world, django_capture_on_commit_callbacks)
    assert set(before) == set(after)

    client.force_login(world.users["opslead_city_b"])
    response = client.get(_differences_url(published))
    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert comparison.today == today and comparison.differs
    differences = comparison.differences
    assert not any(
        (
            differences.tables_added,
            differences.tables_removed,
            differences.rows_added,
            differences.rows_removed,
            differences.columns_added,
            differences.columns_removed,
        )
    )
    # Exactly the cells whose shown (or hidden raw) value changed, in the report's order.
    expected = _expected_changes(before, after)
    assert len(expected) > 2
    assert differences.cells == expected
    # The total of new cases, as a reader of the PDF sees it (a track's own count may be
    # hidden as a complement); the track-3 count stays hidden.
    new_total = before[("cases", "cases_per_track", "total", "new")]
    raw_total = new_total[2]
    assert isinstance(raw_total, int)
    change = next(
        c for c in differences.cells if (c.chapter, c.table, c.row, c.column) == new_total[0]
    )
    assert (change.published, change.today) == (str(raw_total), str(raw_total + 2))
    new_track_3 = before[("cases", "cases_per_track", str(Track.CHAIN), "new")]
    change = next(
        c for c in differences.cells if (c.chapter, c.table, c.row, c.column) == new_track_3[0]
    )
    assert change.hidden and new_track_3[1:] == (SUPPRESSED, 1)
    # The page, in Dutch: the cell is there, the hidden counts are not.
    body = response.content.decode()
    assert "Nieuwe en lopende dossiers per spoor" in body
    assert "Gewijzigd; niet getoond" in body
    row = re.search(
        rf"<td>{re.escape(track_3)}</td>\s*<td>{new_track_3[0][3]}</td>(.*?)</tr>", body, re.S
    )
    assert row and "Gewijzigd; niet getoond" in row.group(1)
    shown = re.sub(r"<[^>]+>", "", row.group(1))
    assert not re.search(r"\d", shown)
    assert re.search(
        rf"<td>{re.escape(new_total[0][2])}</td>\s*<td>{new_total[0][3]}</td>\s*"
        rf"<td>{raw_total}</td>\s*<td>{raw_total + 2}</td>",
        body,
    )

    # The list says so and links to the page.
    page = client.get(reverse("reporting:reports")).content.decode()
    assert 'data-comparison="differs"' in page and _differences_url(published) in page


@pytest.mark.django_db
def test_an_unchanged_recomputation_shows_no_differences(
    year_with_data, client, django_capture_on_commit_callbacks
):
    world = year_with_data
    published = report_publish(
        run=_run(world, django_capture_on_commit_callbacks), by=world.users["opslead_city_a"]
    )
    client.force_login(world.users["opslead_city_a"])
    page = client.get(reverse("reporting:reports")).content.decode()
    assert 'data-comparison="not-recomputed"' in page
    # An event after the year changes nothing in it.
    _new_case_in(world, timezone.localdate())
    today = _run(world, django_capture_on_commit_callbacks)
    response = client.get(_differences_url(published))
    assert response.context["comparison"].today == today
    assert not response.context["comparison"].differs
    assert 'data-differences="none"' in response.content.decode()
    assert "Geen verschillen" in response.content.decode()
    page = client.get(reverse("reporting:reports")).content.decode()
    assert 'data-comparison="same"' in page
    # Both versions stay listed, each with its PDF through the audited download.
    for version in PublishedReport.objects.filter(year=YEAR):
        assert f'id="published-version-{version.pk}"' in page
        assert reverse("reporting:report_download", kwargs={"run_pk": version.run_id}) in page


@pytest.mark.django_db
def test_the_differences_page_costs_the_same_queries_whatever_the_figures(
    world, client, django_assert_num_queries
):
    published = world.directory["published_pk"]
    client.force_login(world.users["opslead_city_a"])

    def later_run(rows: int) -> None:
        # The world's published table, with many more rows.
        table = _table(
            [[f"R{i}", i, None] for i in range(rows)],
            key="cases_per_track",
            row_keys=[f"x{i}" for i in range(rows)],
        )
        ReportRun.objects.create(
            requested_by=world.users["opslead_city_a"],
            year=YEAR,
            status=ReportStatus.DONE,
            figures=figures_snapshot([Chapter("cases", "Dossiers", [table])], language="nl"),
        )

    later_run(3)
    client.get(_differences_url(published))
    with CaptureQueriesContext(connection) as small:
        client.get(_differences_url(published))
    later_run(300)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(_differences_url(published))
    assert len(response.context["comparison"].differences.rows_added) == 300


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_whatever_the_published_years(
    world, client, django_assert_num_queries
):
    lead = world.users["opslead_city_a"]
    client.force_login(lead)
    client.get(reverse("reporting:reports"))
    with CaptureQueriesContext(connection) as one_year:
        client.get(reverse("reporting:reports"))
    for year in (2019, 2020, 2021):
        for _ in range(2):
            run = ReportRun.objects.create(
                requested_by=lead,
                year=year,
                status=ReportStatus.DONE,
                figures=world.directory["run_pk"].figures,
                file=world.directory["run_pk"].file.name,
            )
            report_publish(run=run, by=lead)
        ReportRun.objects.create(
            requested_by=lead, year=year, status=ReportStatus.DONE, figures={"chapters": []}
        )
    with django_assert_num_queries(len(one_year.captured_queries)):
        response = client.get(reverse("reporting:reports"))
    years = response.context["published_years"]
    assert [y.year for y in years] == [YEAR, 2021, 2020, 2019]
    assert all(y.comparison.differs for y in years[1:])
    assert [len(y.versions) for y in years] == [1, 2, 2, 2]
