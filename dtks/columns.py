"""Canonical DTKS columns and the header spellings that mean them.

Headers are matched after `normalise_header`: upper case, punctuation and spaces removed,
so "No. NIK", "NO NIK" and "no_nik" all become "NONIK".
"""

from __future__ import annotations

import re
import unicodedata

# Lineage columns, named the same in every table that carries a source row (DESIGN.md):
# the village folder, the file relative to the raw folder, the sheet ("" for CSV), the row
# as a person sees it in Excel or a text editor.
LINEAGE_COLUMNS: tuple[str, ...] = ("village", "source_file", "source_sheet", "source_row")

# Canonical columns of a DTKS individual export, in the published (DTKS) order.
# The key is the snake-case name used in every table; the value is the DTKS header.
CANONICAL_COLUMNS: dict[str, str] = {
    "iddtks": "IDDTKS",
    "provinsi": "PROVINSI",
    "kabupaten": "KABUPATEN/KOTA",
    "kecamatan": "KECAMATAN",
    "desa": "DESA/KELURAHAN",
    "alamat": "ALAMAT",
    "dusun": "DUSUN",
    "rt": "RT",
    "rw": "RW",
    "no_kk": "NOMOR KK",
    "nik": "NIK",
    "nama": "NAMA",
    "tanggal_lahir": "TANGGAL LAHIR",
    "tempat_lahir": "TEMPAT LAHIR",
    "jenis_kelamin": "JENIS KELAMIN",
    "nama_ibu_kandung": "NAMA IBU KANDUNG",
    "hubungan_keluarga": "HUBUNGAN KELUARGA",
    "status_kawin": "STATUS KAWIN",
    "pekerjaan": "PEKERJAAN",
    "padan_dukcapil": "PADAN DUKCAPIL",
    "pkh": "PKH",
    "bpnt": "BPNT",
    "pbi_jk": "PBI-JK",
    "bst": "BST",
    "keterangan": "KETERANGAN",
    "tanggal_update": "TANGGAL UPDATE",
}

# Header spellings seen in SIKS-NG exports, village spreadsheets and DTSEN exports.
# Written as people type them; they are normalised when the lookup is built.
_ALIASES: dict[str, tuple[str, ...]] = {
    "iddtks": ("ID DTKS", "ID_DTKS", "IDDTKS", "ID ART", "IDARTBDT", "ID ART BDT", "ID_DTSEN"),
    "provinsi": ("PROVINSI", "PROV", "NAMA PROVINSI"),
    "kabupaten": ("KABUPATEN/KOTA", "KABUPATEN", "KAB/KOTA", "KAB", "KOTA", "NAMA KABUPATEN"),
    "kecamatan": ("KECAMATAN", "KEC", "NAMA KECAMATAN"),
    "desa": ("DESA/KELURAHAN", "DESA", "KELURAHAN", "DESA/KEL", "KEL/DESA", "NAMA DESA"),
    "alamat": ("ALAMAT", "ALAMAT LENGKAP", "ALAMAT RUMAH", "JALAN"),
    "dusun": ("DUSUN", "NAMA DUSUN", "DUSUN/LINGKUNGAN"),
    "rt": ("RT", "NO RT", "NOMOR RT"),
    "rw": ("RW", "NO RW", "NOMOR RW"),
    "no_kk": (
        "NOMOR KK",
        "NO KK",
        "NOKK",
        "NO. KK",
        "NO_KK",
        "KK",
        "NOMOR KARTU KELUARGA",
        "NO KARTU KELUARGA",
        "NKK",
        "NOMOR_KK",
    ),
    "nik": (
        "NIK",
        "NO NIK",
        "NO. NIK",
        "NOMOR NIK",
        "NOMOR INDUK KEPENDUDUKAN",
        "NIK ART",
        "NO_NIK",
    ),
    "nama": ("NAMA", "NAMA LENGKAP", "NAMA ART", "NAMA ANGGOTA", "NAMA PENERIMA", "NAMA_LENGKAP"),
    "tanggal_lahir": (
        "TANGGAL LAHIR",
        "TGL LAHIR",
        "TGL. LAHIR",
        "TGLLAHIR",
        "TANGGAL_LAHIR",
        "TGL_LAHIR",
        "TANGGAL LHR",
        "TGL LHR",
    ),
    "tempat_lahir": ("TEMPAT LAHIR", "TMP LAHIR", "TEMPAT_LAHIR", "TMPT LAHIR", "TPT LAHIR"),
    "jenis_kelamin": (
        "JENIS KELAMIN",
        "JK",
        "L/P",
        "KELAMIN",
        "SEX",
        "JNS KELAMIN",
        "JENIS_KELAMIN",
    ),
    "nama_ibu_kandung": (
        "NAMA IBU KANDUNG",
        "IBU KANDUNG",
        "NAMA IBU",
        "NAMA_IBU_KANDUNG",
        "NM IBU KANDUNG",
    ),
    "hubungan_keluarga": (
        "HUBUNGAN KELUARGA",
        "HUB. KELUARGA",
        "HUB KELUARGA",
        "SHDK",
        "HUBUNGAN DENGAN KEPALA KELUARGA",
        "STATUS HUBUNGAN DALAM KELUARGA",
        "HUB KK",
        "HUBUNGAN_KELUARGA",
        "HUB. DGN KK",
    ),
    "status_kawin": ("STATUS KAWIN", "STATUS PERKAWINAN", "STS KAWIN", "KAWIN", "STATUS_KAWIN"),
    "pekerjaan": ("PEKERJAAN", "PEKERJAAN UTAMA", "JENIS PEKERJAAN"),
    "padan_dukcapil": ("PADAN DUKCAPIL", "PADAN", "STATUS PADAN", "PADAN_DUKCAPIL", "KET PADAN"),
    "pkh": ("PKH", "PENERIMA PKH", "FLAG PKH"),
    "bpnt": ("BPNT", "SEMBAKO", "BPNT/SEMBAKO", "PENERIMA BPNT", "FLAG BPNT"),
    "pbi_jk": ("PBI-JK", "PBI JK", "PBI", "PBIJK", "KIS PBI", "FLAG PBI"),
    "bst": ("BST", "PENERIMA BST", "FLAG BST"),
    "keterangan": ("KETERANGAN", "KET", "KET.", "CATATAN", "STATUS"),
    "tanggal_update": (
        "TANGGAL UPDATE",
        "TGL UPDATE",
        "LAST UPDATE",
        "TANGGAL PEMUTAKHIRAN",
        "TGL PEMUTAKHIRAN",
        "UPDATED AT",
        "TGL_UPDATE",
    ),
}


def normalise_header(text: str) -> str:
    """Header text reduced to upper-case letters and digits: "No. NIK " -> "NONIK"."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", folded.upper())


HEADER_ALIASES: dict[str, str] = {
    normalise_header(alias): column for column, aliases in _ALIASES.items() for alias in aliases
}
for _column, _header in CANONICAL_COLUMNS.items():
    HEADER_ALIASES.setdefault(normalise_header(_header), _column)


def header_spellings(column: str) -> tuple[str, ...]:
    """The header spellings known for a canonical column, as people type them."""
    return _ALIASES.get(column, ())


def canonical_column(header: str) -> str | None:
    """The canonical column a header means, or None for an unknown (extra) column."""
    return HEADER_ALIASES.get(normalise_header(header))
