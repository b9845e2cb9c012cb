"""Finding personal data in a free text that must hold none or little: a gap in the care offer
(which the network reads), an agenda item's summary (which every consultation participant
reads).

A heuristic, not a guarantee: it finds Belgian national register numbers (with their check
digits), dates written with numbers (a date of birth looks like any other date, so every
date is reported), the known dates of birth in words, and the names it is given (the people
of a case: each part of three letters or more, as a whole word, ignoring case and accents).
The caller decides what to refuse and what to warn about; a warning names what was found,
never more than the caller already showed.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

_NATIONAL_NUMBER = re.compile(
    r"(?<!\d)(\d{2})[.\s]?(\d{2})[.\s]?(\d{2})[-.\s]?(\d{3})[.\s]?(\d{2})(?!\d)"
)
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2})(?!\d)"
)
_DUTCH_MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


@dataclass(frozen=True)
class Findings:
    national_numbers: bool = False
    dates: bool = False
    names: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.national_numbers or self.dates or bool(self.names)

    def describe(self) -> str:
        """What was found, for a warning (names as the caller gave them)."""
        parts = []
        if self.national_numbers:
            parts.append(_("a national register number"))
        if self.dates:
            parts.append(_("a date (it may be a date of birth)"))
        if self.names:
            parts.append(_("the name(s) %(names)s") % {"names": ", ".join(self.names)})
        return "; ".join(parts)


def _is_national_number(match: re.Match[str]) -> bool:
    digits = "".join(match.groups())
    first, check = int(digits[:9]), int(digits[9:])
    # Born before 2000: 97 - (first nine digits mod 97); from 2000 on, with a 2 in front.
    return check in (97 - first % 97, 97 - (2_000_000_000 + first) % 97)


def _date_in_words(day: datetime.date) -> str:
    return rf"\b{day.day}\s+{_DUTCH_MONTHS[day.month - 1]}\s+{day.year}\b"


def find_personal_data(
    text: str,
    *,
    names: Iterable[str] = (),
    dates_of_birth: Iterable[datetime.date] = (),
) -> Findings:
    national = any(_is_national_number(m) for m in _NATIONAL_NUMBER.finditer(text))
    dates = bool(_NUMERIC_DATE.search(text)) or any(
        re.search(_date_in_words(day), text, re.IGNORECASE) for day in dates_of_birth
    )
    words = set(re.findall(r"\w+", _plain(text)))
    found = [
        name
        for name in dict.fromkeys(n.strip() for n in names)
        if any(part in words for part in _name_parts(name))
    ]
    return Findings(national_numbers=national, dates=dates, names=tuple(found))


# Shorter name parts ("Li", "Bo") match too many ordinary words to be worth a warning.
_MIN_NAME_PART = 3


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _name_parts(name: str) -> list[str]:
    return [part for part in re.findall(r"\w+", _plain(name)) if len(part) >= _MIN_NAME_PART]


class Finding(StrEnum):
    DATE = "date"
    NATIONAL_NUMBER = "national_number"
    NAME = "name"


def personal_data_findings(text: str, *, names: Iterable[str] = ()) -> list[Finding]:
    """The kinds of personal data :func:`find_personal_data` sees in ``text``, each once, in
    a fixed order (for a warning that names the kinds, not the values)."""
    found = find_personal_data(text, names=names)
    kinds = (
        (Finding.NATIONAL_NUMBER, found.national_numbers),
        (Finding.DATE, found.dates),
        (Finding.NAME, bool(found.names)),
    )
    return [kind for kind, present in kinds if present]
