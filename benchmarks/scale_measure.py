"""What the scale benchmark times (issue 20, part 1): the real views through Django's test
client with a logged-in, second-factor-verified user, each beside a baseline.

Baselines, the same everywhere (README "Performance at scale"):

* A list page: the page's rows **and** its total count by two hand-written SQL statements
  (``list_baseline``) that apply the same rules the application does for the data built
  here (the user's own grants and their organisation's group grants by permission id, a
  share's grant only while the share is open, the tab's condition), with the same joins,
  the overdue-action count and the victim's label per row, ordered by the same keys. The
  page's keys are found first and the columns computed for its 25 rows only, as one would
  write it by hand. No Python, no template: the floor a page of this list could reach.
* The steering page: ``/health/`` (readiness: a database round trip and the checks), in the
  same process: the ratio is the one of the throughputs.
* The annual figures, two ways. ``annual_figures(year)`` (the twelve chapters protected
  together with the dashboard's seventeen calendar periods of the year) against one raw SQL
  query (``FIGURES_BASELINE``) over the same rows: the cases running in the year (by their
  dated status records), their people and their last risk level, grouped by every breakdown
  at once (``GROUPING SETS``): the floor. And the twelve chapters alone (``annual_chapters``)
  against the issue's "one raw SQL pass": one hand-written SELECT per table the figures read,
  every row fetched into Python (``benchmarks/annual_report.py``, ``RAW_PASS``).
"""

import datetime
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from access.policy import is_permitted
from accounts.models import User
from cases.models import Case

PAGE_SIZE = 25
# The report's lines, in its order.
LIST_LINES = {
    ("mine", True): 'list "my cases", page 1',
    ("mine", False): 'list "my cases", last page',
    ("organisation", True): 'list "my organisation\'s cases", page 1',
    ("organisation", False): 'list "my organisation\'s cases", last page',
}
STEERING = "steering page vs /health/"
THROUGHPUT = "steering page vs /health/, gunicorn 2 workers"
HOME = "home page"
PERMISSION = "permission check (is_permitted)"
FIGURES = "annual figures, all chapters and the 17 dashboard periods vs one GROUPING SETS query"
CHAPTERS = "annual figures, the 12 chapters vs one SELECT per table read"
LINES = [*LIST_LINES.values(), STEERING, THROUGHPUT, HOME, PERMISSION, FIGURES, CHAPTERS]


@dataclass
class Timing:
    """Seconds of ``runs`` timed calls."""

    runs: list[float]
    # Seconds spent in the database during the last run, as Django measured its queries.
    sql: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)

    def ms(self) -> str:
        return f"{self.median * 1000:.1f} ({self.low * 1000:.1f}-{self.high * 1000:.1f})"


def timed(
    function: Callable[[], Any], repeat: int, warm_up: int = 1
) -> tuple[Timing, list[dict[str, str]]]:
    """``repeat`` timed calls (at least one) after ``warm_up`` untimed ones; the queries of
    the last timed call are captured too (what the page asks the database)."""
    for _ in range(warm_up):
        function()
    runs = []
    captured: list[dict[str, str]] = []
    count = max(repeat, 1)
    for number in range(count):
        if number == count - 1:
            with CaptureQueriesContext(connection) as context:
                started = time.perf_counter()
                function()
                runs.append(time.perf_counter() - started)
            captured = list(context.captured_queries)
        else:
            started = time.perf_counter()
            function()
            runs.append(time.perf_counter() - started)
    sql = sum(float(query["time"]) for query in captured)
    return Timing(runs, sql=sql), captured


class VerifiedClient(Client):
    """``force_login`` means logged in with both factors: the session is also verified with
    the user's own TOTP device, as tests/conftest.py does (the benchmark times pages, not the
    login)."""

    def _login(self, user: Any, backend: str | None = None) -> None:
        from importlib import import_module

        from django.contrib.auth import login as auth_login
        from django_otp import login as otp_login
        from django_otp.plugins.otp_totp.models import TOTPDevice

        request = HttpRequest()
        engine = import_module(settings.SESSION_ENGINE)
        request.session = self.session or engine.SessionStore()
        request.user = user
        auth_login(request, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="benchmark", confirmed=True)
        otp_login(request, device)
        request.session.save()
        self._set_login_cookies(request)  # type: ignore[attr-defined]


