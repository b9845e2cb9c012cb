"""Safety and form for values that leave the application in CSV or XLSX files.

CSV files are written for Excel as it is set up in Belgium (and the Netherlands): a ";"
between cells (the "," is the decimal separator there), UTF-8 with a byte order mark (or
Excel reads "é" as "Ã©"), a decimal comma in numbers and no thousands separator. The same
dialect whatever the language of the page: the file is made for the spreadsheet.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BYTE_ORDER_MARK = "\ufeff"


def formula_safe(value: object) -> str:
    """A spreadsheet must not run a value as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_number(value: int | Decimal) -> str:
    """A number as Belgian Excel reads it: digits, a decimal comma, no grouping."""
    return str(value).replace(".", ",")


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV in the Belgian Excel dialect, every cell made formula-safe."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([formula_safe(value) for value in row])
    return out.getvalue()


def csv_response(rows: Iterable[Iterable[object]], *, filename: str) -> HttpResponse:
    """A CSV download; ``filename`` must hold nothing personal (it ends up in logs)."""
    response = HttpResponse(csv_text(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _Echo:
    """A file-like object that hands back what the CSV writer writes to it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """``csv_text`` one line at a time: the rows are read as they are written, so a long
    export never holds the whole file (nor all its rows) in memory."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BYTE_ORDER_MARK
    for row in rows:
        yield writer.writerow([formula_safe(value) for value in row])


def csv_streaming_response(
    rows: Iterable[Iterable[object]], *, filename: str
) -> StreamingHttpResponse:
    """``csv_response`` streamed: for exports that grow with the data. ``rows`` should be
    lazy (a generator over ``QuerySet.iterator(chunk_size=...)``)."""
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
