"""XLSX cells become the text the operator typed: numbers, dates, booleans, apostrophes, row numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from dtks.columns import CANONICAL_COLUMNS
from dtks.ingest import RAW_ROWS_SCHEMA, read_export
from dtks.ingest.xlsx_reader import number_text


def _village(tmp_path: Path) -> Path:
    folder = tmp_path / "kapong"
    folder.mkdir(exist_ok=True)
    return folder


def _by_row(rows: pl.DataFrame) -> dict[int, dict]:
    return {r["source_row"]: r for r in rows.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3528114506890000.0, "3528114506890000"),
        (3528114506890001.0, "3528114506890001"),
        (12.5, "12.5"),
        (3.0, "3"),
        (-0.0, "0"),
        (1e20, "100000000000000000000"),
        (1.5e-05, "0.000015"),
    ],
)
def test_numbers_become_text_without_scientific_notation(value: float, expected: str) -> None:
    assert number_text(value) == expected


def test_numeric_nik_cell_is_text_without_exponent_and_flagged(tmp_path: Path) -> None:
    path = _village(tmp_path) / "angka.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("DTKS")
        ws.write_row(0, 0, ["NIK", "NAMA", "NOMOR KK"])
        # what Excel keeps of a 16-digit NIK typed as a number
        ws.write_number(1, 0, 3528114506890000)
        ws.write(1, 1, "SITI AMINAH")
        ws.write_number(1, 2, 3.52811e15, wb.add_format({"num_format": "0.00E+00"}))
        ws.write_string(2, 0, "3528114506890002")
        ws.write(2, 1, "ALI")
        ws.write_string(2, 2, "3528110101100003")
    rows = _by_row(read_export(path, tmp_path).rows)
    assert rows[2]["nik"] == "3528114506890000"
    assert rows[2]["nik_was_numeric"] is True
    assert rows[2]["no_kk"] == "3528110000000000"
    assert rows[2]["no_kk_was_numeric"] is True
    assert rows[3]["nik"] == "3528114506890002"
    assert rows[3]["nik_was_numeric"] is False
    assert rows[3]["no_kk_was_numeric"] is False


def test_scientific_notation_typed_as_text_is_kept_as_written(tmp_path: Path) -> None:
    path = _village(tmp_path) / "sains.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA"])
        ws.write_string(1, 0, "3.52811E+15")
        ws.write_string(1, 1, "SITI")
    row = _by_row(read_export(path, tmp_path).rows)[2]
    assert row["nik"] == "3.52811E+15"
    assert row["nik_was_numeric"] is False
    assert row["row_kind"] == "data"


def test_apostrophe_prefix_is_kept_and_only_whitespace_is_trimmed(tmp_path: Path) -> None:
    path = _village(tmp_path) / "apostrof.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA"])
        ws.write_string(1, 0, "  '3528114506890001 ")
        ws.write_string(1, 1, "\u00a0 Ma'ruf  ")
    row = _by_row(read_export(path, tmp_path).rows)[2]
    assert row["nik"] == "'3528114506890001"
    assert row["nama"] == "Ma'ruf"


def test_date_cells_become_iso_text_and_serial_numbers_stay_numbers(tmp_path: Path) -> None:
    path = _village(tmp_path) / "tanggal.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
        ws.write_row(0, 0, ["NIK", "NAMA", "TGL LAHIR", "TANGGAL UPDATE", "PKH"])
        ws.write_row(1, 0, ["3528114506890001", "SITI"])
        ws.write_datetime(1, 2, dt.datetime(1989, 6, 5), date_format)
        ws.write_datetime(
            1,
            3,
            dt.datetime(2026, 10, 12, 14, 30),
            wb.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
        )
        ws.write_boolean(1, 4, True)
        ws.write_row(2, 0, ["3528114506890002", "ALI", 32669, "12-10-2026"])
        ws.write_boolean(2, 4, False)
    rows = _by_row(read_export(path, tmp_path).rows)
    assert rows[2]["tanggal_lahir"] == "1989-06-05"
    assert rows[2]["tanggal_update"] == "2026-10-12"
    assert rows[2]["pkh"] == "TRUE"
    # an Excel serial in a General cell stays a number: cleaning reads it as a date
    assert rows[3]["tanggal_lahir"] == "32669"
    assert rows[3]["tanggal_update"] == "12-10-2026"
    assert rows[3]["pkh"] == "FALSE"


def test_source_row_is_the_excel_row_after_title_and_blank_rows(tmp_path: Path) -> None:
    path = _village(tmp_path) / "judul.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("DTKS")
        ws.merge_range("A1:E1", "DATA TERPADU KESEJAHTERAAN SOSIAL")
        ws.merge_range("A2:E2", "DESA KAPONG KECAMATAN BATUMARMAR")
        ws.write_row(3, 0, ["NO", "NIK", "NAMA", "JK", "ALAMAT"])  # row 4
        ws.write_row(4, 0, [1, "3528114506890001", "SITI", "P", "DSN. LAOK"])  # row 5
        ws.write_row(6, 0, [2, "3528110101900002", "ALI", "L", "DSN. DAJA"])  # row 7, row 6 empty
    read = read_export(path, tmp_path)
    assert read.sheets[0].header_row == 4
    assert read.rows.get_column("source_row").to_list() == [5, 7]
    assert read.rows_read == 2


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_source_row_is_exact_when_the_sheet_starts_with_empty_rows(
    tmp_path: Path, writer: str
) -> None:
    path = _village(tmp_path) / f"kosong_{writer}.xlsx"
    cells = {
        "C6": "NIK",
        "D6": "NAMA",
        "E6": "RT",
        "C7": "3528114506890001",
        "D7": "SITI",
        "D10": "ALI",
    }
    if writer == "openpyxl":
        wb = openpyxl.Workbook()
        for ref, value in cells.items():
            wb.active[ref] = value
        wb.save(path)
    else:
        with xlsxwriter.Workbook(path) as book:
            ws = book.add_worksheet()
            for ref, value in cells.items():
                ws.write(ref, value)
    read = read_export(path, tmp_path)
    assert read.status == "ok", read.error_message
    assert read.sheets[0].header_row == 6
    assert read.rows.select("source_row", "nama").rows() == [(7, "SITI"), (10, "ALI")]


def test_every_canonical_column_is_present_as_text_even_when_absent(tmp_path: Path) -> None:
    path = _village(tmp_path) / "sempit.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA"])
        ws.write_row(1, 0, ["3528114506890001", "SITI"])
    rows = read_export(path, tmp_path).rows
    assert dict(rows.schema) == RAW_ROWS_SCHEMA
    assert set(CANONICAL_COLUMNS) <= set(rows.columns)
    assert rows.item(0, "alamat") is None
    assert rows.item(0, "extras") is None


def test_several_sheets_are_read_and_a_rekap_sheet_is_skipped(tmp_path: Path) -> None:
    path = _village(tmp_path) / "multi.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        petunjuk = wb.add_worksheet("PETUNJUK")
        petunjuk.write(0, 0, "Isi NIK 16 digit sebagai teks")
        for name, nik in (("DUSUN LAOK", "3528114506890001"), ("DUSUN DAJA", "3528110101900002")):
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, ["NIK", "NAMA", "DUSUN"])
            ws.write_row(1, 0, [nik, "ORANG " + name, name])
        rekap = wb.add_worksheet("REKAP")
        rekap.write_row(0, 0, ["DUSUN", "JUMLAH KK", "JUMLAH JIWA"])
        rekap.write_row(1, 0, ["LAOK", 1, 1])
        wb.add_worksheet("KOSONG")
    read = read_export(path, tmp_path)
    assert [s.name for s in read.sheets] == ["DUSUN LAOK", "DUSUN DAJA"]
    assert {s.name for s in read.skipped_sheets} == {"PETUNJUK", "REKAP", "KOSONG"}
    assert all(s.reason for s in read.skipped_sheets)
    assert read.rows.select("source_sheet", "source_row").rows() == [
        ("DUSUN LAOK", 2),
        ("DUSUN DAJA", 2),
    ]


def test_hidden_sheet_is_read_and_reported(tmp_path: Path) -> None:
    path = _village(tmp_path) / "sembunyi.xlsx"
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("DATA")
        ws.write_row(0, 0, ["NIK", "NAMA"])
        ws.write_row(1, 0, ["3528114506890001", "SITI"])
        old = wb.add_worksheet("LAMA")
        old.write_row(0, 0, ["NIK", "NAMA"])
        old.write_row(1, 0, ["3528114506890001", "SITI"])
        old.hide()
    read = read_export(path, tmp_path)
    assert [s.hidden for s in read.sheets] == [False, True]
    assert any("tersembunyi" in w and "LAMA" in w for w in read.warnings)
