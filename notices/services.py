"""Notices (issue 17, part 2): make one, mail it once, read it, and the user's preferences.

:func:`notify` is the one way to tell a user something: the apps call it from their services
(a consultation invitation, a hit, emergency access) and from the beat tasks (urgent deadlines,
the daily overview). It is idempotent: ``(user, kind, object_key, due_on)`` is unique in the
database, so running a task twice, or a message delivered twice, makes no second notice and
no second e-mail. The e-mail is sent only for a notice made now, after the commit, by a task.

E-mails carry no client data: the case's reference, the kind of deadline, a date and a link.
They are built here from those fields only (:func:`notice_email`), never from a case.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from common.versioning import locked_for_update

from .models import IMMEDIATE_KINDS, NoticeKind, NoticePreference, Notification

logger = logging.getLogger(__name__)

# A notice whose e-mail was due but not sent after this long (the broker was away when it
# was made) is sent by the next sweep.
EMAIL_SWEEP_AFTER = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class DigestLine:
    """One line of the daily overview: nothing but a reference, a kind, a date, a link."""

    reference: str
    kind: str  # the board kind's label
    on: datetime.date
    url: str

    def as_json(self) -> dict[str, str]:
        return {
            "reference": self.reference,
            "kind": self.kind,
            "on": self.on.isoformat(),
            "url": self.url,
        }


def preference_for(user: User) -> NoticePreference:
    """The user's preference, or the defaults (not saved) when they never chose."""
    found = NoticePreference.objects.filter(user=user).first()
    return found or NoticePreference(user=user)


def notify(
    *,
    user: User,
    kind: NoticeKind,
    object_key: str,
    due_on: datetime.date,
    url: str,
    reference: str = "",
    lines: Iterable[DigestLine] = (),
    email: bool = True,
) -> Notification | None:
    """Tell ``user`` about ``object_key``; the notice made now, or None when it existed
    already (or the account is inactive). ``email=False``: in the app only (the caller
    mails in its own way). Call inside or outside a transaction."""
    if not user.is_active:
        return None
    wanted = email and bool(user.email) and preference_for(user).wants_email(kind)
    with transaction.atomic():
        notice, created = Notification.objects.get_or_create(
            user=user,
            kind=kind,
            object_key=object_key,
            due_on=due_on,
            defaults={
                "url": url,
                "reference": reference,
                "lines": [line.as_json() for line in lines],
                "email_due": wanted,
            },
        )
    if not created:
        return None
    recount_unread(user.pk)
    if wanted:
        pk = notice.pk
        transaction.on_commit(lambda: _queue_email(pk))
    return notice


def _queue_email(pk: int) -> None:
    from .tasks import send_notice_email

    try:
        send_notice_email.apply_async((pk,), retry=False)
    except Exception as error:  # the broker is away: the sweep sends it later
        logger.warning("Notice e-mail not queued (%s); the sweep sends it", type(error).__name__)


def absolute(url: str) -> str:
    return settings.FJC_SITE_URL.rstrip("/") + url


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def notice_email(notice: Notification) -> tuple[str, str]:
    """Subject and body of a notice's e-mail, in the installation's language: the kind, the
    case's reference, the date and the link. Nothing else reaches the e-mail."""
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "installation": settings.FJC_INSTALLATION_NAME,
            "kind": str(NoticeKind(notice.kind).label),
            "reference": notice.reference,
            "day": _day(notice.due_on),
            "count": len(notice.lines),
            "link": absolute(notice.url),
        }
        if notice.kind == NoticeKind.DIGEST:
            subject = _("%(installation)s: your deadlines of %(day)s") % values
            rows = [
                f"- {_day(datetime.date.fromisoformat(line['on']))} · "
                f"{line['reference'] or '-'} · {line['kind']}\n  {absolute(line['url'])}"
                for line in notice.lines
            ]
            body = "\n\n".join(
                [
                    _("Your deadlines for the coming days (%(count)s):") % values,
                    "\n".join(rows),
                    _("All your deadlines: %(link)s") % values,
                ]
            )
        elif notice.reference:
            subject = _("%(installation)s: %(kind)s (case %(reference)s)") % values
            body = _("%(kind)s: case %(reference)s, %(day)s.\n\nWhere to handle it: %(link)s") % (
                values
            )
        else:
            subject = _("%(installation)s: %(kind)s") % values
            body = _("%(kind)s: %(day)s.\n\nWhere to handle it: %(link)s") % values
        footer = _(
            "This message holds no details about the people concerned: open the link to "
            "see them. Your notice settings: %(link)s"
        ) % {"link": absolute(reverse("notices:settings"))}
    return subject, body + "\n\n" + footer


