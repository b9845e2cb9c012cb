"""The shape every figure takes, shared by the dashboard, the CSV/XLSX exports and the PDF.

Figures are counts over groups of cases or people; none may point to a person. A count
below ``SMALL_COUNT_THRESHOLD`` that could identify someone is shown as "< 5" wherever it
leaves the selectors (screen, files, PDF): primary suppression. A table also declares its
linear relations (``Relation``: a total cell equals the sum of its parts, within the table
or across tables of the same period), and ``reporting.figures.disclosure.protect`` hides
further cells ("x", secondary suppression) so that no "< 5" can be worked back from the
others (docs/disclosure-control.md). The raw values stay in ``rows`` for the checksum,
which must not depend on the language or on suppression; ``display_rows()`` is what every
output shows.

Numbers are shown in the number format of the active language (Django's localization):
in Dutch "275.000,01", "1.234" and "0,6"; in English "275,000.01", "1,234" and "0.6".
A year is shown as it is ("2025", never "2.025"). Files for spreadsheets use their own
plain form (``display_rows(localize=False)``, see ``reporting.exports``).
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = "< 5"
# A cell hidden so that a "< 5" cannot be derived from the others (secondary suppression):
# never a zero, otherwise any number (usually 5 or more; a count of 1-4 when its own "< 5"
# would give it or another one away, e.g. a quarter of "< 5" made of three months of 1).
COMPLEMENTARY = "x"
HIDDEN_MARKERS = frozenset({SUPPRESSED, COMPLEMENTARY})
TOTAL = "total"

type Value = int | Decimal | str | None


@dataclass(frozen=True)
class Cell:
    """A cell by its row key and column key; ``table`` names another table of the same
    period (by its key), empty for the table that declares the relation."""

    row: str
    column: str
    table: str = ""


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``parts``, for the raw values (a cell of a row that a
    table does not list counts as a known zero). Declared by the table; the attacker is
    assumed to know every relation."""

    total: Cell
    parts: tuple[Cell, ...]


def column_sums(
    row_keys: Sequence[str], columns: Sequence[str], *, total_row: str = TOTAL
) -> tuple[Relation, ...]:
    """For each column: the total row is the sum of the other rows."""
    parts = [key for key in row_keys if key != total_row]
    return tuple(
        Relation(Cell(total_row, column), tuple(Cell(row, column) for row in parts))
        for column in columns
    )


def row_sums(
    row_keys: Sequence[str], columns: Sequence[str], *, total_column: str = TOTAL
) -> tuple[Relation, ...]:
    """For each row: the total column is the sum of the other columns."""
    return tuple(
        Relation(Cell(row, total_column), tuple(Cell(row, column) for column in columns))
        for row in row_keys
    )


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
    # A count over a period that is the sum of the counts over its parts (a month, its
    # days): true for events dated in the period, false for states on its last day and
    # for distinct counts. The protection relates a year, its quarters and its months
    # through these columns.
    adds_up_over_time: bool = False


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
    # What the raw values obey (see ``Relation``); a table whose rows overlap declares none.
    relations: Sequence[Relation] = ()
    # Set by ``disclosure.protect``: the (row index, column index) of the cells hidden as
    # complements, and that the protection ran (over this table and its related ones).
    complementary: frozenset[tuple[int, int]] = frozenset()
    protected: bool = False
    # Cells (a rate, a share) computed from further cells than their row's
    # ``suppress_with`` count: hidden when any of those is (e.g. a share whose denominator
    # is another row, a total's rate over some of the rows).
    derived: Sequence[tuple[Cell, tuple[Cell, ...]]] = ()

    def position(self, cell: Cell) -> tuple[int, int] | None:
        """Where ``cell`` (of this table) is, or None when the table does not list it."""
        row = _index(self.row_keys, cell.row)
        column = _index([c.key for c in self.columns], cell.column)
        return None if row is None or column is None else (row, column)

    def primary_cells(self) -> set[tuple[int, int]]:
        """The counts of 1-4 in a column of counts (shown as "< 5" unless protection
        chose to show one as "x")."""
        return {
            (i, j)
            for i, row in enumerate(self.rows)
            for j, column in enumerate(self.columns)
            if column.suppress_small and _is_small(row[j])
        }

    def as_protected(self) -> "Table":
        """This table if a protection ran over it, else protected on its own (its own
        relations only), so that no output can show a table unprotected."""
        if self.protected:
            return self
        # Imported here: the protection builds on this module's shapes.
        from .disclosure import protect

        return protect([self])[0]

    def hidden_cells(self) -> set[tuple[int, int]]:
        """Every count not shown: "< 5" and "x"."""
        table = self.as_protected()
        return table.primary_cells() | set(table.complementary)

    def display_rows(self, *, localize: bool = True) -> list[list[str]]:
        """The rows as shown: "< 5" for counts of 1-4, "x" for the complements chosen by
        the protection, rates hidden with the counts they come from; numbers in the active
        language's format (or, with ``localize=False``, as plain digits with a "." for the
        files)."""
        if not self.protected:
            return self.as_protected().display_rows(localize=localize)
        hidden = self.hidden_cells()
        positions = {column.key: index for index, column in enumerate(self.columns)}
        sources: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for i in range(len(self.rows)):
            for j, column in enumerate(self.columns):
                if column.suppress_with:
                    sources[(i, j)].append((i, positions[column.suppress_with]))
        for cell, cells in self.derived:
            at = self.position(cell)
            if at is not None:
                sources[at].extend(p for p in map(self.position, cells) if p is not None)

        def marker(i: int, j: int) -> str | None:
            if (i, j) in hidden:
                return COMPLEMENTARY if (i, j) in self.complementary else SUPPRESSED
            found = [marker(*source) for source in sources.get((i, j), ()) if source != (i, j)]
            if SUPPRESSED in found:
                return SUPPRESSED
            return COMPLEMENTARY if COMPLEMENTARY in found else None

        return [
            [
                marker(i, j)
                or display(value, localize=localize and not column.is_year and not column.is_label)
                for j, (value, column) in enumerate(zip(row, self.columns, strict=True))
            ]
            for i, row in enumerate(self.rows)
        ]

    def has_hidden_cells(self) -> bool:
        return bool(self.hidden_cells())


@dataclass(frozen=True)
class Chapter:
    key: str
    title: str
    tables: Sequence[Table] = field(default_factory=tuple)
    intro: str = ""


def _is_small(value: Value) -> bool:
    return isinstance(value, int) and 0 < value < SMALL_COUNT_THRESHOLD


def _index(items: Sequence[str], item: str) -> int | None:
    try:
        return list(items).index(item)
    except ValueError:
        return None


def disclosure_legend() -> str:
    """The markers explained, for under a table and in the files."""
    return _(
        "“%(small)s”: a number from 1 to 4, hidden so that no person can be recognised. "
        "“%(complement)s”: a number (never 0) hidden so that a number below 5 cannot be "
        "worked out from the totals, other rows, areas or periods."
    ) % {"small": SUPPRESSED, "complement": COMPLEMENTARY}


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
