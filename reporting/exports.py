"""Figures tables as CSV and XLSX, with the same "< 5" as on the screen.

A suppressed count leaves the application only as the text "< 5", never as its raw value,
and every text cell is made safe against formula injection (the case list export's rule):
a spreadsheet must never run a partner's name as a formula.
"""

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from common.spreadsheet import formula_safe
from reporting.figures.base import Table, Value

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export_rows(table: Table) -> list[list[str]]:
    """The displayed values; an empty cell where there is no value (not "-", which a
    spreadsheet would have to be kept from reading as a formula)."""
    return [
        [
            "" if raw is None and shown == "-" else shown
            for raw, shown in zip(row, displayed, strict=True)
        ]
        for row, displayed in zip(table.rows, table.display_rows(), strict=True)
    ]


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([formula_safe(column.label) for column in table.columns])
    for row in _export_rows(table):
        writer.writerow([formula_safe(value) for value in row])
    return out.getvalue()


def _xlsx_value(raw: Value, shown: str) -> int | Decimal | str:
    # A number shown as it is stays a number (so a spreadsheet can sum it); anything
    # else — "< 5", labels — goes in as text.
    if isinstance(raw, int | Decimal) and not isinstance(raw, bool) and shown == str(raw):
        return raw
    return formula_safe(shown)


def tables_xlsx(tables: Sequence[Table], *, heading: str = "") -> bytes:
    """One sheet per table (named by its key): the column labels in row 1, then the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for table in tables:
        sheet = workbook.create_sheet(title=table.key[:31])
        sheet.append([formula_safe(column.label) for column in table.columns])
        for raw_row, shown_row in zip(table.rows, _export_rows(table), strict=True):
            sheet.append(
                [_xlsx_value(raw, shown) for raw, shown in zip(raw_row, shown_row, strict=True)]
            )
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
