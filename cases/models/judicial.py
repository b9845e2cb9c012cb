"""The judicial trajectory of a track-3 case: police reports, measures, hearings."""

import datetime

from django.db import models
from django.utils import timezone
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
    # Who decided is an organisation from the directory (the prosecutor's office, the family
    # court), so figures can count by it. ``decided_by_text`` keeps what was typed before the
    # directory was used, when it matched no organisation: shown, never lost, no longer entered.
    decided_by = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_text = models.CharField(
        _("decided by (as typed before)"), max_length=120, blank=True, editable=False
    )
    conditions = models.TextField(_("conditions"), blank=True)
    # Lifted early (by the prosecutor or the family court): the order stopped on this day,
    # before its planned end; ``ends_on`` keeps the planned end, the figures end it here.
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
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
            models.CheckConstraint(
                condition=models.Q(lifted_on__isnull=True)
                | models.Q(lifted_on__gte=models.F("starts_on"), lifted_by__isnull=False),
                name="measure_lifted_after_start_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def decider(self) -> str:
        """Who decided: the organisation's name, or the text typed before the directory was used."""
        return self.decided_by.name if self.decided_by else self.decided_by_text

    @property
    def is_restraining_order(self) -> bool:
        return self.kind == MeasureKind.RESTRAINING_ORDER

    @property
    def in_force_until(self) -> datetime.date | None:
        """The last day the measure holds: the day it was lifted, else its (planned) end."""
        return self.lifted_on or self.ends_on


class MeasureExtension(models.Model):
    """An extension of a measure (for a restraining order: by the family court)."""

    case_access_path = "measure__case_id"

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="extensions"
    )
    decided_on = models.DateField(_("decided on"))
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    # Who decided is an organisation from the directory (the prosecutor's office, the family
    # court), so figures can count by it. ``decided_by_text`` keeps what was typed before the
    # directory was used, when it matched no organisation: shown, never lost, no longer entered.
    decided_by = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_text = models.CharField(
        _("decided by (as typed before)"), max_length=120, blank=True, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.previous_end} → {self.new_end}"

    @property
    def decider(self) -> str:
        """Who decided: the organisation's name, or the text typed before the directory was used."""
        return self.decided_by.name if self.decided_by else self.decided_by_text


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


class ProsecutionDecisionKind(models.TextChoices):
    DISMISSED = "dismissed", _("Dismissed (seponering)")
    MEDIATION = "mediation", _("Mediation in criminal matters")
    PROBATION = "probation", _("Probation (probatie)")
    SUMMONS = "summons", _("Summons (dagvaarding)")
    OTHER = "other", _("Other decision")


class ProsecutionDecision(models.Model):
    """A decision on prosecution, dated: the case's current decision is its latest one
    (by ``decided_on``, then id); earlier ones stay, and the figures count each in its year."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="prosecution_decisions",
    )
    kind = models.CharField(_("decision"), max_length=20, choices=ProsecutionDecisionKind.choices)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prosecution decision")
        verbose_name_plural = _("prosecution decisions")
        ordering = ["decided_on", "id"]
        indexes = [models.Index(fields=["decided_on"], name="prosecution_decision_day")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ConditionKind(models.TextChoices):
    RELEASE = "release", _("Release conditions")
    PROBATION = "probation", _("Probation conditions")
    MEDIATION = "mediation", _("Conditions of a mediation")
    OTHER = "other", _("Other conditions")


class JudicialCondition(models.Model):
    """Conditions imposed on someone in the case, for a period."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="judicial_conditions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConditionKind.choices)
    description = models.TextField(_("description"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="judicial_condition_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def has_ended(self) -> bool:
        return self.ends_on < timezone.localdate()


class Breach(models.Model):
    """A breach of a restraining order (a measure) or of conditions: an offence of its own.

    Cascades with what was breached only so that deleting a whole case (retention) works;
    ``condition_remove`` refuses conditions that still have a breach.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="breaches"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="breaches",
    )
    condition = models.ForeignKey(
        JudicialCondition,
        verbose_name=_("condition"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="breaches",
    )
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        ordering = ["occurred_on", "id"]
        constraints = [
            # Exactly one of the two: what was breached.
            models.CheckConstraint(
                condition=models.Q(measure__isnull=False, condition__isnull=True)
                | models.Q(measure__isnull=True, condition__isnull=False),
                name="breach_of_one_thing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}"
