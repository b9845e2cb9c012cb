"""The Celery workers' heartbeat: timestamps in Redis (the Django cache), written by every
worker every ``FJC_WORKER_HEARTBEAT_SECONDS`` (``fjc.celery.WorkerHeartbeat``) and read by
``/health/``. It says a worker process is alive and can reach Redis; nothing else.

One timestamp for "some worker" (``KEY``) and one per queue the worker consumes
(``KEY:<queue>``): with a worker per queue (the "scale" compose profile: reports,
notifications, the default), a dead reports worker is seen even while the others beat."""

import time
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

KEY = "worker-heartbeat"
# Long enough to tell "stale" from "never": a day.
KEEP_SECONDS = 24 * 60 * 60


def queue_names() -> list[str]:
    """Every queue of the installation (``CELERY_TASK_QUEUES``)."""
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def _queue_key(queue: str) -> str:
    return f"{KEY}:{queue}"


def record(now: float | None = None, queues: Iterable[str] | None = None) -> None:
    """A heartbeat of a worker that consumes ``queues`` (every queue when not given)."""
    moment = time.time() if now is None else now
    values = {KEY: moment}
    values.update({_queue_key(queue): moment for queue in (queues or queue_names())})
    cache.set_many(values, KEEP_SECONDS)


def age(now: float | None = None) -> float | None:
    """Seconds since the oldest of the heartbeats (of some worker, and of each queue); None
    when one of them is missing. Raises when Redis cannot be reached."""
    keys = [KEY, *(_queue_key(queue) for queue in queue_names())]
    found = cache.get_many(keys)
    if len(found) < len(keys):
        return None
    return (time.time() if now is None else now) - min(float(value) for value in found.values())


def clear() -> None:
    cache.delete_many([KEY, *(_queue_key(queue) for queue in queue_names())])
