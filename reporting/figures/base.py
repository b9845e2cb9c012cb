"""The shape every figure takes, shared by the dashboard, the CSV/XLSX exports and the PDF.

Figures are counts over groups of cases or people; none may point to a person. A count
below ``SMALL_COUNT_THRESHOLD`` that could identify someone is shown as "< 5" wherever it
leaves the selectors (screen, files, PDF); the raw value stays available for totals and
for the checksum, which must not depend on the language or on suppression.

Numbers are shown in the number format of the active language (Django's localization):
in Dutch "275.000,01", "1.234" and "0,6"; in English "275,000.01", "1,234" and "0.6".
A year is shown as it is ("2025", never "2.025"). Files for spreadsheets use their own
plain form (``display_rows(localize=False)``, see ``reporting.exports``).
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = "< 5"

type Value = int | Decimal | str | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # Counts of people or cases are suppressed when small; rates and amounts are not.
    suppress_small: bool = False
    # A translated label (e.g. a track's name): shown, but left out of the checksum, which
    # identifies the row by its ``Table.row_keys`` entry instead.
    is_label: bool = False
    # A rate or share shown as "< 5" when the count in the column named here is small:
    # otherwise the suppressed count could be worked back from it.
    suppress_with: str = ""
    # A year (e.g. of a population figure): digits only, no thousands separator.
    is_year: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    note: str = ""
    # One stable, language-independent key per row (a choice value, a pk, "total").
    row_keys: Sequence[str] = ()
    # A shorter title for a spreadsheet tab (Excel allows 31 characters); else the title.
    sheet_title: str = ""

    def display_rows(self, *, localize: bool = True) -> list[list[str]]:
        """The rows as shown: "< 5" applied, numbers in the active language's format (or,
        with ``localize=False``, as plain digits with a "." for the files)."""
        positions = {column.key: index for index, column in enumerate(self.columns)}
        return [
            [
                SUPPRESSED
                if column.suppress_with and _is_small(row[positions[column.suppress_with]])
                else display(
                    value,
                    column.suppress_small,
                    localize=localize and not column.is_year and not column.is_label,
                )
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in self.rows
        ]


@dataclass(frozen=True)
class Chapter:
    key: str
    title: str
    tables: Sequence[Table] = field(default_factory=tuple)
    intro: str = ""


def _is_small(value: Value) -> bool:
    return isinstance(value, int) and 0 < value < SMALL_COUNT_THRESHOLD


def display(value: Value, suppress_small: bool = False, *, localize: bool = True) -> str:
    if value is None:
        return "-"
    if suppress_small and _is_small(value):
        return SUPPRESSED
    if localize and isinstance(value, int | Decimal) and not isinstance(value, bool):
        # The active language's separators, grouping forced whatever USE_THOUSAND_SEPARATOR
        # says (that setting would also group ids and years in every template).
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


def _canonical(value: Value) -> int | str | None:
    # Decimals as strings so 1.50 and 1.5 cannot drift through float rounding.
    if isinstance(value, Decimal):
        return str(value)
    return value


def figures_checksum(chapters: Sequence[Chapter]) -> str:
    """A sha256 over the keys and RAW values of the figures.

    Titles, labels and notes are left out (they depend on the language) and so is the
    "< 5" display (suppression): two runs over the same data give the same checksum in
    any language, and any changed figure changes it.
    """
    payload = [
        {
            "chapter": chapter.key,
            "tables": [
                {
                    "table": table.key,
                    "columns": [column.key for column in table.columns if not column.is_label],
                    "rows": [
                        {
                            "key": table.row_keys[index] if table.row_keys else str(index),
                            "values": [
                                _canonical(value)
                                for value, column in zip(row, table.columns, strict=True)
                                if not column.is_label
                            ],
                        }
                        for index, row in enumerate(table.rows)
                    ],
                }
                for table in chapter.tables
            ],
        }
        for chapter in chapters
    ]
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()
