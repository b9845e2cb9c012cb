"""The case's classification over time (issue 18): which relationship contexts and forms of
violence were recorded on a case, and from when to when.

The figures of a past period count what was recorded by the end of that period, so a value
is never changed in place: choosing another context closes the old value's period (its
``recorded_until``) and opens one for the new value. ``Case.relationship_contexts`` and
``Case.forms_of_violence`` hold the values recorded today (the open periods); only
``cases.services.classification`` writes either, both in one transaction, so they agree.

A period runs from ``recorded_from`` (included) to ``recorded_until`` (excluded: the day the
value was replaced); an open period has no end. The values on a day are those whose period
holds it (:meth:`ClassificationPeriodQuerySet.on`). The registration's values begin on the
case's opening date (and follow it when that date is corrected); a later change begins on the
day it was recorded.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClassificationPeriodQuerySet(models.QuerySet[Any]):
    def on(self, day: datetime.date | Any) -> "ClassificationPeriodQuerySet":
        """The values recorded on ``day`` (a date or an expression)."""
        return self.filter(
            Q(recorded_from__lte=day) & (Q(recorded_until__isnull=True) | Q(recorded_until__gt=day))
        )

    def open(self) -> "ClassificationPeriodQuerySet":
        return self.filter(recorded_until__isnull=True)


class ClassificationPeriod(models.Model):
    """One value of one of the case's managed lists, over the days it was recorded."""

    case_access_path = "case_id"
    # The name of the case's field holding the values recorded today.
    case_field: str = ""
    # The name of this model's field holding the value.
    value_field: str = ""

    recorded_from = models.DateField(_("recorded from"))
    recorded_until = models.DateField(
        _("recorded until"),
        null=True,
        blank=True,
        help_text=_("The day another value replaced it; empty while it is recorded."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ClassificationPeriodQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["recorded_from", "id"]


def period_rules(*, prefix: str, value_field: str) -> tuple[list[models.Index], list[Any]]:
    """The index and the constraints of a classification's periods (the same rules for each
    classification, under its own names): a period ends on or after the day it starts, and a
    value has at most one open period per case."""
    indexes = [models.Index(fields=["case", "recorded_from"], name=f"{prefix}_period_case_day")]
    constraints = [
        models.CheckConstraint(
            condition=Q(recorded_until__isnull=True)
            | Q(recorded_until__gte=models.F("recorded_from")),
            name=f"{prefix}_period_ends_after_it_starts",
        ),
        models.UniqueConstraint(
            fields=["case", value_field],
            condition=Q(recorded_until__isnull=True),
            name=f"{prefix}_period_one_open_per_value",
        ),
    ]
    return indexes, constraints


class CaseContextPeriod(ClassificationPeriod):
    case_field = "relationship_contexts"
    value_field = "context"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="context_periods",
    )
    context = models.ForeignKey(
        "cases.RelationshipContext",
        verbose_name=_("relationship context"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(ClassificationPeriod.Meta):
        verbose_name = _("relationship context over time")
        verbose_name_plural = _("relationship contexts over time")
        indexes, constraints = period_rules(prefix="context", value_field="context")

    def __str__(self) -> str:
        return str(self.context)


class CaseFormPeriod(ClassificationPeriod):
    case_field = "forms_of_violence"
    value_field = "form"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="form_periods",
    )
    form = models.ForeignKey(
        "cases.FormOfViolence",
        verbose_name=_("form of violence"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(ClassificationPeriod.Meta):
        verbose_name = _("form of violence over time")
        verbose_name_plural = _("forms of violence over time")
        indexes, constraints = period_rules(prefix="form", value_field="form")

    def __str__(self) -> str:
        return str(self.form)


# Either of the two: what the service and the figures work on.
type ClassificationPeriodModel = type[CaseContextPeriod] | type[CaseFormPeriod]
