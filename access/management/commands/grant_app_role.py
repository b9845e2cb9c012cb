"""Give the application's database role its privileges (run as the owner, after migrate)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from access.database_roles import AppRoleError, grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the application's database role row access to every table (only SELECT and "
        "INSERT on append-only ones), never TRUNCATE, ownership or triggers. Idempotent; "
        "migrate does it by itself when FJC_APP_DB_ROLE is set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "role", nargs="?", default=None, help="the application role (default: FJC_APP_DB_ROLE)"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args: Any, role: str | None, database: str, **options: Any) -> None:
        role = role or settings.FJC_APP_DB_ROLE
        if not role:
            raise CommandError("Name the application role, or set FJC_APP_DB_ROLE.")
        try:
            statements = grant_app_role(connections[database], role)
        except AppRoleError as error:
            raise CommandError(str(error)) from error
        for statement in statements:
            self.stdout.write(statement + ";")
