"""A safety plan per victim and per child in a case: what was agreed, when, and what a
consultation may hear of it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SafetyPlanPart(models.TextChoices):
    """The structured parts of a safety plan, in the order a plan is read. Which of them are
    confidential (the case team's only) is declared in ``access.policy.CONFIDENTIAL_FIELDS``."""

    WARNING_SIGNS = "warning_signs", _("Warning signs")
    SAFE_PLACES = "safe_places", _("Safe places")
    PEOPLE_TO_CALL = "people_to_call", _("People to call")
    CODE_WORD = "code_word", _("Code word")
    PERPETRATOR_AGREEMENTS = "perpetrator_agreements", _("Agreements with the perpetrator")
    CHILDREN_ARRANGEMENTS = "children_arrangements", _("Arrangements for the children")


class SafetyPlan(models.Model):
    """The safety plan of one person (a victim or a child) in one case.

    One row per person per case; every save is a version in its history (``history``), with
    the day it was agreed (``agreed_on``): the plan's page lists what was agreed when. The plan
    belongs to the involvement (``CaseParty``), never to the person, so a later case starts
    its own plan.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="safety_plans",
    )
    party = models.OneToOneField(
        "cases.CaseParty",
        verbose_name=_("person in the case"),
        on_delete=models.CASCADE,
        related_name="safety_plan",
    )
    warning_signs = models.TextField(_("warning signs"), blank=True)
    safe_places = models.TextField(_("safe places"), blank=True)
    people_to_call = models.TextField(_("people to call"), blank=True)
    code_word = models.CharField(_("code word"), max_length=200, blank=True)
    perpetrator_agreements = models.TextField(_("agreements with the perpetrator"), blank=True)
    children_arrangements = models.TextField(_("arrangements for the children"), blank=True)
    agreed_on = models.DateField(_("agreed on"))
    review_on = models.DateField(_("review on"), db_index=True)
    # The parts the case director allows to be shown in an art. 458ter consultation; the
    # confidential parts never are, whatever is stored here (access.policy decides).
    # A list of SafetyPlanPart values (JSON: the project does not enable contrib.postgres).
    shareable_parts = models.JSONField(
        _("parts that may be shared in a consultation"), default=list, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety plan")
        verbose_name_plural = _("safety plans")
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return str(_("Safety plan"))
