from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fjc import demo_year
from fjc.demo import DEMO_PASSWORD, seed
from fjc.demo_factor import DEMO_SECRET
from fjc.demo_year import PREVIOUS_YEAR_CASES


class Command(BaseCommand):
    help = "Load fictional demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even when DEBUG is off (never on a live installation).",
        )
        parser.add_argument(
            "--previous-year-cases",
            type=int,
            default=None,
            help=(
                "How many fictional cases of last calendar year to build "
                f"(default {PREVIOUS_YEAR_CASES}; 0 for none). Built once: a second run adds "
                "nothing."
            ),
        )

    def handle(
        self,
        *args: Any,
        allow_production: bool = False,
        previous_year_cases: int | None = None,
        **options: Any,
    ) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError("Refusing to load demo data with DEBUG off.")
        if previous_year_cases is not None and previous_year_cases < 0:
            raise CommandError("--previous-year-cases must be 0 or more.")
        users = seed(previous_year_cases=previous_year_cases)
        year = timezone.localdate().year - 1
        if built := demo_year.previous_year_cases(year):
            self.stdout.write(
                f"Last year ({year}): {built} fictional cases, for the dashboard and the "
                "annual report of that year."
            )
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/"))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        for spec in users:
            roles = ", ".join(str(r.label) for r in spec.roles)
            self.stdout.write(f"  {spec.username:<16} {roles} — {spec.organisation}")
        self.stdout.write(
            "Second step (a code): every demo account has the same authenticator-app key, "
            f"{DEMO_SECRET}.\n"
            "Add it to an authenticator app, or print the current code of an account (any demo "
            "username) in a second terminal, in this folder:\n"
            "  FJC_DEMO=true .venv/bin/python manage.py demo_code regisseur.stad"
        )
