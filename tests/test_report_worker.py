"""The annual report task in a real Celery worker, through the real Redis of scripts/test.sh."""

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
