"""Two web replicas behind the shipped reverse proxy, on one machine without Docker (issue 20,
part 6): what the "scale" compose profile runs, measured.

    DATABASE_URL=postgres://user@127.0.0.1:5432/<a region kept by scale.py --keep> \\
        .venv/bin/python benchmarks/scale_out.py [--seconds 10] [--concurrency 4]

Needs ``nginx``, ``redis-server`` and the database of a region built by ``benchmarks/scale.py
--keep`` (it only reads, apart from the sessions and the audit trail of the requests). Starts,
on loopback, a throwaway Redis (the shared cache and the Celery broker; the sessions are in the
database), one Celery worker (``/health/`` asks for its heartbeat), two gunicorn replicas and
nginx with ``deploy/nginx/fjc.conf`` as shipped: only the replicas' addresses and the port it
listens on are rewritten. Then, for the steering page of the benchmark's case director and for
``/health/``, answered requests per second with ``--concurrency`` keep-alive connections:

1. one replica with both workers, straight to gunicorn (the single ``web`` of compose);
2. the two replicas (a worker each) through nginx: the same processes, plus the proxy's hop,
   and a session that either replica reads;
3. the same while one replica is stopped halfway and started again: the requests that got an
   answer other than 200 (nginx sends a request that met a dead replica to the other one).

On a machine with two cores the replicas share the cores: line 2 tells what the proxy costs,
not what a second host adds.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks.scale_measure import VerifiedClient, _steering_case  # noqa: E402
from benchmarks.scale_throughput import (  # noqa: E402
    _database_url,
    _free_port,
    _load,
    _wait_until_up,
)

PROXY_CONFIG = ROOT / "deploy" / "nginx" / "fjc.conf"


def proxy_config(web: int, web_2: int, listen: int) -> str:
    """The shipped configuration with the replicas and the port of this machine."""
    text = PROXY_CONFIG.read_text()
    for shipped, local in (
        ("server web:8000 ", f"server 127.0.0.1:{web} "),
        ("server web-2:8000 ", f"server 127.0.0.1:{web_2} "),
        ("listen 8080;", f"listen 127.0.0.1:{listen};"),
    ):
        assert shipped in text, f"{PROXY_CONFIG} no longer says {shipped!r}"
        text = text.replace(shipped, local)
    return text


class Processes:
    """The servers started here, stopped again whatever happens."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, command: list[str]) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.running[name] = subprocess.Popen(  # noqa: S603 - fixed commands of this script
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def gunicorn(self, name: str, port: int, workers: int) -> None:
        self.start(
            name,
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "fjc.wsgi:application",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                "--log-level=warning",
            ],
        )
        _wait_until_up(port)

    def stop(self, name: str) -> None:
        process = self.running.pop(name)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


def _wait_for_worker(env: dict[str, str], timeout: float = 60) -> None:
    """Until ``/health/``'s worker check would say "ok" (the worker's first heartbeat)."""
    import redis

    client = redis.Redis.from_url(env["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(client.scan_iter(match="*worker-heartbeat*")):
            return
        time.sleep(0.5)
    raise RuntimeError("the Celery worker did not beat")


def measure(seconds: float, concurrency: int) -> list[tuple[str, str, float, int]]:
    user = User.objects.filter(username__startswith="bench.").order_by("pk").first()
    assert user is not None, "no benchmark user: build a region with scale.py --keep first"
    client = VerifiedClient()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    paths = {
        "steering page": reverse("cases:detail", args=[_steering_case(user).pk]),
        "/health/": reverse("health"),
    }
    folder = Path(tempfile.mkdtemp(prefix="fjc-scale-out-"))
    redis_port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    servers = Processes(folder, env)
    results: list[tuple[str, str, float, int]] = []
    try:
        servers.start(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        servers.start(
            "worker",
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "fjc",
                "worker",
                "-Q",
                "celery,reports,notifications",
                "--concurrency=1",
                "--loglevel=WARNING",
            ],
        )
        _wait_for_worker(env)

        single = _free_port()
        servers.gunicorn("web", single, workers=2)
        for name, path in paths.items():
            _load(single, path, cookie, 1, concurrency)
            rate, failed = _load(single, path, cookie, seconds, concurrency, tolerate=True)
            results.append(("one replica, 2 workers, direct", name, rate, failed))
        servers.stop("web")

        web, web_2, listen = _free_port(), _free_port(), _free_port()
        servers.gunicorn("web", web, workers=1)
        servers.gunicorn("web-2", web_2, workers=1)
        (folder / "fjc.conf").write_text(proxy_config(web, web_2, listen))
        (folder / "nginx.conf").write_text(
            f"pid {folder}/nginx.pid;\nerror_log {folder}/nginx-error.log warn;\n"
            "worker_processes 1;\nevents { worker_connections 256; }\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
            f"  proxy_temp_path {folder}/proxy;\n  include {folder}/fjc.conf;\n}}\n"
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        servers.start(
            "nginx",
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
        )
        _wait_until_up(listen)
        for name, path in paths.items():
            _load(listen, path, cookie, 1, concurrency)
            rate, failed = _load(listen, path, cookie, seconds, concurrency, tolerate=True)
            results.append(("two replicas, 1 worker each, through nginx", name, rate, failed))

        def restart_second() -> None:
            time.sleep(seconds / 3)
            servers.stop("web-2")
            time.sleep(seconds / 3)
            servers.gunicorn("web-2", web_2, workers=1)

        path = paths["steering page"]
        restarter = threading.Thread(target=restart_second)
        restarter.start()
        rate, failed = _load(listen, path, cookie, seconds, concurrency, tolerate=True)
        restarter.join()
        results.append(
            ("the same, one replica stopped and started again", "steering page", rate, failed)
        )
    finally:
        servers.stop_all()
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    args: Any = parser.parse_args(argv)
    rows = measure(args.seconds, args.concurrency)
    print(f"\n{os.cpu_count()} CPUs, {args.concurrency} connections, {args.seconds:.0f} s each\n")
    print("| setup | page | requests/s | answers other than 200 |")
    print("|---|---|---|---|")
    for setup, page, rate, failed in rows:
        print(f"| {setup} | {page} | {rate:.1f} | {failed} |")


if __name__ == "__main__":
    main()
