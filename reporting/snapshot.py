"""A run's figures kept as data, and the differences between two such snapshots.

A finished run stores its figures as JSON (``figures_snapshot``): per chapter and table the
keys, titles, columns and rows, each row with its raw values and its values as shown
(``Table.display_rows()``, so "< 5" and any other suppression exactly as in the PDF). It is
made in the language of the PDF (Dutch), so its titles and shown values are the PDF's.

``snapshot_differences`` compares a published snapshot with a later one from the two stored
documents alone (no figures are computed again). It reports SHOWN values only: a cell whose
raw value changed while both shown values are equal (e.g. "< 5" then and "< 5" now) is
reported as changed without a number, so the difference page never reveals what the
suppression hides. Label columns (a track's or municipality's name) are not figures: they are
left out of the comparison, as they are left out of the checksum.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .figures.base import Chapter, Table, Value

SNAPSHOT_FORMAT = 1
# Between the shown values of the label columns, when a row has several.
LABEL_SEPARATOR = " \u2013 "  # an en dash

type Snapshot = Mapping[str, Any]


def _raw(value: Value) -> int | str | None:
    # As in the checksum: decimals as strings, so 1.50 stays 1.50.
    if isinstance(value, Decimal):
        return str(value)
    return value


def _table_snapshot(table: Table) -> dict[str, Any]:
    shown_rows = table.display_rows()
    label_positions = [i for i, column in enumerate(table.columns) if column.is_label]
    rows = []
    for index, (row, shown) in enumerate(zip(table.rows, shown_rows, strict=True)):
        rows.append(
            {
                "key": str(table.row_keys[index]) if table.row_keys else str(index),
                "label": LABEL_SEPARATOR.join(str(shown[i]) for i in label_positions),
                "raw": [_raw(value) for value in row],
                "shown": [str(value) for value in shown],
            }
        )
    return {
        "key": table.key,
        "title": str(table.title),
        "columns": [
            {"key": column.key, "label": str(column.label), "is_label": column.is_label}
            for column in table.columns
        ],
        "rows": rows,
    }


def figures_snapshot(chapters: Sequence[Chapter], *, language: str) -> dict[str, Any]:
    """The figures as data, in the active language (call it under the PDF's language)."""
    return {
        "format": SNAPSHOT_FORMAT,
        "language": language,
        "chapters": [
            {
                "key": chapter.key,
                "title": str(chapter.title),
                "tables": [_table_snapshot(table) for table in chapter.tables],
            }
            for chapter in chapters
        ],
    }


# --- differences ---


@dataclass(frozen=True)
class CellChange:
    chapter: str
    table: str
    row: str
    column: str
    # The values as shown then and now; empty when ``hidden``.
    published: str
    today: str
    # Only a suppressed value changed: both were shown alike, so no number is given.
    hidden: bool = False


@dataclass(frozen=True)
class Part:
    """A table, row or column that is in one snapshot and not in the other."""

    chapter: str
    table: str
    name: str = ""


@dataclass
class Differences:
    cells: list[CellChange] = field(default_factory=list)
    tables_added: list[Part] = field(default_factory=list)
    tables_removed: list[Part] = field(default_factory=list)
    rows_added: list[Part] = field(default_factory=list)
    rows_removed: list[Part] = field(default_factory=list)
    columns_added: list[Part] = field(default_factory=list)
    columns_removed: list[Part] = field(default_factory=list)

    @property
    def has_differences(self) -> bool:
        return any(
            (
                self.cells,
                self.tables_added,
                self.tables_removed,
                self.rows_added,
                self.rows_removed,
                self.columns_added,
                self.columns_removed,
            )
        )


def _tables(snapshot: Snapshot) -> dict[tuple[str, str], tuple[str, Mapping[str, Any]]]:
    """(chapter key, table key) -> (chapter title, table), in the snapshot's order."""
    return {
        (chapter["key"], table["key"]): (chapter["title"], table)
        for chapter in snapshot.get("chapters", [])
        for table in chapter["tables"]
    }


def _figure_columns(table: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    """column key -> (position, label), label columns left out."""
    return {
        column["key"]: (index, column["label"])
        for index, column in enumerate(table["columns"])
        if not column.get("is_label")
    }


def _row_name(row: Mapping[str, Any]) -> str:
    return row["label"] or row["key"]


def _compare_table(
    differences: Differences, chapter: str, then: Mapping[str, Any], now: Mapping[str, Any]
) -> None:
    title = then["title"]
    columns_then, columns_now = _figure_columns(then), _figure_columns(now)
    for key, (_index, label) in columns_then.items():
        if key not in columns_now:
            differences.columns_removed.append(Part(chapter, title, label))
    for key, (_index, label) in columns_now.items():
        if key not in columns_then:
            differences.columns_added.append(Part(chapter, title, label))
    rows_now = {row["key"]: row for row in now["rows"]}
    rows_then = {row["key"]: row for row in then["rows"]}
    for row in then["rows"]:
        current = rows_now.get(row["key"])
        if current is None:
            differences.rows_removed.append(Part(chapter, title, _row_name(row)))
            continue
        for key, (position, label) in columns_then.items():
            if key not in columns_now:
                continue
            position_now = columns_now[key][0]
            shown_then, shown_now = row["shown"][position], current["shown"][position_now]
            if shown_then != shown_now:
                differences.cells.append(
                    CellChange(chapter, title, _row_name(row), label, shown_then, shown_now)
                )
            elif row["raw"][position] != current["raw"][position_now]:
                differences.cells.append(
                    CellChange(chapter, title, _row_name(row), label, "", "", hidden=True)
                )
    for row in now["rows"]:
        if row["key"] not in rows_then:
            differences.rows_added.append(Part(chapter, title, _row_name(row)))


def snapshot_differences(published: Snapshot, today: Snapshot) -> Differences:
    """What changed from the published snapshot to today's, cell by cell, in the published
    report's order (tables, rows and columns matched by their keys)."""
    differences = Differences()
    then, now = _tables(published), _tables(today)
    for key, (chapter, table) in then.items():
        if key not in now:
            differences.tables_removed.append(Part(chapter, table["title"]))
            continue
        _compare_table(differences, chapter, table, now[key][1])
    for key, (chapter, table) in now.items():
        if key not in then:
            differences.tables_added.append(Part(chapter, table["title"]))
    return differences
