"""Who works on a case: co-directors (who get access) and partners in the care trajectory."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CoDirector(models.Model):
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="co_directors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("co-director"),
        on_delete=models.PROTECT,
        related_name="co_directed",
    )
    added_on = models.DateField(_("added on"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("co-director")
        verbose_name_plural = _("co-directors")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="co_director_once"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class CasePartner(models.Model):
    """A partner organisation in the care trajectory: what it does, since when."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="case_roles",
    )
    role = models.CharField(_("what the partner does"), max_length=200)
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner in the care trajectory")
        verbose_name_plural = _("partners in the care trajectory")
        ordering = ["since", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="partner_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.role}"
