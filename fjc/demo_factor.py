"""The demo's second factor: every demo account's TOTP app shares one published secret.

Known to everyone who reads this file, so it must never exist outside the demo:
``fjc.checks`` fails ``check --deploy`` while a device carries it or ``FJC_DEMO`` is on.
"""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# 20 bytes, hex (django-otp's format); base32: "DEMODEMODEMODEMODEMODEMODEMODEMO".
DEMO_TOTP_KEY = "1918e1918e1918e1918e1918e1918e1918e1918e"


def give_demo_device(user: object) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"name": "demo", "key": DEMO_TOTP_KEY, "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


# The key as an authenticator app takes it (base32).
DEMO_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"
