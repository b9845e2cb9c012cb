"""A deploy check: the application must not connect as the owner of its tables."""

from typing import Any

from django.core import checks
from django.db import DatabaseError, connection

from .database_roles import connects_as_owner


@checks.register(checks.Tags.security, deploy=True)
def app_does_not_own_the_tables(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    # SQLite (the embedded demo) has no roles; a database that cannot be reached is the
    # concern of other checks (and of the health check), not this one.
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            as_owner = connects_as_owner(cursor)
    except DatabaseError:
        return []
    if not as_owner:
        return []
    return [
        checks.Warning(
            "The application connects to PostgreSQL as the owner of its tables or as a "
            "superuser, so it could TRUNCATE the audit trail or disable its trigger.",
            hint=(
                "Run the migrations as the owner and the application as the role of "
                "access/database_roles.py (README, 'Database roles')."
            ),
            id="access.W001",
        )
    ]
