"""Finding the header row and mapping its spellings to canonical columns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import xlsxwriter

from dtks.ingest import read_export
from dtks.ingest.header import find_header_row, is_header_row


def _write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


HEADER_VARIANTS = [
    ("upper case", ["NIK", "NAMA", "NO KK"], {"nik", "nama", "no_kk"}),
    ("lower case", ["nik", "nama lengkap", "nokk"], {"nik", "nama", "no_kk"}),
    (
        "punctuation",
        ["No. NIK", "Nama_Lengkap", "No. KK", "Tgl. Lahir"],
        {"nik", "nama", "no_kk", "tanggal_lahir"},
    ),
    (
        "aliases",
        ["NOMOR INDUK KEPENDUDUKAN", "NAMA ART", "NOMOR KARTU KELUARGA", "L/P", "SHDK"],
        {"nik", "nama", "no_kk", "jenis_kelamin", "hubungan_keluarga"},
    ),
    (
        "spaces and line breaks",
        ["  NIK ", "NAMA\nLENGKAP", "HUB. KELUARGA"],
        {"nik", "nama", "hubungan_keluarga"},
    ),
    ("DTSEN id", ["ID_DTSEN", "NAMA", "JK"], {"iddtks", "nama", "jenis_kelamin"}),
]


@pytest.mark.parametrize(
    ("description", "header", "expected"), HEADER_VARIANTS, ids=[v[0] for v in HEADER_VARIANTS]
)
def test_header_variants_map_to_canonical_columns(
    tmp_path: Path, description: str, header: list[str], expected: set[str]
) -> None:
    path = _write_csv(tmp_path / "kapong" / "varian.csv", [header, ["x"] * len(header)])
    read = read_export(path, tmp_path)
    assert read.status == "ok", read.error_message
    assert set(read.sheets[0].column_mapping.values()) == expected


@pytest.mark.parametrize(
    ("cells", "is_header"),
    [
        (["NIK", "NAMA"], True),  # NIK/NAMA plus one more
        (["NAMA", "ALAMAT", "RT"], True),
        (["DATA DTKS DESA KAPONG"], False),  # title
        (["DESA", "KECAMATAN", "KABUPATEN"], False),  # no NIK and no NAMA
        (["NIK"], False),  # a lone NIK cell is not enough
        (["Nama Desa: Kapong", "", "Kecamatan: Batumarmar"], False),
    ],
)
def test_header_row_needs_nik_or_nama_and_another_column(cells: list[str], is_header: bool) -> None:
    assert is_header_row(cells) is is_header


def test_title_rows_above_the_header_are_skipped() -> None:
    records = [
        ["DAFTAR DATA TERPADU KESEJAHTERAAN SOSIAL"],
        ["DESA: KAPONG", "", "KECAMATAN: BATUMARMAR"],
        [],
        ["NO", "NIK", "NAMA", "ALAMAT"],
        ["1", "3528114506890001", "SITI", "DSN LAOK"],
    ]
    assert find_header_row(records) == 3


def test_header_beyond_the_first_30_non_empty_rows_is_not_found() -> None:
    records = [[f"keterangan {i}"] for i in range(30)] + [["NIK", "NAMA"]]
    assert find_header_row(records) is None
    assert find_header_row([[""]] * 50 + [["NIK", "NAMA"]]) == 50  # empty rows do not count


def test_merged_title_cells_do_not_confuse_header_detection(tmp_path: Path) -> None:
    path = tmp_path / "kapong" / "gabung.xlsx"
    path.parent.mkdir()
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.merge_range("A1:F2", "DATA DTKS NAMA DAN NIK WARGA DESA KAPONG")
        ws.merge_range("A3:C3", "NAMA")  # a merged cell that says NAMA is still one cell
        ws.write_row(4, 0, ["NO", "NIK", "NAMA", "NOMOR KK", "ALAMAT", "RT"])
        ws.write_row(5, 0, [1, "3528114506890001", "SITI", "3528110101100003", "DSN LAOK", "001"])
    read = read_export(path, tmp_path)
    assert read.sheets[0].header_row == 5
    assert read.rows.select("source_row", "nama", "rt").rows() == [(6, "SITI", "001")]


def test_duplicate_headers_keep_the_first_and_the_rest_go_to_extras(tmp_path: Path) -> None:
    rows = [
        ["NIK", "NAMA", "NIK", "NAMA LENGKAP", "NIK"],
        ["3528114506890001", "SITI", "3528114506890009", "SITI AMINAH", "x"],
    ]
    read = read_export(_write_csv(tmp_path / "kapong" / "ganda.csv", rows), tmp_path)
    sheet = read.sheets[0]
    assert sheet.column_mapping == {"NIK": "nik", "NAMA": "nama"}
    assert sheet.duplicate_headers == ["NIK (2)", "NAMA LENGKAP (2)", "NIK (3)"]
    row = read.rows.row(0, named=True)
    assert row["nik"] == "3528114506890001"
    assert row["nama"] == "SITI"
    assert json.loads(row["extras"]) == {
        "NIK (2)": "3528114506890009",
        "NAMA LENGKAP (2)": "SITI AMINAH",
        "NIK (3)": "x",
    }
    assert any("berulang" in w for w in read.warnings)


def test_unknown_columns_are_kept_as_extras(tmp_path: Path) -> None:
    rows = [
        ["NO", "NIK", "NAMA", "Nomor HP", 'Catatan "Desa"', ""],
        ["1", "3528114506890001", "SITI", "0812", 'kata "kutip"', "tanpa judul"],
        ["2", "3528110101900002", "ALI", "", "", ""],
    ]
    read = read_export(_write_csv(tmp_path / "kapong" / "ekstra.csv", rows), tmp_path)
    assert read.sheets[0].unknown_headers == ["NO", "Nomor HP", 'Catatan "Desa"', "(kolom 6)"]
    extras = [json.loads(e) if e else None for e in read.rows.get_column("extras").to_list()]
    assert extras == [
        {
            "NO": "1",
            "Nomor HP": "0812",
            'Catatan "Desa"': 'kata "kutip"',
            "(kolom 6)": "tanpa judul",
        },
        {"NO": "2"},
    ]


def test_cells_beyond_the_header_width_are_kept_as_extras(tmp_path: Path) -> None:
    path = tmp_path / "kapong" / "lebar.xlsx"
    path.parent.mkdir()
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA"])
        ws.write_row(1, 0, ["3528114506890001", "SITI", None, "lihat KK"])
    read = read_export(path, tmp_path)
    assert json.loads(read.rows.item(0, "extras")) == {"(kolom D)": "lihat KK"}
