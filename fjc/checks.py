"""System checks of the installation: the demo's shortcuts are never on in production."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_shortcuts_are_off(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .demo_factor import DEMO_TOTP_KEY

    errors = []
    if settings.FJC_DEMO:
        errors.append(
            Error(
                "FJC_DEMO is on: anyone may print the demo accounts' login codes.",
                hint="Unset FJC_DEMO; it is for scripts/demo.sh only.",
                id="fjc.E001",
            )
        )
    try:
        demo_devices = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY).exists()
    except DatabaseError:  # no database to look at (yet): nothing can carry the secret
        demo_devices = False
    if demo_devices:
        errors.append(
            Error(
                "A TOTP device carries the published demo secret: its second factor is no secret.",
                hint="Remove the demo accounts' devices (or the demo data) from this database.",
                id="fjc.E002",
            )
        )
    return errors


# Session engines whose state lives in one process or on one host's disk.
_HOST_LOCAL_SESSIONS = {"django.contrib.sessions.backends.file"}
_CACHE_SESSIONS = {
    "django.contrib.sessions.backends.cache",
    "django.contrib.sessions.backends.cached_db",
}
_PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.filebased.FileBasedCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def state_is_shared_between_processes(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every gunicorn worker, web replica and Celery worker sees the same cache and sessions
    (issue 20, part 6): a case search term stored by one process is read by the next request,
    which another process or host may serve; the worker's heartbeat is read by /health/."""
    errors = []
    cache_backend = settings.CACHES["default"]["BACKEND"]
    if cache_backend in _PROCESS_LOCAL_CACHES:
        errors.append(
            Error(
                f"The cache ({cache_backend.rsplit('.', 1)[-1]}) is not shared between processes.",
                hint="Set REDIS_URL: the cache then lives in Redis, shared by every process.",
                id="fjc.E003",
            )
        )
    session_engine = settings.SESSION_ENGINE
    if session_engine in _HOST_LOCAL_SESSIONS or (
        session_engine in _CACHE_SESSIONS and cache_backend in _PROCESS_LOCAL_CACHES
    ):
        errors.append(
            Error(
                f"Sessions ({session_engine.rsplit('.', 1)[-1]}) are not shared between hosts.",
                hint="Keep sessions in the database (the default of fjc.settings).",
                id="fjc.E004",
            )
        )
    return errors
