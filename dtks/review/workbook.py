"""Writing the review workbook clerks fill in (xlsxwriter), atomically.

Every text cell is written with ``write_string``, so a value that starts with = + - @ (a name
typed as "=HYPERLINK(...)" or "-") stays text and never becomes a formula; the workbook is also
opened with ``strings_to_formulas`` / ``strings_to_numbers`` / ``strings_to_urls`` off
(`dtks.reports.xlsx.WORKBOOK_OPTIONS`). The
decision column has a dropdown (sama / beda); the record keys sit in hidden columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from dtks.reports.xlsx import workbook_at
from dtks.review.layout import (
    DROPDOWN,
    PETUNJUK_LINES,
    PROBLEM_COLUMNS,
    QUEUE_COLUMNS,
    SHEET_MASALAH,
    SHEET_OF_KIND,
    SHEET_PETUNJUK,
    Column,
)


def write_review_workbook(
    path: Path,
    queue: pl.DataFrame,
    problems: pl.DataFrame | None = None,
    generated_at: datetime | None = None,
) -> Path:
    """Write ``queue`` (`dtks.review.queue.QUEUE_SCHEMA`) to ``path``: PETUNJUK, one sheet per
    kind of pair, and MASALAH ISIAN when ``problems`` has rows. Built beside ``path`` and
    renamed over it (`dtks.reports.xlsx.workbook_at`), so a reader never sees half a
    workbook; a full disk or a folder without permission raises a `StorageError`."""
    path = Path(path)
    what = f"file pemeriksaan {path.name}"
    kept = f"Hasil pencocokan tetap dipakai; {path.name} yang lama tetap utuh."
    with workbook_at(path, what, kept) as workbook:
        styles = _styles(workbook)
        _write_petunjuk(workbook.add_worksheet(SHEET_PETUNJUK), styles, queue, generated_at)
        for kind, sheet in SHEET_OF_KIND.items():
            rows = queue.filter(pl.col("jenis") == kind)
            _write_queue_sheet(workbook.add_worksheet(sheet), styles, rows)
        if problems is not None and problems.height:
            _write_table(workbook.add_worksheet(SHEET_MASALAH), styles, PROBLEM_COLUMNS, problems)
    return path


def _styles(workbook: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "decision_header": workbook.add_format(
            {"bold": True, "bg_color": "#FFE699", "border": 1, "text_wrap": True}
        ),
        "input": workbook.add_format({"bg_color": "#FFF2CC", "border": 1}),
        "text": workbook.add_format({"valign": "top"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "number": workbook.add_format({"valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "warning": workbook.add_format({"font_color": "#C00000", "text_wrap": True}),
    }


def _write_petunjuk(
    sheet: Worksheet,
    styles: dict[str, Any],
    queue: pl.DataFrame,
    generated_at: datetime | None,
) -> None:
    sheet.set_column(0, 0, 100)
    lines = list(PETUNJUK_LINES)
    counts = dict(queue.group_by("jenis").len().iter_rows()) if queue.height else {}
    lines += [
        "",
        *(
            f"Jumlah pasangan di sheet {sheet_name}: {counts.get(kind, 0)}"
            for kind, sheet_name in SHEET_OF_KIND.items()
        ),
    ]
    if generated_at is not None:
        lines.append(f"Dibuat: {generated_at.strftime('%d-%m-%Y %H:%M')}")
    for index, line in enumerate(lines):
        sheet.write_string(index, 0, line, styles["title"] if index == 0 else styles["text"])
    sheet.activate()


def _write_queue_sheet(sheet: Worksheet, styles: dict[str, Any], rows: pl.DataFrame) -> None:
    numbered = rows.with_row_index("nomor", offset=1)
    _write_table(sheet, styles, QUEUE_COLUMNS, numbered)
    decision = next(i for i, c in enumerate(QUEUE_COLUMNS) if c.kind == "decision")
    last = max(numbered.height, 1)
    sheet.data_validation(
        1,
        decision,
        last,
        decision,
        {
            "validate": "list",
            "source": DROPDOWN,
            "input_title": "Keputusan",
            "input_message": "sama = orang yang sama; beda = dua orang berbeda",
            "error_title": "Isian tidak dikenali",
            "error_message": "Pilih sama atau beda (atau kosongkan bila belum yakin).",
        },
    )
    sheet.freeze_panes(1, decision + 1)
    if numbered.height:
        sheet.autofilter(0, 0, numbered.height, len(QUEUE_COLUMNS) - 1)


def _write_table(
    sheet: Worksheet, styles: dict[str, Any], columns: Sequence[Column], frame: pl.DataFrame
) -> None:
    """Header row, then one row per frame row; text always as strings, numbers as numbers."""
    for j, column in enumerate(columns):
        header = "decision_header" if column.kind in ("decision", "note") else "header"
        sheet.write_string(0, j, column.title, styles[header])
        options = {"hidden": True} if column.hidden else {}
        fmt = styles["input"] if column.kind in ("decision", "note") else None
        sheet.set_column(j, j, column.width, fmt, options)
    sheet.set_row(0, 30)
    data = [
        frame.get_column(c.field).to_list() if c.field in frame.columns else None for c in columns
    ]
    for i in range(frame.height):
        for j, column in enumerate(columns):
            values = data[j]
            value = None if values is None else values[i]
            _write_cell(sheet, i + 1, j, value, column, styles)


def _write_cell(
    sheet: Worksheet, row: int, col: int, value: object, column: Column, styles: dict[str, Any]
) -> None:
    if column.kind in ("decision", "note"):
        if value is None or value == "":
            sheet.write_blank(row, col, None, styles["input"])
        else:
            sheet.write_string(row, col, str(value), styles["input"])
        return
    if value is None:
        return
    if column.kind == "number" and isinstance(value, int | float):
        sheet.write_number(row, col, value, styles["number"])
        return
    style = styles["warning"] if column.field == "pesan" else styles["wrap"]
    sheet.write_string(row, col, str(value), style)
