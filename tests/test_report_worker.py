"""The annual report task in a real Celery worker, through the real Redis of scripts/test.sh."""

import datetime
import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.roles import RoleCode
from partners.models import OrganisationKind
from reporting.figures import annual_figures, figures_checksum
from reporting.models import ReportRun, ReportStatus
from reporting.services import report_request

from .factories import make_case, make_organisation, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs the Redis of scripts/test.sh (REDIS_URL)"
    ),
]


def _wait_until_finished(run: ReportRun, timeout: float = 90) -> ReportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (ReportStatus.DONE, ReportStatus.FAILED):
            return run
        time.sleep(0.2)
    pytest.fail(f"run still {run.status} after {timeout} s")


def test_a_real_worker_builds_the_report(transactional_db, redis_celery):
    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    director = make_user("director", organisation, RoleCode.CASE_DIRECTOR)
    lead = make_user("lead", organisation, RoleCode.OPERATIONS_LEAD)
    for _ in range(6):
        make_case(director)
    year = timezone.localdate().year

    with start_worker(redis_celery, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        # Committed (transactional test), so on_commit hands the id to Redis right away.
        run = report_request(year=year, by=lead)
        assert ReportRun.objects.get(pk=run.pk).celery_task_id == run.celery_task_id
        run = _wait_until_finished(run)

    assert run.status == ReportStatus.DONE, run.error
    assert run.progress == 100 and run.started_at is not None
    assert run.checksum == figures_checksum(annual_figures(year))
    with run.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_crashed_run_is_finished_by_the_redelivered_message_and_late_duplicates_do_nothing(
    transactional_db, redis_celery, settings
):
    """A worker killed mid-run (simulated: the run left 'running' with an old heartbeat, a
    partial file, and its message delivered again, as Redis does after the visibility
    timeout). Then the old messages come back once more, late: they change nothing."""
    from pathlib import Path
    from uuid import uuid4

    from reporting import runs
    from reporting.tasks import build_annual_report

    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    lead = make_user("lead", organisation, RoleCode.OPERATIONS_LEAD)
    year = timezone.localdate().year
    old = timezone.now() - datetime.timedelta(seconds=settings.FJC_REPORT_STALE_SECONDS + 5)
    # Another crashed run that the beat task gave up on before its message came back.
    given_up = ReportRun.objects.create(
        requested_by=lead,
        year=year - 1,
        status=ReportStatus.RUNNING,
        claim_token=uuid4(),
        attempts=1,
        started_at=old,
        heartbeat_at=old,
    )
    assert runs.expire_stale_runs() == [given_up.pk]
    crashed = ReportRun.objects.create(
        requested_by=lead,
        year=year,
        status=ReportStatus.RUNNING,
        claim_token=uuid4(),
        attempts=1,
        progress=40,
        started_at=old,
        heartbeat_at=old,
    )
    assert crashed.claim_token is not None
    media = Path(settings.MEDIA_ROOT)
    leftover = media / runs.partial_name(crashed.pk, crashed.claim_token)
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"%PDF-1.7 truncated")

    with start_worker(redis_celery, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        build_annual_report.apply_async((crashed.pk,))
        crashed = _wait_until_finished(crashed)
        assert crashed.status == ReportStatus.DONE, crashed.error
        finished_at, name = crashed.finished_at, crashed.file.name
        # Late duplicates of both; then a new request, which the solo worker takes after
        # them: once it is done, the duplicates have been handled.
        build_annual_report.apply_async((crashed.pk,))
        build_annual_report.apply_async((given_up.pk,))
        later = _wait_until_finished(report_request(year=year - 2, by=lead))
    assert later.status == ReportStatus.DONE, later.error

    crashed.refresh_from_db()
    given_up.refresh_from_db()
    assert crashed.attempts == 2 and crashed.status == ReportStatus.DONE
    assert (crashed.finished_at, crashed.file.name) == (finished_at, name)
    assert given_up.status == ReportStatus.FAILED and not given_up.file
    # Exactly one file for the finished run; nothing partial anywhere.
    assert name and list((media / runs.FINAL_DIR).glob(f"*-{crashed.pk}.pdf")) == [media / name]
    assert list((media / runs.PARTIAL_DIR).glob("*")) == []
    assert list((media / runs.FINAL_DIR).glob(f"*-{given_up.pk}.pdf")) == []
