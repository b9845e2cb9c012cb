"""The application's database role: the one statement list of what it may do (PostgreSQL only).

Two roles share the database. The owner runs the migrations and owns every table; the
application (web, worker, beat) connects as a lesser role that may read and write rows and
nothing else. Only an owner (or a superuser) may ``ALTER``, ``DROP`` or ``DISABLE TRIGGER`` on a
table, and ``TRUNCATE`` is a privilege of its own that is never granted here: so an application
that is taken over cannot switch off the trigger that keeps the audit trail append-only, nor
empty the trail without firing it.

On the append-only tables (the audit trail, the published reports) the application gets only
``SELECT`` and ``INSERT``: their trigger refuses ``UPDATE`` and ``DELETE`` anyway, the missing
privilege refuses them a second time. A table is append-only when it carries a trigger named
``<table>_no_update_delete`` (the convention of access/0003 and reporting/0005), so a later
table that follows it is covered without an edit here.

The owner runs these statements after every ``migrate`` (the ``post_migrate`` receiver when
``FJC_APP_DB_ROLE`` names the application role, or ``manage.py grant_app_role``); they are
idempotent. The role itself is created once, when the database is initialised
(deploy/postgres/initdb/10-app-role.sh), with ``APP_ROLE_ATTRIBUTES``.
"""

import re
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# What the application role is, besides a role that may log in: nothing more.
APP_ROLE_ATTRIBUTES = (
    "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
)
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_PRIVILEGES = "SELECT, INSERT"
SEQUENCE_PRIVILEGES = "USAGE, SELECT"
APPEND_ONLY_TRIGGER_SUFFIX = "_no_update_delete"
SCHEMA = "public"

# Plain role names only: they are written into statements (as quoted identifiers).
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AppRoleError(Exception):
    """The grants cannot be applied as asked (the reason is the message)."""


def quote_ident(name: str) -> str:
    """PostgreSQL's quoting of an identifier (like ``quote_ident()``)."""
    return '"' + name.replace('"', '""') + '"'


def check_role_name(role: str) -> str:
    if not _ROLE_NAME.match(role):
        raise AppRoleError(f"{role!r} is not a plain role name (lower case, digits, _).")
    return role


def append_only_tables(cursor: Any) -> list[str]:
    """The tables of the schema whose trigger refuses UPDATE and DELETE."""
    cursor.execute(
        """
        SELECT DISTINCT c.relname
        FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND n.nspname = %s AND t.tgname = c.relname || %s
        ORDER BY c.relname
        """,
        [SCHEMA, APPEND_ONLY_TRIGGER_SUFFIX],
    )
    return [row[0] for row in cursor.fetchall()]


def grant_statements(
    *, app_role: str, owner: str, database: str, append_only: list[str]
) -> list[str]:
    """Every statement that gives the application role its privileges, and no more.

    Everything the role held on tables and sequences is revoked first, so a broader grant
    made by hand earlier does not survive a re-run.
    """
    app = quote_ident(check_role_name(app_role))
    schema = quote_ident(SCHEMA)
    statements = [
        f"GRANT CONNECT ON DATABASE {quote_ident(database)} TO {app}",
        # Nobody but the owner creates objects (PostgreSQL 15's default; older ones allowed it).
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        f"GRANT {ROW_PRIVILEGES} ON ALL TABLES IN SCHEMA {schema} TO {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {app}",
        f"GRANT {SEQUENCE_PRIVILEGES} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        # Tables and sequences that later migrations create (as the owner) are covered at once;
        # the append-only narrowing below is re-applied after each migrate.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote_ident(owner)} IN SCHEMA {schema} "
        f"GRANT {ROW_PRIVILEGES} ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {quote_ident(owner)} IN SCHEMA {schema} "
        f"GRANT {SEQUENCE_PRIVILEGES} ON SEQUENCES TO {app}",
    ]
    for table in append_only:
        name = f"{schema}.{quote_ident(table)}"
        statements += [
            f"REVOKE ALL ON {name} FROM {app}",
            f"GRANT {APPEND_ONLY_PRIVILEGES} ON {name} TO {app}",
        ]
    return statements


def grant_app_role(connection: BaseDatabaseWrapper, app_role: str) -> list[str]:
    """Apply the application role's privileges in one transaction, as the connection's user
    (the owner of the tables); returns the statements run. Refuses a role that would make
    them meaningless: the owner itself, a superuser, or a role that owns a table."""
    from django.db import transaction

    check_role_name(app_role)
    if connection.vendor != "postgresql":
        raise AppRoleError("Database roles exist on PostgreSQL only.")
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database()")
        owner, database = cursor.fetchone()
        cursor.execute(
            "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        row = cursor.fetchone()
        if row is None:
            raise AppRoleError(f"The role {app_role!r} does not exist (create it first).")
        if row[0] or row[1]:
            raise AppRoleError(
                f"{app_role!r} is a superuser or the role running the migrations: "
                "the application needs a role of its own without those powers."
            )
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE tableowner = %s AND schemaname = %s",
            [app_role, SCHEMA],
        )
        if cursor.fetchone()[0]:
            raise AppRoleError(f"{app_role!r} owns tables: the owner runs the migrations.")
        statements = grant_statements(
            app_role=app_role,
            owner=owner,
            database=database,
            append_only=append_only_tables(cursor),
        )
        for statement in statements:
            cursor.execute(statement)
    return statements


def connects_as_owner(cursor: Any) -> bool:
    """Whether this connection's user owns the audit table or is a superuser: then the
    database would let the application forget (TRUNCATE, DISABLE TRIGGER, DROP)."""
    cursor.execute(
        """
        SELECT current_setting('is_superuser') = 'on'
            OR EXISTS (
                SELECT 1 FROM pg_tables
                WHERE tablename = 'access_auditevent' AND tableowner = current_user
            )
        """
    )
    return bool(cursor.fetchone()[0])
