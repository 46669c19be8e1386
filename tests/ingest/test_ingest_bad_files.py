"""A file that cannot be read is refused with a code and a message; it never raises."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from dtks.ingest import RAW_ROWS_SCHEMA, ErrorCode, ReadLimits, read_export

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "kapong" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _good_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer) as wb:
        ws = wb.add_worksheet()
        ws.write_row(0, 0, ["NIK", "NAMA"])
        for i in range(200):
            ws.write_row(1 + i, 0, [f"35281145068{i:05d}", f"ORANG {i}"])
    return buffer.getvalue()


def _cfb_file(stream_name: str) -> bytes:
    """Enough of an OLE2 compound file to be recognised: magic bytes and a directory entry name."""
    return CFB_MAGIC + b"\x00" * 504 + stream_name.encode("utf-16-le") + b"\x00" * 1000


def _zip_bomb_xlsx(uncompressed_mb: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"<c/>" * 262_144  # 1 MB of the same bytes compresses about 1000:1
            for _ in range(uncompressed_mb):
                sheet.write(chunk)
    return buffer.getvalue()


BAD_FILES = [
    ("empty file", "kosong.csv", b"", ErrorCode.FILE_EMPTY),
    ("whitespace only", "spasi.csv", b"  \r\n\r\n ", ErrorCode.FILE_EMPTY),
    ("empty xlsx name", "kosong.xlsx", b"", ErrorCode.FILE_EMPTY),
    ("header only", "judul.csv", b"NIK;NAMA;ALAMAT\r\n;;\r\n", ErrorCode.NO_ROWS),
    (
        "garbage named .xlsx",
        "sampah.xlsx",
        b"\x13\x37 this is not excel \xff" * 50,
        ErrorCode.NOT_A_SPREADSHEET,
    ),
    ("truncated xlsx", "potong.xlsx", _good_xlsx_bytes()[:3000], ErrorCode.CORRUPT_XLSX),
    (
        "password-protected xlsx",
        "sandi.xlsx",
        _cfb_file("EncryptionInfo"),
        ErrorCode.ENCRYPTED_XLSX,
    ),
    ("bare OLE2 file", "ole.xlsx", CFB_MAGIC + b"\x00" * 2000, ErrorCode.ENCRYPTED_XLSX),
    ("old xls renamed", "lama.xlsx", _cfb_file("Workbook"), ErrorCode.LEGACY_XLS),
    (
        "no NIK and no NAMA",
        "rekap.csv",
        b"DUSUN,JUMLAH KK,JUMLAH JIWA\nLAOK,10,40\n",
        ErrorCode.NO_HEADER,
    ),
    ("zip that is not a workbook", "dokumen.xlsx", b"", ErrorCode.NOT_A_SPREADSHEET),
    ("binary named .csv", "biner.csv", b"NIK,NAMA\x00\x01\x02" * 40, ErrorCode.UNREADABLE_ENCODING),
]


@pytest.mark.parametrize(
    ("description", "name", "data", "code"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_file_is_refused_with_a_code_and_an_actionable_message(
    tmp_path: Path, description: str, name: str, data: bytes, code: ErrorCode
) -> None:
    if name == "dokumen.xlsx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("word/document.xml", "<w/>")
        data = buffer.getvalue()
    read = read_export(_write(tmp_path, name, data), tmp_path)
    assert read.status == "error"
    assert read.error_code == code.value
    assert f"kapong/{name}" in (read.error_message or "")
    assert read.rows.height == 0
    assert dict(read.rows.schema) == RAW_ROWS_SCHEMA
    assert read.rows_read == 0


def test_a_sheet_without_nik_or_nama_is_named_in_the_no_header_message(tmp_path: Path) -> None:
    path = tmp_path / "kapong" / "rekap.xlsx"
    path.parent.mkdir()
    with xlsxwriter.Workbook(path) as wb:
        wb.add_worksheet("REKAP").write_row(0, 0, ["DUSUN", "JUMLAH KK"])
    read = read_export(path, tmp_path)
    assert read.error_code == "no_header"
    assert "'REKAP'" in (read.error_message or "")


def test_zip_bomb_is_refused_without_unpacking(tmp_path: Path) -> None:
    path = _write(tmp_path, "bom.xlsx", _zip_bomb_xlsx(uncompressed_mb=40))
    assert path.stat().st_size < 1_000_000
    read = read_export(path, tmp_path, limits=ReadLimits(max_uncompressed_bytes=20_000_000))
    assert read.error_code == ErrorCode.ZIP_BOMB.value
    assert read.file_hash is not None


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "besar.csv", b"NIK,NAMA\n" + b"3528114506890001,SITI\n" * 1000)
    read = read_export(path, tmp_path, limits=ReadLimits(max_file_bytes=10_000))
    assert read.error_code == ErrorCode.TOO_LARGE.value


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    read = read_export(tmp_path / "kapong" / "hilang.xlsx", tmp_path)
    assert read.error_code == ErrorCode.FILE_UNREADABLE.value
    assert "kapong/hilang.xlsx" in (read.error_message or "")


def test_an_xlsx_named_csv_is_read_as_xlsx_with_a_warning(tmp_path: Path) -> None:
    read = read_export(_write(tmp_path, "salah_nama.csv", _good_xlsx_bytes()), tmp_path)
    assert read.status == "ok"
    assert read.file_format == "xlsx"
    assert read.rows_read == 200
    assert any("salah_nama.csv" in w for w in read.warnings)


def test_one_bad_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = _write(tmp_path, "baik.xlsx", _good_xlsx_bytes())
    bad = _write(tmp_path, "rusak.xlsx", _good_xlsx_bytes()[:-200])
    reads = [read_export(p, tmp_path) for p in (bad, good)]
    assert [r.status for r in reads] == ["error", "ok"]
    assert reads[1].rows_read == 200
