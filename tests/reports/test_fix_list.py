"""Fix lists open in Excel (openpyxl), hold no formulas even for text that looks like one,
show NIK and KK only masked, and give an operator what to find and what to do."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA
from dtks.region import load_kecamatan
from dtks.reports import SUMMARY_FILE, write_reports
from dtks.reports.fix_list import VillageInfo, write_fix_list

NIK = "3528114506890001"
KK = "3528110101120007"
FORMULA_LIKE = ['=HYPERLINK("http://x")', "+6281234", "-1+2", "@SUM(A1:A2)"]
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
KAPONG = VillageInfo("kapong", "35.28.11.2007", "Kapong", "Batumarmar")


def issue(code: str, severity: str, status: str, row: int, **values: object) -> dict:
    base = {
        "village": "kapong",
        "source_file": "kapong/dtks kapong.csv",
        "source_sheet": "",
        "source_row": row,
        "column": "nik",
        "code": code,
        "severity": severity,
        "message": f"File kapong/dtks kapong.csv, baris {row}: Periksa NIK sesuai KTP/KK.",
        "value_masked": "352811********01",
        "suggested_value": None,
        "related_village": None,
        "related_record": None,
        "iddtks": f"ID352800000{row:04d}",
        "nama": "SITI AMINAH",
        "nik_masked": "352811********01",
        "record_key": f"D-{row}",
        "issue_key": f"kapong|{code}|{row}",
        "status": status,
    }
    base.update(values)
    return base


def issues_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=VALIDATION_ISSUE_SCHEMA)


ISSUES = issues_frame(
    [
        issue("nik_missing", "error", "new", 2, value_masked=None),
        issue("nik_foreign_region", "warning", "still_open", 3),
        issue(
            "duplicate_other_village",
            "warning",
            "new",
            4,
            column="nama",
            related_village="blaban",
            related_record="Desa Blaban, file blaban/b.csv, baris 9 (SITI AMINAH)",
        ),
        issue(
            "kk_no_head",
            "warning",
            "still_open",
            5,
            column="hubungan_keluarga",
            value_masked="352811********07",
        ),
        issue("tanggal_lahir_impossible", "error", "fixed", 6, column="tanggal_lahir"),
        *[
            issue(
                "nama_odd_characters",
                "warning",
                "new",
                10 + i,
                column="nama",
                nama=text,
                value_masked=text,
                suggested_value=text,
                message=f"File kapong/dtks kapong.csv, baris {10 + i}: {text}",
            )
            for i, text in enumerate(FORMULA_LIKE)
        ],
    ]
)


@pytest.fixture(scope="module")
def fix_list(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("reports") / "kapong.xlsx"
    accounting = {"rows_read": 40, "rows_accepted": 38, "rows_rejected": 2}
    return path, write_fix_list(path, KAPONG, ISSUES, accounting, NOW)


def all_cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def test_fix_list_has_a_summary_and_one_sheet_per_problem_kind(fix_list) -> None:
    path, counts = fix_list
    book = openpyxl.load_workbook(path)
    # kinds by severity (NIK has an open error), then rows affected (Nama has 4)
    assert book.sheetnames == [
        "Ringkasan",
        "NIK",
        "Nama",
        "Data ganda",
        "Kepala & hubungan keluarga",
        "Sudah diperbaiki",
    ]
    assert counts == {
        "count_error": 1,
        "count_warning": 7,
        "count_new": 6,
        "count_still_open": 2,
        "count_fixed": 1,
    }
    summary = [c.value for c in book["Ringkasan"]["A"] if c.value]
    assert "Daftar perbaikan data DTKS - Desa Kapong" in summary
    with zipfile.ZipFile(path) as xlsx:
        assert any(name.startswith("xl/charts/chart") for name in xlsx.namelist())


def test_rows_say_where_to_find_the_record_and_what_to_do(fix_list) -> None:
    sheet = openpyxl.load_workbook(fix_list[0])["Data ganda"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Status"] == "Baru"
    assert row["IDDTKS"] == "ID3528000000004"
    assert row["NIK (disamarkan)"] == "352811********01"
    assert (row["File"], row["Baris"]) == ("kapong/dtks kapong.csv", 4)
    assert row["Desa lain"] == "blaban"
    assert "Desa Blaban" in row["Data lain (desa, file, baris, nama)"]
    assert (
        row["Yang harus dilakukan"] == "Periksa NIK sesuai KTP/KK."
    )  # location has its own columns


def test_text_that_looks_like_a_formula_stays_text(fix_list) -> None:
    cells = all_cells(fix_list[0])
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert set(FORMULA_LIKE) <= texts


def test_no_full_nik_or_kk_anywhere_in_the_file(fix_list) -> None:
    with zipfile.ZipFile(fix_list[0]) as xlsx:
        content = "".join(xlsx.read(name).decode("utf-8", "replace") for name in xlsx.namelist())
    assert NIK not in content and KK not in content


def test_every_village_gets_a_fix_list_and_the_camat_one_line_per_village(tmp_path: Path) -> None:
    kecamatan = load_kecamatan("35.28.11")
    accounting = pl.DataFrame(
        {"village": ["kapong"], "rows_read": [40], "rows_accepted": [38], "rows_rejected": [2]}
    )
    written = write_reports(tmp_path, kecamatan, ISSUES, accounting, NOW)
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        [f"{slug}.xlsx" for slug in kecamatan.slugs] + [SUMMARY_FILE]
    )
    quiet = openpyxl.load_workbook(written.fix_lists["blaban"])
    assert quiet.sheetnames == ["Ringkasan"]
    summary = openpyxl.load_workbook(tmp_path / SUMMARY_FILE)["Ringkasan"]
    lines = [r for r in summary.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert [r[2] for r in lines] == [d.nama for d in kecamatan.desa]
    kapong = next(r for r in lines if r[2] == "Kapong")
    assert kapong[3:9] == ("ada", 40, 38, 2, 1, 7)
    assert next(r for r in lines if r[2] == "Blaban")[3] == "tidak ada export"
    assert [c for row in summary.iter_rows() for c in row if c.data_type == "f"] == []
