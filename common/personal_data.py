"""Spotting what looks like personal data in a free-text field, for a non-blocking warning.

A heuristic, not a filter: it errs on the side of warning, and never refuses or changes the
text (the person who wrote it decides). Used where a text travels further than the case file,
e.g. an agenda item's summary that every consultation participant reads.
"""

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

# A day, month and year: 4/3/1990, 04-03-1990, 4.3.1990, 1990-03-04.
_DATE = re.compile(
    r"(?<!\d)(?:(?:0?[1-9]|[12]\d|3[01])[./-](?:0?[1-9]|1[0-2])[./-](?:1[89]|20)\d{2}"
    r"|(?:1[89]|20)\d{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12]\d|3[01]))(?!\d)"
)
# A Belgian national register number: YY.MM.DD-NNN.CC, with or without separators (11 digits).
_NATIONAL_NUMBER = re.compile(r"(?<!\d)\d{2}[.\s]?\d{2}[.\s]?\d{2}[-.\s]?\d{3}[.\s]?\d{2}(?!\d)")
# Shorter name parts ("Li", "Bo") match too many ordinary words to be worth a warning.
_MIN_NAME_LENGTH = 3


class Finding(StrEnum):
    DATE = "date"
    NATIONAL_NUMBER = "national_number"
    NAME = "name"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def personal_data_findings(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """What in ``text`` looks like personal data: a date, a national register number, or one
    of ``names`` (first or last names of the people concerned, as whole words, whatever the
    case or accents). In that order, each kind once."""
    findings = []
    if _NATIONAL_NUMBER.search(text):
        findings.append(Finding.NATIONAL_NUMBER)
    if _DATE.search(text):
        findings.append(Finding.DATE)
    words = set(re.findall(r"\w+", _plain(text)))
    for name in names:
        parts = [p for p in re.findall(r"\w+", _plain(name)) if len(p) >= _MIN_NAME_LENGTH]
        if parts and any(p in words for p in parts):
            findings.append(Finding.NAME)
            break
    return findings
