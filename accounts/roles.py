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
