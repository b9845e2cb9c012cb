"""Issue 12, part 7: key tables recomputed with plain SQL, written here from the counting rules
and not from the app's code, over randomly generated data, compared cell by cell.

The data: cases registered from the year before the figures' year until today, each with a
random walk of dated events through the services (close, reopen, status, move, assess, raise,
joint assessment, refer, answer, restraining order, extension), so the figures' year has
cases carried over, reopened later, raised later and answered later. The seed is printed;
``FJC_FIGURES_SEED=<seed>`` repeats a run.
"""

import contextlib
import datetime
import os
import random
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from cases.models import (
    Case,
    ClosingReason,
    Measure,
    MeasureKind,
    Referral,
    ReferralDirection,
    ReferralStatus,
    Status,
    Track,
)
from cases.services import (
    case_change_status,
    case_change_track,
    case_close,
    case_create,
    case_reopen,
    measure_add,
    measure_extend,
    referral_answer,
    referral_create,
)
from partners.models import OrganisationKind
from reporting.figures.cases import cases_per_track
from reporting.figures.duration import closing_reasons, duration
from reporting.figures.judicial import restraining_orders
from reporting.figures.partnership import referrals_per_partner
from reporting.figures.period import Period
from reporting.figures.risk import by_risk_level
from risk.models import Assessment, RiskGrade
from risk.services import assessment_raise_level, joint_assessment_create

from . import party_roles as pr
from . import risk_factories as rf
from .clock import TODAY
from .factories import make_organisation
from .figures_helpers import make_director, values

pytestmark = pytest.mark.django_db

YEAR = TODAY.year - 1
ONE = Decimal("0.1")


# --- the data: a random walk of dated events per case, through the services ---


