"""The life of a report run in the background: claim, heartbeat, finish, fail, give up.

Celery delivers a task at least once (``acks_late``, ``reject_on_worker_lost``): after a
worker is killed its message comes back, possibly long after the run was given up on and
asked for again. So every write of the task is conditional on the run's ``claim_token``:

- a delivery *claims* the run with one ``UPDATE ... WHERE status = 'queued' OR (status =
  'running' AND heartbeat older than FJC_REPORT_STALE_SECONDS)`` that sets a fresh token;
  a delivery that claims nothing (finished, failed, or alive elsewhere) does nothing;
- while it works it writes ``heartbeat_at`` (at every step and from a small thread);
- it finishes or fails the run only ``WHERE claim_token = <its token> AND status =
  'running'``: a finished run is never touched again, a run another delivery claimed is
  left to that delivery.

A running run whose heartbeat is older than FJC_REPORT_STALE_SECONDS, or a queued run
that no worker took within the hard time limit plus a minute, is failed *in the database*
by ``expire_stale_runs`` (a beat task every minute, once by every worker that starts, after
the stale window, and every look at the runs' pages), and its partial file is removed. Asking again makes a new run (the failed one stays, as
the record of what happened).

The PDF is stored under its final name in the transaction that marks the run done; a
failure removes it, so a failed run has no file and a finished run exactly one. How a file
appears whole depends on the storage (``STORAGES["default"]``):

- a folder (``FileSystemStorage``): written to ``reports/partial/<run>-<token>.part``,
  flushed to disk, and renamed (``os.replace``, atomic on one file system) to the final name;
- an S3-compatible bucket: one PUT of the whole PDF under the final name. S3 makes an object
  visible only once it is complete (there is no partial object to see and no rename), and a
  PUT on an existing key replaces it whole.
"""

import datetime
import logging
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from reporting.models import STALE_MESSAGE, ReportRun, ReportStatus

logger = logging.getLogger(__name__)

PARTIAL_DIR = "reports/partial"
FINAL_DIR = "reports/runs"
# A queued run is given up on when no worker took it within the hard time limit and this.
QUEUED_MARGIN_SECONDS = 60


def stale_seconds() -> int:
    return int(settings.FJC_REPORT_STALE_SECONDS)


def heartbeat_interval() -> float:
    # Four beats per stale window: one slow write never makes a live run look dead.
    return max(stale_seconds() / 4, 0.2)


def _stale(now: datetime.datetime) -> Q:
    beat_cutoff = now - datetime.timedelta(seconds=stale_seconds())
    queued_cutoff = now - datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT + QUEUED_MARGIN_SECONDS
    )
    running_stale = Q(status=ReportStatus.RUNNING) & (
        Q(heartbeat_at__lt=beat_cutoff) | Q(heartbeat_at__isnull=True)
    )
    return running_stale | Q(status=ReportStatus.QUEUED, created_at__lt=queued_cutoff)


def partial_name(run_id: int, token: uuid.UUID) -> str:
    return f"{PARTIAL_DIR}/{run_id}-{token}.part"


def final_name(year: int, run_id: int) -> str:
    # One name per run, whatever the attempt: a rename replaces, never adds a second file.
    return f"{FINAL_DIR}/jaarcijfers-{year}-{run_id}.pdf"


def _local_path(name: str, storage: Storage | None = None) -> Path | None:
    """The file's path when the storage is a local folder; None for a bucket."""
    try:
        return Path((storage or default_storage).path(name))
    except NotImplementedError:
        return None


def _remove(name: str) -> None:
    # Both storages ignore a name that is not there.
    default_storage.delete(name)


def _leftover_partials(run_id: int) -> list[str]:
    """Partial files of earlier attempts of this run (only a folder has them)."""
    try:
        _dirs, files = default_storage.listdir(PARTIAL_DIR)
    except FileNotFoundError:
        return []
    return [f"{PARTIAL_DIR}/{file}" for file in files if file.startswith(f"{run_id}-")]


# --- the task's side ---


def claim(run_id: int) -> uuid.UUID | None:
    """Take the run for this delivery, atomically; None when there is nothing to take."""
    token = uuid.uuid4()
    now = timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | (Q(status=ReportStatus.RUNNING) & _stale(now))
    taken = (
        ReportRun.objects.filter(claimable, pk=run_id).update(
            status=ReportStatus.RUNNING,
            claim_token=token,
            attempts=F("attempts") + 1,
            heartbeat_at=now,
            started_at=now,
            progress=0,
            progress_label="",
            error="",
        )
        == 1
    )
    return token if taken else None


