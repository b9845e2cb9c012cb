"""``kill -9`` of a real Celery worker in the middle of a report (issue 15, "Done when").

Not simulated: ``celery -A fjc worker`` runs as a subprocess against this test database, this
worker's Redis and this test's private storage, as deployed (prefork, ``acks_late``,
``reject_on_worker_lost``, prefetch 1). Its whole process group is killed with SIGKILL while
a run is claimed and beating, a fresh worker is started, and the run must end failed and
retryable in the database (no user looking at any page) within a minute, leaving no file;
asking again then gives exactly one new finished run with exactly one file.

To kill the worker *mid*-report without any switch in the production code, the test makes
the database slow, as a long query or a lock would: another connection holds an ACCESS
EXCLUSIVE lock on the cases table, so the task, once it has claimed the run and started
computing the figures, waits on it (its heartbeat thread keeps beating meanwhile).

Select with ``-k worker_killed``.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection, connections
from django.utils import timezone

from accounts.roles import RoleCode
from partners.models import OrganisationKind
from reporting import runs
from reporting.models import STALE_MESSAGE, ReportRun, ReportStatus
from reporting.reports import report_ask

from .factories import make_case, make_organisation, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs the Redis of scripts/test.sh (REDIS_URL)"
    ),
    # Its worker is another process, on the real clock: this test must be on it too.
    pytest.mark.real_clock,
]

STALE_SECONDS = 10  # the lowest the settings allow


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _worker_environment(media_root: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fjc.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "DJANGO_PRIVATE_MEDIA_ROOT": str(media_root),
        "FJC_REPORT_STALE_SECONDS": str(STALE_SECONDS),
        "DJANGO_LOG_LEVEL": "INFO",
    }
    environment.pop("PYTEST_XDIST_WORKER", None)
    return environment


class Worker:
    """``celery -A fjc worker`` in a process group of its own (``kill -9`` of the group is
    what an OOM kill of the container or ``docker kill`` does)."""

    def __init__(self, name: str, media_root: Path, log: Path) -> None:
        self.log = log
        self._log_handle = open(log, "wb")  # noqa: SIM115  (closed in stop/kill)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fjc",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
            ],
            cwd=django_settings.BASE_DIR,
            env=_worker_environment(media_root),
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log_handle.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_handle.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_for(condition: Any, timeout: float, what: str, workers: list[Worker]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    logs = "\n".join(f"--- {worker.log.name}\n{worker.output()}" for worker in workers)
    pytest.fail(f"{what}: not within {timeout} s\n{logs}")


def _files(media_root: Path) -> tuple[list[Path], list[Path]]:
    return (
        sorted((media_root / runs.FINAL_DIR).glob("*")),
        sorted((media_root / runs.PARTIAL_DIR).glob("*")),
    )


@pytest.fixture
def slow_figures() -> Iterator[Any]:
    """Holds the cases table locked from another connection until released (or the end)."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("LOCK TABLE cases_case IN ACCESS EXCLUSIVE MODE")
    released = threading.Event()

    def release() -> None:
        if not released.is_set():
            released.set()
            other.rollback()
            other.close()

    yield release
    release()


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%cases_case%"],
        )
        return bool(cursor.fetchone()[0])


def test_worker_killed_mid_report_ends_failed_and_retryable_and_asking_again_builds_one(
    transactional_db, redis_celery, settings, tmp_path, slow_figures
):
    started = time.monotonic()
    settings.FJC_REPORT_STALE_SECONDS = STALE_SECONDS
    # A private storage of its own: nothing another test left can be taken for a file.
    media_root = tmp_path / "private"
    settings.MEDIA_ROOT = media_root
    organisation = make_organisation("Stad Alfa", OrganisationKind.CITY)
    director = make_user("director", organisation, RoleCode.CASE_DIRECTOR)
    lead = make_user("lead", organisation, RoleCode.OPERATIONS_LEAD)
    year = timezone.localdate().year
    workers: list[Worker] = []
    try:
        first = Worker("first", media_root, tmp_path / "first.log")
        workers.append(first)
        run, joined = report_ask(year=year, by=lead)
        assert not joined

        def claimed() -> bool:
            run.refresh_from_db()
            return run.status == ReportStatus.RUNNING and run.heartbeat_at is not None

        _wait_for(claimed, 40, "the first worker claiming the run", workers)
        claimed_after = time.monotonic() - started
        # Mid-report: computing the figures, held by the lock, its heartbeat still going.
        _wait_for(_waiting_on_a_lock, 10, "the task waiting for the figures", workers)
        first_beat = run.heartbeat_at
        assert first_beat is not None
        _wait_for(
            lambda: (ReportRun.objects.get(pk=run.pk).heartbeat_at or first_beat) > first_beat,
            STALE_SECONDS,
            "a heartbeat while the task waits",
            workers,
        )
        # A second request while it runs joins it: one run.
        assert report_ask(year=year, by=lead) == (ReportRun.objects.get(pk=run.pk), True)

        first.kill()
        slow_figures()
        killed_at = time.monotonic()
        run.refresh_from_db()
        assert run.status == ReportStatus.RUNNING  # killed before it could finish

        fresh = Worker("fresh", media_root, tmp_path / "fresh.log")
        workers.append(fresh)
        restarted_at = time.monotonic()

        # Nobody looks at a page: the database alone must tell the truth, within a minute.
        def settled() -> bool:
            run.refresh_from_db(fields=["status"])
            return run.status in (ReportStatus.DONE, ReportStatus.FAILED)

        _wait_for(settled, 60, "the killed run being settled after the restart", workers)
        settled_after = time.monotonic() - restarted_at
        settled_since_kill = time.monotonic() - killed_at
        run.refresh_from_db()
        assert run.status == ReportStatus.FAILED, run.status
        assert run.error == STALE_MESSAGE and not run.file
        # Failed and retryable: no file of it, nothing partial; it no longer blocks the year.
        assert _files(media_root) == ([], [])

        # Asking again, twice at the same moment: one new run, built by the fresh worker.
        make_case(director)
        answers: list[tuple[ReportRun, bool]] = []
        barrier = threading.Barrier(2)

        def ask() -> None:
            try:
                barrier.wait()
                answers.append(report_ask(year=year, by=lead))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=ask) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(answers) == 2
        assert len({again.pk for again, _joined in answers}) == 1
        assert sorted(joined for _run, joined in answers) == [False, True]
        again = answers[0][0]
        assert again.pk != run.pk

        def finished() -> bool:
            again.refresh_from_db()
            return again.status in (ReportStatus.DONE, ReportStatus.FAILED)

        asked_at = time.monotonic()
        _wait_for(finished, 60, "the new run finishing", workers)
        built_in = time.monotonic() - asked_at
        assert again.status == ReportStatus.DONE, again.error
        assert ReportRun.objects.filter(year=year).count() == 2
        assert ReportRun.objects.filter(year=year, status=ReportStatus.DONE).count() == 1
        # Exactly one file in private storage: the new run's, complete; nothing partial.
        final, partial = _files(media_root)
        assert final == [media_root / again.file.name] and partial == []
        assert final[0].read_bytes().startswith(b"%PDF-")
        run.refresh_from_db()
        assert run.status == ReportStatus.FAILED and not run.file
    finally:
        for worker in workers:
            worker.stop()
    print(
        f"\nclaimed after {claimed_after:.1f} s; the killed run settled {settled_after:.1f} s "
        f"after the restart ({settled_since_kill:.1f} s after the kill); the new run built in "
        f"{built_in:.1f} s; whole test {time.monotonic() - started:.1f} s"
    )
