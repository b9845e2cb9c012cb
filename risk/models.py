"""Risk instruments as data (versioned) and the assessments made with them.

An instrument version is content: sections, items, answer options with weights, levels and
thresholds. Once a version is published it never changes (assessments point at it and must
keep meaning what they meant); a new version is how an instrument changes.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.records import WrittenOnce


class ScoringRule(models.TextChoices):
    COUNT_YES = "count_yes", _('Count of "yes" answers')
    WEIGHTED_SUM = "weighted_sum", _("Weighted sum")
    JUDGEMENT = "judgement", _("No total: professional judgement only")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class RiskGrade(models.IntegerChoices):
    """The FJC's common scale: levels of different instruments meet here (joint, figures)."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class SectionKind(models.TextChoices):
    QUESTIONS = "questions", _("Questions")
    SIGNS = "signs", _("Signs")
    RISK_FACTORS = "risk_factors", _("Risk factors")
    PROTECTIVE_FACTORS = "protective_factors", _("Protective factors")


def in_english() -> bool:
    return (get_language() or "").startswith("en")


class VersionLocked(ValidationError):
    """A published (or used) instrument version was about to change."""


class Instrument(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # What the instrument is made for (issue 18, part 4): the relationship contexts (codes of
    # cases.RelationshipContextCode; empty: any) and the ages of the people assessed (none:
    # no bound). Declared in the instrument's file ("scope"), not versioned, like the names:
    # it says for whom the instrument is made, not how it scores. Use outside it needs a
    # reason (risk.scope).
    scope_contexts = models.JSONField(
        _("made for the relationship contexts"), default=list, blank=True
    )
    scope_min_age = models.PositiveSmallIntegerField(
        _("made for people aged at least"), null=True, blank=True
    )
    scope_max_age = models.PositiveSmallIntegerField(
        _("made for people aged at most"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("risk instrument")
        verbose_name_plural = _("risk instruments")
        ordering = ["name_nl"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if in_english() else self.name_nl

    @property
    def description(self) -> str:
        return self.description_en if in_english() else self.description_nl


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    scoring_rule = models.CharField(_("scoring rule"), max_length=20, choices=ScoringRule.choices)
    intro_nl = models.TextField(_("instructions (Dutch)"), blank=True)
    intro_en = models.TextField(_("instructions (English)"), blank=True)
    # The possible score range, fixed when the content is loaded (null: no total score).
    min_score = models.PositiveIntegerField(_("lowest possible score"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("highest possible score"), null=True, blank=True)
    # Escalation hint shown on the form (e.g. 3 incidents in 12 months); 0: no hint.
    escalation_incidents = models.PositiveSmallIntegerField(
        _("incidents that count as escalation"), default=0
    )
    escalation_months = models.PositiveSmallIntegerField(_("within months"), default=12)
    # Of the canonical JSON it was loaded from: loading the same file twice is a no-op.
    checksum = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument__name_nl", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="version_number_once"),
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="published_version_has_date",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s, version %(number)s") % {
            "name": self.instrument.name,
            "number": self.number,
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = InstrumentVersion.objects.filter(pk=self.pk).values("status").first()
            if stored is not None and (
                stored["status"] == VersionStatus.PUBLISHED or version_is_used(self.pk)
            ):
                raise VersionLocked(_locked_message())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        guard_version_unlocked(self.pk)
        return super().delete(*args, **kwargs)

    @property
    def intro(self) -> str:
        return self.intro_en if in_english() else self.intro_nl

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    @property
    def has_total(self) -> bool:
        return self.scoring_rule != ScoringRule.JUDGEMENT


def version_is_used(version_id: int | None) -> bool:
    return (
        version_id is not None
        and Assessment.objects.filter(instrument_version_id=version_id).exists()
    )


def _locked_message() -> str:
    return gettext(
        "This instrument version is published or has been used, so it can no longer change. "
        "Publish a new version instead."
    )


def guard_version_unlocked(version_id: int | None) -> None:
    """Refuse a change to content of a published or used version."""
    if version_id is None:
        return
    if InstrumentVersion.objects.filter(
        pk=version_id, status=VersionStatus.PUBLISHED
    ).exists() or version_is_used(version_id):
        raise VersionLocked(_locked_message())


class VersionContent(models.Model):
    """Content that belongs to one instrument version and freezes with it."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        guard_version_unlocked(self.owning_version_id())
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        guard_version_unlocked(self.owning_version_id())
        return super().delete(*args, **kwargs)

    def owning_version_id(self) -> int | None:
        return getattr(self, "version_id", None)


class Level(VersionContent):
    version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="levels",
    )
    code = models.SlugField(_("code"), max_length=40)
    label_nl = models.CharField(_("label (Dutch)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    # 1 is the lowest level of the instrument; a higher number is more severe.
    order = models.PositiveSmallIntegerField(_("severity order"))
    grade = models.PositiveSmallIntegerField(_("on the common scale"), choices=RiskGrade.choices)
    suggests_escalation = models.BooleanField(
        _("suggests escalation to track 3"),
        default=False,
        help_text=_("The steering page then suggests track 3 and a case consultation."),
    )

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="level_code_once"),
            models.UniqueConstraint(fields=["version", "order"], name="level_order_once"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if in_english() else self.label_nl


class Threshold(VersionContent):
    """Scores from ``min_score`` to ``max_score`` (both included) give ``level``."""

    version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="thresholds",
    )
    min_score = models.PositiveIntegerField(_("from score"))
    max_score = models.PositiveIntegerField(_("to score (included)"))
    level = models.ForeignKey(
        Level, verbose_name=_("level"), on_delete=models.CASCADE, related_name="thresholds"
    )

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["version", "min_score"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_score__lte=models.F("max_score")),
                name="threshold_range_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.min_score}-{self.max_score}"


class Section(VersionContent):
    version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    code = models.SlugField(_("code"), max_length=40)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=SectionKind.choices, default=SectionKind.QUESTIONS
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="section_code_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if in_english() else self.title_nl


class Item(VersionContent):
    # The version is repeated here so an item code is unique per version in the database.
    version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.SlugField(_("code"), max_length=40)
    text_nl = models.TextField(_("question (Dutch)"))
    text_en = models.TextField(_("question (English)"))
    help_nl = models.TextField(_("explanation (Dutch)"), blank=True)
    help_en = models.TextField(_("explanation (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["section__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="item_code_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    @property
    def text(self) -> str:
        return self.text_en if in_english() else self.text_nl

    @property
    def help(self) -> str:
        return self.help_en if in_english() else self.help_nl


class AnswerOption(VersionContent):
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="options"
    )
    code = models.SlugField(_("code"), max_length=20)
    label_nl = models.CharField(_("label (Dutch)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight"), default=0)
    # "Don't know": adds nothing to the score, and the number of them is reported.
    is_unknown = models.BooleanField(_("means 'don't know'"), default=False)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="option_code_once"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if in_english() else self.label_nl

    def owning_version_id(self) -> int | None:
        if self.item_id is None:
            return None
        return Item.objects.filter(pk=self.item_id).values_list("version_id", flat=True).first()


def _refuse_deleting_locked_content(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Deletes that bypass ``Model.delete`` (querysets, cascades) are refused as well."""
    if isinstance(instance, VersionContent):
        guard_version_unlocked(instance.owning_version_id())
    elif isinstance(instance, InstrumentVersion):
        guard_version_unlocked(instance.pk)


# Per sender: a receiver for every model would stop Django's fast deletes project-wide.
for _model in (InstrumentVersion, Level, Threshold, Section, Item, AnswerOption):
    pre_delete.connect(
        _refuse_deleting_locked_content, sender=_model, dispatch_uid=f"risk-lock-{_model.__name__}"
    )


# --- assessments: case content ---


class Assessment(models.Model):
    """One assessor's assessment, on behalf of their organisation, of people in a case."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="risk_assessments",
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("on behalf of"),
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    assessed_on = models.DateField(_("assessed on"))
    parties = models.ManyToManyField(
        "cases.CaseParty", verbose_name=_("about"), related_name="risk_assessments"
    )
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)
    unknown_count = models.PositiveSmallIntegerField(_("answered 'don't know'"), default=0)
    computed_level = models.ForeignKey(
        Level,
        verbose_name=_("computed level"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+"
    )
    # Why the level is above the computed one (or, without a total, why it is what it is).
    judgement_reason = models.TextField(_("professional judgement"), blank=True)
    escalation = models.BooleanField(_("escalation"), default=False)
    escalation_incidents = models.PositiveSmallIntegerField(
        _("number of incidents"), null=True, blank=True
    )
    escalation_note = models.TextField(_("about the escalation"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Why the instrument was used outside the scope it declares (risk.scope); empty when
    # the case and the people assessed were within it.
    scope_reason = models.TextField(_("reason to use it outside its scope"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords(m2m_fields=[parties])

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["-assessed_on", "-id"]
        default_permissions = ("view", "change")
        indexes = [models.Index(fields=["case", "assessed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(escalation=True) | models.Q(escalation_incidents__isnull=True),
                name="incidents_only_with_escalation",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(instrument)s of %(date)s") % {
            "instrument": self.instrument_version.instrument.name,
            "date": self.assessed_on.isoformat(),
        }

    @property
    def is_raised(self) -> bool:
        return self.computed_level_id is not None and self.level_id != self.computed_level_id


class Answer(models.Model):
    case_access_path = "assessment__case_id"

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    option = models.ForeignKey(
        AnswerOption, verbose_name=_("answer"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["item__section__order", "item__order"]
        default_permissions = ("view", "change")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}: {self.option.code}"


class LevelRaise(WrittenOnce):
    """The assessor raised an assessment's level by professional judgement, on a date.

    Immutable: a raise is a fact the figures of its period count, so it is never edited or
    moved (a new raise is recorded instead). ``from_level`` keeps the level before it, so
    the assessment's original level stays known; ``Assessment.level`` is the current one.
    The level of an assessment on a day is the ``to_level`` of its last raise dated on or
    before it, else the ``from_level`` of its first raise, else its level (``risk.current``).
    """

    case_access_path = "assessment__case_id"

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="raises",
    )
    from_level = models.ForeignKey(
        Level, verbose_name=_("from level"), on_delete=models.PROTECT, related_name="+"
    )
    to_level = models.ForeignKey(
        Level, verbose_name=_("to level"), on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField(_("raised on"))
    reason = models.TextField(_("reason"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    never_changed = _("A raised risk level is never changed.")

    class Meta:
        verbose_name = _("raised risk level")
        verbose_name_plural = _("raised risk levels")
        ordering = ["raised_on", "id"]
        indexes = [models.Index(fields=["assessment", "raised_on"], name="level_raise_day")]

    def __str__(self) -> str:
        return f"{self.from_level} → {self.to_level} ({self.raised_on.isoformat()})"


class JointAssessment(models.Model):
    """Partners' assessments of the same situation, combined into one agreed level."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="joint_risk_assessments",
    )
    held_on = models.DateField(_("agreed on"))
    assessments = models.ManyToManyField(
        Assessment, verbose_name=_("assessments combined"), related_name="joint_assessments"
    )
    organisations = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("organisations that took part"),
        related_name="joint_risk_assessments",
    )
    level = models.PositiveSmallIntegerField(_("agreed level"), choices=RiskGrade.choices)
    # The highest level among the combined assessments when it was recorded.
    highest_level = models.PositiveSmallIntegerField(
        _("highest level of the assessments"), choices=RiskGrade.choices
    )
    lower_reason = models.TextField(_("why the agreed level is lower"), blank=True)
    # Items answered differently, captured when the joint assessment was recorded.
    differences = models.JSONField(_("differences"), default=list, blank=True)
    differences_note = models.TextField(_("where the partners differed"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords(m2m_fields=[assessments, organisations])

    class Meta:
        verbose_name = _("joint risk assessment")
        verbose_name_plural = _("joint risk assessments")
        ordering = ["-held_on", "-id"]
        default_permissions = ("view", "change")

    def __str__(self) -> str:
        return gettext("Joint assessment of %(date)s") % {"date": self.held_on.isoformat()}

    @property
    def is_below_highest(self) -> bool:
        return self.level < self.highest_level


class RiskDecision(models.Model):
    """The case director's answer to a level that suggests track 3 and a case consultation."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="risk_decisions",
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    joint_assessment = models.ForeignKey(
        JointAssessment,
        verbose_name=_("joint assessment"),
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    escalate = models.BooleanField(_("move to track 3"))
    consultation_wanted = models.BooleanField(_("put on a case-consultation agenda"))
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision on a risk level")
        verbose_name_plural = _("decisions on a risk level")
        ordering = ["-decided_at", "-id"]
        default_permissions = ("view", "change")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(assessment__isnull=False, joint_assessment__isnull=True)
                    | models.Q(assessment__isnull=True, joint_assessment__isnull=False)
                ),
                name="decision_on_one_basis",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Decision of %(date)s") % {"date": self.decided_on.isoformat()}


class EscalationDismissal(WrittenOnce):
    """The case director set aside a suggestion to move the case to track 3 (and to a case
    consultation), with a reason, on a date (``risk.escalation``).

    ``reason_keys`` are the grounds the suggestion stood on then (the assessment, the incidents,
    the repeat): the suggestion stays hidden until a ground arises that is not among them.
    Written once: a later dismissal is a new row, so what was set aside when stays known.
    """

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="escalation_dismissals",
    )
    dismissed_on = models.DateField(_("dismissed on"))
    reason = models.TextField(_("reason"))
    # The reason codes shown then (``risk.escalation.ReasonCode``) and their grounds.
    reason_codes = models.JSONField(_("reasons set aside"), default=list)
    reason_keys = models.JSONField(default=list, editable=False)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    never_changed = _("A dismissed suggestion is never changed; dismiss again instead.")

    class Meta:
        verbose_name = _("dismissed track-3 suggestion")
        verbose_name_plural = _("dismissed track-3 suggestions")
        ordering = ["-recorded_at", "-id"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return gettext("Suggestion dismissed on %(date)s") % {"date": self.dismissed_on.isoformat()}
