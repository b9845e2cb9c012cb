"""Periodic clean-up of the common machinery's rows."""

from celery import shared_task

from common.submission import delete_old_tokens


@shared_task(name="common.tasks.delete_old_submission_tokens", acks_late=True)
def delete_old_submission_tokens() -> int:
    """Daily (beat): remove one-time form tokens older than FJC_SUBMISSION_TOKEN_DAYS."""
    return delete_old_tokens()
