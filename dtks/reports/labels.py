"""Words of the fix lists (Bahasa Indonesia): problem kinds and their sheets, a short label
per issue code, statuses and severities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dtks.clean.issues import ISSUE_CATALOGUE
from dtks.quality.findings import FINDING_CATALOGUE


@dataclass(frozen=True)
class ProblemKind:
    """A group of issue codes that gets one sheet in a village's fix list."""

    key: str
    sheet: str  # at most 31 characters, none of []:*?/\
    codes: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def covers(self, code: str) -> bool:
        return code in self.codes or code.startswith(self.prefixes)


# Order = order of the sheets. The first kind whose codes or prefixes match a code wins.
PROBLEM_KINDS: tuple[ProblemKind, ...] = (
    ProblemKind(
        "ganda",
        "Data ganda",
        codes=("duplicate_other_village", "duplicate_in_village", "possible_duplicate"),
    ),
    ProblemKind("nik", "NIK", codes=("nik_shared",), prefixes=("nik_",)),
    ProblemKind("kk", "Nomor KK", prefixes=("no_kk_",)),
    ProblemKind("keluarga", "Kepala & hubungan keluarga", prefixes=("kk_", "hubungan_keluarga_")),
    ProblemKind("tanggal", "Tanggal lahir", prefixes=("tanggal_",)),
    ProblemKind("nama", "Nama", prefixes=("nama_",)),
    ProblemKind("status", "Meninggal, pindah, ganda", prefixes=("keterangan_",)),
    ProblemKind(
        "kode",
        "Jenis kelamin & isian kode",
        prefixes=(
            "jenis_kelamin_",
            "status_kawin_",
            "padan_dukcapil_",
            "pkh_",
            "bpnt_",
            "pbi_jk_",
            "bst_",
        ),
    ),
    ProblemKind("alamat", "Desa, RT, RW", prefixes=("desa_", "rt_", "rw_")),
    ProblemKind("lain", "Masalah lain"),
)
OTHER_KIND = PROBLEM_KINDS[-1]

PROBLEM_LABELS: dict[str, str] = {
    "duplicate_other_village": "Orang yang sama terdaftar juga di desa lain",
    "duplicate_in_village": "Orang yang sama tercatat lebih dari sekali di desa ini",
    "possible_duplicate": "Mungkin orang yang sama (perlu diperiksa)",
    "nik_shared": "NIK dipakai orang lain",
    "nik_missing": "NIK kosong",
    "nik_bad_characters": "NIK berisi huruf atau tanda",
    "nik_wrong_length": "NIK tidak 16 digit",
    "nik_scientific_truncated": "NIK rusak oleh Excel (format ilmiah)",
    "nik_possibly_truncated": "NIK mungkin terpotong oleh Excel",
    "nik_bad_region": "Kode wilayah NIK tidak ada",
    "nik_foreign_region": "NIK dari luar kecamatan",
    "nik_bad_date": "Tanggal di dalam NIK tidak ada",
    "nik_serial_zero": "Nomor urut NIK 0000",
    "nik_equals_kk": "NIK sama dengan Nomor KK",
    "nik_date_mismatch": "Tanggal lahir berbeda dengan NIK",
    "nik_sex_mismatch": "Jenis kelamin berbeda dengan NIK",
    "no_kk_missing": "Nomor KK kosong",
    "no_kk_bad_characters": "Nomor KK berisi huruf atau tanda",
    "no_kk_wrong_length": "Nomor KK tidak 16 digit",
    "no_kk_scientific_truncated": "Nomor KK rusak oleh Excel (format ilmiah)",
    "no_kk_possibly_truncated": "Nomor KK mungkin terpotong oleh Excel",
    "no_kk_bad_region": "Kode wilayah Nomor KK tidak ada",
    "no_kk_foreign_region": "Nomor KK dari luar kecamatan",
    "no_kk_bad_date": "Tanggal di dalam Nomor KK tidak ada",
    "no_kk_serial_zero": "Nomor urut Nomor KK 0000",
    "kk_no_head": "KK tanpa kepala keluarga",
    "kk_two_heads": "KK dengan lebih dari satu kepala keluarga",
    "hubungan_keluarga_missing": "Hubungan keluarga kosong",
    "hubungan_keluarga_unknown": "Hubungan keluarga tidak dikenali",
    "hubungan_keluarga_ambiguous": "Hubungan keluarga ISTRI/SUAMI tanpa jenis kelamin",
    "tanggal_lahir_missing": "Tanggal lahir kosong",
    "tanggal_lahir_unreadable": "Tanggal lahir tidak terbaca",
    "tanggal_lahir_impossible": "Tanggal lahir tidak mungkin",
    "tanggal_lahir_future": "Tanggal lahir di masa depan",
    "tanggal_lahir_day_month_swapped": "Tanggal dan bulan lahir tertukar",
    "tanggal_lahir_two_digit_year": "Tahun lahir 2 digit",
    "tanggal_lahir_placeholder": "Tanggal lahir pengganti (01-01, 01-07, 31-12)",
    "tanggal_update_unreadable": "Tanggal update tidak terbaca",
    "nama_missing": "Nama kosong (baris tidak diterima)",
    "nama_no_letters": "Nama tanpa huruf (baris tidak diterima)",
    "nama_not_latin": "Nama tidak dalam huruf Latin",
    "nama_abbreviated": "Nama memakai singkatan",
    "nama_has_title": "Nama memuat gelar",
    "nama_odd_characters": "Nama berisi angka atau tanda baca",
    "nama_ibu_kandung_missing": "Nama ibu kandung kosong",
    "keterangan_meninggal": "Sudah meninggal tetapi masih terdaftar",
    "keterangan_pindah": "Sudah pindah",
    "keterangan_ganda": "Ditandai ganda",
    "keterangan_tidak_ditemukan": "Tidak ditemukan",
    "jenis_kelamin_missing": "Jenis kelamin kosong",
    "jenis_kelamin_unknown": "Jenis kelamin tidak dikenali",
    "status_kawin_unknown": "Status kawin tidak dikenali",
    "padan_dukcapil_unknown": "PADAN DUKCAPIL tidak dikenali",
    "pkh_unknown": "Isian PKH tidak dikenali",
    "bpnt_unknown": "Isian BPNT tidak dikenali",
    "pbi_jk_unknown": "Isian PBI-JK tidak dikenali",
    "bst_unknown": "Isian BST tidak dikenali",
    "desa_lain": "Kolom DESA berisi desa lain",
    "desa_unknown": "Kolom DESA tidak dikenali",
    "rt_invalid": "RT tidak sah",
    "rw_invalid": "RW tidak sah",
}

