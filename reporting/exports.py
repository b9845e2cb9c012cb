"""Figures tables as CSV and XLSX, with the same "< 5" and "x" as on the screen.

A hidden count leaves the application only as the text "< 5" (1 to 4) or "x" (a
complement, see ``reporting.figures.disclosure``), never as its raw value; a table with
hidden cells ends with a line that explains the markers,
and every text cell is made safe against formula injection (the case list export's rule):
a spreadsheet must never run a partner's name as a formula.

CSV: the Belgian Excel dialect of ``common.spreadsheet`` (";", UTF-8 with BOM, "0,6").
XLSX: numbers stay numbers (Excel shows them in the reader's own format); each sheet is
named by its table's title in the active language, made valid for Excel.
"""

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from common.spreadsheet import csv_number, csv_text, formula_safe
from reporting.figures.base import Table, Value, disclosure_legend

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_rows(table: Table) -> list[list[str]]:
    """The displayed values, numbers as plain digits with a "."; an empty cell where there
    is no value (not "-", which a spreadsheet would have to be kept from reading as a
    formula)."""
    return [
        [
            "" if raw is None and shown == "-" else shown
            for raw, shown in zip(row, displayed, strict=True)
        ]
        for row, displayed in zip(table.rows, table.display_rows(localize=False), strict=True)
    ]


def _shown_number(raw: Value, shown: str) -> int | Decimal | None:
    """The raw number when it is shown as it is (not "< 5", not a label), else None."""
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool) and shown == str(raw):
        return raw
    return None


def _csv_cell(raw: Value, shown: str) -> str:
    number = _shown_number(raw, shown)
    return shown if number is None else csv_number(number)


def _legend_rows(table: Table) -> list[list[str]]:
    """An empty line and the markers explained, when the table hides any cell."""
    return [[], [disclosure_legend()]] if table.has_hidden_cells() else []


def table_csv(table: Table) -> str:
    rows = [
        [_csv_cell(raw, shown) for raw, shown in zip(raw_row, shown_row, strict=True)]
        for raw_row, shown_row in zip(table.rows, _export_rows(table), strict=True)
    ]
    return csv_text([[column.label for column in table.columns], *rows, *_legend_rows(table)])


def _xlsx_value(raw: Value, shown: str) -> int | Decimal | str:
    # A number shown as it is stays a number (so a spreadsheet can sum it); anything
    # else — "< 5", labels — goes in as text.
    number = _shown_number(raw, shown)
    return formula_safe(shown) if number is None else number


# Excel refuses these in a sheet name, and a name of more than 31 characters.
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']+")
SHEET_NAME_LENGTH = 31


def sheet_name(title: str, taken: set[str]) -> str:
    """``title`` as a valid Excel sheet name, different from the names in ``taken``."""
    base = " ".join(_NOT_IN_SHEET_NAMES.sub(" ", title).split()) or "Tabel"
    name, number = base[:SHEET_NAME_LENGTH].rstrip(), 1
    while name.casefold() in {other.casefold() for other in taken}:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return name


def tables_xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """One sheet per table (named by its title, or its shorter ``sheet_title``, in the
    active language): the column labels in row 1, then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    for table in tables:
        name = sheet_name(table.sheet_title or table.title, taken)
        taken.add(name)
        sheet = workbook.create_sheet(title=name)
        sheet.append([formula_safe(column.label) for column in table.columns])
        for raw_row, shown_row in zip(table.rows, _export_rows(table), strict=True):
            sheet.append(
                [_xlsx_value(raw, shown) for raw, shown in zip(raw_row, shown_row, strict=True)]
            )
        for legend_row in _legend_rows(table):
            sheet.append([formula_safe(text) for text in legend_row])
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    # Never a formula, whatever openpyxl would guess from the text.
                    cell.data_type = TYPE_STRING
    if heading:
        workbook.properties.title = heading
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
