"""Managed lists: the relationship contexts and the forms of violence (fixed codes, labels and
the active flag managed by an administrator), closing reasons (editable by an administrator),
and the former list of "forms of violence", kept for the history only."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ViolenceFormCode(models.TextChoices):
    """The former list (until migration 0029): relationship types under the name "forms of
    violence". Mapped onto the relationship contexts; kept so that history shows it."""

    PARTNER = "partner", _("Partner violence")
    EX_PARTNER = "ex_partner", _("Ex-partner violence")
    CHILD_ABUSE = "child_abuse", _("Child abuse")
    AGAINST_PARENTS = "against_parents", _("Violence against parents")
    ELDER_ABUSE = "elder_abuse", _("Elder abuse")
    HONOUR_RELATED = "honour_related", _("Honour-related violence")
    OTHER = "other", _("Other")


class ViolenceForm(models.Model):
    """The former list: no longer chosen on a case (``Case.violence_forms`` stays empty since
    migration 0029 mapped its values onto ``Case.relationship_contexts``); its rows stay so
    that the history of a case shows what was recorded before."""

    code = models.CharField(_("code"), max_length=30, unique=True, choices=ViolenceFormCode.choices)

    class Meta:
        verbose_name = _("former form of violence")
        verbose_name_plural = _("former forms of violence")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(ViolenceFormCode(self.code).label)


class RelationshipContextCode(models.TextChoices):
    """In which relationship the violence happens (who against whom)."""

    PARTNER = "partner", _("Partner")
    EX_PARTNER = "ex_partner", _("Ex-partner")
    PARENT_CHILD = "parent_child", _("Parent → child")
    CHILD_PARENT = "child_parent", _("Child → parent")
    ELDER = "elder", _("Against an elderly person")
    OTHER_FAMILY = "other_family", _("Other family members")
    HONOUR_RELATED = "honour_related", _("Honour-related")
    OTHER = "other", _("Other")


class FormOfViolenceCode(models.TextChoices):
    """What the violence is (the decree of 29 March 2024: physical, sexual, psychological or
    economic; practice adds the others)."""

    PHYSICAL = "physical", _("Physical violence")
    SEXUAL = "sexual", _("Sexual violence")
    PSYCHOLOGICAL = "psychological", _("Psychological violence")
    ECONOMIC = "economic", _("Economic violence")
    STALKING = "stalking", _("Stalking")
    COERCIVE_CONTROL = "coercive_control", _("Coercive control")
    NEGLECT = "neglect", _("Neglect")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    FGM = "female_genital_mutilation", _("Female genital mutilation")


class ManagedCode(models.Model):
    """An entry of a managed list: the code is fixed (figures and rules use it); the labels,
    the order and whether it can still be chosen are the administrator's."""

    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active entries can be chosen on a case.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_nl


class RelationshipContext(ManagedCode):
    code = models.CharField(
        _("code"), max_length=30, unique=True, choices=RelationshipContextCode.choices
    )

    class Meta(ManagedCode.Meta):
        verbose_name = _("relationship context")
        verbose_name_plural = _("relationship contexts")


class FormOfViolence(ManagedCode):
    code = models.CharField(
        _("code"), max_length=30, unique=True, choices=FormOfViolenceCode.choices
    )

    class Meta(ManagedCode.Meta):
        verbose_name = _("form of violence")
        verbose_name_plural = _("forms of violence")


class ClosingReason(models.Model):
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("closing reason")
        verbose_name_plural = _("closing reasons")
        ordering = ["order", "name_nl"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_nl
