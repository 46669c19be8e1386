"""The village population register is recognised by its header, read apart from the exports,
and every row it has is counted; its status words are understood."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from dtks.ingest import read_export
from dtks.ingest.file_kinds import classify_header, register_status

OPENSID_EXPORT = [
    "Alamat", "Dusun", "RW", "RT", "Nama", "Nomor KK", "Nomor NIK", "Jenis Kelamin",
    "Tempat Lahir", "Tanggal Lahir", "Agama", "Pendidikan (dlm KK)", "Pekerjaan", "Kawin",
    "Hub. Keluarga", "Kewarganegaraan", "Nama Ayah", "Nama Ibu", "Gol. Darah", "Status Dasar",
]  # fmt: skip
OPENSID_PRINT = [
    "No", "No. KK", "Nama", "NIK", "Alamat", "Dusun", "RW", "RT", "Jenis Kelamin",
    "Tempat Lahir", "Tanggal Lahir", "Umur", "Agama", "Pendidikan (dlm KK)", "Pekerjaan",
    "Kawin", "Hub. Keluarga", "Nama Ayah", "Nama Ibu", "Status",
]  # fmt: skip

HEADER_CASES = [
    ("OpenSID Ekspor Penduduk", OPENSID_EXPORT, "population_register"),
    ("OpenSID printed list (Cetak)", OPENSID_PRINT, "population_register"),
    ("lower case, underscores", ["nik", "nama", "tgl_lahir", "agama", "nama_ayah"], "population_register"),
    ("one register column is not enough", ["NIK", "NAMA", "TGL LAHIR", "AGAMA"], "registry_export"),
    ("a DTKS export with AGAMA and NAMA AYAH", ["IDDTKS", "NIK", "NAMA", "AGAMA", "NAMA AYAH"], "registry_export"),
    ("program flags make it a DTKS export", ["NIK", "NAMA", "PKH", "AGAMA", "GOL. DARAH"], "registry_export"),
    ("a desil list stays a desil list", ["NO KK", "NIK KEPALA KELUARGA", "DESIL"], "desil_list"),
    ("register words without NIK or NAMA", ["AGAMA", "NAMA AYAH", "UMUR"], "unknown"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("description", "header", "kind"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES]
)
def test_header_says_what_the_file_is(description: str, header: list[str], kind: str) -> None:
    assert classify_header(header).kind == kind, description


STATUS_CASES = [
    ("HIDUP", "HIDUP"),
    ("Mati", "MENINGGAL"),
    ("Meninggal Dunia", "MENINGGAL"),
    ("2", "MENINGGAL"),
    ("PINDAH KELUAR", "PINDAH"),
    ("Pergi", "PINDAH"),
    ("hilang", "HILANG"),
    ("Tetap", "HIDUP"),
    ("entah", None),
    (None, None),
]


@pytest.mark.parametrize(("written", "status"), STATUS_CASES)
def test_status_words(written: str | None, status: str | None) -> None:
    assert register_status(written) == status


def write_register(path: Path, rows: list[list[str]], title: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    sheet = book.add_worksheet("Penduduk")
    start = 0
    if title:
        sheet.write_string(0, 0, "DATA PENDUDUK DESA KAPONG")
        start = 2
    sheet.write_row(start, 0, OPENSID_EXPORT)
    for i, row in enumerate(rows, start=start + 1):
        for j, cell in enumerate(row):
            if cell:
                sheet.write_string(i, j, cell)
    notes = book.add_worksheet("PETUNJUK")
    notes.write_string(0, 0, "Data ini diekspor dari OpenSID")
    book.close()


def resident(nik: str, nama: str, status: str = "HIDUP") -> list[str]:
    row = [""] * len(OPENSID_EXPORT)
    values = {
        "Nama": nama,
        "Nomor KK": "3528110101100001",
        "Nomor NIK": nik,
        "Tanggal Lahir": "1989-06-05",
        "Agama": "ISLAM",
        "Nama Ayah": "-",
        "Nama Ibu": "AMINAH",
        "Status Dasar": status,
    }
    for header, value in values.items():
        row[OPENSID_EXPORT.index(header)] = value
    return row


def test_register_rows_are_read_apart_and_every_row_is_counted(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    rows = [
        resident("3528114506890001", "SITI AMINAH"),
        resident("3528110506890002", "MOH. HOLIS", "MATI"),
        [""] * len(OPENSID_EXPORT),  # an empty row is not read
        resident("", "ABD. RAHMAN", "Pindah"),
        ["", "", "", "", "JUMLAH", "", "3"] + [""] * (len(OPENSID_EXPORT) - 7),
    ]
    write_register(raw / "kapong" / "penduduk_01_11_2026.xlsx", rows)
    read = read_export(raw / "kapong" / "penduduk_01_11_2026.xlsx", raw)
    assert read.status == "ok"
    assert read.file_kind == "population_register"
    assert read.rows.height == 0 and read.rows_read == 0  # never person rows
    assert read.register_rows_read == read.register_rows.height == 4
    data = read.register_rows.filter(read.register_rows["row_kind"] == "data")
    assert data["status_dasar_text"].to_list() == ["HIDUP", "MATI", "Pindah"]
    assert data["source_row"].to_list() == [4, 5, 7]  # Excel rows, title and header above
    assert read.register_rows["row_kind"].to_list()[-1] == "totals"
    assert [s.name for s in read.skipped_sheets] == ["PETUNJUK"]
