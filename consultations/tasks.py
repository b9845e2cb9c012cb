"""Background work of consultations: closing consultation access whose window has passed.

``access.policy`` already refuses a row outside its window at every request; this task marks
such rows as ended so the record (and the audit trail) says when and why access stopped. It
is idempotent: rows already ended are left alone.
"""

from celery import shared_task

from .services.access import end_expired_access as _end_expired_access


@shared_task(name="consultations.tasks.end_expired_access", acks_late=True)
def end_expired_access() -> int:
    """End every open consultation access whose window has passed; the number ended."""
    return _end_expired_access()


@shared_task(name="consultations.tasks.send_secrecy_reminders", acks_late=True)
def send_secrecy_reminders() -> int:
    """Remind participants who have not confirmed the duty of secrecy (once per consultation
    date); the number of notices made now."""
    from .services.reminders import send_secrecy_reminders as _send_secrecy_reminders

    return _send_secrecy_reminders()
