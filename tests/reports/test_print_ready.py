"""Fix lists an operator can print and act on: every sheet A4 landscape fitted to the page
width with its header row on every page and the village in the page header; the summary on
one page; a defect of a whole file said once, first, with its one action; problems ordered
by severity, then rows affected. Read back from the written xlsx with openpyxl."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA
from dtks.region import load_kecamatan
from dtks.reports import SUMMARY_FILE, write_reports
from dtks.reports.fix_list import FILE_WIDE_TITLE
from dtks.reports.labels import REEXPORT_AS_TEXT

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
NUMERIC_FILE = "kapong/dtks kapong.xlsx"  # every NIK and KK saved as a number
OTHER_FILE = "kapong/tambahan.csv"
ROWS = 40


def issue(source_file: str, row: int, code: str, severity: str, column: str) -> dict:
    return {
        "village": "kapong",
        "source_file": source_file,
        "source_sheet": "Sheet1" if source_file.endswith(".xlsx") else "",
        "source_row": row,
        "column": column,
        "code": code,
        "severity": severity,
        "message": f"File {source_file}, baris {row}: Ketik ulang {column.upper()} sebagai teks.",
        "value_masked": "3.5281***15",
        "iddtks": f"ID35280000{row:05d}",
        "nama": "SITI AMINAH",
        "nik_masked": "3.5281***15",
        "record_key": f"D-{source_file}-{row}",
        "issue_key": f"kapong|{code}|{source_file}|{row}",
        "status": "new",
    }


ISSUES = pl.DataFrame(
    [
        *[
            issue(NUMERIC_FILE, r, "nik_scientific_truncated", "error", "nik")
            for r in range(2, ROWS + 2)
        ],
        *[
            issue(NUMERIC_FILE, r, "no_kk_scientific_truncated", "error", "no_kk")
            for r in range(2, ROWS + 2)
        ],
        # in the other file only 5 of 40 rows: those are fixed row by row
        *[issue(OTHER_FILE, r, "nik_scientific_truncated", "error", "nik") for r in range(2, 7)],
        *[issue(OTHER_FILE, r, "nama_abbreviated", "warning", "nama") for r in range(2, 14)],
        issue(OTHER_FILE, 20, "tanggal_lahir_impossible", "error", "tanggal_lahir"),
    ],
    schema=VALIDATION_ISSUE_SCHEMA,
)
SOURCE_FILES = pl.DataFrame(
    {"village": ["kapong", "kapong"], "source_file": [NUMERIC_FILE, OTHER_FILE]}
).with_columns(pl.lit(ROWS).alias("rows_read"))
ACCOUNTING = pl.DataFrame(
    {"village": ["kapong"], "rows_read": [80], "rows_accepted": [80], "rows_rejected": [0]}
)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    write_reports(out, load_kecamatan("35.28.11"), ISSUES, ACCOUNTING, NOW, SOURCE_FILES)
    return out


def summary_texts(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path)["Ringkasan"]
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


@pytest.mark.parametrize("workbook", ["kapong.xlsx", "blaban.xlsx", SUMMARY_FILE])
def test_every_sheet_prints_a4_landscape_fitted_to_the_page_width(
    reports: Path, workbook: str
) -> None:
    book = openpyxl.load_workbook(reports / workbook)
    for sheet in book.worksheets:
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert int(setup.fitToWidth or 1) == 1, sheet.title  # xlsx default when absent: 1
        assert "&P" in sheet.oddFooter.center.text and "&N" in sheet.oddFooter.center.text
        place = "Desa Kapong" if workbook == "kapong.xlsx" else "Desa Blaban"
        expected = "Kecamatan Batumarmar" if workbook == SUMMARY_FILE else place
        assert expected in sheet.oddHeader.left.text, sheet.title


def test_lists_repeat_their_header_row_and_run_down_as_many_pages_as_needed(
    reports: Path,
) -> None:
    book = openpyxl.load_workbook(reports / "kapong.xlsx")
    lists = [s for s in book.worksheets if s.title != "Ringkasan"]
    assert lists
    for sheet in lists:
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert int(sheet.page_setup.fitToHeight) == 0, sheet.title
        assert sheet.print_options.gridLines, sheet.title
    camat = openpyxl.load_workbook(reports / SUMMARY_FILE)
    assert camat["Ringkasan"].print_title_rows == "$4:$4"
    assert camat["Per jenis masalah"].print_title_rows == "$3:$3"


@pytest.mark.parametrize("workbook", ["kapong.xlsx", SUMMARY_FILE])
def test_a_summary_prints_on_one_page_chart_included(reports: Path, workbook: str) -> None:
    sheet = openpyxl.load_workbook(reports / workbook)["Ringkasan"]
    assert int(sheet.page_setup.fitToHeight or 1) == 1  # one page down (xlsx default: 1)
    # openpyxl does not read charts: the chart's anchor is in the sheet's drawing
    with zipfile.ZipFile(reports / workbook) as xlsx:
        drawing = xlsx.read("xl/drawings/drawing1.xml").decode()
    chart_ends = int(re.search(r"<xdr:to>.*?<xdr:row>(\d+)</xdr:row>", drawing, re.S)[1])
    area = sheet.print_area if isinstance(sheet.print_area, str) else sheet.print_area[0]
    last_printed_row = int(area.rsplit("$", 1)[-1])  # 1-based
    assert last_printed_row >= chart_ends + 1  # the whole chart is inside the printed area


def test_wrapped_text_gets_a_row_tall_enough_to_print(reports: Path) -> None:
    sheet = openpyxl.load_workbook(reports / "kapong.xlsx")["NIK"]
    header = [c.value for c in sheet[1]]
    action = header.index("Yang harus dilakukan")
    for row in range(2, 6):
        text = sheet.cell(row, action + 1).value
        assert text and len(text) > 50
        assert (sheet.row_dimensions[row].height or 15) >= 30, row


def test_a_defect_of_the_whole_file_is_said_once_first_with_its_one_action(
    reports: Path,
) -> None:
    texts = summary_texts(reports / "kapong.xlsx")
    assert texts.count(FILE_WIDE_TITLE) == 1
    told = [t for t in texts if REEXPORT_AS_TEXT in t]
    assert len(told) == 1  # NIK and KK of one file: one line, one action
    (line,) = told
    assert NUMERIC_FILE in line and "NIK" in line and "Nomor KK" in line
    assert f"{ROWS} dari {ROWS} baris" in line
    assert OTHER_FILE not in line  # 5 of 40 rows is not the whole file
    # said before the tables of counts
    assert texts.index(FILE_WIDE_TITLE) < texts.index("Jenis masalah")
    # and the rows still follow on their sheets
    book = openpyxl.load_workbook(reports / "kapong.xlsx")
    assert book["NIK"].max_row - 1 == ROWS + 5
    assert book["Nomor KK"].max_row - 1 == ROWS


def test_without_a_whole_file_defect_nothing_is_said_about_files(reports: Path) -> None:
    assert FILE_WIDE_TITLE not in summary_texts(reports / "blaban.xlsx")


def test_problems_are_ordered_by_severity_then_rows_affected(reports: Path) -> None:
    sheet = openpyxl.load_workbook(reports / "kapong.xlsx")["Ringkasan"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    start = next(i for i, r in enumerate(rows) if r[:2] == ["Jenis masalah", "Masalah"])
    table = [r for r in rows[start + 1 :] if r[1]]
    severities = [r[2] for r in table]
    open_rows = [r[3] + r[4] for r in table]
    assert severities == sorted(severities, key=lambda s: not s.startswith("Kesalahan"))
    errors = [n for n, s in zip(open_rows, severities, strict=True) if s.startswith("Kesalahan")]
    assert errors == sorted(errors, reverse=True) == [45, 40, 1]
    assert openpyxl.load_workbook(reports / "kapong.xlsx").sheetnames[:4] == [
        "Ringkasan",
        "NIK",
        "Nomor KK",
        "Tanggal lahir",
    ]
