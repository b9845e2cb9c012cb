"""Services of the second factor: enrol a TOTP device, issue recovery codes, check a code,
complete a login. Every change of the factor raises the user's ``second_factor_version``,
which ends the user's other sessions and forgets their remembered devices."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.signals import second_factor_verified

from ..audit import record
from ..models import AuditAction

RECOVERY_CODE_COUNT = 10
TOTP_NAME = "app"
RECOVERY_NAME = "recovery"
TOTP_DIGITS = 6


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user: User) -> TOTPDevice:
    """The TOTP device being enrolled: the same secret on every reload until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def check_code(user: User, code: str) -> Device | None:
    """The device that accepts this code: six digits are a TOTP code, anything else a
    recovery code (used up by this check). django-otp throttles each device after failures."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == TOTP_DIGITS:
            devices: list[Device] = list(
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        else:
            devices = list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        for device in devices:
            if device.verify_token(code):
                return device
    return None


@transaction.atomic
def confirm_enrolment(
    *, request: HttpRequest, user: User, device: TOTPDevice, code: str
) -> list[str] | None:
    """Confirm the device with a code from the app; it replaces any earlier TOTP device, and
    fresh recovery codes are issued (returned, to be shown once). None: the code was wrong."""
    code = "".join(code.split())
    if not device.verify_token(code):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _factor_changed(request, user, change="totp_enrolled")
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, request: HttpRequest, user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    _factor_changed(request, user, change="recovery_codes_regenerated")
    return codes


@transaction.atomic
def remove_second_factor(*, request: HttpRequest | None, user: User) -> None:
    """Every device of the user goes (e.g. a lost phone, by the administrator): the next
    login enrols anew."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _factor_changed(request, user, change="removed")


def complete_login(*, request: HttpRequest, user: User, device: Device) -> None:
    """The second factor was right: the session is verified, the failed attempts of this
    account and source are cleared (only now, not after the password alone), and the login
    is announced as complete (the LOGIN row of the audit trail, access.login_events)."""
    otp_login(request, device)
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    reset = getattr(handler, "reset_user_attempts", None)
    if reset is not None:
        reset(request, {"username": user.get_username()})
    second_factor_verified.send(sender=User, request=request, user=user)


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _factor_changed(request: HttpRequest | None, user: User, *, change: str) -> None:
    User.objects.filter(pk=user.pk).update(second_factor_version=F("second_factor_version") + 1)
    user.refresh_from_db(fields=["second_factor_version"])
    actor = getattr(request, "user", None)
    if request is not None and actor is not None and actor.pk == user.pk:
        # This session goes on (with the new hash); every other session of the user ends.
        update_session_auth_hash(request, user)
    record(
        user=actor if actor is not None else None,
        action=AuditAction.SECOND_FACTOR_CHANGE,
        object_type="accounts.user",
        object_id=user.pk,
        request=request,
        detail={"change": change},
    )
