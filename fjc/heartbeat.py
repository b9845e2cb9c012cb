"""The Celery worker's heartbeat: a timestamp in Redis (the Django cache), written by the
worker every ``FJC_WORKER_HEARTBEAT_SECONDS`` (``fjc.celery.WorkerHeartbeat``) and read by
``/health/``. It says a worker process is alive and can reach Redis; nothing else."""

import time

from django.core.cache import cache

KEY = "worker-heartbeat"
# Long enough to tell "stale" from "never": a day.
KEEP_SECONDS = 24 * 60 * 60


def record(now: float | None = None) -> None:
    cache.set(KEY, time.time() if now is None else now, KEEP_SECONDS)


def age(now: float | None = None) -> float | None:
    """Seconds since the last heartbeat; None when there is none. Raises when Redis cannot
    be reached."""
    last = cache.get(KEY)
    if last is None:
        return None
    return (time.time() if now is None else now) - float(last)
