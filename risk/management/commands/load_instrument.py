"""Load an instrument version from a JSON file, refusing a bad one with every problem named."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from risk.instruments import InstrumentDataError, load_instrument, read_instrument_file


class Command(BaseCommand):
    help = "Validate an instrument described in JSON and load it as a (published) version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the instrument's JSON file")
        parser.add_argument(
            "--draft",
            action="store_true",
            help="load it as a draft, to be checked and published in the admin",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only validate the file; store nothing",
        )

    def handle(self, *args: Any, path: str, draft: bool, check: bool, **options: Any) -> None:
        try:
            data = read_instrument_file(path)
            if check:
                from risk.instruments import parse_instrument

                spec = parse_instrument(data)
                self.stdout.write(f"{path}: valid ({spec.code}, version {spec.number}).")
                return
            loaded = load_instrument(data, publish=not draft)
        except InstrumentDataError as error:
            problems = "\n".join(f"  - {message}" for message in error.messages)
            raise CommandError(f"{path} was not loaded:\n{problems}") from error
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error}") from error
        version = loaded.version
        state = "loaded" if loaded.created else "already loaded, unchanged"
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.instrument.code} version {version.number}: {state} ({version.status})."
            )
        )
