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


# Roles whose holders work with case content. Only they join their organisation's
# case group, through which case grants to the organisation reach a person.
CASE_WORKING_ROLES = frozenset(
    {
        RoleCode.CASE_DIRECTOR,
        RoleCode.PROSECUTOR_LIAISON,
        RoleCode.PARTNER_PROFESSIONAL,
    }
)
