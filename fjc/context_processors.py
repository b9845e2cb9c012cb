from typing import Any

from django.conf import settings
from django.http import HttpRequest

from access.policy import may_use_annual_reports, may_work_with_cases
from accounts.roles import RoleCode


def installation(request: HttpRequest) -> dict[str, object]:
    user: Any = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "installation_name": settings.FJC_INSTALLATION_NAME,
        "nav": {
            "cases": authenticated and may_work_with_cases(user),
            "admin": authenticated and user.is_staff and user.is_active,
            # Mirrors the roles of partners.views (directory readers; the network's pages).
            "partners": authenticated
            and user.has_role(
                RoleCode.NETWORK_COORDINATOR,
                RoleCode.CASE_DIRECTOR,
                RoleCode.OPERATIONS_LEAD,
                RoleCode.PROSECUTOR_LIAISON,
                RoleCode.PARTNER_PROFESSIONAL,
            ),
            "network": authenticated and user.has_role(RoleCode.NETWORK_COORDINATOR),
            # Mirrors reporting.views.dashboard.DASHBOARD_ROLES.
            "network_dashboard": authenticated
            and user.has_role(RoleCode.NETWORK_COORDINATOR, RoleCode.OPERATIONS_LEAD),
            # Everyone who can take part in an art. 458ter consultation (case-working roles).
            "consultations": authenticated and may_work_with_cases(user),
            "annual_reports": authenticated and may_use_annual_reports(user),
            # Mirrors reporting.views.funding.FUNDING_ROLES.
            "funding": authenticated and user.has_role(RoleCode.OPERATIONS_LEAD),
        },
    }
