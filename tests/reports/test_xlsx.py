"""Big tables written from a frame read back exactly like tables written cell by cell, keep
every text as text (escaped as Excel reads it), and fix lists come out the same whether one
or two processes write them."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA
from dtks.region import load_kecamatan
from dtks.reports import write_reports
from dtks.reports.xlsx import (
    MAX_CELL_TEXT,
    MAX_ROWS,
    Column,
    formats,
    workbook_at,
    write_frame,
    write_table,
)

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
COLUMNS = (
    Column("no", "No", 5),
    Column("nama", "Nama", 24, wrap=True),
    Column("baris", "Baris", 7),
    Column("catatan", "Catatan", 40),
    Column("tanggal", "Tanggal", 12),
    Column("aktif", "Aktif", 8),
)
ROWS = {
    "no": [1, 2, 3, 4, 5, 6, 7, 8],
    "nama": [
        "SITI AMINAH",
        '=HYPERLINK("http://x")',
        "+6281234",
        "@SUM(A1:A2)",
        "<b>A & B</b>",
        " spasi di tepi ",
        "baris\nbaru",
        None,
    ],
    "baris": [2, None, 4, 5, 6, 7, 8, 9],
    "catatan": ["ÁÉ çà", "emoji 😀", "tab\tdi tengah", "", "x" * 40_000, "a", "b", None],
    "tanggal": [date(2026, 11, 30), None, *[date(1990, 1, d) for d in range(1, 7)]],
    "aktif": [True, False, None, True, True, True, True, True],
}


def write_both(tmp_path: Path, frame: pl.DataFrame) -> tuple[Path, Path]:
    """The same table written cell by cell (write_table) and from the frame (write_frame)."""
    paths = tmp_path / "cells.xlsx", tmp_path / "frame.xlsx"
    for path in paths:
        with workbook_at(path) as book:
            fmt = formats(book)
            sheet = book.add_worksheet("Data")
            sheet.write_string(0, 0, "Judul di atas tabel", fmt.title)
            if path.stem == "cells":
                write_table(sheet, 2, COLUMNS, frame.iter_rows(), fmt, autofilter=True)
            else:
                write_frame(book, sheet, 2, COLUMNS, frame, fmt, autofilter=True)
            sheet.freeze_panes(3, 0)
    return paths


def cells(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path)["Data"]
    return [
        (
            c.coordinate,
            c.value,
            c.data_type,
            c.alignment.wrap_text,
            c.alignment.vertical,
            c.font.b,
        )
        for row in sheet.iter_rows()
        for c in row
    ]


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as xlsx:
        return xlsx.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_a_table_from_a_frame_reads_back_like_one_written_cell_by_cell(tmp_path: Path) -> None:
    by_cell, by_frame = write_both(tmp_path, pl.DataFrame(ROWS))
    assert cells(by_frame) == cells(by_cell)
    one, other = openpyxl.load_workbook(by_cell)["Data"], openpyxl.load_workbook(by_frame)["Data"]
    assert other.dimensions == one.dimensions == "A1:F11"
    assert other.auto_filter.ref == one.auto_filter.ref == "A3:F11"
    assert other.freeze_panes == one.freeze_panes
    assert [c.value for c in other[4]] == [1, "SITI AMINAH", 2, "ÁÉ çà", "30-11-2026", "Ya"]
    assert other["D8"].value == "x" * MAX_CELL_TEXT  # cut at Excel's limit, as write_table


@pytest.mark.parametrize(
    ("behaviour", "text", "xml"),
    [
        ("formula_stays_text", "=SUM(A1)", 't="inlineStr"><is><t>=SUM(A1)</t>'),
        ("markup_is_escaped", "<b>A & B</b>", "<t>&lt;b&gt;A &amp; B&lt;/b&gt;</t>"),
        ("rich_text_lookalike_stays_text", "<r><t>x</t></r>", "<t>&lt;r&gt;&lt;t&gt;x"),
        ("control_character_as_excel_escape", "a\x01b\x1fc", "<t>a_x0001_b_x001F_c</t>"),
        ("literal_excel_escape_stays_literal", "x_x0041_y", "<t>x_x005F_x0041_y</t>"),
        ("spaces_at_the_edges_are_kept", " a ", '<t xml:space="preserve"> a </t>'),
        ("line_break_is_kept", "a\nb", "<t>a\nb</t>"),
    ],
)
def test_text_is_escaped_as_excel_reads_it(
    tmp_path: Path, behaviour: str, text: str, xml: str
) -> None:
    frame = pl.DataFrame(ROWS).head(1).with_columns(pl.lit(text).alias("nama"))
    _, by_frame = write_both(tmp_path, frame)
    assert xml in sheet_xml(by_frame), behaviour
    openpyxl.load_workbook(by_frame)  # still well-formed


def test_a_table_longer_than_an_excel_sheet_is_refused(tmp_path: Path) -> None:
    frame = pl.DataFrame({"no": range(MAX_ROWS)}).with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("nama", "catatan")
    )
    with pytest.raises(ValueError, match="do not fit"), workbook_at(tmp_path / "x.xlsx") as book:
        write_frame(book, book.add_worksheet("Data"), 0, COLUMNS[:1], frame, formats(book))
    assert list(tmp_path.iterdir()) == []  # no file, no staging file left


def test_cells_below_a_table_from_a_frame_are_refused(tmp_path: Path) -> None:
    frame = pl.DataFrame(ROWS)
    with pytest.raises(ValueError, match="below"), workbook_at(tmp_path / "x.xlsx") as book:
        sheet = book.add_worksheet("Data")
        write_frame(book, sheet, 0, COLUMNS, frame, formats(book))
        sheet.write_string(20, 0, "catatan di bawah")  # would be out of order in the XML
    assert list(tmp_path.iterdir()) == []


def issues_of(village: str, rows: int) -> pl.DataFrame:
    """`rows` problems of a village: open errors and warnings of several kinds, one fixed."""
    kinds = [("nik_missing", "error", "nik"), ("nama_has_title", "warning", "nama")]
    kinds += [("duplicate_other_village", "warning", "nama"), ("kk_no_head", "warning", "no_kk")]
    return pl.DataFrame(
        [
            {
                "village": village,
                "source_file": f"{village}/dtks.csv",
                "source_sheet": "",
                "source_row": row,
                "column": column,
                "code": code,
                "severity": severity,
                "message": f"File {village}/dtks.csv, baris {row}: Periksa & perbaiki <{code}>.",
                "nama": f"NAMA {row}",
                "nik_masked": "352811********01",
                "status": "fixed" if row == 2 else "new",
            }
            for row in range(2, rows + 2)
            for code, severity, column in [kinds[row % len(kinds)]]
        ],
        schema=VALIDATION_ISSUE_SCHEMA,
    )


def test_each_fix_list_lists_every_issue_of_its_village_only(tmp_path: Path) -> None:
    """Open ones to fix, and fixed ones as good news; none of another village."""
    kecamatan = load_kecamatan("35.28.11")
    issues = pl.concat([issues_of("kapong", 30), issues_of("blaban", 12)])
    accounting = pl.DataFrame({"village": ["kapong"], "rows_read": [40]})
    written = write_reports(tmp_path, kecamatan, issues, accounting, NOW)
    assert written.villages.filter(pl.col("village") == "kapong")["count_warning"].item() == 22
    for village in ("kapong", "blaban"):
        expected = issues.filter(pl.col("village") == village)
        listed = [
            value
            for rows in values(written.fix_lists[village]).values()
            for row in rows
            for value in row
            if isinstance(value, str) and value.startswith("NAMA ")
        ]
        assert sorted(listed) == sorted(expected["nama"].to_list()), village
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def values(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
