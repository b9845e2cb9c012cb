"""The shape every figure takes, shared by the dashboard, the CSV/XLSX exports and the PDF.

Figures are counts over groups of cases or people; none may point to a person. A count
below ``SMALL_COUNT_THRESHOLD`` that could identify someone is shown as "< 5" wherever it
leaves the selectors (screen, files, PDF); the raw value stays available for totals and
for the checksum, which must not depend on the language or on suppression.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = "< 5"

type Value = int | Decimal | str | None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # Counts of people or cases are suppressed when small; rates and amounts are not.
    suppress_small: bool = False


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Value]]
    note: str = ""

    def display_rows(self) -> list[list[str]]:
        return [
            [
                display(value, column.suppress_small)
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


def display(value: Value, suppress_small: bool = False) -> str:
    if value is None:
        return "-"
    if suppress_small and isinstance(value, int) and 0 < value < SMALL_COUNT_THRESHOLD:
        return SUPPRESSED
    return str(value)
