"""Many cases' dated state on a day, counted in one pass over their dated records.

The rules are those of ``common.track_on``, ``common.initial_track`` and
``risk.current.current_grade_expression``: a case's track on a day is the ``to_track`` of its
last move dated on or before it (by date, then id), else the ``from_track`` of its first move,
else its track now; its risk grade on a day is that of its newest assessment or joint
assessment dated on or before it (an assessment with its level on that day, from its raises).

Those expressions are correlated subqueries: a scalar subquery per case and per rule (the risk
grade alone is thirteen), which PostgreSQL runs once per counted case (and, at 100,000 cases,
spends most of a second compiling with JIT). Here each kind of record is read once instead:
the newest record per case (or per assessment) is the first row of a window
(``ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)``, built by the ORM, so SQLite runs it
too), and the counted cases are joined to those rows by their ids and grouped. The cases come
in as a queryset (``running_cases``, ``new_cases``...), so which cases count stays decided in
one place. ``tests/test_figures_onepass.py`` asserts that both forms give the same answer.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import F, OrderBy, QuerySet, Window
from django.db.models.functions import RowNumber

from access.policy import unrestricted_for_aggregates
from cases.models import Case, StatusChange, Track, TrackChange
from risk.models import Assessment, JointAssessment, LevelRaise

SQL = tuple[str, tuple[Any, ...]]


def _sql(queryset: QuerySet[Any]) -> SQL:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _first_per(
    queryset: QuerySet[Any], *, per: str, order: Sequence[OrderBy], **columns: Any
) -> SQL:
    """The first row of ``queryset`` per value of ``per`` in the order ``order``, with the
    ``columns`` (alias -> expression) and ``per`` as ``per_key``: one pass (a window)."""
    ranked = queryset.annotate(
        first_rank=Window(RowNumber(), partition_by=F(per), order_by=list(order))
    ).values(per_key=F(per), first_rank=F("first_rank"), **columns)
    sql, params = _sql(ranked)
    return f"SELECT * FROM ({sql}) ranked WHERE first_rank = 1", params  # noqa: S608


def _moves() -> QuerySet[TrackChange]:
    return unrestricted_for_aggregates(TrackChange.objects.all())


def _last_moves(day: datetime.date) -> SQL:
    """Per case: the ``to_track`` of its last move dated on or before ``day``."""
    return _first_per(
        _moves().filter(changed_on__lte=day),
        per="case_id",
        order=(F("changed_on").desc(), F("id").desc()),
        track_then=F("to_track"),
    )


def _first_moves() -> SQL:
    """Per case: the ``from_track`` of its first move (the track it was registered in)."""
    return _first_per(
        _moves(),
        per="case_id",
        order=(F("changed_on").asc(), F("id").asc()),
        track_then=F("from_track"),
    )


def _cases(cases: QuerySet[Case]) -> SQL:
    return _sql(cases.order_by().values(case_pk=F("pk"), case_track=F("track")))


def _fetch(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    # Raw SQL bypasses the router: ask it, so marked reporting reads reach the replica too.
    with connections[router.db_for_read(Case)].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def count_by_initial_track(cases: QuerySet[Case]) -> dict[int, int]:
    """How many of ``cases`` were registered in each track (``common.initial_track``)."""
    cases_sql, cases_params = _cases(cases)
    first_sql, first_params = _first_moves()
    rows = _fetch(
        f"SELECT COALESCE(f.track_then, c.case_track), COUNT(*) FROM ({cases_sql}) c"  # noqa: S608
        f" LEFT JOIN ({first_sql}) f ON f.per_key = c.case_pk GROUP BY 1",
        cases_params + first_params,
    )
    return {int(track): count for track, count in rows}


def count_by_track_on(cases: QuerySet[Case], day: datetime.date) -> dict[int, int]:
    """How many of ``cases`` were in each track on ``day`` (``common.track_on``)."""
    cases_sql, cases_params = _cases(cases)
    first_sql, first_params = _first_moves()
    last_sql, last_params = _last_moves(day)
    rows = _fetch(
        f"SELECT COALESCE(l.track_then, f.track_then, c.case_track), COUNT(*)"  # noqa: S608
        f" FROM ({cases_sql}) c"
        f" LEFT JOIN ({last_sql}) l ON l.per_key = c.case_pk"
        f" LEFT JOIN ({first_sql}) f ON f.per_key = c.case_pk GROUP BY 1",
        cases_params + last_params + first_params,
    )
    return {int(track): count for track, count in rows}


def _grades_on(day: datetime.date) -> tuple[list[str], tuple[Any, ...]]:
    """The joins that give a case (alias ``c``) its grade on ``day``: the newest assessment
    ``a`` and its raises ``lr`` (last by ``day``) and ``fr`` (first), the newest joint ``j``."""
    newest_assessment = _first_per(
        unrestricted_for_aggregates(Assessment.objects.all()).filter(assessed_on__lte=day),
        per="case_id",
        order=(F("assessed_on").desc(), F("created_at").desc(), F("id").desc()),
        a_id=F("id"),
        a_date=F("assessed_on"),
        a_recorded=F("created_at"),
        a_grade=F("level__grade"),
    )
    raises = LevelRaise.objects.all()
    last_raise = _first_per(
        raises.filter(raised_on__lte=day),
        per="assessment_id",
        order=(F("raised_on").desc(), F("id").desc()),
        raised_grade=F("to_level__grade"),
    )
    first_raise = _first_per(
        raises,
        per="assessment_id",
        order=(F("raised_on").asc(), F("id").asc()),
        raised_grade=F("from_level__grade"),
    )
    newest_joint = _first_per(
        unrestricted_for_aggregates(JointAssessment.objects.all()).filter(held_on__lte=day),
        per="case_id",
        order=(F("held_on").desc(), F("recorded_at").desc(), F("id").desc()),
        j_date=F("held_on"),
        j_recorded=F("recorded_at"),
        j_grade=F("level"),
    )
    joins = [
        f"LEFT JOIN ({newest_assessment[0]}) a ON a.per_key = c.case_pk",
        f"LEFT JOIN ({last_raise[0]}) lr ON lr.per_key = a.a_id",
        f"LEFT JOIN ({first_raise[0]}) fr ON fr.per_key = a.a_id",
        f"LEFT JOIN ({newest_joint[0]}) j ON j.per_key = c.case_pk",
    ]
    params = newest_assessment[1] + last_raise[1] + first_raise[1] + newest_joint[1]
    return joins, params


# The grade of the newest record, with the rule's order between the two kinds: the joint
# assessment counts when there is no assessment, or it is dated later, or on the same date
# it was recorded at the same moment or later.
_GRADE = (
    "CASE WHEN j.per_key IS NULL THEN COALESCE(lr.raised_grade, fr.raised_grade, a.a_grade)"
    " WHEN a.per_key IS NULL OR j.j_date > a.a_date"
    " OR (j.j_date = a.a_date AND j.j_recorded >= a.a_recorded) THEN j.j_grade"
    " ELSE COALESCE(lr.raised_grade, fr.raised_grade, a.a_grade) END"
)


def count_by_grade_on(
    cases: QuerySet[Case], day: datetime.date
) -> list[tuple[int | None, bool, int]]:
    """``(grade, in track 1, count)`` of ``cases`` on ``day``: the grade by
    ``current_grade_expression(on=day)`` (None without any assessment by then), the track by
    ``track_on(day)``."""
    cases_sql, cases_params = _cases(cases)
    first_sql, first_params = _first_moves()
    last_sql, last_params = _last_moves(day)
    joins, grade_params = _grades_on(day)
    rows = _fetch(
        f"SELECT {_GRADE} AS grade,"  # noqa: S608
        f" COALESCE(l.track_then, f.track_then, c.case_track) = %s AS advice, COUNT(*)"
        f" FROM ({cases_sql}) c"
        f" LEFT JOIN ({last_sql}) l ON l.per_key = c.case_pk"
        f" LEFT JOIN ({first_sql}) f ON f.per_key = c.case_pk "
        + " ".join(joins)
        + " GROUP BY 1, 2",
        (int(Track.ADVICE), *cases_params, *last_params, *first_params, *grade_params),
    )
    return [(None if grade is None else int(grade), bool(advice), n) for grade, advice, n in rows]


def closings_with_track(
    closings: QuerySet[StatusChange],
) -> list[tuple[int, datetime.date, datetime.date]]:
    """``(track on the closing's date, opened on, closed on)`` of each of ``closings``: the
    track by ``track_on(OuterRef("changed_on"), case="case_id")``, in one pass."""
    closed_sql, closed_params = _sql(
        closings.order_by().values(
            closing_pk=F("pk"),
            closing_case=F("case_id"),
            closed_then=F("changed_on"),
            opened_then=F("case__opened_on"),
            case_track=F("case__track"),
        )
    )
    first_sql, first_params = _first_moves()
    moves = TrackChange._meta.db_table
    rows = _fetch(
        f"WITH closed AS ({closed_sql})"  # noqa: S608
        " SELECT COALESCE(l.to_track, f.track_then, c.case_track), c.opened_then, c.closed_then"
        " FROM closed c"
        " LEFT JOIN (SELECT * FROM (SELECT k.closing_pk, m.to_track, ROW_NUMBER() OVER ("
        "   PARTITION BY k.closing_pk ORDER BY m.changed_on DESC, m.id DESC) AS first_rank"
        f"   FROM closed k JOIN {moves} m ON m.case_id = k.closing_case"
        "   AND m.changed_on <= k.closed_then) ranked WHERE first_rank = 1) l"
        " ON l.closing_pk = c.closing_pk"
        f" LEFT JOIN ({first_sql}) f ON f.per_key = c.closing_case",
        closed_params + first_params,
    )
    return [(int(track), _date(opened), _date(closed)) for track, opened, closed in rows]


def _date(value: datetime.date | str) -> datetime.date:
    """A date from a raw query (SQLite hands back text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
