"""The roles a staff user can hold. One user may hold several."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleCode(models.TextChoices):
    CASE_DIRECTOR = "case_director", _("Case director")
    OPERATIONS_LEAD = "operations_lead", _("Operations lead")
    NETWORK_COORDINATOR = "network_coordinator", _("Network coordinator")
    PROSECUTOR_LIAISON = "prosecutor_liaison", _("Prosecutor liaison")
    PARTNER_PROFESSIONAL = "partner_professional", _("Partner professional")
    ADMINISTRATOR = "administrator", _("Administrator")
    # Reads the audit trail (who did what, the data-subject access reports), never case content.
    AUDITOR = "auditor", _("Auditor (data-protection officer)")


# Roles whose holders work with case content. Only they join their organisation's
# case group, through which case grants to the organisation reach a person.
CASE_WORKING_ROLES = frozenset(
    {
        RoleCode.CASE_DIRECTOR,
        RoleCode.PROSECUTOR_LIAISON,
        RoleCode.PARTNER_PROFESSIONAL,
    }
)

# Who reaches the role-gated pages; the views and the navigation both read these.
DIRECTORY_READ_ROLES = frozenset(
    {
        RoleCode.NETWORK_COORDINATOR,
        RoleCode.CASE_DIRECTOR,
        RoleCode.OPERATIONS_LEAD,
        RoleCode.PROSECUTOR_LIAISON,
        RoleCode.PARTNER_PROFESSIONAL,
    }
)
NETWORK_ROLES = frozenset({RoleCode.NETWORK_COORDINATOR})
# Aggregates of the network, no case data: the coordinator, and the operations lead who
# reports the figures.
DASHBOARD_ROLES = frozenset({RoleCode.NETWORK_COORDINATOR, RoleCode.OPERATIONS_LEAD})
FUNDING_ROLES = frozenset({RoleCode.OPERATIONS_LEAD})
# Reads the audit trail and reviews break-glass access.
AUDIT_ROLES = frozenset({RoleCode.AUDITOR})
# The workload of the case directors (reporting.views.workload): the operations lead only.
WORKLOAD_ROLES = frozenset({RoleCode.OPERATIONS_LEAD})

# The model permissions the administrator role holds in /admin/ (accounts.backends.
# RolePermissionBackend), so an administrator needs no superuser flag: accounts (no deleting:
# an account is deactivated, its history and audit rows stay), organisations and places with
# their population figures, the managed lists and the risk instruments (a published or used
# version stays locked: risk.admin), the audit trail read-only and the login lock-outs (lifted
# by deleting the attempt). Configuration only: never a model that holds case content
# (tests/test_admin_role.py).
_MANAGED = ("view", "add", "change")
ADMINISTRATOR_PERMISSIONS = frozenset(
    {
        *(f"accounts.{verb}_user" for verb in _MANAGED),
        *(
            f"partners.{verb}_{model}"
            for verb in _MANAGED
            for model in ("organisation", "policezone", "municipality")
        ),
        *(f"partners.{verb}_municipalitypopulation" for verb in (*_MANAGED, "delete")),
        *(
            f"cases.{verb}_{model}"
            for verb in _MANAGED
            for model in ("closingreason", "nottakenonreason")
        ),
        *(
            f"cases.{verb}_{model}"
            for verb in ("view", "change")
            for model in ("formofviolence", "relationshipcontext")
        ),
        *(f"risk.{verb}_instrument" for verb in _MANAGED),
        *(
            f"risk.{verb}_{model}"
            for verb in (*_MANAGED, "delete")
            for model in (
                "instrumentversion",
                "level",
                "threshold",
                "section",
                "item",
                "answeroption",
            )
        ),
        "access.view_auditevent",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    }
)
# Per role: the model permissions it brings (roles not named bring none).
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {RoleCode.ADMINISTRATOR: ADMINISTRATOR_PERMISSIONS}
