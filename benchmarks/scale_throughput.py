"""Throughput of real HTTP requests: gunicorn with two workers on loopback, against the
benchmark's database, loaded by a small Python loop (``--throughput`` of benchmarks/scale.py).

The in-process timings of ``scale_measure`` leave out the WSGI server and the network; this
counts answered requests per second with ``concurrency`` keep-alive connections for ``seconds``
per path, with the session cookie of a user logged in with both factors (the session lives in
the database, so the workers read it as they would a browser's).
"""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url() -> str:
    """The URL of the database this process uses (the throwaway one)."""
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/live/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _load(
    port: int,
    path: str,
    cookie: str,
    seconds: float,
    concurrency: int,
    *,
    tolerate: bool = False,
) -> tuple[float, int]:
    """Answered (200) requests per second on ``path``, and how many requests got another
    answer or a broken connection. ``tolerate``: a connection goes on after those; otherwise
    the first one is raised."""
    done = [0] * concurrency
    failed: list[int] = []
    stop = time.monotonic() + seconds

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            try:
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                if not tolerate:
                    raise
                conn.close()
                status = 0
            if status == 200:
                done[slot] += 1
            else:
                failed.append(status)
                if not tolerate:
                    return

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed and not tolerate:
        raise RuntimeError(f"{path} answered {failed[0]}")
    return sum(done) / (time.monotonic() - started), len(failed)


def throughput(
    paths: Mapping[str, str],
    cookie: str,
    *,
    seconds: float = 10,
    concurrency: int = 4,
    workers: int = 2,
) -> dict[str, float]:
    """Requests per second per named path, served by gunicorn with ``workers`` workers."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "fjc.wsgi:application",
            f"--workers={workers}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(port)
        result = {}
        for name, path in paths.items():
            _load(port, path, cookie, 1, concurrency)  # warm-up: every worker loads the page
            result[name], _failed = _load(port, path, cookie, seconds, concurrency)
        return result
    finally:
        server.terminate()
        server.wait(timeout=30)