class Walk:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.director = make_director("director_recomputed")
        self.partners = [
            make_organisation(f"Partner SQL {n}", OrganisationKind.PARTNER) for n in range(3)
        ]
        self.reasons = list(ClosingReason.objects.filter(is_active=True)[:4])
        self.checklist = rf.shipped(rf.CHECKLIST)

    def pick(self, queryset: Any) -> Any:
        """One row, chosen by the seeded generator (never by the database's random)."""
        found = list(queryset.order_by("pk"))
        return self.rng.choice(found) if found else None

    def close(self, case: Case, day: datetime.date) -> None:
        case_close(
            case=case, by=self.director, closing_reason=self.rng.choice(self.reasons), closed_on=day
        )

    def reopen(self, case: Case, day: datetime.date) -> None:
        case_reopen(case=case, by=self.director, reason="Terug", reopened_on=day)

    def status(self, case: Case, day: datetime.date) -> None:
        status = self.rng.choice([Status.INTAKE, Status.ACTIVE, Status.FOLLOW_UP])
        case_change_status(case=case, by=self.director, to_status=status, changed_on=day)

    def move(self, case: Case, day: datetime.date) -> None:
        track = self.rng.choice(list(Track))
        case_change_track(case=case, by=self.director, to_track=track, changed_on=day, reason="R")

    def assess(self, case: Case, day: datetime.date) -> None:
        party = case.parties.first() or rf.add_party(case, pr.VICTIM)
        yes = self.rng.choice((3, 11, 14))
        rf.make_assessment(
            case, answers=rf.answers_for(self.checklist, yes=yes), assessed_on=day, parties=[party]
        )

    def raise_level(self, case: Case, day: datetime.date) -> None:
        assessment = self.pick(Assessment.objects.filter(case=case))
        if assessment is None:
            return
        higher = self.checklist.levels.filter(order__gt=assessment.level.order).order_by("order")
        if higher.exists():
            assessment_raise_level(
                assessment=assessment,
                by=self.director,
                level=self.rng.choice(list(higher)),
                reason="Oordeel",
                raised_on=day,
            )

    def joint(self, case: Case, day: datetime.date) -> None:
        assessments = list(Assessment.objects.filter(case=case))
        if len(assessments) >= 2:
            joint_assessment_create(
                case=case,
                by=self.director,
                assessments=assessments[:2],
                held_on=day,
                level=RiskGrade.HIGH,
            )

    def refer(self, case: Case, day: datetime.date) -> None:
        referral_create(
            case=case,
            by=self.director,
            direction=self.rng.choice(list(ReferralDirection)),
            partner=self.rng.choice(self.partners),
            referred_on=day,
            reason="Hulp",
            ground="necessity",
            necessity_reason="Test",
        )

    def answer(self, case: Case, day: datetime.date) -> None:
        # The oldest open one, so that referrals go on from accepted to done.
        referral = (
            Referral.objects.filter(
                case=case, status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
            )
            .order_by("referred_on", "pk")
            .first()
        )
        if referral is not None:
            status = (
                ReferralStatus.DONE
                if referral.status == ReferralStatus.ACCEPTED
                else self.rng.choice(
                    [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.DONE]
                )
            )
            referral_answer(
                referral=referral,
                by=self.director,
                status=status,
                on=day,
                decline_reason="Vol" if status == ReferralStatus.DECLINED else "",
            )

    def order(self, case: Case, day: datetime.date) -> None:
        measure_add(
            case=case,
            by=self.director,
            kind=MeasureKind.RESTRAINING_ORDER,
            starts_on=day,
            ends_on=day + datetime.timedelta(days=self.rng.randint(0, 14)),
        )

    def extend(self, case: Case, day: datetime.date) -> None:
        order = self.pick(Measure.objects.filter(case=case, ends_on__gte=day))
        if order is not None and order.ends_on is not None:
            measure_extend(
                measure=order,
                by=self.director,
                new_end=order.ends_on + datetime.timedelta(days=self.rng.randint(1, 40)),
                decided_on=day,
            )

    def late_day(self, after: datetime.date) -> datetime.date:
        """A day after the figures' year (and after ``after``), at the latest today."""
        first = max(after, datetime.date(YEAR + 1, 1, 1))
        return first + datetime.timedelta(days=self.rng.randrange((TODAY - first).days + 1))

    def later(self) -> None:
        """Then what a later year does to this year's cases: late answers, later raises,
        reopenings."""
        for referral in Referral.objects.filter(
            status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
        ).order_by("pk"):
            if self.rng.random() < 0.6:
                with contextlib.suppress(ValidationError):
                    self.answer(
                        referral.case, self.late_day(referral.answered_on or referral.referred_on)
                    )
        for assessment in Assessment.objects.order_by("pk"):
            if self.rng.random() < 0.4:
                with contextlib.suppress(ValidationError):
                    self.raise_level(assessment.case, self.late_day(assessment.assessed_on))
        for case in Case.objects.filter(status=Status.CLOSED).order_by("pk"):
            if self.rng.random() < 0.5:
                with contextlib.suppress(ValidationError):
                    self.reopen(case, self.late_day(case.closed_on or case.opened_on))

    def run(self, cases: int) -> None:
        # What the figures must read as of a period's end weighs most: closing and
        # reopening, raising a level, answering a referral.
        weights = {
            self.close: 2,
            self.reopen: 3,
            self.status: 1,
            self.move: 1,
            self.assess: 3,
            self.raise_level: 4,
            self.joint: 1,
            self.refer: 4,
            self.answer: 5,
            self.order: 1,
            self.extend: 1,
        }
        actions = [action for action, weight in weights.items() for _ in range(weight)]
        first = datetime.date(YEAR - 1, 1, 1)
        for _ in range(cases):
            opened = first + datetime.timedelta(days=self.rng.randrange((TODAY - first).days + 1))
            anonymous = self.rng.random() < 0.05
            case = case_create(
                by=self.director,
                owner_organisation=self.director.organisation,
                case_director=self.director,
                track=Track.ADVICE if anonymous else self.rng.choice(list(Track)),
                opened_on=opened,
                is_anonymous_consult=anonymous,
            )
            day = opened
            for _step in range(self.rng.randint(2, 14)):
                day += datetime.timedelta(days=self.rng.choice((0, 1, 10, 40, 120, 200)))
                if day > TODAY:
                    break
                # A random step the rules refuse (e.g. reopening an open case) is skipped.
                with contextlib.suppress(ValidationError):
                    self.rng.choice(actions)(Case.objects.get(pk=case.pk), day)


