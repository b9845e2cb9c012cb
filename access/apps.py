from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Access control in one place: the policy, the base views and the audit trail."""

    name = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from . import account_events, invitation_events, login_events

        login_events.connect()
        account_events.connect()
        invitation_events.connect()

        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the deploy check)

        # Once per migrate (this app's signal), after every app's migrations have run.
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="access.grant_app_role")
        # After each app's signal (so after its permissions are made, auth's receiver comes
        # first): the case permissions' ids kept per process are read again.
        from .policy import forget_permission_ids

        post_migrate.connect(forget_permission_ids, dispatch_uid="access.forget_permission_ids")


def _grant_app_role(using: str, **kwargs: Any) -> None:
    """After every migrate, the application role's privileges again (the new tables, and the
    narrower grant on the append-only ones): only where FJC_APP_DB_ROLE names that role,
    i.e. where the migrations run as the owner (the compose `migrate` service)."""
    from django.conf import settings
    from django.db import connections

    from .database_roles import grant_app_role

    role = settings.FJC_APP_DB_ROLE
    if role and connections[using].vendor == "postgresql":
        grant_app_role(connections[using], role)
