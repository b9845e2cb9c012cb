from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PoliceZone(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("police zone")
        verbose_name_plural = _("police zones")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A municipality of the region the FJC serves (a place, not an organisation)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    police_zone = models.ForeignKey(
        PoliceZone,
        verbose_name=_("police zone"),
        on_delete=models.PROTECT,
        related_name="municipalities",
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityPopulation(models.Model):
    """Inhabitants on 1 January of a year, entered by an administrator each year."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="populations",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    inhabitants = models.PositiveIntegerField(_("inhabitants"))
    source = models.CharField(_("source"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["municipality__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year"], name="one_population_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.inhabitants}"


class OrganisationKind(models.TextChoices):
    CITY = "city", _("City or municipality")
    CAW = "caw", _("CAW (general welfare centre)")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    POLICE_ZONE = "police_zone", _("Police zone")
    FLEMISH_GOVERNMENT = "flemish_government", _("Flemish government")
    PARTNER = "partner", _("Other partner")


class Organisation(models.Model):
    """An organisation whose staff use the application or work with the FJC.

    Each organisation has its own auth group: case grants to the organisation
    go to that group, and only its case-working staff are members.
    """

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        help_text=_("For a city or municipality: the place it governs."),
    )
    police_zone = models.ForeignKey(
        PoliceZone,
        verbose_name=_("police zone"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        related_name="organisation",
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
