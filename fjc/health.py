"""Readiness of what the application needs, each part reported on its own (issue 15).

Every check is cheap (``SELECT 1``, a Redis ``PING``, one cache read) and reports a word, never
an error's text: the answer is public and must hold nothing personal. In the embedded default
(SQLite, tasks run in-process, no Redis) Redis and the worker are "not used", which is healthy.
"""

import logging
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from . import heartbeat

logger = logging.getLogger(__name__)

OK = "ok"
DOWN = "down"
STALE = "stale"
UNKNOWN = "unknown"
NOT_USED = "not used"
HEALTHY = frozenset({OK, NOT_USED})

# Seconds a Redis ping may take.
REDIS_TIMEOUT = 2


@dataclass(frozen=True)
class Report:
    database: str
    redis: str
    worker: str

    @property
    def healthy(self) -> bool:
        return {self.database, self.redis, self.worker} <= HEALTHY

    def as_dict(self) -> dict[str, str]:
        return {
            "status": "ok" if self.healthy else "unavailable",
            "database": self.database,
            "redis": self.redis,
            "worker": self.worker,
        }


def report() -> Report:
    return Report(database=database(), redis=redis_status(), worker=worker())


def database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("Health: database unreachable (%s)", type(error).__name__)
        return DOWN
    return OK


def redis_urls() -> list[str]:
    """The Redis servers in use: the cache's and the Celery broker's (the same one when
    deployed with compose)."""
    urls: list[str] = []
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        location = cache["LOCATION"]
        urls += [location] if isinstance(location, str) else list(location)
    broker = settings.CELERY_BROKER_URL or ""
    if broker.startswith(("redis://", "rediss://", "unix://")) and broker not in urls:
        urls.append(broker)
    return urls


def redis_status() -> str:
    urls = redis_urls()
    if not urls:
        return NOT_USED
    for url in urls:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        try:
            client.ping()
        except redis.RedisError as error:
            logger.warning("Health: Redis unreachable (%s)", type(error).__name__)
            return DOWN
        finally:
            client.close()
    return OK


def worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return NOT_USED  # tasks run inside the web process
    try:
        seconds = heartbeat.age()
    except Exception as error:  # the cache's own errors differ per backend
        logger.warning("Health: worker heartbeat unreadable (%s)", type(error).__name__)
        return UNKNOWN
    if seconds is None or seconds > settings.FJC_WORKER_STALE_SECONDS:
        return STALE
    return OK
