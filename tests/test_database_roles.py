"""The database cannot be told to forget (issue 14, part 6).

A second, real connection logs in as the application's role, made for this worker's test
database with the statements the deployment runs (access/database_roles.py), and proves that
the audit trail's protection cannot be bypassed from the application: no TRUNCATE, no DISABLE
TRIGGER, no DROP, no UPDATE or DELETE, while the rows of ordinary tables stay writable.

The default connection (the test runner's superuser, owner of the tables) wraps each test in a
transaction that is never committed: the app role sees only committed rows (the shared world)
and its own, and every change it makes is rolled back too.
"""

import os
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import errors

from access.apps import _grant_app_role
from access.checks import app_does_not_own_the_tables
from access.database_roles import (
    APP_ROLE_ATTRIBUTES,
    AppRoleError,
    append_only_tables,
    connects_as_owner,
    grant_app_role,
    quote_ident,
)

pytestmark = pytest.mark.django_db

AUDIT = "access_auditevent"
PUBLISHED = "reporting_publishedreport"


@pytest.fixture(scope="session")
def app_role(django_db_setup, django_db_blocker) -> Iterator[tuple[str, str]]:
    """A login role like the deployment's, granted on this worker's test database.

    Role names are cluster-wide and xdist workers share the cluster: one name per worker,
    created idempotently (a run killed before its teardown leaves one behind)."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles exist on PostgreSQL only")
    role = f"fjc_app_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    password = secrets.token_hex(16)
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        cursor.execute(
            f"{verb} ROLE {quote_ident(role)} {APP_ROLE_ATTRIBUTES} PASSWORD '{password}'"
        )
        grant_app_role(connection, role)
    yield role, password
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Its privileges here and on the database, its default privileges; then the role.
        cursor.execute(f"DROP OWNED BY {quote_ident(role)}")
        cursor.execute(f"DROP ROLE {quote_ident(role)}")


@pytest.fixture
def as_app(app_role) -> Iterator[psycopg.Connection[Any]]:
    role, password = app_role
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=role,
        password=password,
        connect_timeout=10,
    )
    # Never wait on a lock the test's own (uncommitted) transaction holds.
    conn.execute("SET lock_timeout = '5s'")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def refused(conn: psycopg.Connection[Any], statement: str, params: Any = None) -> str:
    """Run the statement in a savepoint; it must fail for lack of privilege (SQLSTATE 42501,
    which covers both 'permission denied' and 'must be owner'). Returns the message."""
    with pytest.raises(errors.InsufficientPrivilege) as info, conn.transaction():
        conn.execute(statement, params)
    return str(info.value)


def insert_audit_row(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        f"INSERT INTO {AUDIT} (at, username, action, object_type, object_id, view_name,"
        " purpose, detail) VALUES (now(), 'app-role-test', 'view', '', '', '', '', '{}')"
        " RETURNING id"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_the_app_role_connects_as_itself_without_powers(as_app, app_role):
    row = as_app.execute(
        "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls"
        " FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    assert row == (app_role[0], False, False, False, False)


def test_the_app_role_cannot_truncate_the_audit_trail(as_app):
    assert "permission denied" in refused(as_app, f"TRUNCATE {AUDIT}")
    assert "permission denied" in refused(as_app, f"TRUNCATE {PUBLISHED}")


def test_the_app_role_cannot_disable_the_audit_trigger(as_app):
    assert "must be owner" in refused(as_app, f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL")
    assert "must be owner" in refused(
        as_app, f"ALTER TABLE {AUDIT} DISABLE TRIGGER access_auditevent_no_update_delete"
    )
    # Nor turn every trigger off for its session.
    assert "permission denied" in refused(as_app, "SET session_replication_role = replica")
    assert "must be owner" in refused(as_app, f"ALTER TABLE {PUBLISHED} DISABLE TRIGGER ALL")


def test_the_app_role_cannot_alter_or_drop_the_audit_table(as_app):
    assert "must be owner" in refused(as_app, f"ALTER TABLE {AUDIT} DROP COLUMN purpose")
    assert "must be owner" in refused(as_app, f"DROP TABLE {AUDIT}")
    # Replacing the trigger's function: refused (for want of CREATE on the schema, before
    # the function's owner is even asked).
    refused(
        as_app,
        "CREATE OR REPLACE FUNCTION access_auditevent_append_only() RETURNS trigger"
        " AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
    )
    # No table of its own either (a shadow table, a trigger function).
    assert "permission denied" in refused(as_app, "CREATE TABLE public.forget (id int)")


def test_the_app_role_appends_to_the_audit_trail_but_cannot_change_it(as_app):
    event_id = insert_audit_row(as_app)
    assert as_app.execute(f"SELECT username FROM {AUDIT} WHERE id = %s", [event_id]).fetchone()
    assert "permission denied" in refused(
        as_app, f"UPDATE {AUDIT} SET purpose = 'nothing happened' WHERE id = %s", [event_id]
    )
    assert "permission denied" in refused(as_app, f"DELETE FROM {AUDIT} WHERE id = %s", [event_id])
    assert as_app.execute(f"SELECT count(*) FROM {AUDIT} WHERE id = %s", [event_id]).fetchone() == (
        1,
    )


def test_the_app_role_reads_and_writes_ordinary_rows(as_app, world):
    case = world.cases["city_a"]
    assert as_app.execute(
        "SELECT reference FROM cases_case WHERE id = %s", [case.pk]
    ).fetchone() == (case.reference,)
    cursor = as_app.execute("UPDATE cases_case SET opened_on = opened_on WHERE id = %s", [case.pk])
    assert cursor.rowcount == 1
    # New rows take ids from sequences or identity columns; deleting rows is its right too.
    event_id = insert_audit_row(as_app)
    assert event_id > 0
    assert as_app.execute("DELETE FROM cases_case WHERE false").rowcount == 0


def test_no_table_grants_truncate_references_or_trigger(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = %s ORDER BY 1, 2",
            [app_role[0]],
        )
        grants = cursor.fetchall()
    kinds = {kind for _table, kind in grants}
    assert kinds == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    by_table: dict[str, set[str]] = {}
    for table, kind in grants:
        by_table.setdefault(table, set()).add(kind)
    assert by_table[AUDIT] == {"SELECT", "INSERT"}
    assert by_table[PUBLISHED] == {"SELECT", "INSERT"}
    assert by_table["cases_case"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}


def test_append_only_tables_are_found_by_their_trigger():
    with connection.cursor() as cursor:
        assert append_only_tables(cursor) == [AUDIT, PUBLISHED]


def test_a_table_of_a_later_migration_is_granted_by_default_without_truncate(app_role):
    role = app_role[0]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_migration_table (id bigint)")
        cursor.execute(
            "SELECT has_table_privilege(%s, 'later_migration_table', 'INSERT'),"
            " has_table_privilege(%s, 'later_migration_table', 'TRUNCATE')",
            [role, role],
        )
        assert cursor.fetchone() == (True, False)


def test_grants_are_reapplied_after_migrate(app_role, settings):
    role = app_role[0]
    settings.FJC_APP_DB_ROLE = role
    with connection.cursor() as cursor:
        # A hand-made broader grant, and a lost one: migrate puts both right again.
        cursor.execute(f"GRANT ALL ON {AUDIT} TO {quote_ident(role)}")
        cursor.execute(f"REVOKE INSERT ON cases_case FROM {quote_ident(role)}")
        _grant_app_role(using="default")
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, 'TRUNCATE'), has_table_privilege(%s, %s, 'UPDATE'),"
            " has_table_privilege(%s, 'cases_case', 'INSERT')",
            [role, AUDIT, role, AUDIT, role],
        )
        assert cursor.fetchone() == (False, False, True)


def test_the_grants_refuse_a_superuser_or_the_owner():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(AppRoleError, match="superuser or the role running the migrations"):
        grant_app_role(connection, owner)
    with pytest.raises(AppRoleError, match="not a plain role name"):
        grant_app_role(connection, 'x"; DROP TABLE access_auditevent; --')


def test_deploy_check_warns_when_the_app_connects_as_the_owner(as_app):
    # The test runner connects as the superuser that owns the tables: the check warns.
    assert [message.id for message in app_does_not_own_the_tables()] == ["access.W001"]
    # The application role does not own them.
    with as_app.cursor() as cursor:
        assert connects_as_owner(cursor) is False


def test_deploy_check_is_silent_on_sqlite(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with django_assert_num_queries(0):
        assert app_does_not_own_the_tables() == []
