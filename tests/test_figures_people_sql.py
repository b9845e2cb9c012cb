"""The people tables recomputed with plain SQL, written here independently of the selectors,
over random data built through the services: every cell must agree.

The SQL follows the shared rules of issue 12 as written, not the selectors' code: running in
P = not an anonymous consult, opened by P's end, and not (closed on the day before P starts
with no reopening dated in P), from the dated status changes; people counted from their
``involved_since`` if born by P's end; age with PostgreSQL's ``age()`` at the start of the
earliest counted involvement (at birth if born later). The seed is printed;
``FJC_PEOPLE_SEED`` repeats a run.
"""

import datetime
import os
import random
from collections import defaultdict
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import AgeBand, ClosingReason, FamilyPosition, Gender, ViolenceRole
from cases.services import (
    case_close,
    case_create,
    case_reopen,
    person_create_in_case,
    person_link_to_case,
)
from reporting.figures.people import people_tables
from reporting.figures.period import Period

from . import party_roles as pr
from .figures_helpers import D, make_director, table, values

# One row per role in the violence an involvement holds, or one "none" row when it holds none.
ROLES = """LATERAL (VALUES
        ('victim', cp.is_victim),
        ('perpetrator', cp.is_perpetrator),
        ('witness', cp.is_witness),
        ('involved', cp.is_involved),
        ('none', NOT (cp.is_victim OR cp.is_perpetrator OR cp.is_witness OR cp.is_involved))
    ) AS r(role, held)"""

SQL = """
WITH params AS (SELECT %(start)s::date AS p_start, %(end)s::date AS p_end),
new_cases AS (
    SELECT c.id FROM cases_case c, params
    WHERE NOT c.is_anonymous_consult AND c.opened_on BETWEEN p_start AND p_end
),
running_cases AS (
    SELECT c.id FROM cases_case c, params
    WHERE NOT c.is_anonymous_consult AND c.opened_on <= p_end
      AND NOT (
        COALESCE(
            (SELECT s.to_status FROM cases_statuschange s
             WHERE s.case_id = c.id AND s.changed_on < p_start
             ORDER BY s.changed_on DESC, s.id DESC LIMIT 1),
            'registered'
        ) = 'closed'
        AND NOT EXISTS (
            SELECT 1 FROM cases_statuschange s
            WHERE s.case_id = c.id AND s.from_status = 'closed' AND s.to_status <> 'closed'
              AND s.changed_on BETWEEN p_start AND p_end
        )
      )
),
counted AS (
    SELECT cp.person_id, r.role, cp.position, cp.involved_since, 'new' AS col
    FROM cases_caseparty cp JOIN cases_person p ON p.id = cp.person_id, params, ROLES
    WHERE r.held AND cp.case_id IN (SELECT id FROM new_cases)
      AND cp.involved_since <= p_end
      AND (p.date_of_birth IS NULL OR p.date_of_birth <= p_end)
    UNION ALL
    SELECT cp.person_id, r.role, cp.position, cp.involved_since, 'running' AS col
    FROM cases_caseparty cp JOIN cases_person p ON p.id = cp.person_id, params, ROLES
    WHERE r.held AND cp.case_id IN (SELECT id FROM running_cases)
      AND cp.involved_since <= p_end
      AND (p.date_of_birth IS NULL OR p.date_of_birth <= p_end)
),
people AS (
    SELECT k.col, k.person_id, MIN(k.involved_since) AS start
    FROM counted k GROUP BY k.col, k.person_id
),
aged AS (
    SELECT pe.col, pe.person_id, p.gender,
        CASE
            WHEN p.date_of_birth IS NULL THEN p.age_band
            ELSE (
                SELECT CASE
                    WHEN y < 6 THEN '0-5' WHEN y < 12 THEN '6-11' WHEN y < 18 THEN '12-17'
                    WHEN y < 25 THEN '18-24' WHEN y < 45 THEN '25-44' WHEN y < 65 THEN '45-64'
                    ELSE '65+' END
                FROM (SELECT EXTRACT(
                    YEAR FROM age(GREATEST(pe.start, p.date_of_birth), p.date_of_birth)
                )::int AS y) years
            )
        END AS band
    FROM people pe JOIN cases_person p ON p.id = pe.person_id
)
"""