# --- the same figures in plain SQL, from the counting rules ---

STATUS_ON = """
    coalesce((SELECT s.to_status FROM cases_statuschange s
              WHERE s.case_id = c.id AND s.changed_on <= %(day)s
              ORDER BY s.changed_on DESC, s.id DESC LIMIT 1), 'registered')
"""


def track_on(day_sql: str) -> str:
    return f"""
        coalesce((SELECT t.to_track FROM cases_trackchange t
                  WHERE t.case_id = c.id AND t.changed_on <= {day_sql}
                  ORDER BY t.changed_on DESC, t.id DESC LIMIT 1),
                 (SELECT t.from_track FROM cases_trackchange t WHERE t.case_id = c.id
                  ORDER BY t.changed_on, t.id LIMIT 1),
                 c.track)
    """


def rows(sql: str, **params: Any) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def running_ids(p: Period) -> set[int]:
    sql = f"""
        SELECT c.id FROM cases_case c
        WHERE NOT c.is_anonymous_consult AND c.opened_on <= %(end)s
          AND NOT ({STATUS_ON} = 'closed' AND NOT EXISTS (
                SELECT 1 FROM cases_statuschange s WHERE s.case_id = c.id
                AND s.from_status = 'closed' AND s.changed_on BETWEEN %(start)s AND %(end)s))
    """
    day_before = p.start - datetime.timedelta(days=1)
    return {pk for (pk,) in rows(sql, day=day_before, start=p.start, end=p.end)}


def sql_cases_per_track(p: Period) -> dict[str, tuple[int, int]]:
    new = dict(
        rows(
            f"""SELECT {track_on("'-infinity'::date")} AS t, count(*) FROM cases_case c
                WHERE NOT c.is_anonymous_consult AND c.opened_on BETWEEN %(start)s AND %(end)s
                GROUP BY t""",
            start=p.start,
            end=p.end,
        )
    )
    running = dict(
        rows(
            f"""SELECT {track_on("%(end)s")} AS t, count(*) FROM cases_case c
                WHERE c.id = ANY(%(ids)s) GROUP BY t""",
            end=p.end,
            ids=list(running_ids(p)),
        )
    )
    result = {str(t): (new.get(t, 0), running.get(t, 0)) for t in (1, 2, 3)}
    result["total"] = (sum(new.values()), sum(running.values()))
    return result


LAST_CLOSINGS = """
    SELECT x.case_id, x.changed_on, x.closing_reason_id FROM (
        SELECT s.case_id, s.changed_on, s.closing_reason_id,
               row_number() OVER (PARTITION BY s.case_id ORDER BY s.changed_on DESC, s.id DESC) AS n
        FROM cases_statuschange s JOIN cases_case k ON k.id = s.case_id
        WHERE s.to_status = 'closed' AND s.changed_on BETWEEN %(start)s AND %(end)s
          AND NOT k.is_anonymous_consult
    ) x WHERE x.n = 1
"""


def sql_closing_reasons(p: Period) -> dict[str, int]:
    found = rows(
        f"SELECT closing_reason_id, count(*) FROM ({LAST_CLOSINGS}) l GROUP BY closing_reason_id",
        start=p.start,
        end=p.end,
    )
    result = {str(reason): n for reason, n in found}
    result["total"] = sum(result.values())
    return result