def send_notice_email(*, notice_pk: int) -> bool:
    """Send the e-mail of a notice, at most once: claimed by a conditional update, so a
    second delivery of the same task (or the sweep) finds it claimed and sends nothing. The
    recipient's account is checked again now (an account closed since gets nothing)."""
    claimed = Notification.objects.filter(
        pk=notice_pk, email_due=True, emailed_at__isnull=True, user__is_active=True
    ).update(emailed_at=timezone.now())
    if not claimed:
        return False
    notice = Notification.objects.select_related("user").get(pk=notice_pk)
    if not notice.user.email:
        return False
    subject, body = notice_email(notice)
    send_mail(subject, body, None, [notice.user.email])
    return True


def send_waiting_emails(*, now: datetime.datetime | None = None) -> int:
    """Send the e-mails that are due but were not sent (queued while the broker was away)."""
    before = (now or timezone.now()) - EMAIL_SWEEP_AFTER
    waiting = Notification.objects.filter(
        email_due=True, emailed_at__isnull=True, created_at__lte=before
    ).values_list("pk", flat=True)
    return sum(send_notice_email(notice_pk=pk) for pk in list(waiting))


# --- the user's list ---


def notices_of(user: User) -> QuerySet[Notification]:
    """The user's own notices, newest first. Nobody sees another's."""
    return Notification.objects.filter(user=user)


def unread_count(user: User) -> int:
    """One query (the index ``notification_unread``)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def recount_unread(user_pk: int) -> None:
    """Set the user's ``unread_notices`` (the navigation's badge) from their notices, in one
    statement: whatever ran before or at the same time, the last recount is right."""
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    User.objects.filter(pk=user_pk).update(unread_notices=Coalesce(Subquery(unread), 0))


def mark_read(*, user: User, pk: int) -> Notification | None:
    """Mark the user's notice ``pk`` read; None when it is not theirs (or unknown)."""
    notice = notices_of(user).filter(pk=pk).first()
    if notice is not None and notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        recount_unread(user.pk)
    return notice


def mark_all_read(*, user: User) -> int:
    count = notices_of(user).filter(read_at__isnull=True).update(read_at=timezone.now())
    recount_unread(user.pk)
    return count


@transaction.atomic
def preference_update(
    *,
    user: User,
    version: int | None,
    digest_email: bool,
    email_kinds: Iterable[str],
) -> NoticePreference:
    """Save what the user wants by e-mail: the daily overview, and the urgent kinds chosen
    in ``email_kinds`` (the others are muted). In the app everything stays."""
    chosen = set(email_kinds)
    unknown = chosen - {str(kind) for kind in IMMEDIATE_KINDS}
    if unknown:
        raise ValidationError({"email_kinds": _("Choose from the list.")})
    preference, created = NoticePreference.objects.get_or_create(user=user)
    if not created:
        preference = locked_for_update(preference, version)
        preference.version += 1
    preference.digest_email = digest_email
    preference.muted_kinds = sorted(str(k) for k in IMMEDIATE_KINDS if str(k) not in chosen)
    preference.save()
    return preference
