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
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
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
from reporting.figures.cases import case_tables  # noqa: E402
from reporting.figures.consultations import consultation_tables  # noqa: E402
from reporting.figures.duration import closing_tables, duration_tables, repeat_tables  # noqa: E402
from reporting.figures.funding import funding_tables  # noqa: E402
from reporting.figures.judicial import judicial_tables  # noqa: E402
from reporting.figures.network import network_tables  # noqa: E402
from reporting.figures.partnership import dashboard_tables  # noqa: E402
from reporting.figures.people import people_tables  # noqa: E402
from reporting.figures.period import Period  # noqa: E402
from reporting.figures.places import place_tables  # noqa: E402
from reporting.figures.publication import calendar_periods  # noqa: E402
from reporting.figures.registrations import registration_tables  # noqa: E402
from reporting.figures.risk import risk_tables  # noqa: E402
from reporting.models import FundingYear  # noqa: E402
from risk.models import (  # noqa: E402
    Assessment,
    InstrumentVersion,
    JointAssessment,
    Level,
    LevelRaise,
    RiskGrade,
)


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
    # Some assessments raised later, some cases weighed jointly (the risk chapter's rule).
    raises, joints = [], []
    for assessment in assessments:
        if rng.random() < 0.1:
            raises.append(
                LevelRaise(
                    assessment=assessment,
                    from_level=assessment.level,
                    to_level=max(fixture.levels, key=lambda level: level.grade),
                    raised_on=assessment.assessed_on
                    + datetime.timedelta(days=rng.randrange(1, 90)),
                    reason="Benchmark",
                    raised_by=assessment.assessor,
                )
            )
        if rng.random() < 0.15:
            grade = rng.choice(list(RiskGrade))
            joints.append(
                JointAssessment(
                    case_id=assessment.case_id,
                    held_on=assessment.assessed_on + datetime.timedelta(days=rng.randrange(0, 40)),
                    level=grade,
                    highest_level=grade,
                    recorded_by=assessment.assessor,
                )
            )
    LevelRaise.objects.bulk_create(raises, batch_size=5000)
    JointAssessment.objects.bulk_create(joints, batch_size=5000)
    Measure.objects.bulk_create(measures, batch_size=5000)
    # A few repeats within twelve months.
    repeat_ids = [c.pk for c in cases[1::33]]
    for pk, earlier in zip(repeat_ids, cases[::33], strict=False):
        Case.objects.filter(pk=pk).update(repeat_of_id=earlier.pk)
    fixture.made += count


