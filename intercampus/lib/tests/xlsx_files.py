"""Workbooks that spreadsheet programs would not write, built in memory for tests and
benchmarks: millions of empty rows, a row far below the table, XML entity declarations."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from intercampus.lib.spreadsheets import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_part(content: bytes, name: str, change: Callable[[str], str]) -> bytes:
    """The workbook with one of its parts (e.g. the first sheet's XML) changed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = change(data.decode()).encode()
            archive.writestr(info.filename, data)
    return out.getvalue()


def _with_rows(extra_rows: str, last_row: int, *, declare_size: bool) -> bytes:
    def change(xml: str) -> str:
        dimension = f'<dimension ref="A1:B{last_row}"/>' if declare_size else ""
        xml = re.sub(r'<dimension ref="[^"]*"/>', dimension, xml)
        return xml.replace("</sheetData>", extra_rows + "</sheetData>")

    return rewrite_part(xlsx_bytes(["name", "count"], [["a", 1]]), SHEET, change)


def empty_rows_xlsx(count: int, *, declare_size: bool = True) -> bytes:
    """A header, one data row, then ``count`` empty ``<row>`` elements."""
    rows = "".join(f'<row r="{n}"/>' for n in range(3, count + 3))
    return _with_rows(rows, count + 2, declare_size=declare_size)


def far_row_xlsx(row: int, *, declare_size: bool = True) -> bytes:
    """A header, one data row, and one empty cell ``row`` rows down: a few kilobytes."""
    cell = f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t></t></is></c></row>'
    return _with_rows(cell, row, declare_size=declare_size)


def entity_xlsx() -> bytes:
    """A sheet that declares an XML entity and uses it in a cell ("billion laughs", XXE)."""

    def change(xml: str) -> str:
        declaration = '<!DOCTYPE worksheet [<!ENTITY lol "lollollollollol">]>'
        return declaration + xml.replace("<t>a</t>", "<t>&lol;</t>")

    return rewrite_part(xlsx_bytes(["name", "count"], [["a", 1]]), SHEET, change)
