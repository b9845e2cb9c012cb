"""Background work of the reporting app: building the annual figures PDF.

The task gets a run id, never an object, and only calls code from this app; the
``ReportRun`` row is the lasting truth the page polls. It is safe to run twice (a run
that is already done or failed is left alone), so it acknowledges late and a lost worker's
message is delivered again.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from access.policy import may_use_annual_reports
from reporting import pdf
from reporting.figures import annual_figures, figures_checksum
from reporting.models import ReportRun, ReportStatus
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


def _progress(run_id: int, progress: int, label: str) -> None:
    # A plain UPDATE, committed at once (tasks run outside a transaction), so the page
    # polling the row sees each step.
    ReportRun.objects.filter(pk=run_id).update(progress=progress, progress_label=label)


def _fail(run_id: int, message: str) -> None:
    ReportRun.objects.filter(pk=run_id).exclude(status=ReportStatus.DONE).update(
        status=ReportStatus.FAILED, error=message, finished_at=timezone.now()
    )


def build_report(run: ReportRun) -> None:
    """Compute the figures, render and store the PDF, and close the run."""
    _progress(run.pk, 5, gettext_noop("Computing the figures"))
    chapters = annual_figures(run.year)
    checksum = figures_checksum(chapters)
    # The figures as the PDF shows them, kept for comparing a published year later on.
    snapshot = figures_snapshot(chapters, language=translation.get_language() or "")
    rendered = []
    count = max(len(chapters), 1)
    for index, chapter in enumerate(chapters, start=1):
        _progress(run.pk, 40 + 40 * index // count, gettext_noop("Drawing the chapters"))
        rendered.append(pdf.render_chapter(chapter, index))
    _progress(run.pk, 85, gettext_noop("Making the PDF"))
    made_at = timezone.localtime()
    content = pdf.report_pdf(chapters=rendered, year=run.year, made_at=made_at)
    _progress(run.pk, 95, gettext_noop("Storing the PDF"))
    run.file.save(run.download_name, ContentFile(content), save=False)
    run.checksum = checksum
    run.figures = snapshot
    run.status = ReportStatus.DONE
    run.progress = 100
    run.progress_label = gettext_noop("Done")
    run.error = ""
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "file",
            "checksum",
            "figures",
            "status",
            "progress",
            "progress_label",
            "error",
            "finished_at",
        ]
    )


@shared_task(acks_late=True)
def build_annual_report(run_id: int) -> None:
    run = ReportRun.objects.select_related("requested_by").filter(pk=run_id).first()
    if run is None or run.status in (ReportStatus.DONE, ReportStatus.FAILED):
        logger.info("annual report run %s: nothing to do", run_id)
        return
    # Permissions are checked again here: a role taken away after the request counts.
    if not may_use_annual_reports(run.requested_by):
        logger.info("annual report run %s: requester no longer allowed", run_id)
        _fail(run_id, NOT_ALLOWED_MESSAGE)
        return
    run.status = ReportStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        # The report is Dutch, whatever language the requester's page was in.
        with translation.override("nl"):
            build_report(run)
    except ValidationError as error:
        # A rule of the figures was broken (e.g. inhabitants missing for the funding split):
        # its message is written for the user and says what to enter, so it is shown as is.
        logger.warning("annual report run %s: the figures are incomplete", run_id)
        _fail(run_id, " ".join(error.messages)[:300])
        return
    except SoftTimeLimitExceeded:
        logger.warning("annual report run %s stopped at the soft time limit", run_id)
        _fail(run_id, TOO_LONG_MESSAGE)
        raise
    except Exception:
        # The traceback holds aggregates and code only: the figures carry no personal data.
        logger.exception("annual report run %s failed", run_id)
        _fail(run_id, FAILED_MESSAGE)
        raise
    logger.info("annual report run %s done", run_id)
