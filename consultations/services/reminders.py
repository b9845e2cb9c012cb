"""Notices of art. 458ter consultations (issue 17, part 2): the invitation, and the reminder
to confirm the duty of secrecy before the consultation view opens.

A notice names the consultation's date and links to its secrecy page; never a case on its
agenda (who takes part does not yet see them) nor anyone in them.
"""

import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from access.policy import may_hold_case_access
from notices.models import NoticeKind
from notices.services import notify

from ..models import ConsultationStatus, Participant


def _secrecy_url(participant: Participant) -> str:
    return reverse("consultations:secrecy", kwargs={"pk": participant.consultation_id})


def invite(participant: Participant) -> None:
    """Tell a staff participant they were invited (and must confirm the duty of secrecy);
    e-mailed after the commit. Once per participant and date of the consultation."""
    user = participant.user
    if user is None or not may_hold_case_access(user):
        return
    notify(
        user=user,
        kind=NoticeKind.CONSULTATION_INVITATION,
        object_key=f"participant:{participant.pk}",
        due_on=timezone.localdate(participant.consultation.scheduled_at),
        url=_secrecy_url(participant),
    )


def secrecy_reminders_due(*, today: datetime.date) -> QuerySet[Participant]:
    """Staff participants who have not confirmed the duty of secrecy, of planned
    consultations from today until the day their view opens
    (``FJC_CONSULTATION_ACCESS_DAYS_BEFORE``), checked now: a removed participant, a
    cancelled consultation or a closed account gets nothing."""
    last = today + datetime.timedelta(days=max(settings.FJC_CONSULTATION_ACCESS_DAYS_BEFORE, 1))
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min)
    )
    return (
        Participant.objects.filter(
            user__isnull=False,
            user__is_active=True,
            removed_at__isnull=True,
            secrecy_confirmed_at__isnull=True,
            consultation__status=ConsultationStatus.PLANNED,
            consultation__scheduled_at__gte=start,
            consultation__scheduled_at__lt=end,
        )
        .select_related("user", "consultation")
        .order_by("pk")
    )


def send_secrecy_reminders(*, today: datetime.date | None = None) -> int:
    """Remind each of them once per consultation date; the number of notices made now."""
    today = today or timezone.localdate()
    made = 0
    for participant in secrecy_reminders_due(today=today):
        user = participant.user
        if user is None or not may_hold_case_access(user):
            continue
        notice = notify(
            user=user,
            kind=NoticeKind.SECRECY_TO_CONFIRM,
            object_key=f"participant:{participant.pk}",
            due_on=timezone.localdate(participant.consultation.scheduled_at),
            url=_secrecy_url(participant),
        )
        made += notice is not None
    return made
