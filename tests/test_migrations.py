"""The migrations: none missing, and replayed from scratch they build exactly the schema that
the test databases get from the models (tests/conftest.py ``django_db_use_migrations``)."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# Per table: columns (type, not null, default, identity), constraints and indexes (their
# definitions, not their generated names), triggers. django_migrations exists only in one.
SCHEMA = {
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'django_migrations'
    """,
    "constraints": """
        SELECT conrelid::regclass::text, contype, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace
          AND conrelid::regclass::text <> 'django_migrations'
    """,
    "indexes": """
        SELECT tablename, regexp_replace(indexdef, ' INDEX \\S+ ON ', ' INDEX ON ')
        FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'django_migrations'
    """,
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal
    """,
}


# Differences that are not ours, each with the reason.
NOT_OURS = {
    # django.contrib.auth's migrations give this auto-created id a bigint, its model an integer.
    ("auth_group_permissions", "id"),
}


def _conninfo(settings: dict, dbname: str) -> str:
    return psycopg.conninfo.make_conninfo(
        dbname=dbname,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def _schema(conninfo: str) -> dict[str, list[tuple]]:
    with psycopg.connect(conninfo) as db:
        return {
            part: sorted(row for row in db.execute(sql).fetchall() if row[:2] not in NOT_OURS)
            for part, sql in SCHEMA.items()
        }


def _database_url(settings: dict, dbname: str) -> str:
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT']}/{dbname}"


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration(settings):
    # The test session disables the migration modules (tests/conftest.py): put them back.
    settings.MIGRATION_MODULES = {}
    # --check exits non-zero (SystemExit) when makemigrations would write anything.
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


@pytest.mark.django_db
def test_the_migrations_build_the_schema_the_tests_run_on():
    if connection.vendor != "postgresql":
        pytest.skip("compares PostgreSQL schemas")
    settings = connection.settings_dict
    replayed = f"{settings['NAME']}_migrated"
    server = _conninfo(settings, "postgres")
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{replayed}"')
        db.execute(f'CREATE DATABASE "{replayed}"')
    try:
        # Django's own migrate command in a process of its own, as a deployment runs it.
        env = {**os.environ, "DATABASE_URL": _database_url(settings, replayed)}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input", "--skip-checks", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        migrated, from_models = (
            _schema(_conninfo(settings, replayed)),
            _schema(_conninfo(settings, settings["NAME"])),
        )
        for part in SCHEMA:
            only_migrated = sorted(set(migrated[part]) - set(from_models[part]))
            only_models = sorted(set(from_models[part]) - set(migrated[part]))
            assert not (only_migrated or only_models), (
                f"{part} only after the migrations: {only_migrated}; "
                f"only from the models: {only_models}"
            )
        assert from_models["triggers"], "the audit trail's trigger is missing"
    finally:
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{replayed}"')