@dataclass(frozen=True)
class Timing:
    """The median, fastest and slowest of several timings of one thing, in seconds."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:7.3f} ({self.low:.3f}-{self.high:.3f})"


def timed(function: Callable[[], Any], repeat: int) -> Timing:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return Timing(statistics.median(timings), min(timings), max(timings))


def chapter_functions(year: int) -> list[tuple[str, Callable[[], Any]]]:
    """Each chapter of ``annual_chapters`` on its own, and the dashboard's tables of every
    calendar period of the year (which ``annual_figures`` protects together with them)."""
    period = Period.year(year)
    return [
        ("cases", lambda: case_tables(period)),
        ("people", lambda: people_tables(period)),
        ("places", lambda: place_tables(period)),
        ("risk", lambda: risk_tables(period)),
        ("consultations", lambda: consultation_tables(period)),
        ("judicial", lambda: judicial_tables(period)),
        ("duration", lambda: duration_tables(period)),
        ("closing", lambda: closing_tables(period)),
        ("repeats", lambda: repeat_tables(period)),
        ("network", lambda: network_tables(period)),
        ("registrations", lambda: registration_tables(period)),
        ("funding", lambda: funding_tables(year)),
        ("dashboard, 17 periods", lambda: [dashboard_tables(p) for p in calendar_periods(year)]),
    ]


# The baseline "one raw SQL pass": one hand-written SELECT per table the figures read, each
# reading once the rows that can count for the year (dated up to its last day, "%(end)s") and
# only the columns the figures use. ``raw_pass`` fetches every row into Python, as the
# simplest program that counted the figures from them would have to.
RAW_PASS = (
    "SELECT id, track, status, opened_on, referrer_kind, referrer_organisation_id,"
    " municipality_id, is_anonymous_consult, repeat_of_id, repeat_since"
    " FROM cases_case WHERE opened_on <= %(end)s",
    "SELECT id, case_id, from_status, to_status, changed_on, closing_reason_id"
    " FROM cases_statuschange WHERE changed_on <= %(end)s",
    "SELECT id, case_id, from_track, to_track, changed_on FROM cases_trackchange",
    "SELECT p.case_id, p.person_id, p.position, p.is_victim, p.is_perpetrator, p.is_witness,"
    " p.is_involved, p.involved_since, n.date_of_birth, n.age_band, n.gender"
    " FROM cases_caseparty p JOIN cases_person n ON n.id = p.person_id"
    " WHERE p.involved_since <= %(end)s",
    "SELECT a.id, a.case_id, a.assessed_on, a.created_at, l.grade"
    " FROM risk_assessment a JOIN risk_level l ON l.id = a.level_id"
    " WHERE a.assessed_on <= %(end)s",
    "SELECT id, case_id, held_on, recorded_at, level FROM risk_jointassessment"
    " WHERE held_on <= %(end)s",
    "SELECT id, assessment_id, raised_on, from_level_id, to_level_id FROM risk_levelraise",
    "SELECT case_id, relationshipcontext_id FROM cases_case_relationship_contexts",
    "SELECT case_id, formofviolence_id FROM cases_case_forms_of_violence",
    "SELECT id, case_id, kind, starts_on, ends_on, lifted_on FROM cases_measure"
    " WHERE starts_on <= %(end)s",
    "SELECT id, measure_id, decided_on, previous_end, new_end FROM cases_measureextension",
    "SELECT id, kind, decided_on FROM cases_prosecutiondecision WHERE decided_on <= %(end)s",
    "SELECT id, case_id, direction, partner_id, referred_on, status, answered_on, done_on"
    " FROM cases_referral WHERE referred_on <= %(end)s",
    "SELECT id, kind, scheduled_at, status FROM consultations_consultation",
    "SELECT id, consultation_id, case_id, removed_at FROM consultations_agendaitem",
    "SELECT id, consultation_id, organisation_id, attendance, removed_at"
    " FROM consultations_participant",
    "SELECT id, registrant_organisation_id, registered_at, municipality_id, case_id"
    " FROM cases_registration",
    "SELECT id, registration_id, status, recorded_at, reason FROM cases_registrationstatusrecord",
    "SELECT id, kind, organisation_id, signalled_on, status FROM partners_gap",
    "SELECT id, gap_id, to_status, changed_on FROM partners_gapstatuschange",
    "SELECT id, date, kind, participants FROM partners_training",
)


def raw_pass(year: int) -> int:
    rows = 0
    with connection.cursor() as cursor:
        for sql in RAW_PASS:
            cursor.execute(sql, {"end": datetime.date(year, 12, 31)})
            rows += len(cursor.fetchall())
    return rows


def export_memory(fixture: Fixture) -> tuple[int, int, int]:
    """(rows, peak bytes, file bytes) of the case list export (``cases:export``, the real
    view and its queries) for a director who may see every case, streamed and read to the
    end as a server would send it, with the peak of Python's allocations (tracemalloc)."""
    from django.contrib.auth.models import Permission
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import StreamingHttpResponse
    from django.test import RequestFactory

    from cases.models import CaseUserObjectPermission
    from cases.views.lists import CaseExportView

    director = fixture.directors[0]
    view = Permission.objects.get(codename="view_case", content_type__app_label="cases")
    granted = CaseUserObjectPermission.objects.filter(user=director, permission=view)
    CaseUserObjectPermission.objects.bulk_create(
        (
            CaseUserObjectPermission(user=director, permission=view, content_object_id=pk)
            for pk in Case.objects.exclude(pk__in=granted.values("content_object_id"))
            .values_list("pk", flat=True)
            .iterator()
        ),
        batch_size=5000,
    )
    request = RequestFactory().get("/cases/export.csv", {"scope": "all"})
    request.user = director
    request.session = SessionStore()
    gc.collect()
    tracemalloc.start()
    response = CaseExportView.as_view()(request)
    assert isinstance(response, StreamingHttpResponse), "the export must stream"
    size, lines = 0, 0
    for part in response:  # what a WSGI server sends
        size += len(part)
        lines += 1
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return lines - 2, peak, size  # less the byte order mark and the header


