"""Migration cases/0030_party_roles maps every old role to a family position and roles in the
violence, on the involvements and on their history, keeps the old code (``legacy_role``), and
goes back without loss.

The test database is built from today's models (tests/conftest.py), so the migration runs in a
database of its own: migrated to the state before it (0025), filled through the historical models
of that state with a person of every old role and a history row each, migrated forward, checked,
and migrated back. Django's MigrationExecutor does it in a process of its own, as
tests/test_migrations.py runs ``migrate``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from .test_migrations import _conninfo, _database_url

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import datetime
import json

import django

django.setup()

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("cases", "0029_violence_dimensions")]
AFTER = [("cases", "0030_party_roles")]
OLD_ROLES = ["victim", "perpetrator", "child", "family", "other"]


def state(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return MigrationExecutor(connection).loader.project_state(target).apps


apps = state(BEFORE)
Group = apps.get_model("auth", "Group")
Organisation = apps.get_model("partners", "Organisation")
User = apps.get_model("accounts", "User")
Case = apps.get_model("cases", "Case")
Person = apps.get_model("cases", "Person")
CaseParty = apps.get_model("cases", "CaseParty")
HistoricalCaseParty = apps.get_model("cases", "HistoricalCaseParty")
organisation = Organisation.objects.create(
    name="Stad Migratie", kind="city", group=Group.objects.create(name="org-migratie")
)
director = User.objects.create(username="regisseur.migratie", password="!")
case = Case.objects.create(
    reference="2026-99001",
    owner_organisation=organisation,
    case_director=director,
    track=2,
    opened_on=datetime.date(2026, 1, 5),
)
for role in OLD_ROLES:
    person = Person.objects.create(
        first_name=role.capitalize(), last_name="Migratie", name_key=f"migratie {role}"
    )
    party = CaseParty.objects.create(
        case=case, person=person, role=role, involved_since=datetime.date(2026, 1, 5)
    )
    HistoricalCaseParty.objects.create(
        **{f.attname: getattr(party, f.attname) for f in CaseParty._meta.concrete_fields},
        history_date=timezone.now(),
        history_type="+",
        history_user_id=director.pk,
    )

FIELDS = ("legacy_role", "position", "is_victim", "is_perpetrator", "is_witness", "is_involved")
apps = state(AFTER)
after = {
    name: sorted(
        apps.get_model("cases", name).objects.values_list(*FIELDS)
    )
    for name in ("CaseParty", "HistoricalCaseParty")
}
apps = state(BEFORE)
back = sorted(apps.get_model("cases", "CaseParty").objects.values_list("role", flat=True))
print(json.dumps({"after": after, "back": back}))
"""

# old role -> (legacy_role, position, victim, perpetrator, witness, involved)
EXPECTED = [
    ["child", "child", False, False, False, False],
    ["family", "other", False, False, False, True],
    ["other", "", False, False, False, True],
    ["perpetrator", "", False, True, False, False],
    ["victim", "", True, False, False, False],
]


@pytest.mark.django_db
def test_every_old_role_is_mapped_kept_and_restored():
    if connection.vendor != "postgresql":
        pytest.skip("runs the migrations in a PostgreSQL database of its own")
    settings = connection.settings_dict
    scratch = f"{settings['NAME']}_party_roles"
    server = _conninfo(settings, "postgres")
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        db.execute(f'CREATE DATABASE "{scratch}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(settings, scratch),
            "DJANGO_SETTINGS_MODULE": "fjc.settings",
        }
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        found = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
    # Every involvement and its history row: the old role kept, its mapping added.
    assert found["after"]["CaseParty"] == EXPECTED
    assert found["after"]["HistoricalCaseParty"] == EXPECTED
    # Backwards: the old roles as they were.
    assert found["back"] == sorted(["victim", "perpetrator", "child", "family", "other"])
