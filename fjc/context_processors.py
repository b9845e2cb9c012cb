from typing import Any

from django.conf import settings
from django.http import HttpRequest

from access.policy import may_work_with_cases


def installation(request: HttpRequest) -> dict[str, object]:
    user: Any = getattr(request, "user", None)
    authenticated = bool(user is not None and user.is_authenticated)
    return {
        "installation_name": settings.FJC_INSTALLATION_NAME,
        "nav": {
            "cases": authenticated and may_work_with_cases(user),
            "admin": authenticated and user.is_staff and user.is_active,
        },
    }
