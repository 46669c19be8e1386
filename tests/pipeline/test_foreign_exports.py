"""Exports this project did not generate: hand-built files laid out the way operators send them.

Each file is written here with openpyxl or plain text (not with dtks.synth), and the test
knows exactly which rows are people and which are not, so it checks that every data row
lands in person_sources or rejected_rows with the right file, sheet and row number.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from dagster_runs import published, run_reconciliation

PEOPLE = [
    # NIK, KK, name, birth date text, sex, mother, relationship
    ("3528114506890001", "3528110101100001", "Siti Aminah", "05-06-1989", "P", "Hosniyah", "ISTRI"),
    (
        "3528111203850002",
        "3528110101100001",
        "Moh. Hosnan",
        "12/03/1985",
        "L",
        "Sitti Maryam",
        "KEPALA KELUARGA",
    ),
    (
        "3528115708100003",
        "3528110101100001",
        "Nur Hasanah",
        "17 Agustus 2010",
        "P",
        "Siti Aminah",
        "ANAK",
    ),
    (
        "3528110101600004",
        "3528110202200002",
        "Sumarto",
        "01-01-1960",
        "L",
        "Saleha",
        "KEPALA KELUARGA",
    ),
]


def _xlsx_with_title_rows_and_numeric_niks(path: Path) -> dict[int, str]:
    """A SIKS-NG-like workbook: two title rows, a merged title, header on row 4, a totals
    row and a signature block below, NIKs as numbers in some cells. Returns row -> outcome."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data DTKS"
    sheet["A1"] = "DATA TERPADU KESEJAHTERAAN SOSIAL DESA KAPONG"
    sheet.merge_cells("A1:H1")
    sheet["A2"] = "Kecamatan Batumarmar, Kabupaten Pamekasan"
    header = [
        "No.",
        "ID DTKS",
        "No. NIK",
        "NOKK",
        "Nama Lengkap",
        "Tgl. Lahir",
        "L/P",
        "Nama Ibu Kandung",
        "SHDK",
        "Desa/Kel",
    ]
    sheet.append([])
    sheet.append(header)  # row 4
    outcomes: dict[int, str] = {}
    for i, (nik, kk, name, born, sex, mother, rel) in enumerate(PEOPLE, start=1):
        nik_cell: str | int = int(nik) if i % 2 else nik  # odd rows: numeric cells
        sheet.append([i, f"DT{i:05d}", nik_cell, kk, name, born, sex, mother, rel, "KAPONG"])
        outcomes[sheet.max_row] = "accepted"
    sheet.append([None] * 10)  # an empty row: not read
    sheet.append(["JUMLAH", None, None, None, len(PEOPLE)])
    outcomes[sheet.max_row] = "rejected"
    sheet.append([])
    sheet.append([None, None, None, None, "Mengetahui,"])
    outcomes[sheet.max_row] = "rejected"
    sheet.append([None, None, None, None, "Kepala Desa Kapong"])
    outcomes[sheet.max_row] = "rejected"
    rekap = book.create_sheet("REKAP")
    rekap.append(["Jumlah KK", 2])
    book.save(path)
    return outcomes


def _semicolon_cp1252_csv(path: Path) -> dict[int, str]:
    """A CSV saved by Excel on an Indonesian Windows: semicolons, Windows-1252, sci-notation."""
    lines = [
        "DAFTAR PENERIMA BANSOS DESA KAPONG",
        "",
        "NIK;NO KK;NAMA;TGL LAHIR;JK;NAMA IBU;HUB. KELUARGA;KETERANGAN",
        "'3528116612900005;3528110303150003;Ma’ruf Café;26-12-1990;P;Sa'diyah;ISTRI;",
        "3.52811E+15;3528110303150003;Abd. Rahman;1990-01-15;1;Holifah;1;meninggal",
        "3528110505050006;3528110303150003;Ach. Fauzi;5 Mei 2005;LAKI-LAKI;Ma’ruf Café;ANAK;",
        "TOTAL;;;3;;;;",
    ]
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return {4: "accepted", 5: "accepted", 6: "accepted", 7: "rejected"}


def test_every_row_of_hand_made_exports_is_accounted_for_at_its_row(dtks_dirs) -> None:
    kapong = dtks_dirs["raw"] / "kapong"
    expected = {
        (
            "kapong/Data DTKS Kapong (final).xlsx",
            "Data DTKS",
        ): _xlsx_with_title_rows_and_numeric_niks(kapong / "Data DTKS Kapong (final).xlsx"),
        ("kapong/penerima_bansos.csv", ""): _semicolon_cp1252_csv(kapong / "penerima_bansos.csv"),
    }
    assert run_reconciliation(dtks_dirs).success
    for (source_file, sheet), rows in expected.items():
        found = dict(
            published(
                dtks_dirs,
                "SELECT source_row, 'accepted' FROM person_sources WHERE source_file = ? "
                "AND source_sheet = ? UNION ALL SELECT source_row, 'rejected' FROM rejected_rows "
                "WHERE source_file = ? AND source_sheet = ?",
                [source_file, sheet, source_file, sheet],
            )
        )
        assert found == rows, source_file


def test_hand_made_values_are_read_as_the_operator_meant(dtks_dirs) -> None:
    kapong = dtks_dirs["raw"] / "kapong"
    _xlsx_with_title_rows_and_numeric_niks(kapong / "export.xlsx")
    _semicolon_cp1252_csv(kapong / "export.csv")
    assert run_reconciliation(dtks_dirs).success
    rows = published(
        dtks_dirs,
        "SELECT source_row, nik, nik_possibly_truncated, nama, tanggal_lahir::VARCHAR, "
        "jenis_kelamin, hubungan_keluarga, keterangan_kode, nama_ibu_kandung "
        "FROM person_sources WHERE source_file = ? ORDER BY source_row",
        ["kapong/export.csv"],
    )
    assert rows == [
        (4, "3528116612900005", False, "MA'RUF CAFE", "1990-12-26", "P", "ISTRI", None, "SA'DIYAH"),
        # 3.52811E+15 cannot be trusted: no NIK, flagged; sex and relationship given as codes
        (
            5,
            None,
            True,
            "ABD. RAHMAN",
            "1990-01-15",
            "L",
            "KEPALA KELUARGA",
            "MENINGGAL",
            "HOLIFAH",
        ),
        (
            6,
            "3528110505050006",
            False,
            "ACH. FAUZI",
            "2005-05-05",
            "L",
            "ANAK",
            None,
            "MA'RUF CAFE",
        ),
    ]
    workbook = published(
        dtks_dirs,
        "SELECT source_row, nik, nama, tanggal_lahir::VARCHAR FROM person_sources "
        "WHERE source_file = ? ORDER BY source_row",
        ["kapong/export.xlsx"],
    )
    assert workbook == [
        (5, "3528114506890001", "SITI AMINAH", "1989-06-05"),
        (6, "3528111203850002", "MOH. HOSNAN", "1985-03-12"),
        (7, "3528115708100003", "NUR HASANAH", "2010-08-17"),
        (8, "3528110101600004", "SUMARTO", "1960-01-01"),
    ]
