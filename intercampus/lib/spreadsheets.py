"""Reading and writing the spreadsheets that offices exchange: CSV and Excel (XLSX).

Pure helpers with no models. Writers take a header and rows of plain values; readers give
back the header and the data rows as text, each with the row number a spreadsheet program
shows (the header is row 1), so that an import can say exactly where a value is wrong.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from lxml import etree
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import SHEET_MAIN_NS

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


def _cells(raw: Sequence[Any], number: int) -> list[str]:
    cells = [_text(v) for v in raw]
    for index, cell in enumerate(cells):
        # No database text column can hold a NUL character (PostgreSQL refuses it outright).
        if "\x00" in cell:
            raise SpreadsheetError(
                _("Row {row}, column {column}: the cell contains a NUL character.").format(
                    row=number, column=get_column_letter(index + 1)
                )
            )
    return cells


def _is_blank(raw: Sequence[Any]) -> bool:
    # The common blank row (openpyxl's filler of Nones, or CSV's empty line) is told apart
    # without building text for each of its cells: a file may hold millions of them.
    return raw.count(None) == len(raw) or not any(_text(v) for v in raw)


def _scan_limit(max_rows: int) -> int:
    """How many rows, blank ones included, a sheet may have before it is refused unread."""
    return max(10 * max_rows, 1_000)


def _too_many_rows(scan_limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The sheet has more than {limit} rows, counting empty ones. Delete the empty rows "
            "below the table, or split it into smaller files."
        ).format(limit=scan_limit)
    )


def _table(raw_rows: Iterable[Sequence[Any]], max_rows: int) -> Table:
    """The header and the non-empty rows below it.

    Blank rows are skipped but counted: reading stops with an error after
    :func:`_scan_limit` rows, so a small file that declares millions of empty rows costs
    a fraction of a second, not minutes.
    """
    scan_limit = _scan_limit(max_rows)
    header: list[str] = []
    rows: list[Row] = []
    for number, raw in enumerate(raw_rows, start=1):
        if number > scan_limit:
            raise _too_many_rows(scan_limit)
        if header:
            # Cells right of the header belong to no column: they are not read.
            raw = raw[: len(header)]
        if _is_blank(raw):
            continue
        cells = _cells(raw, number)
        if not header:
            while not cells[-1]:
                cells.pop()
            header = [c.lower() for c in cells]
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(
                _("The file has more than {limit} rows; split it into smaller files.").format(
                    limit=max_rows
                )
            )
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        rows.append(Row(number=number, values=values))
    if not header:
        raise SpreadsheetError(_("The file is empty."))
    return Table(header=header, rows=rows)


def _csv_rows(reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a row it cannot read is named (a spreadsheet counts rows, not lines)."""
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = _(
                    "Row {row}: a cell is longer than {limit} characters, which no column of an "
                    "import takes. Is a quotation mark left open?"
                ).format(row=number, limit=csv.field_size_limit())
            else:
                message = _("Row {row} cannot be read as CSV ({error}).").format(
                    row=number, error=error
                )
            raise SpreadsheetError(message) from None
        yield row


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
    return _table(_csv_rows(csv.reader(io.StringIO(text), dialect)), max_rows)


# The widest table an import reads; cells to the right of it are not looked at, so a row that
# names column XFD (16,384) does not make every row of the sheet that wide.
MAX_COLUMNS = 200
# A part of the archive larger than this once unpacked is refused before it is read: a
# 10,000-row sheet takes a few megabytes, and a small "zip bomb" could otherwise unpack to
# gigabytes (openpyxl reads the shared strings of a workbook whole).
MAX_XLSX_PART_BYTES = 32 * 1024 * 1024

_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"
_UNREADABLE_XLSX = _("The Excel file cannot be read. Is it an .xlsx file?")
# Errors of a damaged or hostile workbook: a bad archive, malformed XML, and XML that declares
# entities (which defusedxml, used by openpyxl when installed, refuses: "billion laughs", XXE).
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    ParseError,
    etree.XMLSyntaxError,
)


def _check_archive(content: bytes, scan_limit: int) -> None:
    """Refuse a workbook whose parts are too large, or whose sheets hold too many rows.

    openpyxl reads the whole of every sheet that does not declare its size, before the first
    row is given: rows are counted here first (lxml, a few hundredths of a second for 100,000
    rows), so that millions of empty rows are refused quickly.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SpreadsheetError(_UNREADABLE_XLSX) from None
    if any(part.file_size > MAX_XLSX_PART_BYTES for part in parts):
        raise SpreadsheetError(
            _("The Excel file is too large once unpacked; split it into smaller files.")
        )
    scanned = 0
    for part in parts:
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        with archive.open(part) as source:
            rows = etree.iterparse(
                source, tag=_ROW_TAG, resolve_entities=False, no_network=True, huge_tree=False
            )
            for _event, row in rows:
                row.clear()
                scanned += 1
                if scanned > scan_limit:
                    raise _too_many_rows(scan_limit)


def _declares_entities(error: BaseException | None) -> bool:
    # openpyxl wraps the parser's error in a ValueError of its own.
    while error is not None:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _xml_error(error: Exception) -> SpreadsheetError:
    if _declares_entities(error):
        return SpreadsheetError(
            _(
                "The Excel file contains XML entity declarations, which are refused for "
                "safety. Open it in a spreadsheet program, save it as .xlsx again and retry."
            )
        )
    return SpreadsheetError(_UNREADABLE_XLSX)


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    try:
        _check_archive(content, _scan_limit(max_rows))
    except etree.XMLSyntaxError:
        raise SpreadsheetError(_UNREADABLE_XLSX) from None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _XLSX_ERRORS as error:
        raise _xml_error(error) from None
    try:
        sheet = workbook.worksheets[0]
        declared_rows = sheet.max_row or 0
        if declared_rows > _scan_limit(max_rows):
            raise _too_many_rows(_scan_limit(max_rows))
        # The declared size may be wrong, and openpyxl would drop the rows beyond it: read
        # what the sheet holds, bounded by the limits of _table.
        sheet.reset_dimensions()
        return _table(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), max_rows)
    except SpreadsheetError:
        raise
    except _XLSX_ERRORS as error:
        raise _xml_error(error) from None
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
