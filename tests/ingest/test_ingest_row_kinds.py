"""Person rows are told apart from totals, signature blocks, notes and repeated headers."""

from __future__ import annotations

import csv
from pathlib import Path

import xlsxwriter

from dtks.ingest import read_export

HEADER = ["NO", "NIK", "NOMOR KK", "NAMA", "JK", "KETERANGAN"]
P1 = ["1", "3528114506890001", "3528110101100003", "SITI AMINAH", "P", ""]
P2 = ["2", "3528110101900002", "3528110101100003", "MOH. ALI", "L", ""]


def _kinds(tmp_path: Path, rows: list[list[str]]) -> list[tuple[int, str]]:
    path = tmp_path / "kapong" / "baris.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    read = read_export(path, tmp_path)
    assert read.status == "ok", read.error_message
    assert read.rows_read == read.rows.height
    return read.rows.select("source_row", "row_kind").rows()


def test_totals_row_is_not_a_person(tmp_path: Path) -> None:
    rows = [
        HEADER,
        P1,
        P2,
        ["JUMLAH", "", "", "", "2", ""],
        ["", "", "", "Sub Total:", "2", ""],
        ["GRAND TOTAL", "", "", "", "2"],
    ]
    assert _kinds(tmp_path, rows) == [
        (2, "data"),
        (3, "data"),
        (4, "totals"),
        (5, "totals"),
        (6, "totals"),
    ]


def test_signature_block_is_not_a_person(tmp_path: Path) -> None:
    rows = [
        HEADER,
        P1,
        ["", "", "", "Mengetahui,", "", "Pamekasan, 12 Oktober 2026"],
        ["", "", "", "Kepala Desa Kapong", "", "Operator Desa"],
        [],
        ["", "", "", "MOH. SUBAIRI", "", "ACH. FAUZI"],  # the signers' names, under the titles
        ["", "", "", "NIP. 19700101 199003 1 005"],
    ]
    assert _kinds(tmp_path, rows) == [
        (2, "data"),
        (3, "signature"),
        (4, "signature"),
        (6, "signature"),
        (7, "signature"),
    ]


def test_note_rows_are_not_persons(tmp_path: Path) -> None:
    rows = [
        HEADER,
        P1,
        ["Catatan: data per 12 Oktober 2026"],
        ["Keterangan: L = laki-laki, P = perempuan"],
        ["NB: NIK ganda diberi tanda"],
        ["Sumber: SIKS-NG"],
    ]
    assert _kinds(tmp_path, rows) == [
        (2, "data"),
        (3, "note"),
        (4, "note"),
        (5, "note"),
        (6, "note"),
    ]


def test_repeated_header_after_a_page_break_is_not_a_person(tmp_path: Path) -> None:
    rows = [HEADER, P1, ["No.", "NIK", "No KK", "Nama", "JK", "Keterangan"], P2]
    assert _kinds(tmp_path, rows) == [(2, "data"), (3, "repeated_header"), (4, "data")]


def test_the_column_numbering_row_under_the_header_is_not_a_person(tmp_path: Path) -> None:
    rows = [HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], P1, ["1", "2", "3", "4", "5", "6"]]
    assert _kinds(tmp_path, rows) == [(2, "repeated_header"), (3, "data"), (4, "repeated_header")]


def test_a_row_with_a_name_and_a_nik_is_always_a_person(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["JUMLAH", "3528114506890001", "", "SITI", "P", ""],  # totals word in the NO column
        ["", "3528110101900002", "", "Mengetahui", "", ""],  # a signature word as a name
        ["Catatan", "3528110101900003", "", "ALI", "", ""],
        ["", "35281101019", "", "OPERATOR", "", ""],  # short NIK: still a name with a NIK
        ["", "3528110101900004", "", "", "", "Keterangan: pindah"],  # NIK without name: id-like
    ]
    assert [k for _, k in _kinds(tmp_path, rows)] == ["data"] * 5


def test_persons_without_nik_stay_persons(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["1", "", "", "SUMBERAH", "P", ""],
        ["2", "", "", "TOTALIA", "P", ""],
        ["3", "", "", "BUJANG", "", ""],  # name only, right above the signature block
        ["", "", "", "Mengetahui,", "", ""],
        ["", "", "", "Kepala Desa", "", ""],
    ]
    assert [k for _, k in _kinds(tmp_path, rows)] == [
        "data",
        "data",
        "data",
        "signature",
        "signature",
    ]


def test_empty_rows_are_skipped_and_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "kapong" / "kosong.xlsx"
    path.parent.mkdir()
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA", "ALAMAT"])
        ws.write_row(1, 0, ["3528114506890001", "SITI", "DSN LAOK"])
        ws.write_row(2, 0, ["", "   ", ""])  # spaces only: empty
        ws.write_blank(3, 1, None, wb.add_format({"bold": True}))  # formatted but empty
        ws.write_row(5, 0, ["3528110101900002", "ALI"])
    read = read_export(path, tmp_path)
    assert read.rows_read == 2
    assert read.rows.get_column("source_row").to_list() == [2, 6]
    assert read.sheets[0].row_kind_counts == {
        "data": 2,
        "totals": 0,
        "signature": 0,
        "note": 0,
        "repeated_header": 0,
    }


def test_rows_read_counts_every_non_empty_row_whatever_its_kind(tmp_path: Path) -> None:
    rows = [
        ["DATA DTKS"],
        [],
        HEADER,
        P1,
        [],
        P2,
        ["JUMLAH", "", "", "", "2"],
        ["Catatan: -"],
        ["Mengetahui,"],
    ]
    path = tmp_path / "kapong" / "hitung.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    read = read_export(path, tmp_path)
    assert read.rows_read == 5 == read.rows.height
    assert read.rows.select("source_row", "row_kind").rows() == [
        (4, "data"),
        (6, "data"),
        (7, "totals"),
        (8, "note"),
        (9, "signature"),
    ]
