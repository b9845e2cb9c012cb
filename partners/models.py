from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.dates import MAX_POPULATION, check_number, check_year
from common.records import WrittenOnce


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

    def clean(self) -> None:
        # The admin's inline writes these rows directly: the shared rule of the funding page.
        check_year(self.year, field="year", earliest=1990)
        check_number(self.inhabitants, field="inhabitants", maximum=MAX_POPULATION)


class OrganisationKind(models.TextChoices):
    CITY = "city", _("City or municipality")
    CAW = "caw", _("CAW (general welfare centre)")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    POLICE_ZONE = "police_zone", _("Police zone")
    FLEMISH_GOVERNMENT = "flemish_government", _("Flemish government")
    PARTNER = "partner", _("Other partner")


# Kinds whose staff see judicial information (PV numbers, the parket's notice, measures,
# hearings) as consultation participants. Because the kind opens that information, only an
# administrator sets or changes it (``access.policy.may_set_judicial_organisation_kind``);
# the network coordinator's directory forms offer the other kinds only.
JUDICIAL_INFORMATION_KINDS = frozenset({OrganisationKind.PROSECUTOR, OrganisationKind.POLICE_ZONE})


class Sector(models.TextChoices):
    POLICE = "police", _("Police")
    JUSTICE = "justice", _("Justice")
    WELFARE = "welfare", _("Welfare")
    YOUTH_CARE = "youth_care", _("Youth care")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    MUNICIPALITY = "municipality", _("Municipality")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    OTHER = "other", _("Other")


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
    # The partner directory, kept by the network coordinator.
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    municipalities_served = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities served"),
        blank=True,
        related_name="served_by",
    )
    is_core_partner = models.BooleanField(_("core partner"), default=False)
    # Optimistic locking (common.versioning): a directory edit from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[municipalities_served])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def receives_judicial_information(self) -> bool:
        """The prosecutor's office and the police: their participants in a case consultation
        see the judicial information of the agenda cases (``access.policy`` asks this)."""
        return self.kind in JUDICIAL_INFORMATION_KINDS

    @property
    def is_prosecutors_office(self) -> bool:
        """A prosecutor's office (parket): its prosecutor liaisons confirm the reasoned
        authorisations it gave (``access.policy.may_confirm_legal_basis``)."""
        return self.kind == OrganisationKind.PROSECUTOR


class ContactPerson(models.Model):
    """A professional contact at a partner organisation (staff, not clients)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("role or function"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Optimistic locking (common.versioning): a directory edit from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return self.name


class AgreementKind(models.TextChoices):
    PROTOCOL_458TER = "458ter", _("458ter protocol")
    COOPERATION = "cooperation", _("Cooperation agreement")
    OTHER = "other", _("Other")


class Agreement(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AgreementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # MEDIA_ROOT is private storage: the file is served only by the role-checked
    # download view, never by a public URL.
    document = models.FileField(_("signed document"), upload_to="agreements/%Y/", blank=True)
    # Optimistic locking (common.versioning): a directory edit from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-signed_on", "title"]

    def __str__(self) -> str:
        return self.title


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("Training")
    INTERVISION = "intervision", _("Intervision")
    ADVICE = "advice", _("Advice session")


class Training(models.Model):
    """Expertise the FJC shares with its partners."""

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=TrainingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner organisations"),
        blank=True,
        related_name="trainings",
    )
    participants = models.PositiveIntegerField(
        _("number of participants"), validators=[MinValueValidator(1)]
    )
    notes = models.TextField(_("notes"), blank=True)
    # Optimistic locking (common.versioning): a directory edit from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("training or session")
        verbose_name_plural = _("trainings and sessions")
        ordering = ["-date", "topic"]

    def __str__(self) -> str:
        return self.topic


class GapKind(models.TextChoices):
    WAITING_LIST = "waiting_list", _("Waiting list")
    MISSING_SERVICE = "missing_service", _("Missing service")
    SERVICE_REFUSED = "service_refused", _("Service refused")
    OTHER = "other", _("Other")


class GapStatus(models.TextChoices):
    NEW = "new", _("New")
    FOLLOW_UP = "follow_up", _("In follow-up")
    ADDRESSED = "addressed", _("Addressed")
    CLOSED = "closed", _("Closed")


class Gap(models.Model):
    """A gap in the care offer (hiaat), seen in a case but kept apart from it."""

    kind = models.CharField(_("kind"), max_length=20, choices=GapKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gaps",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gaps",
    )
    description = models.TextField(
        _("description"),
        help_text=_(
            "Describe the gap in the care offer only. Do not write names or other "
            "personal data of clients."
        ),
    )
    signalled_on = models.DateField(_("signalled on"))
    signalled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalled by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Only so the case director can find the gap back; never shown to the network.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gaps",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=GapStatus.choices, default=GapStatus.NEW
    )
    history = HistoricalRecords(excluded_fields=["case"])

    class Meta:
        verbose_name = _("gap in the care offer")
        verbose_name_plural = _("gaps in the care offer")
        ordering = ["-signalled_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.signalled_on})"


class GapStatusChange(WrittenOnce):
    """One dated change of a gap's status; never edited.

    The status of a gap on a day is the ``to_status`` of its last change dated on or before
    it (by ``changed_on``, then ``id``), else "new"; ``Gap.status`` is the current one. The
    service refuses a change dated before the last one, so both orders agree.
    """

    gap = models.ForeignKey(
        Gap, verbose_name=_("gap"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=GapStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=GapStatus.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    never_changed = _("A status change of a gap is never changed.")

    class Meta:
        verbose_name = _("status change of a gap")
        verbose_name_plural = _("status changes of gaps")
        ordering = ["changed_on", "id"]
        indexes = [models.Index(fields=["gap", "changed_on"], name="gap_status_change_day")]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class GapFollowUp(models.Model):
    gap = models.ForeignKey(
        Gap, verbose_name=_("gap"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField(_("date"))
    action = models.TextField(_("action taken"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date}: {self.action[:40]}"
