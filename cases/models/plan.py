"""The plan of approach of a track-3 case: "one family, one plan" (issue 17, part 4).

One plan per case; goals per family member (a ``CaseParty`` of the case) or for the family as a
whole; per goal the agreements (which partner organisation, care or justice, does what, by
when); evaluations with an outcome per goal. The art. 458ter consultation reviews the plan: that
record lives in ``consultations`` (``consultations.PlanReview``, a layer above), and this app
reads it through the reverse relation ``consultation_reviews`` without importing it.

Which free texts are confidential (the case team's only) is declared in
``access.policy.CONFIDENTIAL_FIELDS``.
"""

from django.conf import settings
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")


class PlanOfApproach(models.Model):
    """The one plan of a case; every save is a version (``history``)."""

    case_access_path = "case_id"

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="plan_of_approach",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    made_on = models.DateField(_("made on"))
    # What the family and the partners work towards together (no detail of one person).
    aim = models.TextField(_("shared aim"), blank=True)
    next_evaluation_on = models.DateField(
        _("next evaluation on"), null=True, blank=True, db_index=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan of approach")
        verbose_name_plural = _("plans of approach")

    def __str__(self) -> str:
        return str(_("Plan of approach"))

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE


class PlanGoal(models.Model):
    """A goal for one person of the case (``party``), or for the family as a whole (none).

    A removed goal keeps its row (``removed_at``): the evaluations that judged it stay whole.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="plan_goals"
    )
    plan = models.ForeignKey(
        PlanOfApproach,
        verbose_name=_("plan of approach"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    party = models.ForeignKey(
        "cases.CaseParty",
        verbose_name=_("for"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan_goals",
    )
    description = models.TextField(_("goal"))
    # Sensitive background the case team keeps to itself (confidential, access.policy).
    team_note = models.TextField(_("note for the case team"), blank=True)
    # The case director's choice: the goal and its agreements are shown in the consultation view.
    shared_in_consultation = models.BooleanField(_("shown in a consultation"), default=False)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return Truncator(self.description).chars(60)


class PlanAgreement(models.Model):
    """Who does what by when for a goal: an organisation of the partner list, optionally one of
    its people."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="plan_agreements",
    )
    goal = models.ForeignKey(
        PlanGoal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="agreements"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("who (organisation)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who (person)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    what = models.TextField(_("what"))
    due_on = models.DateField(_("by when"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return Truncator(self.what).chars(60)


class GoalOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    STOPPED = "stopped", _("Stopped")


class PlanEvaluation(models.Model):
    """An evaluation of the plan: when, by whom, the outcome per goal and the next date."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="plan_evaluations",
    )
    plan = models.ForeignKey(
        PlanOfApproach,
        verbose_name=_("plan of approach"),
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    held_on = models.DateField(_("evaluated on"))
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    next_evaluation_on = models.DateField(_("next evaluation on"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation of the plan")
        verbose_name_plural = _("evaluations of the plan")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d}"


class PlanGoalOutcome(models.Model):
    """The outcome of one goal in one evaluation, with a note (confidential, access.policy)."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="+"
    )
    evaluation = models.ForeignKey(
        PlanEvaluation,
        verbose_name=_("evaluation"),
        on_delete=models.CASCADE,
        related_name="outcomes",
    )
    goal = models.ForeignKey(
        PlanGoal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="outcomes"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=GoalOutcome.choices)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome of a goal")
        verbose_name_plural = _("outcomes of goals")
        ordering = ["goal__created_at", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "goal"], name="one_outcome_per_goal"),
        ]

    def __str__(self) -> str:
        return str(self.get_outcome_display())
