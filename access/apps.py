from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    """Access control in one place: the policy, the base views and the audit trail."""

    name = "access"
    verbose_name = _("Access and audit")

    def ready(self) -> None:
        from . import invitation_events, login_events

        login_events.connect()
        invitation_events.connect()
