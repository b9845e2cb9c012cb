from typing import Any

from django.conf import settings
from django.http import HttpRequest

from access.policy import may_use_annual_reports, may_work_with_cases
from accounts.roles import DASHBOARD_ROLES, DIRECTORY_READ_ROLES, FUNDING_ROLES, NETWORK_ROLES


def installation(request: HttpRequest) -> dict[str, object]:
    user: Any = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "installation_name": settings.FJC_INSTALLATION_NAME,
        "nav": {
            "cases": authenticated and may_work_with_cases(user),
            "admin": authenticated and user.is_staff and user.is_active,
            "partners": authenticated and user.has_role(*DIRECTORY_READ_ROLES),
            "network": authenticated and user.has_role(*NETWORK_ROLES),
            "network_dashboard": authenticated and user.has_role(*DASHBOARD_ROLES),
            # Everyone who can take part in an art. 458ter consultation (case-working roles).
            "consultations": authenticated and may_work_with_cases(user),
            "annual_reports": authenticated and may_use_annual_reports(user),
            "funding": authenticated and user.has_role(*FUNDING_ROLES),
        },
    }
