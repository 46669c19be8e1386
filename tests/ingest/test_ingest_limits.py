"""Read limits: long lines, wide tables and long cells are caught where they are, whatever the block."""

from __future__ import annotations

from pathlib import Path

import pytest

from dtks.ingest import ErrorCode, ReadLimits, WarningCode, read_export
from dtks.ingest.errors import angka, display_text
from dtks.ingest.file_checks import READ_CHUNK_BYTES

ROW = b"3528114506890001,SITI AMINAH,05-06-1989\n"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "kapong" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("description", "long_line_at"),
    [
        ("long line in the first block", 5),
        ("long line straddling two read blocks", READ_CHUNK_BYTES // len(ROW) + 1),
        ("long line after many blocks", 3 * READ_CHUNK_BYTES // len(ROW) + 7),
    ],
)
def test_a_line_over_the_limit_is_named_by_its_number(
    tmp_path: Path, description: str, long_line_at: int
) -> None:
    lines = [b"NIK,NAMA,TANGGAL LAHIR\n"] + [ROW] * (long_line_at - 2)
    lines += [b"3528114506890001," + b"A" * 5000 + b",x\n", ROW]
    path = _write(tmp_path, "panjang.csv", b"".join(lines))
    read = read_export(path, tmp_path, ReadLimits(max_line_bytes=4096))
    assert read.error_code == ErrorCode.LINE_TOO_LONG.value, description
    assert f"baris {long_line_at} " in (read.error_message or ""), read.error_message


def test_lines_just_under_the_limit_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "pas.csv", b"NIK,NAMA\n" + b"3528114506890001,SITI\n" * 50_000)
    read = read_export(path, tmp_path, ReadLimits(max_line_bytes=len(b"3528114506890001,SITI")))
    assert (read.status, read.rows_read) == ("ok", 50_000)


def test_column_limit_counts_only_columns_with_a_header_or_data(tmp_path: Path) -> None:
    text = b"NIK,NAMA,X,,,,,,\n3528114506890001,SITI,1,,,,,,\n"
    read = read_export(_write(tmp_path, "kanan.csv", text), tmp_path, ReadLimits(max_columns=3))
    assert read.status == "ok", read.error_message
    text = b"NIK,NAMA,X,,,,,,\n3528114506890001,SITI,1,,,,,,9\n"
    read = read_export(_write(tmp_path, "lebar.csv", text), tmp_path, ReadLimits(max_columns=3))
    assert read.error_code == ErrorCode.TOO_MANY_COLUMNS.value
    assert "9 kolom" in (read.error_message or "")


def test_a_long_cell_is_cut_and_its_place_named(tmp_path: Path) -> None:
    text = b"NIK,NAMA,ALAMAT\n3528114506890001,SITI," + b"B" * 50 + b"\n"
    read = read_export(_write(tmp_path, "sel.csv", text), tmp_path, ReadLimits(max_cell_chars=20))
    assert read.rows["alamat"].to_list() == ["B" * 20]
    assert read.warning_codes == [WarningCode.CELL_TRUNCATED.value]
    assert "baris 2 kolom ALAMAT (3)" in read.warnings[0]


def test_xml_spreadsheet_2003_saved_as_xls_is_named(tmp_path: Path) -> None:
    text = (
        b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        b"</Workbook>"
    )
    read = read_export(_write(tmp_path, "lama.xls", text), tmp_path)
    assert read.error_code == ErrorCode.UNSUPPORTED_FORMAT.value
    assert "XML Spreadsheet 2003" in (read.error_message or "")


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [(10_000, 0, "10.000"), (1_234_567.891, 1, "1.234.567,9"), (0.5, 1, "0,5")],
)
def test_numbers_in_messages_are_written_the_indonesian_way(value, decimals, written) -> None:
    assert angka(value, decimals) == written


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("baris\nbaru.csv", "baris\\u000abaru.csv"),
        ("data\u202excsl.csv", "data\\u202excsl.csv"),
        ("biasa (1).xlsx", "biasa (1).xlsx"),
        ("سيتي.csv", "سيتي.csv"),
    ],
)
def test_file_names_in_messages_cannot_break_a_line_or_reorder_text(name, shown) -> None:
    assert display_text(name) == shown
