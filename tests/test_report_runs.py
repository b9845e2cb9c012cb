"""Report runs under faults (issue 15): claims, heartbeats, stale runs, joining, files.

The real worker (redelivery, late duplicates) is in test_report_worker.py; these run the
task eagerly or call ``reporting.runs`` directly.
"""

import datetime
import os
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RoleCode
from partners.models import OrganisationKind
from reporting import pdf, reports, runs, tasks
from reporting.models import STALE_MESSAGE, ReportRun, ReportStatus
from reporting.services import report_ask

from .clock import TODAY
from .factories import make_organisation, make_user

YEAR = TODAY.year - 1


def _files(run_id: int) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [
        *(root / runs.PARTIAL_DIR).glob(f"{run_id}-*"),
        *(root / runs.FINAL_DIR).glob(f"*-{run_id}.pdf"),
    ]


def _running(user, *, beat_seconds_ago: float, year: int = YEAR) -> ReportRun:
    return ReportRun.objects.create(
        requested_by=user,
        year=year,
        status=ReportStatus.RUNNING,
        claim_token=uuid.uuid4(),
        attempts=1,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=beat_seconds_ago),
    )


@pytest.mark.django_db
def test_a_second_request_joins_the_active_run_and_the_database_refuses_two(world, client):
    lead = world.users["opslead_city_a"]
    active = _running(lead, beat_seconds_ago=5)
    run, joined = report_ask(year=YEAR, by=world.users["opslead_city_a"])
    assert joined and run.pk == active.pk
    client.force_login(lead)
    response = client.post(reverse("reporting:reports"), {"year": YEAR}, follow=True)
    assert f"#{active.pk}" in response.content.decode()
    assert ReportRun.objects.filter(year=YEAR, status__in=("queued", "running")).count() == 1
    # Not only a check in the service: the database has the last word.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(requested_by=lead, year=YEAR)


@pytest.mark.django_db
def test_a_stale_run_is_failed_with_its_partial_file_and_asking_again_makes_a_new_run(
    world, settings
):
    lead = world.users["opslead_city_a"]
    stale = _running(lead, beat_seconds_ago=settings.FJC_REPORT_STALE_SECONDS + 1)
    alive = _running(lead, beat_seconds_ago=settings.FJC_REPORT_STALE_SECONDS - 5, year=YEAR - 1)
    assert stale.claim_token is not None
    partial = Path(settings.MEDIA_ROOT) / runs.partial_name(stale.pk, stale.claim_token)
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"%PDF-1.7 trunc")

    assert tasks.fail_stale_report_runs() == 1
    stale.refresh_from_db()
    alive.refresh_from_db()
    assert (stale.status, stale.error) == (ReportStatus.FAILED, STALE_MESSAGE)
    assert alive.status == ReportStatus.RUNNING
    assert not partial.exists()

    retry, joined = report_ask(year=YEAR, by=lead)
    assert not joined and retry.pk != stale.pk and retry.status == ReportStatus.QUEUED


@pytest.mark.django_db
def test_a_queued_run_no_worker_took_is_failed_after_the_time_limit(world, settings):
    lead = world.users["opslead_city_a"]
    queued = ReportRun.objects.create(requested_by=lead, year=YEAR)
    old = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 61)
    ReportRun.objects.filter(pk=queued.pk).update(created_at=old)
    assert runs.expire_stale_runs() == [queued.pk]


