"""Background work of the reporting app: building the annual figures PDF, and computing
again the dashboard's kept figures of a year once they are old.

The task gets a run id, never an object, and only calls code from this app; the
``ReportRun`` row is the lasting truth the page polls. It is safe to run twice: a delivery
works only on a run it claimed (``reporting.runs``), so it acknowledges late and a lost
worker's message is delivered again without ever touching a finished or newer run.
"""

import contextlib
import logging
from typing import Any
from uuid import UUID

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from access.policy import may_use_annual_reports
from common.db_routing import reporting_reads
from reporting import pdf, runs
from reporting.figures import annual_figures, figures_checksum
from reporting.models import ReportRun
from reporting.snapshot import figures_snapshot

logger = logging.getLogger(__name__)

# English sources of the user-facing messages; stored on the run and shown translated.
FAILED_MESSAGE = gettext_noop(
    "The report could not be made because of an error. The error was logged; "
    "please try again later or contact the administrator."
)
NOT_ALLOWED_MESSAGE = gettext_noop(
    "The report was not made: the person who asked for it may no longer use annual reports."
)
TOO_LONG_MESSAGE = gettext_noop(
    "Making the report took too long and was stopped. Please try again later."
)


def build_report(run: ReportRun, token: UUID) -> None:
    """Compute the figures, render the PDF, and store it and close the run (if still ours)."""
    runs.progress(run.pk, token, 5, gettext_noop("Computing the figures"))
    # Aggregates only: they may come from the read replica (common.db_routing); the run's
    # own row and file are written to the primary.
    with reporting_reads():
        chapters = annual_figures(run.year)
    checksum = figures_checksum(chapters)
    # The figures as the PDF shows them, kept for comparing a published year later on.
    snapshot = figures_snapshot(chapters, language=translation.get_language() or "")
    rendered = []
    count = max(len(chapters), 1)
    for index, chapter in enumerate(chapters, start=1):
        runs.progress(run.pk, token, 40 + 40 * index // count, gettext_noop("Drawing the chapters"))
        rendered.append(pdf.render_chapter(chapter, index))
    runs.progress(run.pk, token, 85, gettext_noop("Making the PDF"))
    made_at = timezone.localtime()
    content = pdf.report_pdf(chapters=rendered, year=run.year, made_at=made_at)
    runs.progress(run.pk, token, 95, gettext_noop("Storing the PDF"))
    runs.finish(run, token, content=content, checksum=checksum, figures=snapshot)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_annual_report(run_id: int) -> None:
    # Delivered at least once: only the delivery that claims the run works on it.
    token = runs.claim(run_id)
    if token is None:
        logger.info("annual report run %s: nothing to do (finished or busy elsewhere)", run_id)
        return
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    # Permissions are checked again here: a role taken away after the request counts.
    if not may_use_annual_reports(run.requested_by):
        logger.info("annual report run %s: requester no longer allowed", run_id)
        runs.fail(run_id, token, NOT_ALLOWED_MESSAGE)
        return
    # In a worker a thread keeps beating through long steps; eager (in-process, and in the
    # tests' uncommitted transactions) the steps' own beats are enough.
    heartbeat = (
        contextlib.nullcontext()
        if build_annual_report.request.is_eager
        else runs.Heartbeat(run_id, token)
    )
    try:
        # The report is Dutch, whatever language the requester's page was in.
        with heartbeat, translation.override("nl"):
            build_report(run, token)
    except ValidationError as error:
        # A rule of the figures was broken (e.g. inhabitants missing for the funding split):
        # its message is written for the user and says what to enter, so it is shown as is.
        logger.warning("annual report run %s: the figures are incomplete", run_id)
        runs.fail(run_id, token, " ".join(error.messages)[:300])
        return
    except SoftTimeLimitExceeded:
        logger.warning("annual report run %s stopped at the soft time limit", run_id)
        runs.fail(run_id, token, TOO_LONG_MESSAGE)
        raise
    except Exception:
        # The traceback holds aggregates and code only: the figures carry no personal data.
        logger.exception("annual report run %s failed", run_id)
        runs.fail(run_id, token, FAILED_MESSAGE)
        raise
    logger.info("annual report run %s done", run_id)


@shared_task
def fail_stale_report_runs() -> int:
    """Every minute (beat): fail the runs whose worker stopped beating."""
    return len(runs.expire_stale_runs())


@worker_ready.connect
def check_for_orphaned_runs(**kwargs: Any) -> None:
    """A worker that starts may be the restart of one that was killed mid-report (an OOM kill,
    ``docker kill``): its run stays "running" and its message comes back only after the
    visibility timeout. Once the stale window has passed, every run the dead worker left has
    missed its heartbeat: fail them then, within a minute of the restart, rather than at beat's
    next turn (or never, without beat)."""
    try:
        fail_stale_report_runs.apply_async(countdown=runs.stale_seconds() + 1)
    except Exception as error:  # the broker away: beat and the runs' pages still do it
        logger.warning("Stale report runs not checked at start (%s)", type(error).__name__)


@shared_task(ignore_result=True)
def refresh_year_publication(year: int, language: str) -> None:
    """Compute a year's protected figures again and keep them for the dashboard
    (``reporting.figures.publication.kept_year_publication``). Aggregates only."""
    from reporting.figures.publication import keep_year_publication

    with translation.override(language), reporting_reads():
        keep_year_publication(year)
