"""CSV exports: encodings, delimiters, title lines, quoted line breaks and exact line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtks.ingest import read_export

LINES = [
    "DATA DTKS DESA KAPONG",
    "",
    "NIK{d}NAMA{d}TEMPAT LAHIR{d}ALAMAT",
    "3528114506890001{d}SITI AMINAH{d}PAMEKASAN{d}DSN. LAOK",
    "3528110101900002{d}MA'RUF{d}SUMENEP{d}DSN. DAJA",
]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "kapong" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"]
)
def test_each_delimiter_is_detected_below_title_lines(tmp_path: Path, delimiter: str) -> None:
    text = "\r\n".join(line.format(d=delimiter) for line in LINES) + "\r\n"
    read = read_export(_write(tmp_path, "pisah.csv", text.encode()), tmp_path)
    assert read.status == "ok", read.error_message
    assert read.delimiter == delimiter
    assert read.sheets[0].header_row == 3
    assert read.rows.select("source_row", "nama", "alamat").rows() == [
        (4, "SITI AMINAH", "DSN. LAOK"),
        (5, "MA'RUF", "DSN. DAJA"),
    ]


def test_commas_inside_names_do_not_fool_the_semicolon_sniffer(tmp_path: Path) -> None:
    text = "NIK;NAMA;ALAMAT\n3528114506890001;H. ABDULLAH, S.PD;JL. RAYA, NO 1\n"
    read = read_export(_write(tmp_path, "koma.csv", text.encode()), tmp_path)
    assert read.delimiter == ";"
    assert read.rows.item(0, "nama") == "H. ABDULLAH, S.PD"


NAMES = "NIK,NAMA,TEMPAT LAHIR\n3528114506890001,SITI NURJANNAH,PAMEKASAN\n3528110101900002,JOSÉ Ñ’ŠĆ,SUMENEP\n"


def test_utf8_is_read(tmp_path: Path) -> None:
    read = read_export(_write(tmp_path, "utf8.csv", NAMES.encode("utf-8")), tmp_path)
    assert read.encoding == "utf-8"
    assert read.rows.item(1, "nama") == "JOSÉ Ñ’ŠĆ"


def test_utf8_with_bom_is_read_without_the_bom_in_the_first_header(tmp_path: Path) -> None:
    read = read_export(_write(tmp_path, "bom.csv", NAMES.encode("utf-8-sig")), tmp_path)
    assert read.encoding == "utf-8-sig"
    assert read.sheets[0].column_mapping["NIK"] == "nik"
    assert read.rows.item(1, "nama") == "JOSÉ Ñ’ŠĆ"


def test_windows_1252_is_read(tmp_path: Path) -> None:
    text = NAMES.replace("Ć", "C")  # Ć does not exist in Windows-1252
    read = read_export(_write(tmp_path, "ansi.csv", text.encode("cp1252")), tmp_path)
    assert read.encoding == "windows-1252"
    assert read.rows.item(1, "nama") == "JOSÉ Ñ’ŠC"
    assert read.warnings == []


def test_a_file_mixing_utf8_and_windows_1252_is_decoded_per_line_and_reported(
    tmp_path: Path,
) -> None:
    data = (
        b"NIK,NAMA\n"
        + "3528114506890001,JOSÉ\n".encode()
        + "3528110101900002,RENÉ\n".encode("cp1252")
    )
    read = read_export(_write(tmp_path, "campur.csv", data), tmp_path)
    assert read.encoding == "utf-8+windows-1252"
    assert read.rows.get_column("nama").to_list() == ["JOSÉ", "RENÉ"]
    assert any("baris 3" in w and "campur.csv" in w for w in read.warnings)


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    read = read_export(
        _write(tmp_path, "unicode.csv", NAMES.replace(",", "\t").encode("utf-16")), tmp_path
    )
    assert read.encoding == "utf-16"
    assert read.rows.item(0, "nama") == "SITI NURJANNAH"


def test_embedded_newline_keeps_the_line_where_the_record_starts(tmp_path: Path) -> None:
    text = (
        "NIK,NAMA,ALAMAT\r\n"
        '3528114506890001,SITI,"DSN. LAOK\r\nRT 001"\r\n'  # lines 2-3
        '3528110101900002,"ALI ""KECIL""",DSN. DAJA\r\n'  # line 4
        "\r\n"  # line 5: empty, skipped
        '3528110101900003,BUDI,"A\nB\nC"\r\n'  # lines 6-8
        "3528110101900004,NUR,X\r\n"  # line 9
    )
    read = read_export(_write(tmp_path, "baris_baru.csv", text.encode()), tmp_path)
    assert read.rows.select("source_row", "nama", "alamat").rows() == [
        (2, "SITI", "DSN. LAOK\r\nRT 001"),
        (4, 'ALI "KECIL"', "DSN. DAJA"),
        (6, "BUDI", "A\nB\nC"),
        (9, "NUR", "X"),
    ]
    assert read.rows_read == 4


def test_values_are_never_read_through_a_number(tmp_path: Path) -> None:
    text = "NIK;NAMA;RT;NOMOR KK\n'3528114506890001;SITI;001;3.52811E+15\n0035281145068900;ALI;01;3528110101100003.0\n"
    read = read_export(_write(tmp_path, "teks.csv", text.encode()), tmp_path)
    assert read.rows.select("nik", "rt", "no_kk").rows() == [
        ("'3528114506890001", "001", "3.52811E+15"),
        ("0035281145068900", "01", "3528110101100003.0"),
    ]
    assert read.rows.get_column("nik_was_numeric").to_list() == [False, False]


def test_rows_wider_or_shorter_than_the_header_are_read(tmp_path: Path) -> None:
    lines = ["NIK,NAMA,ALAMAT"] + [f"35281145068900{i:02d},ORANG {i},DSN" for i in range(80)]
    lines += ["3528110101900099,LEBAR,DSN,tambahan", "3528110101900098,PENDEK"]
    read = read_export(_write(tmp_path, "ragged.csv", ("\n".join(lines) + "\n").encode()), tmp_path)
    assert read.rows_read == 82
    last = read.rows.tail(2).select("source_row", "nama", "alamat", "extras").rows()
    assert last == [(82, "LEBAR", "DSN", '{"(kolom 4)":"tambahan"}'), (83, "PENDEK", None, None)]


def test_old_mac_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    text = "NIK,NAMA\r3528114506890001,SITI\r\r3528110101900002,ALI\r"
    read = read_export(_write(tmp_path, "mac.csv", text.encode()), tmp_path)
    assert read.rows.select("source_row", "nama").rows() == [(2, "SITI"), (4, "ALI")]


def test_a_header_cell_with_a_line_break_keeps_the_row_numbers_below_it(tmp_path: Path) -> None:
    text = 'DATA DTKS\nNIK,"NAMA\nLENGKAP","TGL\nLAHIR"\n3528114506890001,SITI,05-06-1989\n'
    read = read_export(_write(tmp_path, "judul_dua_baris.csv", text.encode()), tmp_path)
    assert read.sheets[0].header_row == 2
    assert read.sheets[0].column_mapping == {
        "NIK": "nik",
        "NAMA\nLENGKAP": "nama",
        "TGL\nLAHIR": "tanggal_lahir",
    }
    assert read.rows.select("source_row", "nama").rows() == [(5, "SITI")]
