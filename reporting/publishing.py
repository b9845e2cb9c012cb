"""Published annual reports: publishing a finished run (a write) and comparing a published
year with today's recomputation (reads).

A publication is frozen (``PublishedReport``): it copies the run's snapshot and checksum and
keeps the run, so its PDF, for good. A correction is the next version of the same year. The
comparison reads two stored snapshots (the latest version's and the latest finished run's
of that year) and computes nothing again, so a page costs the same few queries whatever the
size of the figures.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from access import audit
from access.models import AuditAction
from access.policy import may_publish_annual_reports
from accounts.models import User

from .models import PublishedReport, ReportRun, ReportStatus
from .snapshot import Differences, snapshot_differences

NOTE_MAX_LENGTH = 1000


def publish_refusal(
    run: ReportRun, *, has_figures: bool, latest_published_run_id: int | None
) -> str:
    """Why ``run`` cannot be published as its year's report, or "" when it can.

    ``latest_published_run_id``: the run of the year's latest published version, if any.
    """
    if run.status != ReportStatus.DONE or not has_figures or not run.file.name:
        return _(
            "Only a finished run with its stored figures can be published. "
            "Make the report again and publish the new run."
        )
    if run.year >= timezone.localdate().year:
        return _("A year's report can be published once the year is over.")
    if latest_published_run_id is not None and latest_published_run_id >= run.pk:
        if latest_published_run_id == run.pk:
            return _("This run has been published already.")
        return _("A later run of this year has been published already.")
    return ""


def _pdf_sha256(run: ReportRun) -> str:
    digest = hashlib.sha256()
    try:
        with run.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
    except FileNotFoundError:
        raise ValidationError(
            _("The PDF of this run cannot be found. Make the report again.")
        ) from None
    return digest.hexdigest()


@transaction.atomic
def report_publish(*, run: ReportRun, by: User, note: str = "") -> PublishedReport:
    """Publish a finished run as its year's annual report: version 1, or the next version
    (a correction) when the year was published before. A run is published at most once."""
    if not may_publish_annual_reports(by):
        raise PermissionDenied
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("A note is at most %(max)s characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    # The run's row is locked: a second submit of the same form waits for the first and
    # then sees its publication, so one run never becomes two versions.
    locked = ReportRun.objects.select_for_update().get(pk=run.pk)
    latest = PublishedReport.objects.filter(year=locked.year).order_by("-version").first()
    refusal = publish_refusal(
        locked,
        has_figures=locked.figures is not None,
        latest_published_run_id=latest.run_id if latest else None,
    )
    if PublishedReport.objects.filter(run_id=locked.pk).exists():
        refusal = _("This run has been published already.")
    if refusal:
        raise ValidationError(refusal)
    try:
        # Two different runs of one year published at the same moment: the unique
        # (year, version) refuses the second rather than numbering both alike.
        with transaction.atomic():
            published = PublishedReport.objects.create(
                year=locked.year,
                version=latest.version + 1 if latest else 1,
                run=locked,
                figures=locked.figures,
                checksum=locked.checksum,
                pdf_sha256=_pdf_sha256(locked),
                published_by=by,
                note=note,
            )
    except IntegrityError:
        raise ValidationError(
            _("This year was published by someone else at the same moment. Look at the list.")
        ) from None
    audit.record(
        user=by,
        action=AuditAction.CHANGE,
        obj=published,
        purpose="annual report published",
        detail={
            "year": published.year,
            "version": published.version,
            "run": locked.pk,
            "checksum": published.checksum,
        },
    )
    return published


# --- reads: a published year beside today's recomputation ---


@dataclass(frozen=True)
class Comparison:
    published: PublishedReport
    # The latest finished run of the year with its figures, made after the published one;
    # None: the year has not been computed again since.
    today: ReportRun | None
    differences: Differences | None

    @property
    def is_recomputed(self) -> bool:
        return self.today is not None

    @property
    def differs(self) -> bool:
        return self.differences is not None and self.differences.has_differences

    @property
    def changed_cell_count(self) -> int:
        return len(self.differences.cells) if self.differences else 0


def _compare(published: PublishedReport, today: ReportRun | None) -> Comparison:
    if today is None or today.pk <= published.run_id or today.figures is None:
        return Comparison(published=published, today=None, differences=None)
    return Comparison(
        published=published,
        today=today,
        differences=snapshot_differences(published.figures, today.figures),
    )


def _latest_runs(years: Iterable[int]) -> dict[int, ReportRun]:
    """The latest finished run with stored figures of each year: two queries."""
    latest = (
        ReportRun.objects.filter(
            year__in=list(years), status=ReportStatus.DONE, figures__isnull=False
        )
        .values("year")
        .annotate(latest=Max("pk"))
        .values_list("latest", flat=True)
    )
    return {run.year: run for run in ReportRun.objects.filter(pk__in=list(latest))}


def published_comparison(published: PublishedReport) -> Comparison:
    """One published version beside the latest finished run of its year."""
    return _compare(published, _latest_runs([published.year]).get(published.year))


@dataclass(frozen=True)
class PublishedYear:
    year: int
    # Every version, newest first (without their figures).
    versions: list[PublishedReport]
    # The latest version beside today's recomputation.
    comparison: Comparison


def published_years() -> list[PublishedYear]:
    """Every published year, newest first, its latest version compared with the latest
    finished run of that year: four queries, whatever the number of years and versions."""
    versions = list(
        PublishedReport.objects.select_related("run", "published_by").defer(
            "figures", "run__figures"
        )
    )
    by_year: dict[int, list[PublishedReport]] = {}
    for version in versions:
        by_year.setdefault(version.year, []).append(version)
    latest_pks = [listed[0].pk for listed in by_year.values()]
    latest = {
        published.year: published
        for published in PublishedReport.objects.select_related("run", "published_by")
        .defer("run__figures")
        .filter(pk__in=latest_pks)
    }
    runs = _latest_runs(by_year)
    return [
        PublishedYear(
            year=year,
            versions=listed,
            comparison=_compare(latest[year], runs.get(year)),
        )
        for year, listed in by_year.items()
    ]


def latest_published_run_ids() -> dict[int, int]:
    """Per published year, the run of its latest version: one query."""
    ids: dict[int, int] = {}
    for year, run_id in PublishedReport.objects.order_by("year", "version").values_list(
        "year", "run_id"
    ):
        ids[year] = run_id
    return ids
