"""Background work of notices: sending a notice's e-mail, and the sweep of e-mails left
waiting. Both idempotent (the e-mail is claimed by a conditional update), so ``acks_late``."""

from celery import shared_task

from . import services


@shared_task(name="notices.tasks.send_notice_email", acks_late=True)
def send_notice_email(notice_pk: int) -> bool:
    return services.send_notice_email(notice_pk=notice_pk)


@shared_task(name="notices.tasks.send_waiting_emails", acks_late=True)
def send_waiting_emails() -> int:
    return services.send_waiting_emails()