@dataclass
class Measured:
    size: int
    chapters: dict[str, Timing]
    total: Timing
    raw: Timing
    raw_rows: int
    pdf: Timing | None
    pdf_bytes: int
    export: tuple[int, int, int] | None = None
    database: str = ""


def measure(size: int, year: int, repeat: int, with_pdf: bool) -> Measured:
    with translation.override("nl"):
        chapters_made = annual_figures(year)  # warm up: translations, caches, connection
        chapters = {name: timed(f, repeat) for name, f in chapter_functions(year)}
        total = timed(lambda: annual_figures(year), repeat)
        raw_rows = raw_pass(year)
        raw = timed(lambda: raw_pass(year), repeat)
        pdf_time, pdf_bytes = None, 0
        if with_pdf:

            def render() -> bytes:
                rendered = [pdf.render_chapter(c, i) for i, c in enumerate(chapters_made, 1)]
                return pdf.report_pdf(chapters=rendered, year=year, made_at=timezone.localtime())

            render()  # the first render loads fonts once per process: not what is measured
            pdf_bytes = len(render())
            pdf_time = timed(render, repeat)
    return Measured(size, chapters, total, raw, raw_rows, pdf_time, pdf_bytes)


def database_settings() -> str:
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), current_setting('jit')")
        version, jit = cursor.fetchone()
    return f"PostgreSQL {version}, jit={jit}"


def run(
    sizes: list[int], repeat: int, year: int, with_pdf: bool, with_export: bool
) -> list[Measured]:
    rng = random.Random(2026)  # noqa: S311 - reproducible fictional data, not secrets
    fixture = Fixture(year)
    results = []
    for size in sorted(sizes):
        started = time.perf_counter()
        add_cases(fixture, size - fixture.made, rng)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  {size:>6} cases made in {time.perf_counter() - started:.1f} s", flush=True)
        results.append(measure(size, year, repeat, with_pdf))
        results[-1].database = database_settings()
        if with_export:
            results[-1].export = export_memory(fixture)
        report([results[-1]], repeat)
    return results


def report(results: list[Measured], repeat: int) -> None:
    database = results[0].database if results else ""
    print(f"\nSeconds, median of {repeat} runs (fastest-slowest), {database}:")
    for result in results:
        print(f"\n{result.size} cases")
        for name, timing in result.chapters.items():
            print(f"  {name:<28} {timing}")
        parts = sum(t.median for t in result.chapters.values())
        annual = sum(t.median for n, t in result.chapters.items() if not n.startswith("dash"))
        print(f"  {'sum of the chapters above':<28} {parts:7.3f}")
        print(f"  {'annual_figures() in all':<28} {result.total}")
        print(f"  {'one raw SQL pass':<28} {result.raw}   ({result.raw_rows} rows fetched)")
        print(
            f"  ratio annual_figures / raw pass: {result.total.median / result.raw.median:.2f}x; "
            f"the twelve chapters alone / raw pass: {annual / result.raw.median:.2f}x"
        )
        if result.export is not None:
            rows, peak, size = result.export
            print(
                f"  {'case list export, streamed':<28} {rows} rows, {size // 1024} kB sent, "
                f"peak Python memory {peak / 1024 / 1024:.1f} MB"
            )
        if result.pdf is not None:
            print(f"  {'PDF':<28} {result.pdf}   ({result.pdf_bytes // 1024} kB)")
    by_size = {r.size: r for r in results}
    if 1000 in by_size and 10000 in by_size:
        small, large = by_size[1000], by_size[10000]
        print(f"\nratio 10,000/1,000: figures {large.total.median / small.total.median:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, action="append", help="cases in the year (repeat)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per measurement")
    parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF")
    parser.add_argument(
        "--export", action="store_true", help="also the case list export's memory (tracemalloc)"
    )
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
                results = run(sizes, args.repeat, args.year, args.pdf, args.export)
                raise Rollback
        except Rollback:
            pass
    else:
        from django.test.utils import setup_databases, teardown_databases

        print("Creating a throwaway database (migrations run once)...", flush=True)
        state = setup_databases(verbosity=0, interactive=False)
        try:
            results = run(sizes, args.repeat, args.year, args.pdf, args.export)
        finally:
            teardown_databases(state, verbosity=0)
    print("\n=== Summary ===")
    report(results, args.repeat)


if __name__ == "__main__":
    main()
