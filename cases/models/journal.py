"""The case journal and the actions (afspraken)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class EntryKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    NOTE = "note", _("Note")
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE_CALL = "phone_call", _("Phone call")
    CONTACT_ATTEMPT = "contact_attempt", _("Contact attempt")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Letter")
    HOME_VISIT = "home_visit", _("Home visit")
    IN_PERSON = "in_person", _("In person")
    VIA_PARTNER = "via_partner", _("Via a partner")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    TEAM = "team", _("Case team only")
    ALL = "all", _("Everyone with access to the case")


class JournalEntry(models.Model):
    # Visibility narrows this further: see access.policy.
    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="journal"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    # Only for contact attempts: was the person reached?
    reached = models.BooleanField(_("reached"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    visibility = models.CharField(
        _("visible to"), max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"

    @property
    def is_contact_attempt(self) -> bool:
        return self.kind == EntryKind.CONTACT_ATTEMPT

    @property
    def is_team_only(self) -> bool:
        return self.visibility == Visibility.TEAM

    @property
    def is_real_contact(self) -> bool:
        """A contact with the person: any entry but a note or an unanswered attempt."""
        if self.kind == EntryKind.NOTE:
            return False
        return not (self.kind == EntryKind.CONTACT_ATTEMPT and not self.reached)


class CaseAction(models.Model):
    """An agreed action (afspraak): what, who, by when, done."""

    case_access_path = "case_id"

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(_("what"), max_length=300)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who (staff member)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_actions",
    )
    assignee_organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("who (partner)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_actions",
    )
    due_on = models.DateField(_("by when"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["done_on", "due_on"]),
            # Open actions by case and by assignee, by date: the board, the home page and the
            # lists' overdue count start from the user's cases and assignments (issue 20).
            models.Index(
                fields=["case", "due_on"],
                condition=models.Q(done_on__isnull=True),
                name="action_open_by_case",
            ),
            models.Index(
                fields=["assignee_user", "due_on"],
                condition=models.Q(done_on__isnull=True),
                name="action_open_by_assignee",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee_user__isnull=False)
                | models.Q(assignee_organisation__isnull=False),
                name="action_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def assignee(self) -> object:
        return self.assignee_user or self.assignee_organisation

    @property
    def partner_declined(self) -> bool:
        """Whether the organisation it is assigned to declined it in its inbox (annotated by
        ``cases.selectors.inbox.with_partner_answer``)."""
        return getattr(self, "partner_outcome", None) == "declined"

    @property
    def partner_accepted(self) -> bool:
        return getattr(self, "partner_outcome", None) == "accepted"
