"""Benchmark of reading hostile spreadsheets (issue 7, defect 19).

Measures the CPU time that ``read_table`` spends on files a spreadsheet program would not
write: 5 million empty rows (with and without a declared size), and a few-kilobyte file
with one cell 5 million rows down; and on an honest 10,000-row import for comparison.
Target: each hostile file is refused in well under a second of CPU.

Run: ``.venv/bin/python benchmarks/spreadsheet_import.py``. Not part of the test suite.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intercampus.lib.spreadsheets import SpreadsheetError, read_table, xlsx_bytes  # noqa: E402
from intercampus.lib.tests.xlsx_files import empty_rows_xlsx, far_row_xlsx  # noqa: E402

TARGET_S = 1.0


def honest_import(rows: int) -> bytes:
    header = ["given name", "family name", "email", "country", "arrival", "programme"]
    data = [
        [f"Name {i}", f"Family {i}", f"p{i}@example.org", "SE", "2026-09-01", "Physics"]
        for i in range(rows)
    ]
    return xlsx_bytes(header, data)


def measure(label: str, content: bytes) -> None:
    started = time.process_time()
    try:
        outcome = f"{len(read_table(io.BytesIO(content), 'file.xlsx').rows)} rows read"
    except SpreadsheetError as error:
        outcome = f"refused: {str(error)[:60]}"
    spent = time.process_time() - started
    print(f"{label:<44} {len(content) // 1024:>7} KB  {spent:6.2f} s CPU  {outcome}")


def main() -> None:
    import django

    django.setup()
    print(f"target for hostile files: < {TARGET_S} s CPU each")
    measure("1,000,000 empty rows, size declared", empty_rows_xlsx(1_000_000))
    measure(
        "1,000,000 empty rows, size not declared", empty_rows_xlsx(1_000_000, declare_size=False)
    )
    measure("5,000,000 empty rows, size declared", empty_rows_xlsx(5_000_000))
    measure(
        "5,000,000 empty rows, size not declared", empty_rows_xlsx(5_000_000, declare_size=False)
    )
    measure("one cell 5,000,000 rows down, declared", far_row_xlsx(5_000_000))
    measure(
        "one cell 5,000,000 rows down, not declared", far_row_xlsx(5_000_000, declare_size=False)
    )
    measure("honest import of 10,000 rows", honest_import(10_000))


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intercampus.settings")
    main()
