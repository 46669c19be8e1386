"""Checks on a file before any parser sees it: safe opening, format sniffing, size and zip-bomb limits.

Nothing here unpacks an archive or trusts a file name: the path must stay inside the raw
folder, the file must be a regular file, and the format is decided from the first bytes.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dtks.ingest.errors import ErrorCode, ExportReadError, angka, ukuran

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # OLE2 compound file: old .xls or an encrypted .xlsx
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<table|<\?xml|<head|<body|<meta)", re.I)
_EXPORT_INSIDE_ZIP = re.compile(r"(?i)\.(xlsx|xlsm|xls|csv)$")
READ_CHUNK_BYTES = 1 << 20

FileFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class ReadLimits:
    """Sizes above which a file is refused instead of read, so that memory and time stay bounded.

    `max_uncompressed_bytes` is the sum of the uncompressed sizes declared in an XLSX zip; it is
    checked from the zip directory alone, before anything is unpacked. A member that would
    unpack to more than `bomb_min_bytes` at a compression ratio above `max_compression_ratio`
    is a zip bomb (real sheets compress about 10:1; a run of identical bytes about 1000:1).
    A 1,000,000-row, 17-column DTKS sheet unpacks to about 0.6 GB, so the defaults leave room.
    `max_line_bytes` bounds one physical CSV line (a DTKS row is a few hundred bytes); it is
    checked while the file streams in, so a 200 MB line is refused after reading 1 MB of it
    into memory. `max_columns` counts columns with a header or any data (empty trailing columns
    are dropped). Cells longer than `max_cell_chars` (Excel's own limit) are cut, with a warning.
    """

    max_file_bytes: int = 1 << 30
    max_uncompressed_bytes: int = 3 << 30
    max_compression_ratio: float = 100.0
    bomb_min_bytes: int = 64 << 20
    max_line_bytes: int = 1 << 20
    max_columns: int = 1000
    max_cell_chars: int = 32_767


@dataclass(frozen=True)
class WorkbookInfo:
    """What the zip directory of a readable workbook says about it."""

    has_macros: bool


def inside_folder(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink followed, lies inside `folder`."""
    return path.resolve().is_relative_to(folder.resolve())


def open_regular_file(path: Path, raw_dir: Path) -> tuple[int, os.stat_result]:
    """An open read-only descriptor of `path` and its stat, after the safety checks.

    Refuses a path whose real location (symlinks followed) is outside `raw_dir`, and anything
    that is not a regular file (folder, FIFO, socket, device): those could block a read forever
    or read data that is not an export. Opened non-blocking, so a FIFO never hangs the run.
    """
    try:
        real = path.resolve()
        if not real.is_relative_to(raw_dir.resolve()):
            raise ExportReadError(ErrorCode.OUTSIDE_RAW_FOLDER, f"menunjuk ke {real}")
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(real, flags)
    except RuntimeError as exc:  # a symlink loop
        raise ExportReadError(ErrorCode.FILE_UNREADABLE, f"tautan berputar: {exc}") from exc
    except OSError as exc:
        raise ExportReadError(ErrorCode.FILE_UNREADABLE, os_error_text(exc)) from exc
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise ExportReadError(ErrorCode.NOT_A_REGULAR_FILE, file_kind(info.st_mode))
    return descriptor, info


def file_sha256(path: Path, raw_dir: Path) -> str | None:
    """sha256 of `path` when it opens safely (see `open_regular_file`), else None.

    For callers that fingerprint files before reading them: a FIFO or a link out of the raw
    folder gives None instead of blocking or reading outside.
    """
    try:
        descriptor, info = open_regular_file(path, raw_dir)
    except ExportReadError:
        return None
    digest = hashlib.sha256()
    try:
        remaining = info.st_size
        while remaining > 0 and (block := os.read(descriptor, min(READ_CHUNK_BYTES, remaining))):
            digest.update(block)
            remaining -= len(block)
    finally:
        os.close(descriptor)
    return digest.hexdigest()


_OS_ERRORS = {
    errno.EACCES: "akses ditolak: izin file tidak membolehkan dibaca",
    errno.EPERM: "akses ditolak oleh sistem",
    errno.ENOENT: "file tidak ditemukan (sudah dipindah atau dihapus)",
    errno.ELOOP: "tautan (symlink) berputar atau berubah saat dibuka",
    errno.EIO: "kesalahan baca disk atau flashdisk",
    errno.ENAMETOOLONG: "nama file terlalu panjang",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error in words a clerk understands, with its technical name."""
    words = _OS_ERRORS.get(exc.errno or 0)
    technical = exc.strerror or type(exc).__name__
    return f"{words}; {technical}" if words else technical


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words a clerk understands."""
    if stat.S_ISDIR(mode):
        return "sebuah folder"
    if stat.S_ISFIFO(mode):
        return "pipa (FIFO)"
    if stat.S_ISSOCK(mode):
        return "soket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "perangkat (device)"
    return "bukan file biasa"


def sniff_format(head: bytes, suffix: str) -> FileFormat:
    """The reader a file needs, decided from its first bytes (the extension only breaks ties).

    Raises ExportReadError for an OLE2 file (encrypted XLSX or old .xls), for a web page saved
    as .xls, and for an .xlsx/.xlsm that is not a zip.
    """
    if head.startswith(CFB_MAGIC):
        raise ExportReadError(*classify_compound_file(head))
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    start = head[:4096].lstrip(b"\xef\xbb\xbf")
    if b"urn:schemas-microsoft-com:office:spreadsheet" in start:
        raise ExportReadError(ErrorCode.UNSUPPORTED_FORMAT, "XML Spreadsheet 2003 (.xml)")
    if _HTML_START.match(start):
        raise ExportReadError(
            ErrorCode.NOT_A_SPREADSHEET, "isinya halaman web (HTML/XML), bukan lembar kerja Excel"
        )
    if suffix in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        raise ExportReadError(
            ErrorCode.NOT_A_SPREADSHEET,
            f"isi file bukan format {suffix} (bukan arsip zip lembar kerja)",
        )
    return "csv"


def classify_compound_file(data: bytes) -> tuple[ErrorCode, str]:
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
            f"{ukuran(size_bytes)}, batas {ukuran(limits.max_file_bytes)}",
        )


def check_xlsx_container(data: bytes, limits: ReadLimits) -> WorkbookInfo:
    """Validate the XLSX zip directory without unpacking: readable, a workbook, not a zip bomb.

    Only the directory and, for an OpenDocument file, the tiny `mimetype` member are read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            mimetype = _small_member(archive, "mimetype")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise ExportReadError(ErrorCode.CORRUPT_XLSX, f"arsip zip tidak utuh: {exc}") from exc
    _refuse_other_archives(names, mimetype)
    _refuse_zip_bomb(members, limits)
    return WorkbookInfo(has_macros="xl/vbaProject.bin" in names)


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes when it exists and declares at most 1 KB (the ODS `mimetype`)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > 1024:
        return None
    return archive.read(info)


def _refuse_other_archives(names: set[str], mimetype: bytes | None) -> None:
    if mimetype is not None and mimetype.startswith(ODS_MIMETYPE):
        raise ExportReadError(ErrorCode.UNSUPPORTED_FORMAT, "OpenDocument Spreadsheet (.ods)")
    if "xl/workbook.bin" in names:
        raise ExportReadError(ErrorCode.UNSUPPORTED_FORMAT, "Excel biner (.xlsb)")
    if "xl/workbook.xml" in names:
        return
    inside = sorted(n for n in names if _EXPORT_INSIDE_ZIP.search(n))
    if inside:
        shown = ", ".join(inside[:3]) + (" dan lainnya" if len(inside) > 3 else "")
        raise ExportReadError(
            ErrorCode.NOT_A_SPREADSHEET,
            f"arsip zip berisi {shown}; ekstrak dulu lalu simpan file itu di folder desa",
        )
    raise ExportReadError(ErrorCode.NOT_A_SPREADSHEET, "arsip zip yang bukan buku kerja Excel")


def _refuse_zip_bomb(members: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    uncompressed = sum(m.file_size for m in members)
    compressed = max(1, sum(m.compress_size for m in members))
    ratio = uncompressed / compressed
    detail = (
        f"{ukuran(uncompressed)} setelah diekstrak dari {ukuran(compressed)}, "
        f"rasio kompresi {angka(ratio, 0)}:1"
    )
    if uncompressed > limits.max_uncompressed_bytes:
        code = ErrorCode.ZIP_BOMB if ratio > limits.max_compression_ratio else ErrorCode.TOO_LARGE
        raise ExportReadError(code, f"{detail}, batas {ukuran(limits.max_uncompressed_bytes)}")
    for member in members:
        member_ratio = member.file_size / max(1, member.compress_size)
        if member.file_size > limits.bomb_min_bytes and member_ratio > limits.max_compression_ratio:
            raise ExportReadError(ErrorCode.ZIP_BOMB, detail)