STATUS_LABELS: dict[str, str] = {
    "new": "Baru",
    "still_open": "Masih ada",
    "fixed": "Sudah diperbaiki",
}
SEVERITY_LABELS: dict[str, str] = {
    "error": "Kesalahan (wajib diperbaiki)",
    "warning": "Peringatan (periksa)",
}
SEVERITY_SHORT: dict[str, str] = {"error": "Kesalahan", "warning": "Peringatan"}  # sheets


def problem_kind(code: str) -> ProblemKind:
    """The kind (sheet) an issue code belongs to; unknown codes go to "Masalah lain"."""
    for kind in PROBLEM_KINDS:
        if kind.covers(code):
            return kind
    return OTHER_KIND


def problem_label(code: str) -> str:
    """A short Bahasa Indonesia name for an issue code, for summary tables.

    Codes without a label of their own get the first sentence of their message template.
    """
    if code in PROBLEM_LABELS:
        return PROBLEM_LABELS[code]
    issue_type = ISSUE_CATALOGUE.get(code) or FINDING_CATALOGUE.get(code)
    if issue_type is None:
        return code
    first = issue_type.template.split(". ")[0]
    return re.sub(r"\s*[('\"]*\{\w+\}[)'\"]*", "", first).strip(" .,:") or code


# One defect on (nearly) every row of a file is fixed once, where the file is made, not row
# by row: what to do then, per issue code. Codes sharing an action are said in one line.
REEXPORT_AS_TEXT = (
    "Export ulang file ini dari SIKS-NG dengan kolom NIK dan NOMOR KK sebagai teks (di "
    "Excel: format sel Teks, atau awali angka dengan tanda petik '), lalu ganti file lama di "
    "folder desa. Baris-baris di lembarnya akan hilang sendiri setelah itu; tidak perlu "
    "memperbaikinya satu per satu."
)
COLUMN_NOT_EXPORTED = (
    "Kolom ini kosong di hampir semua baris: periksa apakah kolomnya ikut diexport dan "
    "judulnya benar, lalu export ulang file ini dari SIKS-NG."
)
WHOLE_FILE_DEFAULT = (
    "Masalah ini ada di hampir semua baris file, jadi asalnya dari cara file dibuat: periksa "
    "pengaturan export atau cara pengisiannya, perbaiki sekali, lalu export ulang file ini."
)
FILE_ACTIONS: dict[str, str] = {
    **dict.fromkeys(
        (
            "nik_scientific_truncated",
            "nik_possibly_truncated",
            "no_kk_scientific_truncated",
            "no_kk_possibly_truncated",
        ),
        REEXPORT_AS_TEXT,
    ),
    **dict.fromkeys(
        (
            "nik_missing",
            "no_kk_missing",
            "tanggal_lahir_missing",
            "jenis_kelamin_missing",
            "hubungan_keluarga_missing",
            "nama_ibu_kandung_missing",
        ),
        COLUMN_NOT_EXPORTED,
    ),
}


def file_action(code: str) -> str:
    """What to do once when `code` is on (nearly) every row of a file."""
    return FILE_ACTIONS.get(code, WHOLE_FILE_DEFAULT)
