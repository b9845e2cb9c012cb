"""Annual report runs: asking for one (a write) and listing them (reads).

One run at a time per (year, kind): a second request joins the queued or running one
(see ``report_ask``). A run is created in the request's transaction and handed to Celery only after that commit
(``transaction.on_commit``), so a worker never looks for a row it cannot see yet. Without a
broker (``REDIS_URL`` unset) the task runs eagerly in-process; with a broker that cannot be
reached the run fails at once with a clear message instead of leaving a page that waits.
"""

import logging
from dataclasses import dataclass
from uuid import uuid4

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import OperationalError as BrokerOperationalError

from access.policy import may_use_annual_reports, unrestricted_for_aggregates
from accounts.models import User
from cases.models import Case
from reporting.models import ACTIVE_STATUSES, ReportKind, ReportRun, ReportStatus
from reporting.publishing import latest_published_run_ids, publish_refusal
from reporting.runs import expire_stale_runs
from reporting.tasks import FAILED_MESSAGE, build_annual_report

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000
BROKER_UNREACHABLE_MESSAGE = gettext_noop(
    "The background processing cannot be reached, so the report was not made. "
    "Please try again later or contact the administrator."
)


def _dispatch(run_id: int, task_id: str) -> None:
    app = build_annual_report.app
    try:
        if app.conf.task_always_eager:
            # The embedded default: built here and now, in this process.
            build_annual_report.apply_async((run_id,), task_id=task_id)
            return
        with app.connection_for_write() as connection:
            # One quick attempt, bounded by broker_connection_timeout: without it a
            # missing broker keeps the request waiting while kombu retries.
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            build_annual_report.apply_async(
                (run_id,), task_id=task_id, connection=connection, retry=False
            )
    except (BrokerOperationalError, OSError, TimeoutError) as error:
        logger.warning(
            "annual report run %s: broker unreachable (%s)", run_id, type(error).__name__
        )
        ReportRun.objects.filter(pk=run_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.FAILED,
            error=BROKER_UNREACHABLE_MESSAGE,
            finished_at=timezone.now(),
        )
    except Exception:
        # An eager build that failed has logged and marked its run already; anything else
        # (a broken dispatch) must not leave the run queued for ever.
        logger.warning("annual report run %s: dispatch ended in an error", run_id)
        ReportRun.objects.filter(
            pk=run_id, status__in=(ReportStatus.QUEUED, ReportStatus.RUNNING)
        ).update(status=ReportStatus.FAILED, error=FAILED_MESSAGE, finished_at=timezone.now())


def report_years() -> list[int]:
    """The years a report can be asked for: from the first case's year to this year."""
    this_year = timezone.localdate().year
    first = unrestricted_for_aggregates(Case.objects.all()).aggregate(first=Min("opened_on"))[
        "first"
    ]
    start = min(first.year, this_year - 1) if first else this_year - 1
    return list(range(this_year, max(start, FIRST_YEAR) - 1, -1))


def default_report_year() -> int:
    return timezone.localdate().year - 1


def report_request(*, year: int, by: User) -> ReportRun:
    """Record a request for the annual report of ``year`` and queue its build (or join the
    run of that year that is already queued or running)."""
    return report_ask(year=year, by=by)[0]


def report_ask(
    *, year: int, by: User, kind: str = ReportKind.ANNUAL_FIGURES
) -> tuple[ReportRun, bool]:
    """The run that answers the request, and whether it was already there (joined).

    One run at a time per (year, kind): the partial unique constraint
    ``reportrun_one_active_per_year_and_kind`` decides, so two requests at the same moment
    give one run. A run whose worker is gone is failed first, so nobody joins a dead run."""
    if not may_use_annual_reports(by):
        raise PermissionDenied
    if not FIRST_YEAR <= year <= timezone.localdate().year:
        raise ValidationError({"year": _("Choose a year from 2000 up to this year.")})
    expire_stale_runs()
    return _ask(year=year, by=by, kind=kind)


@transaction.atomic
def _ask(*, year: int, by: User, kind: str) -> tuple[ReportRun, bool]:
    active = ReportRun.objects.filter(year=year, kind=kind, status__in=ACTIVE_STATUSES)
    joined = active.first()
    if joined is not None:
        return joined, True
    task_id = str(uuid4())
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                requested_by=by, year=year, kind=kind, celery_task_id=task_id
            )
    except IntegrityError:
        # Another request created the year's run at this very moment (its commit is what
        # made ours fail): join it, or, if it is already finished, show it.
        joined = active.first() or ReportRun.objects.filter(year=year, kind=kind).first()
        if joined is None:
            raise
        return joined, True
    run_id = run.pk
    transaction.on_commit(lambda: _dispatch(run_id, task_id))
    return run, False


@dataclass(frozen=True)
class RunRow:
    run: ReportRun
    # The earlier run of the same year whose figures are identical, if any.
    same_as: int | None
    # The version this run was published as, if it was.
    published_version: int | None = None
    # Whether the run may be published as its year's report (by someone allowed to).
    publishable: bool = False


def report_run_list(*, limit: int = 50) -> list[RunRow]:
    """The latest runs, newest first, each with an earlier run of identical figures and
    whether it was or can be published (the stored figures themselves are not loaded)."""
    runs = list(
        ReportRun.objects.select_related("requested_by", "publication")
        .defer("figures", "publication__figures")
        .annotate(has_snapshot=ExpressionWrapper(Q(figures__isnull=False), BooleanField()))[:limit]
    )
    published_runs = latest_published_run_ids()
    rows = []
    for run in runs:
        same_as = None
        if run.status == ReportStatus.DONE and run.checksum:
            earlier = [
                other.pk
                for other in runs
                if other.year == run.year
                and other.pk < run.pk
                and other.status == ReportStatus.DONE
                and other.checksum == run.checksum
            ]
            same_as = max(earlier) if earlier else None
        publication = getattr(run, "publication", None)
        refusal = publish_refusal(
            run,
            has_figures=run.has_snapshot,  # type: ignore[attr-defined]  # the annotation
            latest_published_run_id=published_runs.get(run.year),
        )
        rows.append(
            RunRow(
                run=run,
                same_as=same_as,
                published_version=publication.version if publication else None,
                publishable=not refusal,
            )
        )
    return rows
