"""Where the steering page spends its time (not a test; issue 20, part 3).

    DATABASE_URL=postgres://user@127.0.0.1:5432/fjc \
        .venv/bin/python benchmarks/steering_profile.py [--repeat 30] [--extra 1] [--top 25] [--keepdb]

Seeds the fictional demo into a throwaway database (Django's test database machinery: created,
migrated and dropped again, the configured database is never touched), takes its fullest case
(most journal entries, actions, people, assessments and documents), adds ``--extra`` rounds of
more of each through the services (a case some months into track 3), and then, in this one
process with Django's test client (signed in as its case director, second factor passed):

* the median, min and max time of the steering page and of ``/health/`` (anonymous, as a load
  balancer asks it), side by side, and their ratio (issue 20's goal: the page at >= 0.5x the
  throughput of ``/health/``);
* the queries per page and the time spent in SQL;
* the profile of the page (pyinstrument when installed, else cProfile): the top entries.

``--keepdb`` keeps the throwaway database for the next run (seeding takes a minute or two).
``DEBUG`` is off as in production (``DJANGO_DEBUG=1`` turns it on). Private files go to a
temporary folder.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="fjc-steering-"))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpRequest  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402


def signed_in_client(user: Any) -> Client:
    """A client whose session passed both factors (as tests/conftest.py's VerifiedClient)."""
    from django.contrib.auth import login
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = user
    login(request, user, "accounts.backends.UserWithOrganisationBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
    otp_login(request, device)
    request.session.save()
    client._set_login_cookies(request)  # type: ignore[attr-defined]
    return client


def fullest_case() -> Any:
    from cases.models import Case

    return (
        Case.objects.annotate(
            n_entries=Count("journal", distinct=True),
            n_actions=Count("actions", distinct=True),
            n_parties=Count("parties", distinct=True),
            n_documents=Count("documents", distinct=True),
        )
        .order_by("-n_parties", "-n_documents", "-n_actions", "-n_entries", "pk")
        .select_related("case_director")
        .first()
    )


def add_content(case: Any, rounds: int) -> None:
    """More of everything the page shows, through the services, as months of work leave it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.models import DocumentKind, EntryKind
    from cases.services import case_action_add, journal_entry_add, person_create_in_case
    from cases.services.documents import document_add
    from fjc.demo import _assess, _demo_pdf

    director = case.case_director
    today = datetime.date.today()
    start = datetime.datetime.combine(case.opened_on, datetime.time(9), tzinfo=datetime.UTC)
    for r in range(rounds):
        for i in range(20):
            journal_entry_add(
                case=case,
                by=director,
                kind=EntryKind.CONTACT if i % 3 else EntryKind.CONTACT_ATTEMPT,
                channel="phone",
                reached=None if i % 3 else bool(i % 2),
                occurred_at=start + datetime.timedelta(days=1 + i, hours=r),
                text="Opvolging volgens het plan van aanpak (fictief).",
            )
        for i in range(6):
            case_action_add(
                case=case,
                by=director,
                description=f"Opvolgactie {r}.{i} (fictief)",
                due_on=today + datetime.timedelta(days=i * 3 - 4),
                assignee_user=director,
            )
        victims = [
            person_create_in_case(
                case=case,
                by=director,
                position="child",
                roles=("witness",),
                first_name=f"Kind{r}{i}",
                last_name="Fictief",
                date_of_birth=datetime.date(2012 + i, 1 + r % 12, 10),
                confirm_new=True,
                involved_since=case.opened_on,
            )
            for i in range(2)
        ]
        _assess(case, director, [p for p in case.parties.all() if p.is_victim] or victims, yes=8)
        for i in range(3):
            document_add(
                case=case,
                by=director,
                title=f"Verslag {r}.{i} (fictief)",
                kind=DocumentKind.REPORT,
                confidential=bool(i % 2),
                upload=SimpleUploadedFile(f"verslag-{r}-{i}.pdf", _demo_pdf("Verslag (demo)")),
            )


def timed(function: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and this process's CPU milliseconds of one call (the CPU time leaves out
    PostgreSQL's share and other processes on a busy machine: it is the Python cost)."""
    wall, cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def profile(function: Callable[[], Any], runs: int, top: int) -> None:
    import importlib.util

    if importlib.util.find_spec("pyinstrument") is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(runs):
            function()
        profiler.stop()
        print(
            profiler.output_text(unicode=True, color=False, show_all=False, time="percent_of_total")
        )
        # The flat view: where the time is spent, whoever called it.
        session = profiler.last_session
        assert session is not None
        from pyinstrument.renderers import ConsoleRenderer

        flat = ConsoleRenderer(unicode=True, color=False, flat=True, time="percent_of_total")
        lines = flat.render(session).splitlines()
        print("\n".join(lines[: top + 8]))
        return
    import cProfile
    import pstats

    cprofiler = cProfile.Profile()
    cprofiler.enable()
    for _ in range(runs):
        function()
    cprofiler.disable()
    stats = pstats.Stats(cprofiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def run(args: argparse.Namespace) -> None:
    from cases.models import Case
    from fjc.demo import seed

    started = time.perf_counter()
    made = "reused from an earlier run (--keepdb)"
    if not Case.objects.exists():
        seed(previous_year_cases=args.previous_year_cases)
        add_content(fullest_case(), args.extra)
        made = f"seeded and filled in {time.perf_counter() - started:.1f} s"
    case = fullest_case()
    case = Case.objects.select_related("case_director").get(pk=case.pk)
    print(
        f"Demo {made}; case {case.reference}: "
        f"{case.journal.count()} journal entries, {case.actions.count()} actions, "
        f"{case.parties.count()} people, {case.documents.count()} documents, "
        f"{Case.objects.count()} cases in the database.",
        flush=True,
    )
    client = signed_in_client(case.case_director)
    anonymous = Client()
    page = reverse("cases:detail", kwargs={"pk": case.pk})
    health = reverse("health")
    for _ in range(5):  # warm: templates compiled, connections open, translations loaded
        get(client, page)
        get(anonymous, health)

    with CaptureQueriesContext(connection) as queries:
        response = get(client, page)
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(
        f"Steering page: {len(queries)} queries, {sql_ms:.1f} ms in SQL, {len(response.content)} bytes"
    )
    with CaptureQueriesContext(connection) as queries:
        get(anonymous, health)
    print(f"/health/: {len(queries)} queries")

    # Side by side, interleaved, so that both see the same machine.
    page_ms: list[tuple[float, float]] = []
    health_ms: list[tuple[float, float]] = []
    for _ in range(args.repeat):
        page_ms.append(timed(lambda: get(client, page)))
        health_ms.append(timed(lambda: get(anonymous, health)))
    print(f"\nMedian of {args.repeat} requests (min-max), DEBUG={settings.DEBUG}:")
    ratios = []
    for i, kind in enumerate(("wall clock", "CPU of this process")):
        p = statistics.median(t[i] for t in page_ms)
        h = statistics.median(t[i] for t in health_ms)
        ratios.append(h / p)
        print(f"  {kind}:")
        print(
            f"    steering page {p:7.1f} ms  ({min(t[i] for t in page_ms):.1f}-{max(t[i] for t in page_ms):.1f})"
        )
        print(
            f"    /health/      {h:7.1f} ms  ({min(t[i] for t in health_ms):.1f}-{max(t[i] for t in health_ms):.1f})"
        )
    print(
        f"  throughput ratio page / health: {ratios[0]:.2f} wall clock, {ratios[1]:.2f} CPU "
        "(goal >= 0.5)\n"
    )

    if args.top:
        profile(lambda: get(client, page), args.profile_runs, args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests of each page")
    parser.add_argument("--extra", type=int, default=1, help="rounds of content added to the case")
    parser.add_argument("--previous-year-cases", type=int, default=0)
    parser.add_argument("--top", type=int, default=25, help="profile entries shown (0: none)")
    parser.add_argument("--profile-runs", type=int, default=20)
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the throwaway database, reuse it next time"
    )
    args = parser.parse_args()
    from django.test.utils import setup_databases, teardown_databases

    print("Creating a throwaway database (migrations run once)...", flush=True)
    state = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
    try:
        run(args)
    finally:
        teardown_databases(state, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
