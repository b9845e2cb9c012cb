"""Remember this device: a signed cookie that lets one browser skip the code step.

Bound to the user and to their current ``second_factor_version``: a new device, new recovery
codes or a removed device make it worthless. It never replaces the password.
"""

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from accounts.models import User

COOKIE = "fjc_remembered_device"
SALT = "access.second_factor.remember"


def _max_age() -> int:
    return settings.FJC_REMEMBER_DEVICE_HOURS * 60 * 60


def offered() -> bool:
    return settings.FJC_REMEMBER_DEVICE_HOURS > 0


def remember(response: HttpResponse, user: User) -> None:
    if not offered():
        return
    value = signing.dumps({"u": user.pk, "v": user.second_factor_version}, salt=SALT)
    response.set_cookie(
        COOKIE,
        value,
        max_age=_max_age(),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def is_remembered(request: HttpRequest, user: User) -> bool:
    value = request.COOKIES.get(COOKIE)
    if not value or not offered():
        return False
    try:
        data = signing.loads(value, salt=SALT, max_age=_max_age())
    except signing.BadSignature:  # tampered with, or older than the setting allows
        return False
    return data == {"u": user.pk, "v": user.second_factor_version}
