"""Reading XLSX exports with python-calamine, keeping each cell's type until it becomes text.

Numbers become text without scientific notation (3528114506890000.0 -> "3528114506890000"),
dates "YYYY-MM-DD", booleans "TRUE"/"FALSE". Sheets are read with `skip_empty_area=False` so
that list index + 1 is the Excel row number even when the sheet starts with empty rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from dtks.ingest.csv_reader import DEFAULT_MAX_COLUMNS, used_width
from dtks.ingest.errors import ErrorCode, ExportReadError, angka
from dtks.ingest.header import (
    excel_column_letter,
    find_header_row,
    header_matches,
    plan_columns,
)
from dtks.ingest.model import ParsedSheet, SkippedSheet
from dtks.ingest.raw_rows import NUMERIC_FLAG_COLUMNS, cell_grid, positions_with_data

CellValue = str | float | int | bool | date | datetime | time | timedelta


def number_text(value: float) -> str:
    """A number as the digits it holds: 3528114506890000.0 -> "3528114506890000", 12.5 -> "12.5"."""
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text and value == value and abs(value) != float("inf"):
        return format(Decimal(text), "f")
    return text


def _datetime_text(value: datetime) -> str:
    return value.date().isoformat()


_CELL_TEXT: dict[type, Callable[[CellValue], str]] = {
    str: str,
    float: number_text,  # type: ignore[dict-item]
    int: str,
    bool: lambda v: "TRUE" if v else "FALSE",
    date: date.isoformat,  # type: ignore[dict-item]
    datetime: _datetime_text,  # type: ignore[dict-item]
    time: time.isoformat,  # type: ignore[dict-item]
    timedelta: str,
}
_NUMBER_TYPES = (float, int)


def cell_text(value: CellValue) -> str:
    """One calamine cell as text ("" for an empty cell)."""
    return _CELL_TEXT.get(type(value), str)(value)


def column_text(cells: Sequence[CellValue]) -> list[str] | Sequence[str]:
    """A whole column as text; a column of text cells is passed through untouched."""
    kinds = set(map(type, cells))
    if kinds <= {str}:
        return cells  # type: ignore[return-value]
    return [_CELL_TEXT.get(type(v), str)(v) for v in cells]


def numeric_flags(cells: Sequence[CellValue]) -> list[bool] | None:
    """True where the cell was a number; None when no cell of the column was."""
    kinds = set(map(type, cells))
    if not kinds & set(_NUMBER_TYPES):
        return None
    return [type(v) in _NUMBER_TYPES for v in cells]


def read_xlsx(
    data: bytes, max_columns: int = DEFAULT_MAX_COLUMNS
) -> tuple[list[ParsedSheet], list[SkippedSheet]]:
    """Every worksheet with a recognised header, and the sheets skipped with their reason.

    Chart sheets and macro sheets are skipped; formulas are never evaluated: a formula cell
    gives the value Excel saved with it (0 or "" when the writer saved none).
    """
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise ExportReadError(ErrorCode.ENCRYPTED_XLSX, str(exc)) from exc
    except CalamineError as exc:
        raise ExportReadError(ErrorCode.CORRUPT_XLSX, str(exc)) from exc
    parsed: list[ParsedSheet] = []
    skipped: list[SkippedSheet] = []
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                skipped.append(SkippedSheet(meta.name, "bukan lembar data (grafik/makro)"))
                continue
            try:
                rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            except CalamineError as exc:
                raise ExportReadError(
                    ErrorCode.CORRUPT_XLSX, f"sheet '{meta.name}' tidak bisa dibaca: {exc}"
                ) from exc
            hidden = meta.visible != SheetVisibleEnum.Visible
            result = parse_sheet(meta.name, rows, hidden, max_columns)
            (parsed if isinstance(result, ParsedSheet) else skipped).append(result)
    return parsed, skipped


def _without_trailing_empty_rows(rows: list[list[CellValue]]) -> list[list[CellValue]]:
    end = len(rows)
    while end and all(cell == "" for cell in rows[end - 1]):
        end -= 1
    return rows if end == len(rows) else rows[:end]


def parse_sheet(
    name: str,
    rows: list[list[CellValue]],
    hidden: bool = False,
    max_columns: int = DEFAULT_MAX_COLUMNS,
) -> ParsedSheet | SkippedSheet:
    """Find the header of one sheet and hand over the cells below it, column by column.

    Empty rows at the bottom (a sheet formatted down to row 1,048,576) and empty columns at
    the right are dropped first; more than `max_columns` used columns refuses the file.
    """
    rows = _without_trailing_empty_rows(rows)
    if not rows:
        return SkippedSheet(name, "sheet kosong")
    if max(map(len, rows)) > max_columns:
        width = used_width(rows)
        if width > max_columns:
            raise ExportReadError(
                ErrorCode.TOO_MANY_COLUMNS,
                f"sheet '{name}' memiliki {angka(width)} kolom berisi judul atau data, "
                f"batas {angka(max_columns)} kolom",
            )
        rows = [row[:width] for row in rows]
    header_index = find_header_row([cell_text(v).strip() for v in row] for row in rows)
    if header_index is None:
        return SkippedSheet(
            name, "tidak ada baris judul kolom dengan NIK atau NAMA dalam 30 baris pertama"
        )
    header_cells = [cell_text(v).strip() for v in rows[header_index]]
    body = rows[header_index + 1 :]
    width = max(len(header_cells), max((len(r) for r in body), default=0))
    if body and min(map(len, body)) < width:
        body = [r if len(r) == width else [*r, *([""] * (width - len(r)))] for r in body]
    raw_columns: list[Sequence[CellValue]] = list(zip(*body, strict=True)) if body else [()] * width
    numeric: dict[int, Sequence[bool]] = {}
    for j, column in header_matches(header_cells).items():
        if column in NUMERIC_FLAG_COLUMNS:
            flags = numeric_flags(raw_columns[j])
            if flags is not None:
                numeric[j] = flags
    first_row = header_index + 2  # Excel rows are 1-based; the body starts below the header
    grid = cell_grid(
        [column_text(c) for c in raw_columns], range(first_row, first_row + len(body)), numeric
    )
    unnamed = [j for j in range(width) if j >= len(header_cells) or not header_cells[j]]
    used = positions_with_data(grid, unnamed)
    plan = plan_columns(header_cells, width, used, excel_column_letter)
    grid = grid.drop([f"n{j}" for j in numeric if j not in plan.canonical])
    return ParsedSheet(name, header_index + 1, plan, grid, hidden)
