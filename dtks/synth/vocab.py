"""Fixed vocabularies of the synthetic exports: relationship codes, sex and flag spellings, months, jobs, places."""

from __future__ import annotations

# Relationship to the head of the family (SHDK). The code is the one village spreadsheets
# use when they write a number instead of text; ISTRI and SUAMI share code 2.
RELATIONSHIP_CODES: dict[str, int] = {
    "KEPALA KELUARGA": 1,
    "ISTRI": 2,
    "SUAMI": 2,
    "ANAK": 3,
    "MENANTU": 4,
    "CUCU": 5,
    "ORANG TUA": 6,
    "MERTUA": 7,
    "FAMILI LAIN": 8,
    "LAINNYA": 9,
}
HEAD = "KEPALA KELUARGA"

# Ways a file writes sex: style -> (male, female).
SEX_STYLES: dict[str, tuple[str | int, str | int]] = {
    "lp": ("L", "P"),
    "word": ("LAKI-LAKI", "PEREMPUAN"),
    "word_title": ("Laki-laki", "Perempuan"),
    "code": (1, 2),
}

# Ways a file writes a yes/no flag: style -> (yes, no).
FLAG_STYLES: dict[str, tuple[str | int, str | int]] = {
    "ya_tidak": ("YA", "TIDAK"),
    "one_zero": (1, 0),
    "y_n": ("Y", "N"),
}

# Indonesian month names, with the abbreviations operators type (Agt/Agu, Okt, Des).
MONTHS_FULL = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
MONTHS_SHORT: tuple[tuple[str, ...], ...] = (
    ("Jan",),
    ("Feb", "Peb"),
    ("Mar",),
    ("Apr",),
    ("Mei",),
    ("Jun",),
    ("Jul",),
    ("Agt", "Agu", "Ags"),
    ("Sep", "Sept"),
    ("Okt",),
    ("Nov", "Nop"),
    ("Des",),
)

STATUS_KAWIN = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")

# Jobs with weights, for adult men and adult women.
JOBS_MALE: tuple[tuple[str, float], ...] = (
    ("PETANI/PEKEBUN", 34),
    ("NELAYAN/PERIKANAN", 14),
    ("BURUH TANI/PERKEBUNAN", 14),
    ("WIRASWASTA", 11),
    ("BURUH HARIAN LEPAS", 9),
    ("PEDAGANG", 6),
    ("KARYAWAN SWASTA", 4),
    ("SOPIR", 2),
    ("TUKANG BATU", 2),
    ("GURU", 1.5),
    ("PERANGKAT DESA", 0.7),
    ("BELUM/TIDAK BEKERJA", 2),
)
JOBS_FEMALE: tuple[tuple[str, float], ...] = (
    ("MENGURUS RUMAH TANGGA", 58),
    ("PETANI/PEKEBUN", 15),
    ("BURUH TANI/PERKEBUNAN", 9),
    ("PEDAGANG", 8),
    ("WIRASWASTA", 5),
    ("GURU", 1.5),
    ("KARYAWAN SWASTA", 1.5),
    ("BELUM/TIDAK BEKERJA", 2),
)

# Birth places other than the home kabupaten, with weights; the home kabupaten gets the rest.
OTHER_BIRTH_PLACES: tuple[tuple[str, float], ...] = (
    ("SUMENEP", 7),
    ("SAMPANG", 5),
    ("BANGKALAN", 2.5),
    ("SURABAYA", 2.5),
    ("MALAYSIA", 1.5),
    ("JAKARTA", 0.8),
    ("PROBOLINGGO", 0.6),
    ("SITUBONDO", 0.5),
    ("JEMBER", 0.5),
    ("ARAB SAUDI", 0.2),
)
HOME_BIRTH_PLACE_WEIGHT = 78.0

# NIK prefixes of people first registered outside the kecamatan (kabupaten digits,
# number of kecamatan codes to draw from). The own kabupaten is added from the region table.
FOREIGN_KABUPATEN: tuple[tuple[str, int, float], ...] = (
    ("3529", 27, 4),  # Sumenep
    ("3527", 14, 3),  # Sampang
    ("3526", 18, 1),  # Bangkalan
    ("3578", 31, 3),  # Kota Surabaya
)
OWN_KABUPATEN_KECAMATAN_COUNT = 13
OWN_KABUPATEN_WEIGHT = 8

# Hamlet names; Madurese spelling with â/è/é puts non-ASCII text into some addresses.
DUSUN_NAMES = (
    "KARANG ANYAR",
    "LÈBÂK",
    "BÂTOH",
    "DAJA",
    "LAOK",
    "TENGAH",
    "BARAT",
    "TIMUR",
    "POLAGAN",
    "TAMBAK",
    "PESISIR",
    "GUNUNG",
    "SUMBER",
    "BUKER",
    "KOLPAJUNG",
    "TAMBÂNG",
    "MANDALA",
    "PAJÂGÂN",
    "AENG BÂJÂ",
    "SÈLAGÂN",
    "JÂRÂN",
    "TORJUNAN",
    "GILI",
    "PANDÂN",
    "RABÂSAN",
    "BÉTÉS",
    "NANGGÂR",
    "BÂLÂ",
    "TOLANG",
    "PANGPAJUNG",
)

# Words of KETERANGAN as operators write them, per status.
KETERANGAN_WRITTEN: dict[str, tuple[str, ...]] = {
    "MENINGGAL": ("MENINGGAL", "MENINGGAL DUNIA", "Meninggal", "MD", "SUDAH MENINGGAL"),
    "PINDAH": ("PINDAH", "PINDAH DOMISILI", "Pindah", "PINDAH ALAMAT"),
    "GANDA": ("GANDA", "DATA GANDA", "NIK GANDA", "Ganda"),
}

# Columns that are not DTKS columns, added by operators.
EXTRA_COLUMNS_FRONT = ("NO", "NO URUT", "NO.")
EXTRA_COLUMNS_BACK = ("KET TAMBAHAN", "NO HP", "PENDIDIKAN TERAKHIR", "KODE DESA", "VERIFIKATOR")

TITLE_LINES = (
    "DATA TERPADU KESEJAHTERAAN SOSIAL",
    "DATA TERPADU KESEJAHTERAAN SOSIAL (DTKS)",
    "DAFTAR ANGGOTA RUMAH TANGGA DTKS",
    "HASIL VERIVALI DTKS",
    "REKAPITULASI DATA DTKS INDIVIDU",
)

NOTE_LINES = (
    "Catatan: data hasil musyawarah desa, mohon dicek kembali sebelum dikirim.",
    "Catatan: NIK yang kosong belum padan dengan Dukcapil.",
    "Catatan : data per akhir bulan, usulan baru menyusul.",
    "Ket: warga yang meninggal sudah dilaporkan ke operator kecamatan.",
)
