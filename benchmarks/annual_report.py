"""How long the annual figures and their PDF take for a year of N cases (not a test).

    DJANGO_SETTINGS_MODULE=fjc.settings .venv/bin/python benchmarks/annual_report.py \\
        --cases 1000 --cases 10000

By default the data goes into a throwaway database (Django's test database machinery:
``test_<name>`` on PostgreSQL, created, migrated and dropped again; in memory on SQLite), so
the configured database is never touched. ``--in-place`` uses the configured database
instead, inside a transaction that is rolled back at the end, and refuses a database that
already holds cases unless ``--force`` is given.

All data is fictional and made in bulk (``bulk_create``: no history rows, no services),
cumulatively: the 10,000-case year is the 1,000-case year plus 9,000 more cases.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fjc.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from accounts.roles import RoleCode  # noqa: E402
from accounts.services import user_create  # noqa: E402
from cases.models import (  # noqa: E402
    AgeBand,
    Case,
    CaseContextPeriod,
    CaseFormPeriod,
    CaseParty,
    ClosingReason,
    FamilyPosition,
    FormOfViolence,
    Gender,
    Measure,
    MeasureKind,
    Person,
    ReferrerKind,
    RelationshipContext,
    Status,
    StatusChange,
    Track,
    TrackChange,
)
from partners.models import (  # noqa: E402
    Municipality,
    MunicipalityPopulation,
    OrganisationKind,
    PoliceZone,
)
from partners.services import organisation_create  # noqa: E402
from reporting import pdf  # noqa: E402
from reporting.figures import annual_figures  # noqa: E402
from reporting.models import FundingYear  # noqa: E402
from risk.models import Assessment, InstrumentVersion, Level  # noqa: E402


class Refused(Exception):
    pass


class Rollback(Exception):
    pass


def _day_in(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


class Fixture:
    """The fixed part of the fictional FJC: organisations, staff, places, funding."""

    def __init__(self, year: int) -> None:
        self.year = year
        self.city = organisation_create(name="Benchmark Stad", kind=OrganisationKind.CITY)
        self.directors = [
            user_create(
                effective_now=True,
                username=f"bench_director_{i}",
                password=None,
                organisation=self.city,
                roles=[RoleCode.CASE_DIRECTOR],
                first_name="Bench",
                last_name=f"Director {i}",
            )
            for i in range(8)
        ]
        zones = [PoliceZone.objects.create(name=f"Benchmark zone {i}") for i in range(3)]
        self.municipalities = [
            Municipality.objects.create(name=f"Benchmarkgem {i:02d}", police_zone=zones[i % 3])
            for i in range(12)
        ]
        MunicipalityPopulation.objects.bulk_create(
            MunicipalityPopulation(municipality=m, year=year, inhabitants=8_000 + 3_517 * i)
            for i, m in enumerate(self.municipalities)
        )
        FundingYear.objects.create(
            year=year,
            flemish_amount=Decimal("412000.00"),
            local_amount=Decimal("236000.00"),
            created_by=self.directors[0],
            updated_by=self.directors[0],
        )
        self.contexts = list(RelationshipContext.objects.all())
        self.forms = list(FormOfViolence.objects.all())
        self.closing_reasons = list(ClosingReason.objects.all())
        version = (
            InstrumentVersion.objects.filter(published_at__isnull=False).order_by("pk").first()
        )
        self.instrument_version = version
        self.levels = list(Level.objects.filter(version=version)) if version else []
        self.made = 0


def add_cases(fixture: Fixture, count: int, rng: random.Random) -> None:
    """``count`` more fictional cases in the year, with everything the figures count."""
    year = fixture.year
    start = fixture.made
    cases = []
    for i in range(start, start + count):
        opened = _day_in(rng, year) if rng.random() < 0.85 else _day_in(rng, year - 1)
        closed = rng.random() < 0.35 and bool(fixture.closing_reasons)
        closed_on = min(
            opened + datetime.timedelta(days=rng.randrange(10, 200)), datetime.date(year, 12, 31)
        )
        cases.append(
            Case(
                reference=f"BENCH-{i:06d}",
                owner_organisation=fixture.city,
                case_director=fixture.directors[i % len(fixture.directors)],
                track=rng.choice([Track.ADVICE] * 5 + [Track.OUTREACH] * 3 + [Track.CHAIN] * 2),
                status=Status.CLOSED if closed else rng.choice(list(Status)[:-1]),
                opened_on=opened,
                referrer_kind=rng.choice(list(ReferrerKind)),
                municipality=rng.choice(fixture.municipalities),
                is_anonymous_consult=rng.random() < 0.05,
                closing_reason=rng.choice(fixture.closing_reasons) if closed else None,
                closed_on=closed_on if closed else None,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)

    for field, column, entries, period_model in (
        ("relationship_contexts", "relationshipcontext_id", fixture.contexts, CaseContextPeriod),
        ("forms_of_violence", "formofviolence_id", fixture.forms, CaseFormPeriod),
    ):
        through = getattr(Case, field).through
        chosen = [
            (case, entry)
            for case in cases
            for entry in rng.sample(entries, k=min(len(entries), rng.randint(1, 2)))
        ]
        through.objects.bulk_create(
            (through(case_id=case.pk, **{column: entry.pk}) for case, entry in chosen),
            batch_size=5000,
        )
        # The dated periods the figures count, from the opening (as the services record them).
        periods: list[Any] = [
            period_model(
                case_id=case.pk,
                recorded_from=case.opened_on,
                **{f"{period_model.value_field}_id": entry.pk},
            )
            for case, entry in chosen
        ]
        period_model.objects.bulk_create(periods, batch_size=5000)

    # Position and roles in the violence, as the services would store them.
    VICTIM: dict[str, Any] = {"is_victim": True}
    PERPETRATOR: dict[str, Any] = {"is_perpetrator": True}
    CHILD: dict[str, Any] = {"position": FamilyPosition.CHILD, "is_witness": True}
    people, roles = [], []
    for case in cases:
        if case.is_anonymous_consult:
            continue
        plan = [VICTIM, PERPETRATOR] + [CHILD] * rng.randint(0, 3)
        for n, role in enumerate(plan):
            child = role is CHILD
            age = rng.choice(list(AgeBand)[:3] if child else list(AgeBand)[3:])
            people.append(
                Person(
                    first_name=f"Fictief{n}",
                    last_name=f"Bench{case.pk}",
                    name_key=f"bench{case.pk} fictief{n}",
                    age_band=age,
                    gender=rng.choice(list(Gender)),
                )
            )
            roles.append((case, role))
    Person.objects.bulk_create(people, batch_size=5000)
    parties = [
        CaseParty(case=case, person=person, **role, involved_since=case.opened_on)
        for person, (case, role) in zip(people, roles, strict=True)
    ]
    CaseParty.objects.bulk_create(parties, batch_size=5000)

    moves, assessments, measures = [], [], []
    for case in cases:
        if case.is_anonymous_consult:
            continue
        if case.track > Track.ADVICE and rng.random() < 0.3:
            moves.append(
                TrackChange(
                    case=case,
                    from_track=case.track - 1,
                    to_track=case.track,
                    changed_on=case.opened_on + datetime.timedelta(days=rng.randrange(1, 60)),
                    reason="Benchmark",
                    decided_by=case.case_director,
                )
            )
        if fixture.levels and rng.random() < 0.6:
            level = rng.choice(fixture.levels)
            assessments.append(
                Assessment(
                    case=case,
                    instrument_version=fixture.instrument_version,
                    assessor=case.case_director,
                    organisation=fixture.city,
                    assessed_on=case.opened_on + datetime.timedelta(days=rng.randrange(0, 30)),
                    score=rng.randrange(0, 30),
                    level=level,
                    computed_level=level,
                )
            )
        if case.track == Track.CHAIN and rng.random() < 0.25:
            begins = case.opened_on + datetime.timedelta(days=rng.randrange(0, 20))
            measures.append(
                Measure(
                    case=case,
                    kind=MeasureKind.RESTRAINING_ORDER,
                    starts_on=begins,
                    ends_on=begins + datetime.timedelta(days=14),
                )
            )
    # The figures count closings from their records, as the services write them.
    closings = [
        StatusChange(
            case=case,
            from_status=Status.ACTIVE,
            to_status=Status.CLOSED,
            changed_on=case.closed_on,
            closing_reason=case.closing_reason,
            changed_by=case.case_director,
        )
        for case in cases
        if case.closed_on is not None
    ]
    StatusChange.objects.bulk_create(closings, batch_size=5000)
    TrackChange.objects.bulk_create(moves, batch_size=5000)
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    Measure.objects.bulk_create(measures, batch_size=5000)
    # A few repeats within twelve months.
    repeat_ids = [c.pk for c in cases[1::33]]
    for pk, earlier in zip(repeat_ids, cases[::33], strict=False):
        Case.objects.filter(pk=pk).update(repeat_of_id=earlier.pk)
    fixture.made += count


def median_seconds(function: Callable[[], Any], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure(year: int, repeat: int) -> tuple[float, float, int]:
    with translation.override("nl"):
        chapters = annual_figures(year)
        figures = median_seconds(lambda: annual_figures(year), repeat)

        def render() -> bytes:
            rendered = [pdf.render_chapter(c, i) for i, c in enumerate(chapters, start=1)]
            return pdf.report_pdf(chapters=rendered, year=year, made_at=timezone.localtime())

        render()  # the first render loads fonts once per process: not what is measured
        document = render()
        seconds = median_seconds(render, repeat)
    return figures, seconds, len(document)


def run(sizes: list[int], repeat: int, year: int) -> list[tuple[int, float, float, int]]:
    rng = random.Random(2026)  # noqa: S311 - reproducible fictional data, not secrets
    fixture = Fixture(year)
    results = []
    for size in sorted(sizes):
        started = time.perf_counter()
        add_cases(fixture, size - fixture.made, rng)
        print(f"  {size:>6} cases made in {time.perf_counter() - started:.1f} s", flush=True)
        figures, render, length = measure(year, repeat)
        results.append((size, figures, render, length))
    return results


def report(results: list[tuple[int, float, float, int]], repeat: int) -> None:
    print(f"\nMedian of {repeat} runs ({connection.vendor}):")
    print(f"{'cases':>8} {'figures (s)':>12} {'PDF (s)':>9} {'PDF size':>10}")
    for size, figures, render, length in results:
        print(f"{size:>8} {figures:>12.3f} {render:>9.3f} {length // 1024:>8} kB")
    by_size = {size: (figures, render) for size, figures, render, _ in results}
    if 1000 in by_size and 10000 in by_size:
        small, large = by_size[1000], by_size[10000]
        print(
            f"ratio 10,000/1,000: figures {large[0] / small[0]:.1f}x, "
            f"PDF {large[1] / small[1]:.1f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, action="append", help="cases in the year (repeat)")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement")
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
    parser.add_argument("--in-place", action="store_true", help="use the configured database")
    parser.add_argument("--force", action="store_true", help="with --in-place: even if it has data")
    args = parser.parse_args()
    sizes = args.cases or [1000, 10000]
    if any(size < 1 for size in sizes):
        parser.error("--cases must be positive")

    if args.in_place:
        if Case.objects.exists() and not args.force:
            raise SystemExit(
                "The configured database already holds cases; refusing (use --force to run "
                "inside a transaction that is rolled back, or leave out --in-place)."
            )
        try:
            with transaction.atomic():
                results = run(sizes, args.repeat, args.year)
                raise Rollback
        except Rollback:
            pass
    else:
        from django.test.utils import setup_databases, teardown_databases

        print("Creating a throwaway database (migrations run once)...", flush=True)
        state = setup_databases(verbosity=0, interactive=False)
        try:
            results = run(sizes, args.repeat, args.year)
        finally:
            teardown_databases(state, verbosity=0)
    report(results, args.repeat)


if __name__ == "__main__":
    main()
