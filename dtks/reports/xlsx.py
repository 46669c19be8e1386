"""Safe spreadsheet writing: every text goes in with `write_string`, so a name or value that
starts with = + - @ stays text and never becomes a formula; files appear atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

MAX_CELL_TEXT = 32_767  # Excel's limit for one cell

# No automatic conversion of any string: formulas, links and numbers are never guessed.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,  # no temporary files per sheet
}


@contextmanager
def workbook_at(path: Path) -> Iterator[Workbook]:
    """A workbook written beside `path` and renamed over it once closed without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    book = xlsxwriter.Workbook(str(staging), WORKBOOK_OPTIONS)
    try:
        yield book
        book.close()
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def write_cell(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """One cell: numbers as numbers, everything else as text (never a formula)."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Ya" if value else "Tidak", fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        sheet.write_string(row, col, value.strftime("%d-%m-%Y %H:%M"), fmt)
    elif isinstance(value, date):
        sheet.write_string(row, col, value.strftime("%d-%m-%Y"), fmt)
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)


@dataclass(frozen=True)
class Column:
    """A table column: the key in each row dict, its header and its width in characters."""

    key: str
    header: str
    width: float = 14
    wrap: bool = False


@dataclass
class Formats:
    title: Format
    subtitle: Format
    header: Format
    text: Format
    wrapped: Format


def formats(book: Workbook) -> Formats:
    return Formats(
        title=book.add_format({"bold": True, "font_size": 14}),
        subtitle=book.add_format({"italic": True}),
        header=book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        text=book.add_format({"valign": "top"}),
        wrapped=book.add_format({"text_wrap": True, "valign": "top"}),
    )


def write_table(
    sheet: Worksheet,
    first_row: int,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]] | Iterable[tuple[Any, ...]],
    fmt: Formats,
    autofilter: bool = False,
) -> int:
    """A header row and the rows below it at `first_row`; returns the first row after them.

    `rows` are dicts keyed by `Column.key`, or tuples in the order of `columns` (faster for
    big sheets). Text goes in with `write_string`, numbers with `write_number`.
    """
    cell_formats = [fmt.wrapped if column.wrap else fmt.text for column in columns]
    for c, column in enumerate(columns):
        write_cell(sheet, first_row, c, column.header, fmt.header)
        sheet.set_column(c, c, column.width, cell_formats[c])
    keys = [column.key for column in columns]
    write_string, write_number = sheet.write_string, sheet.write_number
    r = first_row
    for row in rows:
        r += 1
        values = [row.get(k) for k in keys] if isinstance(row, dict) else row
        for c, value in enumerate(values):
            if value is None:
                continue  # empty cell (the column format applies)
            if type(value) is str:
                write_string(r, c, value[:MAX_CELL_TEXT], cell_formats[c])
            elif type(value) is int or type(value) is float:
                write_number(r, c, value, cell_formats[c])
            else:
                write_cell(sheet, r, c, value, cell_formats[c])
    if autofilter and columns:
        sheet.autofilter(first_row, 0, max(r, first_row), len(columns) - 1)
    return r + 1
