"""The judicial trajectory of a track-3 case: police reports, measures, hearings."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PoliceReport(models.Model):
    """A proces-verbaal (PV)."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="police_reports",
    )
    number = models.CharField(_("PV number"), max_length=60)
    drawn_up_on = models.DateField(_("date"))
    police_zone = models.ForeignKey(
        "partners.PoliceZone",
        verbose_name=_("police zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("police report")
        verbose_name_plural = _("police reports")
        ordering = ["drawn_up_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="pv_once_per_case"),
        ]

    def __str__(self) -> str:
        return self.number


class MeasureKind(models.TextChoices):
    RESTRAINING_ORDER = "restraining_order", _("Temporary restraining order (THV)")
    CONDITIONS = "conditions", _("Conditions")
    PROTECTION_ORDER = "protection_order", _("Contact or residence ban")
    OTHER = "other", _("Other measure")


class Measure(models.Model):
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("measure"), max_length=30, choices=MeasureKind.choices)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=120, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="measure_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_restraining_order(self) -> bool:
        return self.kind == MeasureKind.RESTRAINING_ORDER


class MeasureExtension(models.Model):
    """An extension of a measure (for a restraining order: by the family court)."""

    case_access_path = "measure__case_id"

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="extensions"
    )
    decided_on = models.DateField(_("decided on"))
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    decided_by = models.CharField(_("decided by"), max_length=120, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.previous_end} → {self.new_end}"


class Hearing(models.Model):
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="hearings"
    )
    held_at = models.DateTimeField(_("date and time"))
    court = models.CharField(_("court"), max_length=120)
    subject = models.CharField(_("subject"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["held_at", "id"]

    def __str__(self) -> str:
        return f"{self.court} {self.held_at:%Y-%m-%d}"