@dataclass
class Measured:
    """One line of the report."""

    name: str
    app: Timing
    baseline: Timing | None = None
    queries: int | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None:
            return None
        return self.app.median / self.baseline.median


@dataclass
class Round:
    """Everything measured at one size."""

    size: int
    lines: list[Measured] = field(default_factory=list)
    explains: dict[str, str] = field(default_factory=dict)
    visible_cases: int = 0
    directed_cases: int = 0


# --- the list pages and their hand-written SQL ---


def _permission_ids() -> tuple[int, int]:
    def one(codename: str) -> int:
        return Permission.objects.get(content_type__app_label="cases", codename=codename).pk

    return one("view_case"), one("change_case")


LIST_SQL = """
    WITH page AS (
        SELECT c.id, c.opened_on FROM cases_case c
         WHERE {scope} AND {permitted}
         ORDER BY c.opened_on DESC, c.id DESC
         LIMIT %(limit)s OFFSET %(offset)s
    )
    SELECT c.id, c.reference, c.track, c.status, c.opened_on, c.urgency,
           c.is_anonymous_consult, o.name, u.first_name, u.last_name, m.name,
           (SELECT count(*) FROM cases_caseaction a
             WHERE a.case_id = c.id AND a.done_on IS NULL AND a.due_on < %(today)s) AS overdue,
           (SELECT upper(left(p.first_name, 1)) || '. ' || upper(left(p.last_name, 1)) || '.'
              FROM cases_caseparty cp JOIN cases_person p ON p.id = cp.person_id
             WHERE cp.case_id = c.id AND cp.is_victim ORDER BY cp.id LIMIT 1) AS label
      FROM page
      JOIN cases_case c ON c.id = page.id
      JOIN partners_organisation o ON o.id = c.owner_organisation_id
      JOIN accounts_user u ON u.id = c.case_director_id
      LEFT JOIN partners_municipality m ON m.id = c.municipality_id
     ORDER BY page.opened_on DESC, page.id DESC
"""
COUNT_SQL = "SELECT count(*) FROM cases_case c WHERE {scope} AND {permitted}"
PERMITTED_SQL = """(
    EXISTS (SELECT 1 FROM cases_caseuserobjectpermission g
             WHERE g.content_object_id = c.id AND g.user_id = %(user)s
               AND g.permission_id = %(view)s AND g.break_glass_id IS NULL)
    OR EXISTS (SELECT 1 FROM cases_casegroupobjectpermission g
                 LEFT JOIN cases_caseshare s ON s.id = g.share_id
                WHERE g.content_object_id = c.id AND g.permission_id = %(view)s
                  AND g.group_id IN (SELECT group_id FROM accounts_user_groups
                                      WHERE user_id = %(user)s)
                  AND (g.share_id IS NULL OR (s.ended_at IS NULL AND s.starts_on <= %(today)s
                                              AND s.ends_on >= %(today)s))))"""
SCOPES_SQL = {
    # Directed or co-directed: a union, as a hand-written query would say it.
    "mine": """c.id IN (SELECT id FROM cases_case WHERE case_director_id = %(user)s
                        UNION SELECT case_id FROM cases_codirector WHERE user_id = %(user)s)""",
    "organisation": "c.owner_organisation_id = %(organisation)s",
}


def list_baseline(user: User, scope: str, page: int) -> Callable[[], Any]:
    view, _change = _permission_ids()
    params = {
        "user": user.pk,
        "organisation": user.organisation_id,
        "view": view,
        "today": timezone.localdate(),
        "limit": PAGE_SIZE,
        "offset": (page - 1) * PAGE_SIZE,
    }
    rows_sql = LIST_SQL.format(scope=SCOPES_SQL[scope], permitted=PERMITTED_SQL)
    count_sql = COUNT_SQL.format(scope=SCOPES_SQL[scope], permitted=PERMITTED_SQL)

    def run() -> tuple[list[Any], int]:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, params)
            total = cursor.fetchone()[0]
            cursor.execute(rows_sql, params)
            return cursor.fetchall(), total

    return run


def baseline_total(user: User, scope: str) -> int:
    return list_baseline(user, scope, 1)()[1]


