"""System checks of the installation: the demo's shortcuts are never on in production."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_shortcuts_are_off(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .demo_factor import DEMO_TOTP_KEY

    errors = []
    if settings.FJC_DEMO:
        errors.append(
            Error(
                "FJC_DEMO is on: anyone may print the demo accounts' login codes.",
                hint="Unset FJC_DEMO; it is for scripts/demo.sh only.",
                id="fjc.E001",
            )
        )
    try:
        demo_devices = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY).exists()
    except DatabaseError:  # no database to look at (yet): nothing can carry the secret
        demo_devices = False
    if demo_devices:
        errors.append(
            Error(
                "A TOTP device carries the published demo secret: its second factor is no secret.",
                hint="Remove the demo accounts' devices (or the demo data) from this database.",
                id="fjc.E002",
            )
        )
    return errors