SQL = SQL.replace(", ROLES\n", f", {ROLES}\n")

QUERIES = {
    "role": "SELECT col, role, COUNT(DISTINCT person_id) FROM counted GROUP BY col, role",
    "position": """
        SELECT col, COALESCE(NULLIF(position, ''), 'unknown') AS pos, COUNT(DISTINCT person_id)
        FROM counted GROUP BY col, pos""",
    "role_position": """
        SELECT col || ':' || role, COALESCE(NULLIF(position, ''), 'unknown') AS pos,
            COUNT(DISTINCT person_id)
        FROM counted WHERE role IN ('victim', 'perpetrator') GROUP BY col, role, pos""",
    "gender": "SELECT col, gender, COUNT(*) FROM aged GROUP BY col, gender",
    "band": "SELECT col, band, COUNT(*) FROM aged GROUP BY col, band",
    "minor_role": """
        SELECT k.col, k.role, COUNT(DISTINCT k.person_id) FROM counted k
        JOIN aged a ON a.col = k.col AND a.person_id = k.person_id
        WHERE a.band IN ('0-5', '6-11', '12-17') GROUP BY k.col, k.role""",
    "minors": """
        SELECT col, 'total', COUNT(*) FROM aged
        WHERE band IN ('0-5', '6-11', '12-17') GROUP BY col""",
}


def recompute(period: Period) -> dict[str, dict[tuple[str, str], int]]:
    found: dict[str, dict[tuple[str, str], int]] = {}
    with connection.cursor() as cursor:
        for name, query in QUERIES.items():
            cursor.execute(SQL + query, {"start": period.start, "end": period.end})
            found[name] = {(col, key): n for col, key, n in cursor.fetchall()}
    return found


def expected_tables(found: dict[str, dict[tuple[str, str], int]]) -> dict[str, dict[str, Any]]:
    def row(counts: dict[tuple[str, str], int], key: str) -> tuple[int, int]:
        return (counts.get(("new", key), 0), counts.get(("running", key), 0))

    def with_total(counts: dict[tuple[str, str], int], keys: list[str]) -> dict[str, Any]:
        rows = {key: row(counts, key) for key in keys}
        rows["total"] = (sum(r[0] for r in rows.values()), sum(r[1] for r in rows.values()))
        return rows

    roles = [*ViolenceRole.values, "none"]
    positions = [*FamilyPosition.values, "unknown"]
    by_position = found["role_position"]
    return {
        "people_by_role": {key: row(found["role"], key) for key in roles},
        "people_by_position": {key: row(found["position"], key) for key in positions},
        "victims_perpetrators_by_position": {
            key: tuple(
                by_position.get((f"{column}:{role}", key), 0)
                for role in ("victim", "perpetrator")
                for column in ("new", "running")
            )
            for key in positions
        },
        "people_by_gender": with_total(found["gender"], [str(v) for v in Gender.values]),
        "people_by_age": with_total(found["band"], [str(v) for v in AgeBand.values]),
        "minors_by_role": {
            **{key: row(found["minor_role"], key) for key in roles},
            "total": row(found["minors"], "total"),
        },
    }


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def build(rng: random.Random, year: int) -> None:
    """Cases of the year before, the year and the year after, closed and reopened, with people
    added and linked at random dates, some after the year, some born after it, some with only
    an age band.

    Reopenings fall anywhere up to today, also after the periods compared: the running
    cases follow the dated status changes, not the case's ``closed_on`` now.
    """
    today = timezone.localdate()
    director = make_director(f"director_sql_{rng.randrange(10**6)}")
    reason = ClosingReason.objects.filter(is_active=True).first()
    people: list[Any] = []
    for n in range(28):
        opened = _day(rng, D(year - 1, 7, 1), min(D(year + 1, 3, 31), today))
        anonymous = n % 9 == 0
        case = case_create(
            by=director,
            owner_organisation=director.organisation,
            case_director=director,
            track=1 if anonymous else rng.choice([1, 2, 3]),
            opened_on=opened,
            is_anonymous_consult=anonymous,
        )
        if not anonymous:
            for _person in range(rng.randrange(1, 5)):
                since = _day(rng, opened, min(opened + datetime.timedelta(days=500), today))
                position = rng.choice(["", *FamilyPosition.values])
                roles = rng.sample(ViolenceRole.values, rng.randrange(0 if position else 1, 3))
                role: dict[str, Any] = {"position": position, "roles": roles}
                if people and rng.random() < 0.3:
                    existing = rng.choice(people)
                    if not case.parties.filter(person=existing).exists():
                        person_link_to_case(
                            case=case,
                            by=director,
                            person=existing,
                            **role,
                            involved_since=since,
                        )
                    continue
                fields: dict[str, Any] = {"age_band": AgeBand.UNKNOWN}
                if rng.random() < 0.8:
                    born = _day(rng, D(1940, 1, 1), min(D(year + 1, 3, 1), today))
                    if rng.random() < 0.15:  # the edges: 29-02, 28-02, 31-12, 1-1
                        born = rng.choice(
                            [D(2008, 2, 29), D(2007, 2, 28), D(2007, 12, 31), D(2008, 1, 1)]
                        )
                    fields["date_of_birth"] = born
                else:
                    fields["age_band"] = rng.choice(AgeBand.values)
                party = person_create_in_case(
                    case=case,
                    by=director,
                    **role,
                    confirm_new=True,
                    involved_since=since,
                    first_name=f"P{n}",
                    last_name=f"Willekeurig{rng.randrange(10**6)}",
                    gender=rng.choice(Gender.values),
                    **fields,
                )
                people.append(party.person)
        if rng.random() < 0.5:
            closed = _day(rng, opened, min(opened + datetime.timedelta(days=400), today))
            case = case_close(case=case, by=director, closing_reason=reason, closed_on=closed)
            if rng.random() < 0.4:
                reopened = _day(rng, closed, today)
                case_reopen(case=case, by=director, reopened_on=reopened, reason="Opnieuw")


