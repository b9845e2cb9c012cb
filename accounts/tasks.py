"""Background work of accounts: removing expired sessions.

Django refuses an expired session when it is read, so this task grants or ends nothing: it
removes the rows of sessions that timed out (idle timeout ``SESSION_COOKIE_AGE``), which
would otherwise stay in the session table for good. Idempotent.
"""

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task(name="accounts.tasks.clear_expired_sessions", acks_late=True)
def clear_expired_sessions() -> None:
    """What ``manage.py clearsessions`` does, for the configured session engine."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
