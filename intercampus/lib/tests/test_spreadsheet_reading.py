"""Reading uploaded spreadsheets: hostile or damaged files get a clear error, quickly."""

from __future__ import annotations

import csv
import io

import pytest

from intercampus.lib.spreadsheets import SpreadsheetError, csv_bytes, read_table, xlsx_bytes
from intercampus.lib.tests.xlsx_files import (
    SHEET,
    empty_rows_xlsx,
    entity_xlsx,
    far_row_xlsx,
    rewrite_part,
)


def read(content: bytes, filename: str = "people.xlsx", **options):
    return read_table(io.BytesIO(content), filename, **options)


def refusal(content: bytes, filename: str = "people.xlsx", **options) -> str:
    with pytest.raises(SpreadsheetError) as refused:
        read(content, filename, **options)
    return str(refused.value)


@pytest.mark.parametrize("declare_size", [True, False])
def test_millions_of_empty_rows_are_refused_without_being_read(declare_size):
    content = empty_rows_xlsx(200_000, declare_size=declare_size)

    assert "counting empty ones" in refusal(content)


@pytest.mark.parametrize("declare_size", [True, False])
def test_one_cell_far_below_the_table_is_refused(declare_size):
    content = far_row_xlsx(5_000_000, declare_size=declare_size)

    assert len(content) < 10_000
    assert "counting empty ones" in refusal(content)


def test_a_few_empty_rows_below_the_table_are_skipped():
    table = read(empty_rows_xlsx(500))

    assert table.header == ["name", "count"]
    assert [row.values for row in table.rows] == [{"name": "a", "count": "1"}]


def test_rows_beyond_a_wrong_declared_size_are_read_not_dropped():
    content = xlsx_bytes(["name"], [["a"], ["b"], ["c"]])
    content = rewrite_part(content, SHEET, lambda xml: xml.replace('ref="A1:A4"', 'ref="A1:A2"'))

    assert [row.values["name"] for row in read(content).rows] == ["a", "b", "c"]


def test_the_data_row_limit_still_counts_only_non_empty_rows():
    content = xlsx_bytes(["name"], [[f"n{i}"] for i in range(6)])

    assert "more than 5 rows" in refusal(content, max_rows=5)
    assert len(read(content, max_rows=6).rows) == 6


def test_an_xlsx_with_entity_declarations_is_refused_with_a_reason():
    assert "entity declarations" in refusal(entity_xlsx())


def test_a_damaged_sheet_is_refused_not_a_server_error():
    content = rewrite_part(xlsx_bytes(["name"], [["a"]]), SHEET, lambda xml: xml[:-40])

    assert "cannot be read" in refusal(content)


def test_a_csv_cell_longer_than_the_field_limit_names_its_row():
    content = csv_bytes(
        ["name", "notes"], [["a", "short"], ["b", "x" * (csv.field_size_limit() + 1)]]
    )

    message = refusal(content, "people.csv")

    assert "Row 3" in message
    assert "longer than" in message


def test_a_csv_with_millions_of_blank_lines_is_refused():
    content = b"name,count\r\na,1\r\n" + b"\r\n" * 2_000_000

    assert "counting empty ones" in refusal(content, "people.csv")


def test_a_nul_character_in_a_csv_cell_is_named():
    content = csv_bytes(["name", "notes"], [["a", "ok"], ["b", "bad\x00value"]])

    assert "Row 3, column B" in refusal(content, "people.csv")
