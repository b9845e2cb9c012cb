"""The client system: people and their role and relations in a case."""

from collections.abc import Iterable

from django.db import models
from django.utils.text import capfirst
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


class FamilyPosition(models.TextChoices):
    """Where a person stands in the family or household of the case: who they are to the
    others, not what happened (that is :class:`ViolenceRole`)."""

    PARTNER = "partner", _("Partner")
    EX_PARTNER = "ex_partner", _("Ex-partner")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other family member")


class ViolenceRole(models.TextChoices):
    """What a person's part in the violence of the case is; several may hold (someone can be
    a victim and a perpetrator in mutual violence, a child a victim and a witness)."""

    VICTIM = "victim", _("Victim")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    WITNESS = "witness", _("Witness")
    INVOLVED = "involved", _("Involved / support")


# Each role in the violence is a yes/no column of the involvement: a filter is one indexed
# comparison on both PostgreSQL and SQLite, history keeps it like any field, and reading the
# client system needs no extra query (see docs/architecture.md, "Roles that say what happened").
ROLE_FIELDS: dict[str, str] = {
    ViolenceRole.VICTIM: "is_victim",
    ViolenceRole.PERPETRATOR: "is_perpetrator",
    ViolenceRole.WITNESS: "is_witness",
    ViolenceRole.INVOLVED: "is_involved",
}


def role_condition(*roles: str, prefix: str = "") -> models.Q:
    """Involvements holding at least one of ``roles`` (``prefix``: the path to the involvement,
    e.g. ``"party__"``)."""
    condition = models.Q()
    for role in roles:
        condition |= models.Q(**{f"{prefix}{ROLE_FIELDS[role]}": True})
    return condition


class LegacyPartyRole(models.TextChoices):
    """The single role a person had in a case before migration cases/0030: kept as a record on
    the involvement (``CaseParty.legacy_role``) and in its history, never used by a rule."""

    VICTIM = "victim", _("Victim")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CHILD = "child", _("Child")
    FAMILY = "family", _("Other family member")
    OTHER = "other", _("Other")


class CaseParty(models.Model):
    """A person in one case: their family position, their roles in the violence, and their
    situation in this case."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="involvements"
    )
    position = models.CharField(
        _("family position"), max_length=20, choices=FamilyPosition.choices, blank=True
    )
    is_victim = models.BooleanField(_("victim"), default=False)
    is_perpetrator = models.BooleanField(_("perpetrator"), default=False)
    is_witness = models.BooleanField(_("witness"), default=False)
    is_involved = models.BooleanField(_("involved / support"), default=False)
    # The one role of before migration 0028, as it was (empty for people added since).
    legacy_role = models.CharField(
        _("former role in the case"),
        max_length=20,
        choices=LegacyPartyRole.choices,
        blank=True,
        default="",
        editable=False,
    )
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
        ordering = ["-is_victim", "-is_perpetrator", "position", "person__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["case", "person"], name="person_once_per_case"),
            models.CheckConstraint(
                condition=~models.Q(position="") | role_condition(*ViolenceRole.values),
                name="party_has_position_or_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role_summary})"

    @property
    def roles(self) -> list[ViolenceRole]:
        """The roles in the violence this person holds in the case, in a fixed order."""
        return [ViolenceRole(role) for role, name in ROLE_FIELDS.items() if getattr(self, name)]

    @roles.setter
    def roles(self, roles: Iterable[str]) -> None:
        chosen = set(roles)
        for role, name in ROLE_FIELDS.items():
            setattr(self, name, role in chosen)

    @property
    def role_summary(self) -> str:
        """The family position and the roles, e.g. "Kind, getuige" (no name: safe for a
        timeline line)."""
        labels = [str(self.get_position_display())] if self.position else []
        labels += [str(role.label) for role in self.roles]
        return capfirst(", ".join(label.lower() for label in labels))


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
