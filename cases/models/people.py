"""The client system: people and their role and relations in a case."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    X = "x", _("X / other")
    UNKNOWN = "unknown", _("Unknown")


class AgeBand(models.TextChoices):
    UNDER_6 = "0-5", _("0-5 years")
    AGE_6_11 = "6-11", _("6-11 years")
    AGE_12_17 = "12-17", _("12-17 years")
    AGE_18_24 = "18-24", _("18-24 years")
    AGE_25_44 = "25-44", _("25-44 years")
    AGE_45_64 = "45-64", _("45-64 years")
    AGE_65_PLUS = "65+", _("65 years or older")
    UNKNOWN = "unknown", _("Unknown")


class Person(models.Model):
    """Someone in a client system: who they are. One person can be in several cases.

    Only identity lives here (shared by every case the person is in); where they live and how
    to reach them safely belong to their situation in one case (:class:`CaseParty`).
    """

    # A person is visible through any case they are in (see access.policy).
    case_access_path = "involvements__case_id"

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    age_band = models.CharField(
        _("age band"),
        max_length=10,
        choices=AgeBand.choices,
        default=AgeBand.UNKNOWN,
        help_text=_("When the date of birth is not known."),
    )
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    language = models.CharField(_("language"), max_length=60, blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    # Lower-case, accent-free "last first" for finding probable duplicates.
    name_key = models.CharField(max_length=220, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PartyRole(models.TextChoices):
    VICTIM = "victim", _("Victim")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CHILD = "child", _("Child")
    FAMILY = "family", _("Other family member")
    OTHER = "other", _("Other")


class CaseParty(models.Model):
    """A person's role in one case."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="involvements"
    )
    role = models.CharField(_("role in the case"), max_length=20, choices=PartyRole.choices)
    added_on = models.DateField(_("added on"), auto_now_add=True)
    # When the person's involvement in the case began: the day they were added, or an earlier
    # day the case director enters, never before the case's opening (cases.services.people).
    # The figures count a person for a period from this date (reporting.figures.people), so a
    # person added in 2026 to a 2025 case never changes 2025's figures unless back-dated.
    involved_since = models.DateField(
        _("involved since"),
        help_text=_(
            "The day this person's involvement in the case began: today when they are added "
            "now, or an earlier day, not before the case was registered."
        ),
    )

    # The person's situation in this case, never shared with another case they are in: a
    # victim's safe address and safe contact are for this case's team only (the confidential
    # fields of access.policy.CONFIDENTIAL_FIELDS), so linking the person elsewhere carries
    # nothing over.
    address = models.TextField(_("address"), blank=True)
    address_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_("Never share this address with other parties."),
    )
    safe_contact = models.TextField(_("safe way and moment to make contact"), blank=True)
    # Edits of the situation are checked against it (common.versioning), as the person's are.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person in a case")
        verbose_name_plural = _("people in a case")
        ordering = ["role", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="person_once_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class RelationKind(models.TextChoices):
    PARTNER = "partner", _("Partner of")
    EX_PARTNER = "ex_partner", _("Ex-partner of")
    PARENT = "parent", _("Parent of")
    STEP_PARENT = "step_parent", _("Step-parent of")
    SIBLING = "sibling", _("Sibling of")
    GRANDPARENT = "grandparent", _("Grandparent of")
    OTHER = "other", _("Other relation to")


class PartyRelation(models.Model):
    """ "A is <kind> B" within one case."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="relations"
    )
    from_party = models.ForeignKey(
        CaseParty, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("relation"), max_length=20, choices=RelationKind.choices)
    to_party = models.ForeignKey(
        CaseParty, verbose_name=_("other person"), on_delete=models.CASCADE, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(
                fields=["from_party", "kind", "to_party"], name="relation_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_party=models.F("to_party")), name="relation_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_party.person} {self.get_kind_display()} {self.to_party.person}"
