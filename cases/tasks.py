"""Background work of cases: ending shares whose end date has passed.

``access.policy`` already stops counting a share's grant the day after its end date, at every
request; this task ends the record, removes the grant and writes the audit row, so the file
says when and why the access stopped. Idempotent: shares already ended are left alone.
"""

from celery import shared_task

from .services.shares import end_expired_shares as _end_expired_shares


@shared_task(name="cases.tasks.end_expired_shares", acks_late=True)
def end_expired_shares() -> int:
    """End every open share past its end date; the number ended."""
    return _end_expired_shares()


@shared_task(name="cases.tasks.end_expired_break_glass", acks_late=True)
def end_expired_break_glass() -> int:
    """Record the end of every emergency access past its end (the policy already refuses
    it at ``ends_at``); the number ended."""
    from .services.break_glass import end_expired_break_glass as _end_expired_break_glass

    return _end_expired_break_glass()


@shared_task(name="cases.tasks.send_urgent_notices", acks_late=True)
def send_urgent_notices() -> int:
    """Urgent notices from every user's deadline board (idempotent: one notice per user,
    kind, object and date); the number made now."""
    from .services.reminders import send_urgent_notices as _send_urgent_notices

    return _send_urgent_notices()


@shared_task(name="cases.tasks.send_daily_digests", acks_late=True)
def send_daily_digests() -> int:
    """Every user's daily overview of their deadlines (one per user per day); the number
    made now."""
    from .services.reminders import send_daily_digests as _send_daily_digests

    return _send_daily_digests()