def _explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _list_statements(queries: Iterable[dict[str, str]]) -> list[str]:
    """The statements of a captured page that read the case list (its rows and its count)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT") and 'FROM "cases_case"' in q["sql"]
    ]


def measure_page(
    client: Client,
    name: str,
    url: str,
    repeat: int,
    explain: dict[str, str] | None = None,
    warm_up: int = 1,
) -> tuple[Timing, int]:
    """The page through the client (status 200 checked), its query count and, when
    ``explain`` is given, the EXPLAIN (ANALYZE, BUFFERS) of its list statements."""

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")

    timing, captured = timed(get, repeat, warm_up)
    if explain is not None:
        parts = []
        for sql in _list_statements(captured):
            parts.append(f"-- {sql}\n{_explain(sql)}")
        explain[name] = "\n\n".join(parts)
    return timing, len(captured)


# --- the annual figures and their raw pass ---

FIGURES_BASELINE = """
WITH running AS (
    SELECT c.id, c.track, c.municipality_id, c.opened_on
      FROM cases_case c
      LEFT JOIN LATERAL (
          SELECT s.to_status FROM cases_statuschange s
           WHERE s.case_id = c.id AND s.changed_on < %(start)s
           ORDER BY s.changed_on DESC, s.id DESC LIMIT 1) AS before ON true
     WHERE NOT c.is_anonymous_consult AND c.opened_on <= %(end)s
       AND coalesce(before.to_status, 'registered') <> 'closed'
), rows AS (
    SELECT r.track, r.municipality_id, r.opened_on >= %(start)s AS new,
           p.gender, p.age_band, cp.is_victim, cp.is_perpetrator, level.level_id
      FROM running r
      LEFT JOIN cases_caseparty cp ON cp.case_id = r.id
      LEFT JOIN cases_person p ON p.id = cp.person_id
      LEFT JOIN LATERAL (
          SELECT a.level_id FROM risk_assessment a
           WHERE a.case_id = r.id AND a.assessed_on <= %(end)s
           ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) AS level ON true
)
SELECT track, municipality_id, new, gender, age_band, is_victim, level_id, count(*)
  FROM rows
 GROUP BY GROUPING SETS ((track, new), (municipality_id, new), (gender, is_victim),
                         (age_band, is_victim), (level_id), (is_perpetrator))
"""


def figures_baseline(year: int) -> Callable[[], Any]:
    params = {"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)}

    def run() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(FIGURES_BASELINE, params)
            return cursor.fetchall()

    return run


def figures_app(year: int) -> Callable[[], Any]:
    from reporting.figures import annual_figures

    def run() -> Any:
        with translation.override("nl"):
            return annual_figures(year)

    return run


# --- one round ---


def _steering_case(user: User) -> Case:
    """A case the user directs, with the most of its kind in it (a track-3 case, open)."""
    case = (
        Case.objects.filter(case_director=user, is_anonymous_consult=False)
        .exclude(status="closed")
        .order_by("-track", "-opened_on", "-pk")
        .first()
    )
    if case is None:
        case = Case.objects.filter(case_director=user).order_by("-pk").first()
    assert case is not None, "the benchmark user directs no case"
    return case


def _organisation_case(user: User) -> Case:
    """A case of the user's organisation that they do not direct (the group grant)."""
    case = (
        Case.objects.filter(owner_organisation_id=user.organisation_id)
        .exclude(case_director=user)
        .order_by("pk")
        .first()
    )
    return case or _steering_case(user)


