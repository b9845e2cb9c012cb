from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from fjc.demo_factor import DEMO_TOTP_KEY, current_code


class Command(BaseCommand):
    help = "Print the current login code of a demo account (only with FJC_DEMO on)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if not settings.FJC_DEMO:
            raise CommandError("Refusing: demo_code works only in the demo (FJC_DEMO=true).")
        # Only a device with the published demo secret: never a real person's code.
        device = TOTPDevice.objects.filter(
            user__username=username, key=DEMO_TOTP_KEY, confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} is not a demo account with the demo key.")
        self.stdout.write(current_code(device))