def half_up(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(ONE, rounding=ROUND_HALF_UP)


def sql_duration(p: Period) -> tuple[dict[str, Any], dict[str, int]]:
    closed = f"""
        SELECT {track_on("l.changed_on")} AS track, l.changed_on - c.opened_on AS days,
               CASE WHEN l.changed_on < c.opened_on + interval '3 months' THEN 'lt_3m'
                    WHEN l.changed_on < c.opened_on + interval '6 months' THEN '3_6m'
                    WHEN l.changed_on < c.opened_on + interval '12 months' THEN '6_12m'
                    ELSE 'ge_12m' END AS bucket
        FROM ({LAST_CLOSINGS}) l JOIN cases_case c ON c.id = l.case_id
    """
    stats = "count(*), round(avg(days), 1), percentile_cont(0.5) WITHIN GROUP (ORDER BY days)"
    per_track = {
        str(track): (n, mean, half_up(median))
        for track, n, mean, median in rows(
            f"SELECT track, {stats} FROM ({closed}) d GROUP BY track", start=p.start, end=p.end
        )
    }
    ((n, mean, median),) = rows(f"SELECT {stats} FROM ({closed}) d", start=p.start, end=p.end)
    table = {str(t): per_track.get(str(t), (0, None, None)) for t in (1, 2, 3)}
    table["total"] = (n, mean, half_up(median))
    buckets = dict(
        rows(f"SELECT bucket, count(*) FROM ({closed}) d GROUP BY bucket", start=p.start, end=p.end)
    )
    spread = {key: buckets.get(key, 0) for key in ("lt_3m", "3_6m", "6_12m", "ge_12m")}
    spread["total"] = n
    return table, spread


def sql_risk_levels(p: Period) -> dict[str, int]:
    # The newest record dated by the end: later date, then recorded later, then the joint
    # one, then the higher id; an assessment with its level on that day.
    newest = rows(
        """
        SELECT DISTINCT ON (r.case_id) r.case_id, r.grade FROM (
            SELECT a.case_id, a.assessed_on AS day, a.created_at AS at, 0 AS joint, a.id,
                coalesce(
                    (SELECT l.grade FROM risk_levelraise x JOIN risk_level l ON l.id = x.to_level_id
                     WHERE x.assessment_id = a.id AND x.raised_on <= %(end)s
                     ORDER BY x.raised_on DESC, x.id DESC LIMIT 1),
                    (SELECT l.grade FROM risk_levelraise x
                     JOIN risk_level l ON l.id = x.from_level_id
                     WHERE x.assessment_id = a.id ORDER BY x.raised_on, x.id LIMIT 1),
                    (SELECT l.grade FROM risk_level l WHERE l.id = a.level_id)) AS grade
            FROM risk_assessment a WHERE a.assessed_on <= %(end)s
            UNION ALL
            SELECT j.case_id, j.held_on, j.recorded_at, 1, j.id, j.level
            FROM risk_jointassessment j WHERE j.held_on <= %(end)s
        ) r ORDER BY r.case_id, r.day DESC, r.at DESC, r.joint DESC, r.id DESC
        """,
        end=p.end,
    )
    grade = dict(newest)
    running = running_ids(p)
    # Track 1 on the last day is not assessed by design: without an assessment, a row apart.
    advice = {
        pk
        for (pk,) in rows(
            f"SELECT c.id FROM cases_case c WHERE c.id = ANY(%(ids)s) "
            f"AND {track_on('%(end)s')} = 1",
            ids=list(running),
            end=p.end,
        )
    }
    counts: dict[str, int] = defaultdict(int)
    for case_id in running:
        if case_id in grade:
            counts[str(grade[case_id])] += 1
        else:
            counts["none_track_1" if case_id in advice else "none"] += 1
    result = {str(g): counts.get(str(g), 0) for g in (3, 2, 1)}
    result["none"] = counts.get("none", 0)
    result["none_track_1"] = counts.get("none_track_1", 0)
    result["total"] = len(running)
    return result


def sql_referrals_per_partner(p: Period) -> dict[str, tuple[int, ...]]:
    # On the end: answered by then and not done by then, the answer (a done one was accepted).
    found = rows(
        """
        SELECT partner_id,
            count(*) FILTER (WHERE direction = 'in'),
            count(*) FILTER (WHERE direction = 'out'),
            count(*) FILTER (WHERE answered_on <= %(end)s
                             AND (done_on IS NULL OR done_on > %(end)s)
                             AND status IN ('accepted', 'done')),
            count(*) FILTER (WHERE answered_on <= %(end)s AND status = 'declined')
        FROM cases_referral WHERE referred_on BETWEEN %(start)s AND %(end)s
        GROUP BY partner_id
        """,
        start=p.start,
        end=p.end,
    )
    result = {f"organisation:{partner}": tuple(counts) for partner, *counts in found}
    result["total"] = tuple(sum(column) for column in zip(*result.values(), strict=True)) or (
        0,
        0,
        0,
        0,
    )
    return result


def sql_restraining_orders(p: Period) -> dict[str, int]:
    ((started, started_cases, in_force, in_force_cases),) = rows(
        """
        SELECT count(*) FILTER (WHERE m.starts_on BETWEEN %(start)s AND %(end)s),
               count(DISTINCT m.case_id) FILTER (WHERE m.starts_on BETWEEN %(start)s AND %(end)s),
               count(*) FILTER (WHERE m.starts_on <= %(end)s AND e.end_on >= %(start)s),
               count(DISTINCT m.case_id)
                   FILTER (WHERE m.starts_on <= %(end)s AND e.end_on >= %(start)s)
        FROM cases_measure m CROSS JOIN LATERAL (
            SELECT coalesce(
                (SELECT x.new_end FROM cases_measureextension x
                 WHERE x.measure_id = m.id AND x.decided_on <= %(end)s
                 ORDER BY x.decided_on DESC, x.id DESC LIMIT 1),
                (SELECT x.previous_end FROM cases_measureextension x
                 WHERE x.measure_id = m.id ORDER BY x.id LIMIT 1),
                m.ends_on) AS end_on
        ) e
        WHERE m.kind = 'restraining_order'
        """,
        start=p.start,
        end=p.end,
    )
    ((extensions, extended),) = rows(
        """
        SELECT count(*), count(DISTINCT x.measure_id) FROM cases_measureextension x
        JOIN cases_measure m ON m.id = x.measure_id
        WHERE m.kind = 'restraining_order' AND x.decided_on BETWEEN %(start)s AND %(end)s
        """,
        start=p.start,
        end=p.end,
    )
    return {
        "started": started,
        "cases": started_cases,
        "in_force": in_force,
        "cases_in_force": in_force_cases,
        "extensions": extensions,
        "extended": extended,
    }


def without_zero_rows(table: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if value}


@pytest.mark.parametrize("run", range(2))
def test_key_tables_equal_a_plain_sql_recomputation(run, time_machine):
    time_machine.move_to(timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(12))))
    seed = int(os.environ.get("FJC_FIGURES_SEED", random.randrange(1_000_000))) + run
    print(f"FJC_FIGURES_SEED={seed}")
    walk = Walk(random.Random(seed))
    walk.run(cases=60)
    walk.later()
    year = Period.year(YEAR)
    periods = [year, Period(datetime.date(YEAR, 4, 1), datetime.date(YEAR, 6, 30))]
    # The data reach the cases the rules are about (else the comparison proves little).
    assert rows("SELECT count(*) FROM cases_statuschange WHERE to_status = 'closed'")[0][0] > 3
    for p in periods:
        assert values(cases_per_track(p)) == sql_cases_per_track(p), (seed, p)
        assert without_zero_rows(values(closing_reasons(p))) == without_zero_rows(
            sql_closing_reasons(p)
        ), (seed, p)
        per_track, buckets = duration(p)
        expected_per_track, expected_buckets = sql_duration(p)
        assert values(per_track) == expected_per_track, (seed, p)
        assert values(buckets) == expected_buckets, (seed, p)
        assert values(by_risk_level(p)) == sql_risk_levels(p), (seed, p)
        assert values(referrals_per_partner(p)) == sql_referrals_per_partner(p), (seed, p)
        assert values(restraining_orders(p)) == sql_restraining_orders(p), (seed, p)
