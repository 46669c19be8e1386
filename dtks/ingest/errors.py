"""Why an export could not be read: error codes and the operator-facing messages (Bahasa Indonesia)."""

from __future__ import annotations

import re
from enum import StrEnum


class ErrorCode(StrEnum):
    """Reasons a whole file is refused. The value is what lands in `source_files.error_code`."""

    FILE_EMPTY = "file_empty"
    FILE_UNREADABLE = "file_unreadable"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    ENCRYPTED_XLSX = "encrypted_xlsx"
    LEGACY_XLS = "legacy_xls"
    CORRUPT_XLSX = "corrupt_xlsx"
    CORRUPT_CSV = "corrupt_csv"
    TOO_LARGE = "too_large"
    ZIP_BOMB = "zip_bomb"
    UNREADABLE_ENCODING = "unreadable_encoding"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"
    UNSUPPORTED_FORMAT = "unsupported_format"
    NOT_A_REGULAR_FILE = "not_a_regular_file"
    OUTSIDE_RAW_FOLDER = "outside_raw_folder"
    FILE_CHANGING = "file_changing"
    LINE_TOO_LONG = "line_too_long"
    TOO_MANY_COLUMNS = "too_many_columns"
    UNEXPECTED_ERROR = "unexpected_error"


class WarningCode(StrEnum):
    """Reasons a file was read with a remark: the file's rows are kept, the operator is told."""

    RENAMED_FORMAT = "renamed_format"
    MACRO_WORKBOOK = "macro_workbook"
    MIXED_ENCODING = "mixed_encoding"
    NUL_REMOVED = "nul_removed"
    DUPLICATE_HEADERS = "duplicate_headers"
    HIDDEN_SHEET = "hidden_sheet"
    CELL_TRUNCATED = "cell_truncated"
    FORMULA_LIKE_TEXT = "formula_like_text"
    EMPTY_COLUMNS_DROPPED = "empty_columns_dropped"


