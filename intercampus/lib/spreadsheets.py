"""Reading and writing the spreadsheets that offices exchange: CSV and Excel (XLSX).

Pure helpers with no models. Writers take a header and rows of plain values; readers give
back the header and the data rows as text, each with the row number a spreadsheet program
shows (the header is row 1), so that an import can say exactly where a value is wrong.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# A spreadsheet program runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message is meant for the person uploading it."""


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it, and its cells by column name."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A header (column names in lower case) and the non-empty data rows below it."""

    header: list[str]
    rows: list[Row]


# --- Writing ------------------------------------------------------------------------------


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet program would run as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a byte order mark, so that Excel opens accents and Cyrillic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe_cell(str(h)) for h in header])
    for row in rows:
        writer.writerow([_safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "") -> bytes:
    """One worksheet with a bold header row that stays in view when scrolling."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        # Excel limits sheet names to 31 characters and forbids a few of them.
        sheet.title = "".join(c for c in title if c not in r"[]:*?/\\")[:31] or "Sheet1"
    sheet.append([str(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    return _attachment(csv_bytes(header, rows), CSV_CONTENT_TYPE, filename)


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = ""
) -> HttpResponse:
    return _attachment(xlsx_bytes(header, rows, title=title), XLSX_CONTENT_TYPE, filename)


# --- Reading ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as the text a person would read in it (1200.0 from Excel reads as 1200)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(raw_rows: Iterable[Sequence[Any]], max_rows: int) -> Table:
    iterator = iter(raw_rows)
    header: list[str] = []
    header_number = 0
    for number, raw in enumerate(iterator, start=1):
        cells = [_text(v) for v in raw]
        if any(cells):
            header = [c.lower() for c in cells]
            header_number = number
            break
    if not header:
        raise SpreadsheetError(_("The file is empty."))
    rows: list[Row] = []
    for number, raw in enumerate(iterator, start=header_number + 1):
        cells = [_text(v) for v in raw]
        if not any(cells):
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(
                _("The file has more than {limit} rows; split it into smaller files.").format(
                    limit=max_rows
                )
            )
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        rows.append(Row(number=number, values=values))
    return Table(header=header, rows=rows)


def _read_csv(content: bytes, max_rows: int) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpreadsheetError(
            _("The CSV file is not in UTF-8. Save it as “CSV UTF-8” and try again.")
        ) from None
    # Spreadsheet programs in much of Europe write semicolons instead of commas.
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _table(csv.reader(io.StringIO(text), dialect), max_rows)


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SpreadsheetError(_("The Excel file cannot be read. Is it an .xlsx file?")) from None
    try:
        sheet = workbook.worksheets[0]
        return _table(sheet.iter_rows(values_only=True), max_rows)
    finally:
        workbook.close()


def read_table(file: IO[bytes], filename: str, *, max_rows: int = 10_000) -> Table:
    """Read the first sheet of an .xlsx file, or a .csv file, as a :class:`Table`.

    The kind is told by the content (an .xlsx file is a zip archive) so that a file with the
    wrong extension is still read. Raises :class:`SpreadsheetError` when it cannot be read.
    """
    content = file.read()
    if content.startswith(b"PK"):
        return _read_xlsx(content, max_rows)
    if filename.lower().endswith((".xlsx", ".xlsm", ".xls")):
        raise SpreadsheetError(
            _("The Excel file cannot be read. Save it as .xlsx or CSV UTF-8 and try again.")
        )
    return _read_csv(content, max_rows)
