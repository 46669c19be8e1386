"""Why an export could not be read: error codes and the operator-facing messages (Bahasa Indonesia)."""

from __future__ import annotations

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
    UNEXPECTED_ERROR = "unexpected_error"


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
        "File {file} berformat Excel lama (.xls) walaupun namanya .xlsx. Buka di Excel, pilih "
        "Simpan Sebagai 'Excel Workbook (.xlsx)', lalu ganti file ini."
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
        "File {file}: tidak ditemukan baris judul kolom yang memuat NIK atau NAMA ({detail}). "
        "Pastikan baris judul kolom (NIK, NAMA, NOMOR KK, ...) ada di atas data, dalam 30 "
        "baris pertama."
    ),
    ErrorCode.NO_ROWS: (
        "File {file} hanya berisi judul kolom tanpa data ({detail}). Periksa apakah ekspor "
        "yang benar sudah disimpan; bila desa memang tanpa data, hapus file ini."
    ),
    ErrorCode.UNEXPECTED_ERROR: (
        "File {file} gagal dibaca karena kesalahan tak terduga ({detail}). Laporkan ke "
        "petugas data kecamatan; file lain tetap diproses."
    ),
}


def error_message(code: ErrorCode, file: str, detail: str = "") -> str:
    """The operator-facing message for `code` about `file`, with an optional technical detail."""
    return _MESSAGES[code].format(file=file, detail=detail or "tanpa keterangan")


class ExportReadError(Exception):
    """Raised inside the readers when a file must be refused; `read_export` turns it into a status."""

    def __init__(self, code: ErrorCode, detail: str = "") -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
