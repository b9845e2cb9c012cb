"""How the application holds up at the scale of a region: 1,000 to 100,000 cases (issue 20).

    ./scripts/benchmark.sh                       # a throwaway PostgreSQL 15, 1k and 10k cases
    ./scripts/benchmark.sh --sizes 1000 10000 100000
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/scale.py --sizes 1000

Builds the fictional region of ``benchmarks/scale_data.py`` in bulk, cumulatively, and at
each size times, side by side in one process (median of ``--repeat`` runs, min and max):
the case list's "my cases" and "my organisation's cases" tabs (page 1 and the last page)
against the same rows by hand-written SQL, the steering page against ``/health/``, the home
page, the single-case permission check, and the annual figures against one raw SQL pass;
the queries per page; and the EXPLAIN (ANALYZE, BUFFERS) of every list statement (written
to ``var/benchmarks/``). The baselines are defined in ``benchmarks/scale_measure.py``.

The data goes into a throwaway database (Django's test database machinery: ``test_<name>``,
created, migrated and dropped again), so the configured database is never touched.
PostgreSQL only: the benchmark is about PostgreSQL's plans.
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")
# Production-like: no query log kept per request, no debug pages.
os.environ.setdefault("DJANGO_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks import scale_data, scale_measure  # noqa: E402
from cases.models import Case  # noqa: E402


def prepare_settings() -> None:
    """What a production server would have and a throwaway database lacks: static files
    served without a collected manifest, and the test client's host."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # WhiteNoise's warning that nothing was collected: the benchmark serves no static file.
    warnings.filterwarnings("ignore", message="No directory at")
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def server_facts() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0].split(" on ")[0]
        facts = []
        for name in ("jit", "shared_buffers", "work_mem", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            facts.append(f"{name}={cursor.fetchone()[0]}")
    return f"{version}; {', '.join(facts)}"


def run(
    sizes: list[int],
    repeat: int,
    year: int,
    figures: bool,
    figures_repeat: int | None,
    throughput_seconds: float = 0,
) -> dict[str, object]:
    prepare_settings()
    print(f"Server: {server_facts()}", flush=True)
    started = time.perf_counter()
    region = scale_data.make_region()
    # A kept database (``--existing``) goes on from the cases it holds.
    region.made = Case.objects.count()
    print(f"Region made in {time.perf_counter() - started:.1f} s", flush=True)
    rounds = []
    builds: dict[int, dict[str, Any]] = {}
    for size in sorted(sizes):
        if size < region.made:
            raise SystemExit(f"The database holds {region.made:,} cases already: no size below.")
        started = time.perf_counter()
        steps = scale_data.add_cases(region, size - region.made) if size > region.made else {}
        seconds = time.perf_counter() - started
        builds[size] = {"seconds": seconds, "steps": steps, "rows": scale_data.counts()}
        detail = ", ".join(f"{name} {s:.1f}" for name, s in steps.items())
        print(f"{size:>7,} cases built in {seconds:.1f} s ({detail})", flush=True)
        print("         rows: " + ", ".join(f"{k} {v:,}" for k, v in builds[size]["rows"].items()))
        started = time.perf_counter()
        one = scale_measure.measure_round(
            size,
            region.user,
            repeat=repeat,
            year=year,
            figures=figures,
            figures_repeat=figures_repeat,
            throughput_seconds=throughput_seconds,
        )
        print(f"         measured in {time.perf_counter() - started:.1f} s", flush=True)
        rounds.append(one)
    table = scale_measure.report(rounds, repeat)
    print("\n" + table)
    folder = ROOT / "var" / "benchmarks"
    for path in scale_measure.write_explains(rounds, folder):
        print(f"EXPLAIN written to {path.relative_to(ROOT)}")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    result = {
        "at": timezone.now().isoformat(),
        "server": server_facts(),
        "repeat": repeat,
        "builds": builds,
        "rounds": [
            {
                "size": one.size,
                "directed": one.directed_cases,
                "visible": one.visible_cases,
                "lines": [
                    {
                        "name": line.name,
                        "app_ms": [round(r * 1000, 3) for r in line.app.runs],
                        "baseline_ms": (
                            [round(r * 1000, 3) for r in line.baseline.runs]
                            if line.baseline
                            else None
                        ),
                        "queries": line.queries,
                        "sql_ms": (
                            round(line.app.sql * 1000, 3) if line.app.sql is not None else None
                        ),
                    }
                    for line in one.lines
                ],
            }
            for one in rounds
        ],
        "table": table,
    }
    path = folder / f"scale-{stamp}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"Results written to {path.relative_to(ROOT)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
    parser.add_argument("--no-figures", action="store_true", help="skip the annual figures")
    parser.add_argument(
        "--figures-repeat", type=int, help="timed runs of the annual figures (default: --repeat)"
    )
    parser.add_argument(
        "--throughput",
        type=float,
        default=0,
        metavar="SECONDS",
        help="also load the steering page and /health/ through gunicorn (2 workers) for SECONDS",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the throwaway database (to look at it)"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help=(
            "measure in the configured database itself (DATABASE_URL), migrated first, going on"
            " from the region's cases it holds: build once with --keep, then measure a branch"
            " against a copy (CREATE DATABASE ... TEMPLATE ...) in minutes"
        ),
    )
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="use a kept throwaway database (migrations only if new ones); it must hold no cases",
    )
    args = parser.parse_args()
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be positive")
    if connection.vendor != "postgresql":
        raise SystemExit("The scale benchmark needs PostgreSQL (set DATABASE_URL).")

    def measure() -> None:
        run(
            args.sizes,
            args.repeat,
            args.year,
            not args.no_figures,
            args.figures_repeat,
            args.throughput,
        )

    if args.existing:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        measure()
        return

    from django.test.utils import setup_databases, teardown_databases

    started = time.perf_counter()
    print("Creating a throwaway database (migrations run once)...", flush=True)
    state = setup_databases(verbosity=0, interactive=False, keepdb=args.reuse_db)
    print(f"  ready in {time.perf_counter() - started:.1f} s", flush=True)
    if Case.objects.exists():
        raise SystemExit("The throwaway database already holds cases: run without --reuse-db.")
    try:
        measure()
    finally:
        if not (args.keep or args.reuse_db):
            teardown_databases(state, verbosity=0)


if __name__ == "__main__":
    main()
