"""Models of the reporting app.

Funding: what the Flemish government and the 12 municipalities pay for the FJC in a year,
and the staff it pays for. Each municipality's share of the local amount is not stored: it is
computed from the inhabitants in ``partners.MunicipalityPopulation`` (see ``reporting.funding``)
so a corrected population figure can never leave a stale split behind.
"""

from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class FundingYear(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000)]
    )
    flemish_amount = models.DecimalField(
        _("Flemish government subsidy"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    local_amount = models.DecimalField(
        _("local contribution"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0.00"))],
        help_text=_("The total the municipalities pay together."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every service write bumps it; a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("funding year")
        verbose_name_plural = _("funding years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class Funder(models.TextChoices):
    FLEMISH_GOVERNMENT = "flemish_government", _("Flemish government")
    LOCAL_GOVERNMENTS = "local_governments", _("Local governments")
    OTHER = "other", _("Other")


class StaffRole(models.TextChoices):
    CASE_DIRECTOR = "case_director", _("Case director")
    OPERATIONS_LEAD = "operations_lead", _("Operations lead")
    NETWORK_COORDINATOR = "network_coordinator", _("Network coordinator")
    ADMINISTRATION = "administration", _("Administration")
    OTHER = "other", _("Other")


class StaffingLine(models.Model):
    funding_year = models.ForeignKey(
        FundingYear,
        verbose_name=_("funding year"),
        on_delete=models.CASCADE,
        related_name="staffing_lines",
    )
    funder = models.CharField(_("funded by"), max_length=30, choices=Funder.choices)
    role = models.CharField(_("role"), max_length=30, choices=StaffRole.choices)
    fte = models.DecimalField(
        _("FTE"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staffing line")
        verbose_name_plural = _("staffing lines")
        ordering = ["funding_year", "funder", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.funding_year}: {self.get_role_display()} {self.fte} FTE"


# --- the annual report runs (issue 7) ---

# The English source of the message a run gets when its worker stopped beating (issue 15).
STALE_MESSAGE = gettext_noop(
    "The report was not finished: the background processing stopped. Please ask again."
)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# The statuses of a run that is still to be finished: at most one per (year, kind).
ACTIVE_STATUSES = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReportKind(models.TextChoices):
    # One kind today; the key of "one run at a time" is (year, kind) so a second kind of
    # report never waits for this one.
    ANNUAL_FIGURES = "annual_figures", _("Annual figures")


class ReportRun(models.Model):
    """One request for the annual figures PDF: the lasting record of a background build.

    The row, not Celery's result backend, is what the page polls and what an audit reads.
    Runs belong to the FJC (anyone allowed may download any run) and are never edited by
    users, so they keep no history. The lifecycle (claim, heartbeat, finish, stale) is in
    ``reporting.runs``.
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReportKind.choices, default=ReportKind.ANNUAL_FIGURES
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # The English source of a short step description; shown translated.
    progress_label = models.CharField(_("step"), max_length=200, blank=True)
    # The English source of a user-facing message (never a traceback; that goes to the log).
    error = models.CharField(_("error"), max_length=300, blank=True)
    # MEDIA_ROOT is private storage: served only by the role-checked download view.
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    checksum = models.CharField(_("checksum of the figures"), max_length=64, blank=True)
    # The figures as the PDF shows them (see reporting.snapshot): kept so that a published
    # year can be compared with a later run without computing anything again. Empty for a
    # run that is not done, and for runs made before snapshots were kept.
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)
    celery_task_id = models.CharField(max_length=64, blank=True)
    # The claim of the delivery that is building the run: every write of the task is
    # conditional on it, so a late duplicate delivery (or a worker that was given up on)
    # cannot touch a run that another delivery claimed or that is finished.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    # Written by the working task every few seconds; a running run without one for
    # FJC_REPORT_STALE_SECONDS has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report run")
        verbose_name_plural = _("annual report runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reportrun_progress_max_100"
            ),
            # One run at a time per year and kind: a second request joins the active one.
            # The database decides, so two requests at the same moment give one run.
            models.UniqueConstraint(
                fields=["year", "kind"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reportrun_one_active_per_year_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} #{self.pk}"

    @property
    def shown_status(self) -> str:
        # A run whose worker is gone is failed in the database (reporting.runs), not here.
        return self.status

    @property
    def is_finished(self) -> bool:
        return self.shown_status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_done(self) -> bool:
        return self.shown_status == ReportStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self.shown_status == ReportStatus.FAILED

    @property
    def is_running(self) -> bool:
        return self.shown_status == ReportStatus.RUNNING

    @property
    def error_message(self) -> str:
        return gettext(self.error) if self.error else ""

    @property
    def progress_text(self) -> str:
        return gettext(self.progress_label) if self.progress_label else ""

    @property
    def download_name(self) -> str:
        return f"jaarcijfers-{self.year}-{self.pk}.pdf"


# --- published annual reports (issue 12) ---


class FrozenError(RuntimeError):
    pass


FROZEN_MESSAGE = "A published report cannot be changed or deleted; publish a correction."


class PublishedReportQuerySet(models.QuerySet["PublishedReport"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise FrozenError(FROZEN_MESSAGE)

    def delete(self) -> NoReturn:
        raise FrozenError(FROZEN_MESSAGE)


class PublishedReport(models.Model):
    """A year's annual report as the FJC sent it out: frozen, like the audit trail.

    The model and its queryset refuse update and delete, and on PostgreSQL a trigger refuses
    UPDATE and DELETE (migration 0005). A correction is a new version of the same year; the
    earlier versions stay. The run (and so its PDF) is protected for as long as it is
    published: the run row cannot be deleted and its file is never replaced (a finished run
    is never built again).
    """

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    version = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1)])
    run = models.OneToOneField(
        ReportRun,
        verbose_name=_("annual report run"),
        on_delete=models.PROTECT,
        related_name="publication",
    )
    # Copies of the run's, so the publication stands on its own.
    figures = models.JSONField(_("figures"), editable=False)
    checksum = models.CharField(_("checksum of the figures"), max_length=64, editable=False)
    pdf_sha256 = models.CharField(_("checksum of the PDF"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("published at"), default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)

    objects = PublishedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("published annual report")
        verbose_name_plural = _("published annual reports")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "version"], name="publishedreport_one_version_number_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenError(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise FrozenError(FROZEN_MESSAGE)