def measure_round(
    size: int,
    user: User,
    *,
    repeat: int,
    year: int,
    figures: bool = True,
    figures_repeat: int | None = None,
    warm_up: int = 1,
    throughput_seconds: float = 0,
) -> Round:
    """Every measurement at one size; ``warm_up`` untimed runs before each (caches, plans)."""
    result = Round(size=size)
    client = VerifiedClient()
    client.force_login(user)
    list_url = reverse("cases:list")
    for scope in ("mine", "organisation"):
        total = baseline_total(user, scope)
        if scope == "mine":
            result.directed_cases = total
        else:
            result.visible_cases = total
        last_page = max(1, -(-total // PAGE_SIZE))
        for page in sorted({1, last_page}):
            name = LIST_LINES[(scope, page == 1)]
            app, queries = measure_page(
                client,
                name,
                f"{list_url}?scope={scope}&page={page}",
                repeat,
                explain=result.explains,
                warm_up=warm_up,
            )
            baseline, _queries = timed(list_baseline(user, scope, page), repeat, warm_up)
            result.lines.append(Measured(name, app, baseline, queries, note=f"page {page}"))
    case = _steering_case(user)
    steering, queries = measure_page(
        client, "steering page", reverse("cases:detail", args=[case.pk]), repeat, warm_up=warm_up
    )
    health, _health_queries = measure_page(
        client, "health", reverse("health"), repeat, warm_up=warm_up
    )
    result.lines.append(Measured(STEERING, steering, health, queries))
    if throughput_seconds:
        from .scale_throughput import throughput

        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        rates = throughput(
            {"steering": reverse("cases:detail", args=[case.pk]), "health": reverse("health")},
            cookie,
            seconds=throughput_seconds,
        )
        result.lines.append(
            Measured(
                THROUGHPUT,
                Timing([1 / rates["steering"]]),
                Timing([1 / rates["health"]]),
                note=f"{throughput_seconds:.0f} s each, 4 connections",
            )
        )
    home, queries = measure_page(client, "home", reverse("home"), repeat, warm_up=warm_up)
    result.lines.append(Measured(HOME, home, None, queries))
    other = _organisation_case(user)
    check, captured = timed(lambda: is_permitted(user, other), repeat * 4, warm_up)
    result.lines.append(Measured(PERMISSION, check, None, len(captured)))
    if figures:
        app, queries_made = timed(figures_app(year), figures_repeat or repeat, warm_up)
        raw, _queries = timed(figures_baseline(year), figures_repeat or repeat, warm_up)
        result.lines.append(Measured(FIGURES, app, raw, len(queries_made), note=str(year)))
        from benchmarks.annual_report import raw_pass
        from reporting.figures.annual import annual_chapters

        def chapters() -> Any:
            with translation.override("nl"):
                return annual_chapters(year)

        app, queries_made = timed(chapters, figures_repeat or repeat, warm_up)
        raw, _queries = timed(lambda: raw_pass(year), figures_repeat or repeat, warm_up)
        result.lines.append(Measured(CHAPTERS, app, raw, len(queries_made), note=str(year)))
    return result


def write_explains(rounds: list[Round], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for one in rounds:
        path = folder / f"explain-{one.size}.txt"
        text = [f"# EXPLAIN (ANALYZE, BUFFERS) of the list pages' statements, {one.size} cases"]
        for name, plans in one.explains.items():
            text.append(f"\n\n## {name}\n\n{plans}")
        path.write_text("\n".join(text))
        written.append(path)
    return written


def _cell(line: Measured | None, *, detail: bool) -> str:
    if line is None:
        return "-"
    if line.name == THROUGHPUT and line.baseline is not None:
        page, health = 1 / line.app.median, 1 / line.baseline.median
        return f"{page:.1f} vs {health:.1f} req/s: {page / health:.2f}x"
    app = line.app.ms() if detail else f"{line.app.median * 1000:.1f}"
    if line.baseline is None:
        text = f"{app} ms"
    else:
        base = line.baseline.ms() if detail else f"{line.baseline.median * 1000:.1f}"
        ratio = line.app.median / line.baseline.median
        if line.name == STEERING:
            # Throughput of the page as a share of /health/'s (the issue's goal: >= 0.5).
            text = f"{app} vs {base} ms: throughput {1 / ratio:.2f}x"
        else:
            text = f"{app} vs {base} ms: {ratio:.1f}x"
    if line.queries is not None:
        text += f", {line.queries} q"
        if line.app.sql is not None:
            text += f" ({line.app.sql * 1000:.0f} ms in SQL)"
    return text


def report(rounds: list[Round], repeat: int) -> str:
    """The side by side table (Markdown): per line and size, the median in ms against its
    baseline's, their ratio and the queries (and the time the last run spent in them); then
    every line with min and max."""
    sizes = " | ".join(f"{one.size:,} cases" for one in rounds)
    table = [
        f"| median of {repeat} (app vs baseline) | {sizes} |",
        "|---|" + "---|" * len(rounds),
    ]
    for name in LINES:
        found = [next((x for x in one.lines if x.name == name), None) for one in rounds]
        if not any(found):
            continue
        table.append(f"| {name} | " + " | ".join(_cell(x, detail=False) for x in found) + " |")
    lines = ["\n".join(table), "", "Median (min-max) in ms:"]
    for one in rounds:
        lines.append(
            f"{one.size:,} cases (the user directs {one.directed_cases} and sees "
            f"{one.visible_cases} of their organisation's):"
        )
        for line in one.lines:
            note = f" [{line.note}]" if line.note else ""
            lines.append(f"  {line.name}{note}: {_cell(line, detail=True)}")
    return "\n".join(lines)
