"""Checks on a file's bytes before any parser sees them: format sniffing, size and zip-bomb limits."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

from dtks.ingest.errors import ErrorCode, ExportReadError

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file: old .xls or an encrypted .xlsx

FileFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class ReadLimits:
    """Sizes above which a file is refused instead of read.

    `max_uncompressed_bytes` is the sum of the uncompressed sizes declared in an XLSX zip; it is
    checked from the zip directory alone, before anything is unpacked. A file over that limit
    whose compression ratio is above `max_compression_ratio` is reported as a zip bomb.
    A 1,000,000-row, 17-column DTKS sheet unpacks to about 0.6 GB, so the defaults leave room.
    """

    max_file_bytes: int = 1 << 30
    max_uncompressed_bytes: int = 3 << 30
    max_compression_ratio: float = 100.0


def sniff_format(data: bytes, suffix: str) -> FileFormat:
    """The reader a file needs, decided from its first bytes (the extension only breaks ties).

    Raises ExportReadError for an OLE2 file (encrypted XLSX or old .xls) and for an .xlsx that
    is not a zip.
    """
    if data.startswith(CFB_MAGIC):
        raise ExportReadError(*_classify_compound_file(data))
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if suffix == ".xlsx":
        raise ExportReadError(
            ErrorCode.NOT_A_SPREADSHEET, "isi file bukan format Excel .xlsx (bukan arsip zip)"
        )
    return "csv"


def _classify_compound_file(data: bytes) -> tuple[ErrorCode, str]:
    """Encrypted OOXML keeps an `EncryptionInfo` stream; an old .xls keeps `Workbook`/`Book`."""
    encrypted = "EncryptionInfo".encode("utf-16-le") in data
    legacy = any(name.encode("utf-16-le") in data for name in ("Workbook", "Book"))
    if legacy and not encrypted:
        return ErrorCode.LEGACY_XLS, "format Excel 97-2003"
    return ErrorCode.ENCRYPTED_XLSX, "file terenkripsi (OLE2)"


def check_file_size(size_bytes: int, limits: ReadLimits) -> None:
    """Refuse files larger than `limits.max_file_bytes`."""
    if size_bytes > limits.max_file_bytes:
        raise ExportReadError(
            ErrorCode.TOO_LARGE,
            f"{size_bytes / 1e6:,.0f} MB, batas {limits.max_file_bytes / 1e6:,.0f} MB",
        )


def check_xlsx_container(data: bytes, limits: ReadLimits) -> None:
    """Validate the XLSX zip directory without unpacking: readable, a workbook, not a zip bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        raise ExportReadError(ErrorCode.CORRUPT_XLSX, f"arsip zip tidak utuh: {exc}") from exc
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise ExportReadError(ErrorCode.NOT_A_SPREADSHEET, "arsip zip yang bukan buku kerja Excel")
    if "xl/workbook.bin" in names:
        raise ExportReadError(ErrorCode.NOT_A_SPREADSHEET, "format Excel biner .xlsb, bukan .xlsx")
    uncompressed = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    if uncompressed > limits.max_uncompressed_bytes:
        ratio = uncompressed / compressed
        detail = (
            f"{uncompressed / 1e6:,.0f} MB setelah diekstrak, rasio kompresi {ratio:,.0f}:1, "
            f"batas {limits.max_uncompressed_bytes / 1e6:,.0f} MB"
        )
        code = ErrorCode.ZIP_BOMB if ratio > limits.max_compression_ratio else ErrorCode.TOO_LARGE
        raise ExportReadError(code, detail)
