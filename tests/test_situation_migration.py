"""Migration cases/0015 moves a person's address and safe contact to their involvements: the
confidential ones only to the team that entered them, with their history; nothing is lost and a
second run changes nothing.

The test database is built from today's models (no such columns on the person); the test adds
them back inside its own transaction (PostgreSQL rolls DDL back with it) and runs the migration's
function with the models as they were at 0015.
"""

import importlib
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseParty
from cases.services import person_create_in_case, person_link_to_case, share_create

from . import party_roles as pr
from .conftest import whole_file_share

MOVE = importlib.import_module("cases.migrations.0017_move_situation_to_involvements")

pytestmark = pytest.mark.django_db


def _as_before_the_migration() -> Any:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in ("cases_person", "cases_historicalperson"):
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN address text NOT NULL DEFAULT '', "
                "ADD COLUMN address_confidential boolean NOT NULL DEFAULT false, "
                "ADD COLUMN safe_contact text NOT NULL DEFAULT ''"
            )
        # The one role of the time, which cases/0030 replaced by columns that the models of
        # 0017 do not write: the database fills them in.
        for table in ("cases_caseparty", "cases_historicalcaseparty"):
            cursor.execute(
                f"ALTER TABLE {table} ADD COLUMN role varchar(20) NOT NULL DEFAULT '', "
                "ALTER COLUMN legacy_role SET DEFAULT '', "
                "ALTER COLUMN position SET DEFAULT '', "
                "ALTER COLUMN is_victim SET DEFAULT false, "
                "ALTER COLUMN is_perpetrator SET DEFAULT false, "
                "ALTER COLUMN is_witness SET DEFAULT false, "
                "ALTER COLUMN is_involved SET DEFAULT false"
            )
    # The tests build tables from the models with migrations turned off; read them anyway.
    with override_settings(MIGRATION_MODULES={}):
        state = MigrationLoader(connection).project_state(
            ("cases", "0017_move_situation_to_involvements")
        )
    return state.apps


def _old_edit(apps: Any, person_id: int, by: Any, **values: Any) -> None:
    """What the old person form did: change the person's row, with a history row."""
    Person = apps.get_model("cases", "Person")
    HistoricalPerson = apps.get_model("cases", "HistoricalPerson")
    Person.objects.filter(pk=person_id).update(**values)
    person = Person.objects.get(pk=person_id)
    HistoricalPerson.objects.create(
        **{f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields},
        history_date=timezone.now(),
        history_type="~",
        history_user_id=by.pk if by else None,
    )


def _situations(apps: Any) -> dict[str, list[tuple]]:
    fields = ("id", "address", "address_confidential", "safe_contact", "history_type")
    return {
        "parties": list(
            apps.get_model("cases", "CaseParty")
            .objects.order_by("pk")
            .values_list("pk", *fields[1:4])
        ),
        "history": list(
            apps.get_model("cases", "HistoricalCaseParty")
            .objects.order_by("history_id")
            .values_list(*fields)
        ),
    }


def test_the_situation_moves_to_the_team_that_entered_it_with_its_history(world):
    city, caw = world.cases["city_a_shared"], world.cases["caw_a"]
    director, caw_director = world.users["director_city_a"], world.users["director_caw_a"]
    share_create(case=city, organisation=world.orgs["caw_a"], by=director, terms=whole_file_share())
    victim = person_create_in_case(
        case=city, by=director, **pr.VICTIM, confirm_new=True,
        first_name="Ines", last_name="Claes",
    )  # fmt: skip
    neighbour = person_create_in_case(
        case=city, by=director, **pr.OTHER, confirm_new=True,
        first_name="Jef", last_name="Buur",
    )  # fmt: skip
    unknown = person_create_in_case(
        case=city, by=director, **pr.FAMILY, confirm_new=True,
        first_name="Mia", last_name="Onbekend",
    )  # fmt: skip
    apps = _as_before_the_migration()
    _old_edit(apps, victim.person_id, director, address="Open 1", safe_contact="Eerst bellen")
    _old_edit(
        apps,
        victim.person_id,
        director,
        address="Geheim 9",
        address_confidential=True,
        safe_contact="Enkel via de zus",
    )
    _old_edit(apps, neighbour.person_id, director, address="Open Straat 3")
    _old_edit(apps, unknown.person_id, None, safe_contact="Via school")
    # The CAW links them into its own case (under the old rule it then saw all of it).
    for party in (victim, neighbour, unknown):
        person_link_to_case(case=caw, by=caw_director, person=party.person, **pr.OTHER)

    MOVE.move_situation(apps)

    Party = apps.get_model("cases", "CaseParty")
    History = apps.get_model("cases", "HistoricalCaseParty")

    def situation(case: Any, party: Any) -> tuple:
        row = Party.objects.get(case_id=case.pk, person_id=party.person_id)
        return row.address, row.address_confidential, row.safe_contact

    # The city's team entered them: the city's involvement has them, the CAW's has none.
    assert situation(city, victim) == ("Geheim 9", True, "Enkel via de zus")
    assert situation(caw, victim) == ("", False, "")
    # An open address was seen by every case's readers: every involvement keeps it.
    assert situation(city, neighbour) == ("Open Straat 3", False, "")
    assert situation(caw, neighbour) == ("Open Straat 3", False, "")
    # No known author: the involvement where she was registered first keeps it.
    assert situation(city, unknown) == ("", False, "Via school")
    assert situation(caw, unknown) == ("", False, "")

    # History: each change is on the city's involvement, at its moment, by its author.
    city_party = Party.objects.get(case_id=city.pk, person_id=victim.person_id)
    rows = list(History.objects.filter(id=city_party.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.address, r.safe_contact) for r in rows] == [
        ("+", "", ""),
        ("~", "Open 1", "Eerst bellen"),
        ("~", "Geheim 9", "Enkel via de zus"),
    ]
    assert {r.history_user_id for r in rows[1:]} == {director.pk}
    assert {r.history_change_reason for r in rows[1:]} == {MOVE.REASON}
    # Nothing of the city's confidential details reached the CAW's involvements, then or now.
    caw_ids = Party.objects.filter(case_id=caw.pk).values("pk")
    caw_values = {
        v
        for row in History.objects.filter(id__in=caw_ids).values_list("address", "safe_contact")
        for v in row
    }
    assert caw_values <= {"", "Open Straat 3"}
    # Nothing lost: every value the people ever had is on an involvement or its history.
    ever = {
        v
        for row in apps.get_model("cases", "HistoricalPerson").objects.values_list(
            "address", "safe_contact"
        )
        for v in row
    } - {""}
    kept = {v for row in History.objects.values_list("address", "safe_contact") for v in row} | {
        v for row in Party.objects.values_list("address", "safe_contact") for v in row
    }
    assert ever <= kept

    # A second run changes nothing.
    before = _situations(apps)
    MOVE.move_situation(apps)
    assert _situations(apps) == before
    assert CaseParty.objects.count() == len(before["parties"])