def _mine(run_id: int, token: uuid.UUID) -> Any:
    return ReportRun.objects.filter(pk=run_id, claim_token=token, status=ReportStatus.RUNNING)


def beat(run_id: int, token: uuid.UUID) -> bool:
    """A sign of life; False when the run is no longer this delivery's."""
    return _mine(run_id, token).update(heartbeat_at=timezone.now()) == 1


def progress(run_id: int, token: uuid.UUID, percent: int, label: str) -> None:
    # A plain UPDATE, committed at once (tasks run outside a transaction), so the page
    # polling the row sees each step; it is a heartbeat too.
    _mine(run_id, token).update(progress=percent, progress_label=label, heartbeat_at=timezone.now())


def fail(run_id: int, token: uuid.UUID, message: str) -> None:
    _mine(run_id, token).update(
        status=ReportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    _remove(partial_name(run_id, token))


def finish(
    run: ReportRun, token: uuid.UUID, *, content: bytes, checksum: str, figures: Any
) -> bool:
    """Store the PDF under its final name and mark the run done, both or neither.

    False (and no file) when the run is no longer this delivery's."""
    storage = default_storage
    partial = partial_name(run.pk, token)
    partial_path = _local_path(partial, storage)
    if partial_path is not None:
        partial_path.parent.mkdir(parents=True, exist_ok=True)
        with open(partial_path, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    name = final_name(run.year, run.pk)
    placed = False
    try:
        with transaction.atomic():
            if not _mine(run.pk, token).select_for_update().exists():
                logger.info("annual report run %s: claimed by another delivery", run.pk)
                return False
            final_path = _local_path(name, storage)
            # From here on a failure removes whatever may stand under the final name.
            placed = True
            if partial_path is not None and final_path is not None:
                final_path.parent.mkdir(parents=True, exist_ok=True)
                os.replace(partial_path, final_path)
            else:
                # A bucket: one PUT. What an earlier, killed attempt may have stored under
                # this name goes first, so that the storage keeps the name (it never
                # overwrites, and would pick another one).
                storage.delete(name)
                stored = storage.save(name, ContentFile(content))
                if stored != name:
                    storage.delete(stored)
                    raise RuntimeError(f"annual report run {run.pk}: stored as {stored}")
            _mine(run.pk, token).update(
                file=name,
                checksum=checksum,
                figures=figures,
                status=ReportStatus.DONE,
                progress=100,
                progress_label=gettext_noop("Done"),
                error="",
                heartbeat_at=timezone.now(),
                finished_at=timezone.now(),
            )
    except BaseException:
        # The row was not marked done (the transaction rolled back): no file either.
        if placed:
            _remove(name)
        raise
    finally:
        if partial_path is not None:
            partial_path.unlink(missing_ok=True)
    # Done, so no delivery can claim the run any more: what earlier, killed attempts left
    # behind goes, and the run has exactly one file.
    for leftover in _leftover_partials(run.pk):
        _remove(leftover)
    return True


class Heartbeat:
    """A small thread that beats while the task works (a long step, such as WeasyPrint
    laying out the whole PDF, must not make a live run look dead). It dies with the
    worker, which is the point."""

    def __init__(self, run_id: int, token: uuid.UUID) -> None:
        self.run_id = run_id
        self.token = token
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"report-heartbeat-{run_id}", daemon=True
        )

    def _loop(self) -> None:
        try:
            while not self._stop.wait(heartbeat_interval()):
                if not beat(self.run_id, self.token):
                    return
        except Exception:
            logger.exception("annual report run %s: heartbeat failed", self.run_id)
        finally:
            # The thread's own database connection.
            connection.close()

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the sweeper's side ---


def expire_stale_runs() -> list[int]:
    """Fail, in the database, every run whose worker is gone; return their ids.

    Row by row, each conditional on the claim it saw: a run that a redelivered message
    claimed in between is left to it (PostgreSQL re-checks the WHERE after the row lock)."""
    now = timezone.now()
    expired = []
    stale = ReportRun.objects.filter(_stale(now)).values_list("pk", "claim_token", "year")
    for run_id, token, year in stale:
        updated = (
            ReportRun.objects.filter(_stale(now), pk=run_id, claim_token=token).update(
                status=ReportStatus.FAILED, error=STALE_MESSAGE, finished_at=now
            )
            == 1
        )
        if updated:
            logger.warning("annual report run %s: no sign of life, marked failed", run_id)
            expired.append(run_id)
            # What a killed worker may have left: its partial file, or the final one if it
            # died between the rename and the commit.
            if token is not None:
                _remove(partial_name(run_id, token))
            _remove(final_name(year, run_id))
    return expired
