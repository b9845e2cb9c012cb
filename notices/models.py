"""Notices to a user: in the app (a list with read/unread) and, by preference, by e-mail.

A notice says no more about people than an e-mail may: the case's reference (or nothing),
the kind, a date and a link to where it is handled. Never a name, a label or a free text.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    # The daily overview of the user's deadline board (one per user per day).
    DIGEST = "digest", _("Daily overview of deadlines")
    # Urgent: sent at once (in the app always; by e-mail unless the user turned it off).
    ORDER_ENDING = "order_ending", _("Restraining order ends soon")
    HEARING_TOMORROW = "hearing_tomorrow", _("Hearing tomorrow")
    ACTION_OVERDUE = "action_overdue", _("Action overdue")
    REFERRAL_UNANSWERED = "referral_unanswered", _("Referral still unanswered")
    CONSULTATION_INVITATION = "consultation_invitation", _("Invitation to a case consultation")
    SECRECY_TO_CONFIRM = "secrecy_to_confirm", _("Confirm your duty of secrecy")
    HIT = "hit", _("People of your case are in a case elsewhere")
    BREAK_GLASS = "break_glass", _("Emergency access opened")
    # The partner inbox (issue 19, part 3): a referral or an action reached the organisation's
    # inbox; the partner answered one of the case director's.
    INBOX_ITEM = "inbox_item", _("New in your organisation's inbox")
    PARTNER_ANSWERED = "partner_answered", _("A partner answered")
    # Issue 19: the registrant withdrew a registration the triage table had not decided yet.
    REGISTRATION_WITHDRAWN = "registration_withdrawn", _("A registration was withdrawn")


# The kinds a user may switch off by e-mail one by one (the digest has its own switch).
IMMEDIATE_KINDS = [kind for kind in NoticeKind if kind != NoticeKind.DIGEST]


class Notification(models.Model):
    """One notice to one user about one thing on one day: ``(user, kind, object_key, due_on)``
    is unique, so a notice is never made (nor mailed) twice, whoever runs the task how often.

    ``object_key`` names the thing (``"measure:12"``, ``"participant:3"``), ``due_on`` the
    date the notice is about (the order's end, the hearing's day, the digest's day).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40, choices=NoticeKind.choices)
    object_key = models.CharField(max_length=80)
    due_on = models.DateField(_("date"))
    # The case's reference, when the notice is about a case (never its label).
    reference = models.CharField(_("reference"), max_length=30, blank=True)
    # Where the notice is handled: a path inside the application.
    url = models.CharField(max_length=300)
    # The digest's lines: [{"reference", "kind", "on", "url"}], no other data.
    lines = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Whether an e-mail is due (the user's preference when the notice was made), and when it
    # went out. The sender claims the e-mail with a conditional update: at most one e-mail.
    email_due = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_key", "due_on"], name="notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(
                fields=["emailed_at"],
                condition=models.Q(email_due=True, emailed_at__isnull=True),
                name="notification_email_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} {self.due_on}".strip()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def line_count(self) -> int:
        return len(self.lines)


class NoticePreference(models.Model):
    """What a user wants by e-mail. In the app, every notice shows: that cannot be switched
    off. Without a row, the defaults hold (the digest and every urgent kind by e-mail)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    digest_email = models.BooleanField(_("daily overview by e-mail"), default=True)
    # The immediate kinds this user does not want by e-mail (codes of NoticeKind).
    muted_kinds = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("notice preference")
        verbose_name_plural = _("notice preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        if kind == NoticeKind.DIGEST:
            return self.digest_email
        return kind not in self.muted_kinds
