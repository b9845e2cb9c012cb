"""Migration cases/0009 fills the involvement and repeat dates of existing rows: it loses
nothing, follows the rule, and a second run changes nothing.

The test database is built from the models, where ``involved_since`` is required; the test
drops that constraint inside its own transaction (PostgreSQL rolls DDL back with it) to
recreate the rows as 0008 left them.
"""

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from cases.models import Case, CaseParty
from cases.services import person_create_in_case, person_link_to_case
from cases.services.people import repeat_facts

from . import party_roles as pr
from .clock import BRUSSELS
from .figures_helpers import D, make_director, new_case, person

FILL = importlib.import_module("cases.migrations.0009_fill_involvement_and_repeat_dates")

pytestmark = pytest.mark.django_db


def _as_before_the_migration() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("cases_caseparty", "cases_historicalcaseparty"):
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN involved_since DROP NOT NULL")
            cursor.execute(f"UPDATE {table} SET involved_since = NULL")
    Case.objects.update(repeat_since=None)


def _rows() -> dict[str, list[dict[str, Any]]]:
    return {
        "parties": list(CaseParty.objects.order_by("pk").values()),
        "history": list(CaseParty.history.order_by("history_id").values()),
        "cases": list(Case.objects.order_by("pk").values()),
        "case_history": Case.history.count(),
    }


def _created(case: Case, moment: datetime.datetime, opened_on: datetime.date) -> None:
    Case.objects.filter(pk=case.pk).update(created_at=moment, opened_on=opened_on)


def test_involvement_dates_follow_the_rule_lose_nothing_and_run_once():
    director = make_director("director_migration")
    c1, c2, c3 = (new_case(director, D(2025, 1, 1), 2) for _ in range(3))
    _created(c1, datetime.datetime(2025, 3, 10, 10, 0, tzinfo=BRUSSELS), D(2025, 3, 1))
    # The opening was corrected to a day after a person was added.
    _created(c2, datetime.datetime(2025, 5, 1, 9, 0, tzinfo=BRUSSELS), D(2025, 5, 20))
    # Registered at 23:30 in Brussels (21:30 UTC): its day is the 30th.
    _created(c3, datetime.datetime(2025, 6, 30, 23, 30, tzinfo=BRUSSELS), D(2025, 6, 28))
    added = {
        "with_registration": (c1, D(2025, 3, 10)),
        "later": (c1, D(2025, 4, 1)),
        "before_corrected_opening": (c2, D(2025, 5, 10)),
        "after_corrected_opening": (c2, D(2025, 6, 2)),
        "late_evening_registration": (c3, D(2025, 6, 30)),
        "next_morning": (c3, D(2025, 7, 1)),
    }
    parties = {}
    for key, (case, day) in added.items():
        case.refresh_from_db()
        parties[key] = person(case, pr.CHILD)
        CaseParty.objects.filter(pk=parties[key].pk).update(added_on=day)
        CaseParty.history.filter(id=parties[key].pk).update(added_on=day)
    _as_before_the_migration()
    before = _rows()

    filled = FILL.fill_involvement_dates(apps)

    after = _rows()
    expected = {
        "with_registration": D(2025, 3, 1),  # the case's opening
        "later": D(2025, 4, 1),  # the day added
        "before_corrected_opening": D(2025, 5, 20),  # never before the opening
        "after_corrected_opening": D(2025, 6, 2),
        "late_evening_registration": D(2025, 6, 28),
        "next_morning": D(2025, 7, 1),
    }
    since = dict(CaseParty.objects.values_list("pk", "involved_since"))
    assert {key: since[party.pk] for key, party in parties.items()} == expected
    # The history rows get the same date as their party; nothing is empty.
    for record in CaseParty.history.all():
        assert record.involved_since == since[record.id]
    assert filled == len(after["parties"]) + len(after["history"])
    # Nothing lost, nothing else changed.
    for name in ("parties", "history"):
        assert len(after[name]) == len(before[name])
        for old, new in zip(before[name], after[name], strict=True):
            assert {k: v for k, v in new.items() if k != "involved_since"} == {
                k: v for k, v in old.items() if k != "involved_since"
            }
    assert after["cases"] == before["cases"]
    assert after["case_history"] == before["case_history"]
    # Idempotent.
    assert FILL.fill_involvement_dates(apps) == 0
    assert _rows() == after


def test_history_rows_of_a_deleted_case_are_filled_from_its_history():
    director = make_director("director_deleted")
    case = new_case(director, D(2025, 2, 1), 2)
    _created(case, datetime.datetime(2025, 2, 3, 10, 0, tzinfo=BRUSSELS), D(2025, 2, 1))
    case.save()  # a history row with these dates
    party = person(case, pr.CHILD)
    CaseParty.history.filter(id=party.pk).update(added_on=D(2025, 2, 3))
    party_id = party.pk
    Case.objects.filter(pk=case.pk).delete()
    _as_before_the_migration()
    FILL.fill_involvement_dates(apps)
    assert set(CaseParty.history.filter(id=party_id).values_list("involved_since", flat=True)) == {
        D(2025, 2, 1)
    }


def test_repeat_dates_agree_with_the_service_and_run_once():
    director = make_director("director_repeat_migration")
    cases = [new_case(director, day, 2) for day in (D(2025, 1, 5), D(2025, 4, 1), D(2025, 8, 1))]
    victim = person_create_in_case(
        case=cases[0],
        by=director,
        **pr.VICTIM,
        confirm_new=True,
        first_name="Vera",
        last_name="Migratie",
        involved_since=D(2025, 1, 5),
    )
    perpetrator = person_create_in_case(
        case=cases[0],
        by=director,
        **pr.PERPETRATOR,
        confirm_new=True,
        first_name="Piet",
        last_name="Migratie",
        involved_since=D(2025, 2, 1),
    )
    for case, since in ((cases[1], D(2025, 4, 1)), (cases[2], D(2025, 8, 1))):
        for party in (victim, perpetrator):
            person_link_to_case(
                case=case,
                by=director,
                person=party.person,
                position=party.position,
                roles=party.roles,
                involved_since=since,
            )
    stored = dict(Case.objects.values_list("pk", "repeat_since"))
    assert [stored[c.pk] for c in cases] == [None, D(2025, 4, 1), D(2025, 8, 1)]
    # 0009 fills the involvements first; here they keep the dates the service stored.
    Case.objects.update(repeat_since=None)
    versions = dict(Case.objects.values_list("pk", "version"))
    assert FILL.fill_repeat_dates(apps) == 2
    assert dict(Case.objects.values_list("pk", "repeat_since")) == stored
    assert dict(Case.objects.values_list("pk", "version")) == versions
    for case in Case.objects.all():
        assert FILL.expected_repeat_dates(apps)[case.pk] == repeat_facts(case)[1]
    assert FILL.fill_repeat_dates(apps) == 0