@pytest.mark.django_db
def test_only_the_claiming_delivery_writes_and_a_finished_run_is_never_claimed(world):
    lead = world.users["opslead_city_a"]
    done = world.directory["run_pk"]
    assert runs.claim(done.pk) is None
    alive = _running(lead, beat_seconds_ago=1)
    assert runs.claim(alive.pk) is None  # busy elsewhere: a duplicate does nothing

    stale = _running(lead, beat_seconds_ago=3600, year=YEAR - 1)
    old_token = stale.claim_token
    assert old_token is not None
    new_token = runs.claim(stale.pk)
    assert new_token is not None and new_token != old_token
    stale.refresh_from_db()
    assert stale.attempts == 2 and stale.status == ReportStatus.RUNNING
    # The old delivery, back from the dead, can neither beat, fail nor finish the run.
    assert runs.beat(stale.pk, old_token) is False
    runs.fail(stale.pk, old_token, tasks.FAILED_MESSAGE)
    assert runs.finish(stale, old_token, content=b"%PDF-old", checksum="x", figures={}) is False
    stale.refresh_from_db()
    assert stale.status == ReportStatus.RUNNING and not stale.file
    assert _files(stale.pk) == []
    assert runs.finish(stale, new_token, content=b"%PDF-new", checksum="y", figures={})
    stale.refresh_from_db()
    assert stale.status == ReportStatus.DONE
    assert [path.name for path in _files(stale.pk)] == [f"jaarcijfers-{YEAR - 1}-{stale.pk}.pdf"]
    # Finished is final: the same delivery, or any other, changes nothing any more.
    assert runs.claim(stale.pk) is None
    runs.fail(stale.pk, new_token, tasks.FAILED_MESSAGE)
    stale.refresh_from_db()
    assert stale.status == ReportStatus.DONE


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["render", "rename"])
def test_a_failure_leaves_no_file(world, django_capture_on_commit_callbacks, monkeypatch, where):
    lead = world.users["opslead_city_a"]
    if where == "render":

        def broken_pdf(**kwargs):
            raise RuntimeError("WeasyPrint fell over")

        monkeypatch.setattr(pdf, "report_pdf", broken_pdf)
    else:
        real_replace = os.replace

        def replace_then_fail(source, target):
            # The file is in place, then the disk (or the database) fails.
            real_replace(source, target)
            raise OSError("disk full")

        monkeypatch.setattr(runs.os, "replace", replace_then_fail)
    with django_capture_on_commit_callbacks(execute=True):
        run, _joined = report_ask(year=YEAR, by=lead)
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED and not run.file
    assert _files(run.pk) == []


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_give_one_run(monkeypatch):
    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    leads = [make_user(f"lead{i}", organisation, RoleCode.OPERATIONS_LEAD) for i in range(2)]
    dispatched = []
    monkeypatch.setattr(reports, "_dispatch", lambda run_id, task_id: dispatched.append(run_id))
    # Both pass the "is there one already?" check before either inserts: the constraint
    # decides, the second waits for the first's commit and joins its run.
    barrier = threading.Barrier(2)
    real_ask = reports._ask

    def ask_together(**kwargs):
        barrier.wait(timeout=10)
        return real_ask(**kwargs)

    monkeypatch.setattr(reports, "_ask", ask_together)
    results: list[tuple[ReportRun, bool]] = []
    errors: list[BaseException] = []

    def request(user):
        from django.db import connection

        try:
            results.append(report_ask(year=YEAR, by=user))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len({run.pk for run, _joined in results}) == 1
    assert sorted(joined for _run, joined in results) == [False, True]
    assert ReportRun.objects.count() == 1 and len(dispatched) == 1


@pytest.mark.django_db
def test_the_migration_keeps_the_newest_active_run_per_year_and_loses_no_run(world):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module(
        "reporting.migrations.0006_report_run_claim_heartbeat_one_active"
    )
    # Before 0006 a year could have several active runs: take the rule away in this test.
    with connection.cursor() as cursor:
        # A conditional unique constraint is a partial unique index in PostgreSQL.
        cursor.execute("DROP INDEX reportrun_one_active_per_year_and_kind")
    lead = world.users["opslead_city_a"]
    older = ReportRun.objects.create(requested_by=lead, year=YEAR, status=ReportStatus.RUNNING)
    newer = ReportRun.objects.create(requested_by=lead, year=YEAR)
    other_year = ReportRun.objects.create(requested_by=lead, year=YEAR - 1)
    before = ReportRun.objects.count()
    migration.fail_older_active_runs(apps, None)
    migration.fail_older_active_runs(apps, None)  # and again: nothing more changes
    statuses = dict(ReportRun.objects.values_list("pk", "status"))
    assert ReportRun.objects.count() == before
    assert statuses[older.pk] == ReportStatus.FAILED
    assert statuses[newer.pk] == statuses[other_year.pk] == ReportStatus.QUEUED
    assert ReportRun.objects.get(pk=older.pk).error == STALE_MESSAGE
    assert statuses[world.directory["run_pk"].pk] == ReportStatus.DONE
