"""/health/ tells which part is down (issue 15, part 4): the database, Redis and the Celery
worker's heartbeat, each on its own, 503 when one of them is down; /health/live/ only says the
process answers. And the application recovers from a dropped database connection by itself."""

import socket
import threading
import time
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connections
from django.test import RequestFactory
from django.urls import reverse

from fjc import health, heartbeat
from fjc.celery import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def deployed(settings):
    """Tasks go to a worker (as with compose), the cache and broker are the test Redis."""
    if not settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        pytest.skip("needs the Redis of scripts/test.sh (REDIS_URL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    yield
    heartbeat.clear()


def test_all_ok_with_the_real_redis_and_a_fresh_heartbeat(client, deployed):
    heartbeat.record()
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok", "worker": "ok"}


@pytest.mark.parametrize("age", [None, 10_000])
def test_a_stale_or_missing_worker_heartbeat_answers_503(client, deployed, settings, age):
    if age is not None:
        heartbeat.record(now=time.time() - age)
    else:
        heartbeat.clear()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "ok",
        "worker": "stale",
    }


def test_a_heartbeat_just_inside_the_limit_is_ok(client, deployed, settings):
    heartbeat.record(now=time.time() - settings.FJC_WORKER_STALE_SECONDS + 5)
    assert client.get(reverse("health")).json()["worker"] == "ok"


def test_redis_down_answers_503_and_says_so(client, settings):
    url = closed_port_url()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get(reverse("health"))
    assert response.status_code == 503
    # The heartbeat lives in Redis: it cannot be read, which is not the same as stale.
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "redis": "down",
        "worker": "unknown",
    }


def test_a_broker_down_counts_even_when_the_cache_answers(client, settings, deployed):
    heartbeat.record()
    settings.CELERY_BROKER_URL = closed_port_url()
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["redis"] == "down"


def test_database_down_answers_503(client, monkeypatch):
    class Unreachable:
        def cursor(self) -> Any:
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_the_embedded_default_is_healthy_without_redis_or_worker(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CELERY_BROKER_URL = "memory://"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "redis": "not used",
        "worker": "not used",
    }


def test_liveness_touches_neither_database_nor_redis(client, settings, django_assert_num_queries):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed_port_url(),
        }
    }
    with django_assert_num_queries(0):
        response = client.get(reverse("health_live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_worker_writes_its_heartbeat_at_start_and_then_on_a_timer(deployed):
    scheduled: list[tuple[float, Any]] = []

    class Timer:
        def call_repeatedly(self, seconds: float, fun: Any, priority: int = 0) -> Any:
            scheduled.append((seconds, fun))
            return type("Entry", (), {"cancel": lambda self: None})()

    class Worker:
        timer = Timer()

    heartbeat.clear()
    step = WorkerHeartbeat(Worker())
    step.start(Worker())
    first = heartbeat.age()
    assert first is not None and first < 5
    assert [seconds for seconds, _ in scheduled] == [30]
    heartbeat.record(now=0)
    scheduled[0][1]()  # the timer fires
    after = heartbeat.age()
    assert after is not None and after < 5
    step.stop(Worker())


def test_a_queue_whose_worker_stopped_beating_makes_the_worker_stale(client, deployed):
    """A worker per queue (the "scale" compose profile): the reports worker is dead while
    the others beat, and /health/ says so."""
    heartbeat.record(queues=["celery", "notifications"])
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["worker"] == "stale"
    heartbeat.record(queues=["reports"])
    assert client.get(reverse("health")).status_code == 200
    heartbeat.record(now=time.time() - 10_000, queues=["reports"])
    assert client.get(reverse("health")).json()["worker"] == "stale"


def test_a_worker_beats_for_the_queues_it_consumes(deployed):
    from types import SimpleNamespace

    from fjc.celery import app

    queues = app.amqp.Queues(app.conf.task_queues)
    queues.select(["reports"])  # celery worker -Q reports
    worker = SimpleNamespace(
        app=SimpleNamespace(amqp=SimpleNamespace(queues=queues)),
        timer=SimpleNamespace(call_repeatedly=lambda *args, **kwargs: None),
    )
    heartbeat.clear()
    step = WorkerHeartbeat(worker)
    step.start(worker)
    assert step.queues == ["reports"]
    # Only its own queue: the other two have no worker yet.
    assert heartbeat.age() is None
    heartbeat.record(queues=["celery", "notifications"])
    age = heartbeat.age()
    assert age is not None and age < 5


def _get(handler: WSGIHandler, path: str) -> str:
    environ = RequestFactory().get(path).environ
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(line)
        return lambda data: None

    body = handler(environ, start_response)
    b"".join(body)
    body.close()  # request_finished: what gunicorn does at the end of a request
    return status[0]


@pytest.mark.parametrize("health_checks", [True, False])
def test_a_dropped_database_connection_is_replaced_at_the_next_request(health_checks):
    """The server restarted between two requests: the process's kept connection (CONN_MAX_AGE)
    is dead. With CONN_HEALTH_CHECKS the next request notices and reconnects; without them
    (the control) it fails. Run through Django's WSGI handler in a thread of its own, as
    gunicorn would (the test client skips the connection housekeeping)."""
    statuses: list[str] = []

    def serve() -> None:
        connection = connections["default"]
        saved = connection.settings_dict["CONN_HEALTH_CHECKS"]
        connection.settings_dict["CONN_HEALTH_CHECKS"] = health_checks
        try:
            handler = WSGIHandler()
            statuses.append(_get(handler, "/health/live/"))
            statuses.append(_get(handler, "/health/"))
            assert connection.connection is not None  # kept for the next request
            connection.connection.close()  # what a PostgreSQL restart does to it
            statuses.append(_get(handler, "/health/"))
        finally:
            connection.settings_dict["CONN_HEALTH_CHECKS"] = saved
            connection.close()

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join()
    expected_last = "200 OK" if health_checks else "503 Service Unavailable"
    assert statuses == ["200 OK", "200 OK", expected_last]
