"""Managed lists: forms of violence (fixed codes) and closing reasons (editable by an administrator)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ViolenceFormCode(models.TextChoices):
    PARTNER = "partner", _("Partner violence")
    EX_PARTNER = "ex_partner", _("Ex-partner violence")
    CHILD_ABUSE = "child_abuse", _("Child abuse")
    AGAINST_PARENTS = "against_parents", _("Violence against parents")
    ELDER_ABUSE = "elder_abuse", _("Elder abuse")
    HONOUR_RELATED = "honour_related", _("Honour-related violence")
    OTHER = "other", _("Other")


class ViolenceForm(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True, choices=ViolenceFormCode.choices)

    class Meta:
        verbose_name = _("form of violence")
        verbose_name_plural = _("forms of violence")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(ViolenceFormCode(self.code).label)


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
