"""The children's trajectory (issue 18, part 3): per child in a case a child file (school or
childcare contact, the child psychologist, the link with the VK / OCJ / youth court, the child
plan) and the conversations with the child. The child's exposure is not stored here: it is
read from the child's roles in the violence (``CaseParty.is_victim`` / ``is_witness`` /
``is_perpetrator``)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ChildReportedTo(models.TextChoices):
    """Where the child's situation was reported: the child-abuse centre, the ondersteunings-
    centrum jeugdzorg, or the youth court (via the prosecutor)."""

    VK = "vk", _("Child abuse centre (VK)")
    OCJ = "ocj", _("Youth support centre (OCJ)")
    YOUTH_COURT = "youth_court", _("Youth court")


class ChildFile(models.Model):
    """What the team keeps per child in one case: one row per child involvement, every save a
    version in its history. Belongs to the involvement (``CaseParty``), never to the person."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="child_files"
    )
    party = models.OneToOneField(
        "cases.CaseParty",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="child_file",
    )
    # School or childcare, when relevant.
    school_name = models.CharField(_("school or childcare"), max_length=200, blank=True)
    school_contacted_on = models.DateField(
        _("school or childcare contacted on"), null=True, blank=True
    )
    school_note = models.TextField(_("about the contact with the school"), blank=True)
    # The child psychologist.
    psychologist_involved = models.BooleanField(_("child psychologist involved"), default=False)
    psychologist_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("child psychologist's organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    psychologist_since = models.DateField(
        _("child psychologist involved since"), null=True, blank=True
    )
    # The link with the VK / OCJ / youth court.
    reported = models.BooleanField(_("reported to the VK, OCJ or youth court"), default=False)
    reported_to = models.CharField(
        _("reported to"), max_length=20, choices=ChildReportedTo.choices, blank=True
    )
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report_reference = models.CharField(_("their reference"), max_length=100, blank=True)
    # The child plan: goals, who does what, next evaluation.
    plan_goals = models.TextField(_("goals of the child plan"), blank=True)
    plan_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("who carries out the child plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    plan_next_evaluation_on = models.DateField(
        _("next evaluation of the child plan"), null=True, blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("child file")
        verbose_name_plural = _("child files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(_("Child file"))

    @property
    def has_plan(self) -> bool:
        return bool(self.plan_goals)


class ChildConversation(models.Model):
    """A conversation with the child: when, by whom, and what the child says and wants. What
    the child said is confidential (``access.policy.CONFIDENTIAL_FIELDS``)."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="child_conversations",
    )
    child_file = models.ForeignKey(
        ChildFile,
        verbose_name=_("child file"),
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    held_on = models.DateField(_("held on"))
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    child_view = models.TextField(_("what the child says and wants"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("conversation with the child")
        verbose_name_plural = _("conversations with the child")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return str(_("Conversation with the child"))