# One base seed per session; each run adds its number.
BASE_SEED = int(os.environ.get("FJC_PEOPLE_SEED", random.randrange(10**9)))


@pytest.mark.parametrize("run", range(3))
def test_the_people_tables_agree_with_plain_sql(db, run):
    seed = BASE_SEED + run
    print(f"people tables vs SQL: seed {seed} (FJC_PEOPLE_SEED={BASE_SEED} repeats the runs)")
    rng = random.Random(seed)
    build(rng, 2024)
    for period in (Period.year(2024), Period(D(2024, 4, 1), D(2024, 6, 30))):
        # The "running" column is recomputed from the dated rule; see build().
        expected = expected_tables(recompute(period))
        tables = people_tables(period)
        for key, rows in expected.items():
            assert values(table(tables, key)) == rows, (seed, period, key)
    totals = expected_tables(recompute(Period.year(2024)))["people_by_gender"]["total"]
    print(f"people counted in 2024: {totals[0]} in new, {totals[1]} in running cases")
    assert totals[1] > totals[0] > 0, "the generator built too few people"


def test_the_sql_sees_what_the_rules_say(db):
    """The recomputation itself, on a case small enough to count by hand."""
    director = make_director("director_sql_hand")
    case = case_create(
        by=director,
        owner_organisation=director.organisation,
        case_director=director,
        track=2,
        opened_on=D(2024, 2, 1),
    )
    for born, since in ((D(2006, 2, 28), D(2024, 2, 27)), (D(2006, 2, 28), D(2024, 2, 28))):
        person_create_in_case(
            case=case,
            by=director,
            **pr.CHILD,
            confirm_new=True,
            involved_since=since,
            first_name="Kind",
            last_name=f"Hand{since.day}",
            date_of_birth=born,
        )
    found = recompute(Period.year(2024))
    assert found["band"] == {("new", "12-17"): 1, ("new", "18-24"): 1} | {
        ("running", "12-17"): 1,
        ("running", "18-24"): 1,
    }
    assert found["minors"] == {("new", "total"): 1, ("running", "total"): 1}
    # Children without a role in the violence: each under "none", with the position "child".
    assert defaultdict(int, found["role"])[("new", "none")] == 2
    assert defaultdict(int, found["position"])[("new", "child")] == 2