# What went wrong and what the operator should do; `{file}` is the path relative to the raw folder.
_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.FILE_EMPTY: (
        "File {file} kosong (0 byte atau hanya spasi). Ekspor ulang data dari SIKS-NG "
        "lalu simpan kembali ke folder desa."
    ),
    ErrorCode.FILE_UNREADABLE: (
        "File {file} tidak bisa dibuka ({detail}). Pastikan file tidak sedang dipakai atau "
        "disalin, lalu jalankan ulang."
    ),
    ErrorCode.NOT_A_SPREADSHEET: (
        "File {file} bukan file Excel (.xlsx) atau CSV yang sah ({detail}). Buka file di Excel, "
        "pilih Simpan Sebagai 'Excel Workbook (.xlsx)' atau 'CSV UTF-8', lalu ganti file ini."
    ),
    ErrorCode.ENCRYPTED_XLSX: (
        "File {file} dilindungi kata sandi sehingga tidak bisa dibaca. Buka di Excel, hapus "
        "kata sandinya (File > Info > Protect Workbook > Encrypt with Password, kosongkan), "
        "simpan, lalu ganti file ini."
    ),
    ErrorCode.LEGACY_XLS: (
        "File {file} berformat Excel lama (Excel 97-2003, .xls) yang tidak dibaca. Buka di "
        "Excel, pilih Simpan Sebagai 'Excel Workbook (.xlsx)', lalu ganti file ini."
    ),
    ErrorCode.CORRUPT_XLSX: (
        "File {file} rusak atau tidak lengkap ({detail}). Mungkin penyalinan terputus: salin "
        "ulang file dari komputer operator, atau ekspor ulang dari SIKS-NG."
    ),
    ErrorCode.CORRUPT_CSV: (
        "File CSV {file} tidak bisa diurai ({detail}). Ekspor ulang sebagai 'CSV UTF-8' dari "
        "Excel atau SIKS-NG, lalu ganti file ini."
    ),
    ErrorCode.TOO_LARGE: (
        "File {file} terlalu besar untuk dibaca ({detail}). Pastikan isinya hanya data satu "
        "desa; bila benar, bagi menjadi beberapa file."
    ),
    ErrorCode.ZIP_BOMB: (
        "File {file} ditolak tanpa dibuka: isinya setelah diekstrak akan sangat besar "
        "({detail}), tidak wajar untuk data satu desa. Ekspor ulang dari SIKS-NG."
    ),
    ErrorCode.UNREADABLE_ENCODING: (
        "Isi teks file {file} tidak bisa dibaca ({detail}). Buka di Excel lalu Simpan Sebagai "
        "'CSV UTF-8 (Comma delimited)', lalu ganti file ini."
    ),
    ErrorCode.NO_HEADER: (
        "File {file}: tidak ditemukan baris judul kolom yang memuat NIK atau NAMA ({detail}), "
        "jadi file ini bukan ekspor DTKS/DTSEN dan bukan daftar pemeringkatan desil. "
        "Pastikan baris judul kolom (NIK, NAMA, NOMOR KK, ... atau NOMOR KK, NIK, DESIL untuk "
        "daftar desil) ada di atas data, dalam 30 baris pertama."
    ),
    ErrorCode.NO_ROWS: (
        "File {file} hanya berisi judul kolom tanpa data ({detail}). Periksa apakah ekspor "
        "yang benar sudah disimpan; bila desa memang tanpa data, hapus file ini."
    ),
    ErrorCode.UNSUPPORTED_FORMAT: (
        "File {file} berformat {detail} yang tidak dibaca. Buka di Excel atau LibreOffice, "
        "pilih Simpan Sebagai 'Excel Workbook (.xlsx)', lalu ganti file ini."
    ),
    ErrorCode.NOT_A_REGULAR_FILE: (
        "{file} bukan file biasa ({detail}) sehingga tidak dibaca. Simpan file ekspor "
        "(.xlsx atau .csv) langsung di folder desa."
    ),
    ErrorCode.OUTSIDE_RAW_FOLDER: (
        "{file} adalah tautan (shortcut/symlink) ke luar folder data ({detail}) dan tidak "
        "diikuti. Salin file ekspornya sendiri ke folder desa, jangan tautannya."
    ),
    ErrorCode.FILE_CHANGING: (
        "File {file} berubah saat sedang dibaca ({detail}); mungkin masih disalin atau "
        "disimpan. File ini dilewati; jalankan ulang setelah penyalinan selesai."
    ),
    ErrorCode.LINE_TOO_LONG: (
        "File {file} ditolak: {detail}. File ekspor DTKS tidak pernah memiliki baris sepanjang "
        "itu; mungkin file rusak atau bukan ekspor. Ekspor ulang dari SIKS-NG."
    ),
    ErrorCode.TOO_MANY_COLUMNS: (
        "File {file} ditolak: {detail}. Hapus kolom yang tidak dipakai (biasanya kolom kosong "
        "atau sisa rumus di sebelah kanan data), simpan, lalu ganti file ini."
    ),
    ErrorCode.UNEXPECTED_ERROR: (
        "File {file} gagal dibaca karena kesalahan tak terduga ({detail}). Laporkan ke "
        "petugas data kecamatan; file lain tetap diproses."
    ),
}


# Invisible characters that could hide or reorder text in a message: C0/C1 controls (a newline
# in a file name could forge a log line) and bidirectional overrides ("data\u202exslx.csv").
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def display_text(text: str) -> str:
    r"""`text` safe to show in one line of a message: invisible characters shown as `\uXXXX`.

    >>> print(display_text("dtks\nkapong\u202e.csv"))
    dtks\u000akapong\u202e.csv
    """
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def angka(value: float, decimals: int = 0) -> str:
    """A number as written in Indonesian: 10.000 and 1,5 (dot for thousands, comma for decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def ukuran(size_bytes: float) -> str:
    """A size as a clerk reads it: "4 KB", "1,0 MB", "3.815 MB"."""
    if size_bytes < 1e6:
        return f"{angka(size_bytes / 1e3)} KB"
    return f"{angka(size_bytes / 1e6, 1 if size_bytes < 1e8 else 0)} MB"


def error_message(code: ErrorCode, file: str, detail: str = "") -> str:
    """The operator-facing message for `code` about `file`, with an optional technical detail."""
    return _MESSAGES[code].format(
        file=display_text(file), detail=display_text(detail) or "tanpa keterangan"
    )


class ExportReadError(Exception):
    """Raised inside the readers when a file must be refused; `read_export` turns it into a status."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
