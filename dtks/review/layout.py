"""The review workbook's shape, shared by the writer and the reader: sheets, columns, decision words.

The workbook is for clerks, so every title is in Bahasa Indonesia. The reader finds columns by
their title (case and spaces ignored), never by position, so a clerk who moves or hides a
column does not break the round trip. Rows are keyed by the two record keys in the hidden
columns ``kunci_a`` / ``kunci_b`` (see `dtks.match.keys`), never by file row numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sheets of the workbook written by `dtks.review.workbook`.
SHEET_PETUNJUK = "PETUNJUK"
SHEET_PERIKSA = "PERIKSA"  # pairs between the thresholds: a clerk decides
SHEET_KONFIRMASI = "KONFIRMASI"  # pairs merged but flagged: a clerk confirms or splits
SHEET_MASALAH = "MASALAH ISIAN"  # what could not be read from earlier workbooks

QUEUE_FILE = "review_queue.xlsx"
LEDGER_FILE = "keputusan_petugas.csv"

# Queue kinds (the ``jenis`` column of the queue frame) and the sheet each goes to.
KIND_REVIEW = "periksa"
KIND_CONFIRM = "konfirmasi"
SHEET_OF_KIND = {KIND_REVIEW: SHEET_PERIKSA, KIND_CONFIRM: SHEET_KONFIRMASI}

# What a clerk may write in the decision column, and what it means. Deliberately short:
# anything else ("ya", "sama?", "mungkin") is reported back, never guessed.
MUST_LINK_WORDS = frozenset({"sama", "same"})
CANNOT_LINK_WORDS = frozenset({"beda", "different"})
DROPDOWN = ["sama", "beda"]

RECORD_KEY_PATTERN = re.compile(r"[DNR]-[0-9a-f]{16}")


@dataclass(frozen=True)
class Column:
    """One column of a queue sheet: its title, the queue-frame field it shows, its width."""

    title: str
    field: str
    width: float
    hidden: bool = False
    kind: str = "text"  # text, number, decision, note, key


# Comparable values of the two records sit next to each other (A then B), so a clerk reads
# across one row. Decision and note come first so they stay visible when scrolling right.
QUEUE_COLUMNS: tuple[Column, ...] = (
    Column("No", "nomor", 5, kind="number"),
    Column("Keputusan", "keputusan", 12, kind="decision"),
    Column("Catatan", "catatan", 28, kind="note"),
    Column("Skor (%)", "skor_persen", 9, kind="number"),
    Column("Alasan diperiksa", "alasan", 36),
    Column("Nama A", "nama_a", 24),
    Column("Nama B", "nama_b", 24),
    Column("Tanggal lahir A", "tanggal_lahir_a", 13),
    Column("Tanggal lahir B", "tanggal_lahir_b", 13),
    Column("Ibu kandung A (inisial)", "ibu_a", 18),
    Column("Ibu kandung B (inisial)", "ibu_b", 18),
    Column("NIK A (disamarkan)", "nik_a", 19),
    Column("NIK B (disamarkan)", "nik_b", 19),
    Column("IDDTKS A", "iddtks_a", 16),
    Column("IDDTKS B", "iddtks_b", 16),
    Column("Hubungan keluarga A", "hubungan_a", 16),
    Column("Hubungan keluarga B", "hubungan_b", 16),
    Column("Desa A", "desa_a", 16),
    Column("Desa B", "desa_b", 16),
    Column("Asal data A (file, sheet, baris)", "asal_a", 34),
    Column("Asal data B (file, sheet, baris)", "asal_b", 34),
    Column("Yang cocok", "bukti_cocok", 48),
    Column("Yang berbeda", "bukti_beda", 40),
    Column("Pesan sistem", "pesan", 36),
    Column("kunci_a", "record_key_l", 20, hidden=True, kind="key"),
    Column("kunci_b", "record_key_r", 20, hidden=True, kind="key"),
)

PROBLEM_COLUMNS: tuple[Column, ...] = (
    Column("File", "workbook", 30),
    Column("Sheet", "sheet", 16),
    Column("Baris", "row", 8, kind="number"),
    Column("Kolom", "column", 14),
    Column("Isian", "value", 20),
    Column("Masalah dan cara memperbaiki", "message", 80),
)


def header_name(title: object) -> str:
    """A header cell as the reader compares it: "  KUNCI_A " -> "kunci_a"."""
    return " ".join(str(title).split()).lower() if title is not None else ""


def decision_word(text: str) -> str:
    """A decision cell as compared with the accepted words: " Sama  " -> "sama"."""
    return " ".join(text.split()).lower()


PETUNJUK_LINES: tuple[str, ...] = (
    "PETUNJUK PEMERIKSAAN DATA GANDA",
    "",
    "Sistem menemukan pasangan baris yang mungkin orang yang sama, tetapi belum yakin.",
    "Mohon periksa setiap pasangan dan isi kolom Keputusan:",
    "    sama  = kedua baris adalah orang yang sama (akan digabung)",
    "    beda  = dua orang yang berbeda (tidak akan pernah digabung)",
    "Kosongkan kolom Keputusan bila belum yakin; tulis alasan atau pertanyaan di kolom Catatan.",
    "",
    f"Sheet {SHEET_PERIKSA}: pasangan yang skornya di antara batas gabung dan batas beda.",
    f"Sheet {SHEET_KONFIRMASI}: pasangan yang SUDAH digabung sistem tetapi perlu dipastikan",
    "    (misalnya NIK berbeda satu angka, atau dua kepala keluarga di KK berbeda).",
    "    Tulis beda bila ternyata dua orang: gabungannya akan dipisah pada proses berikutnya.",
    f"Sheet {SHEET_MASALAH} (bila ada): isian dari file sebelumnya yang tidak bisa dibaca.",
    "",
    "Cara menyimpan:",
    "  - Simpan file di folder ini (folder pemeriksaan), tetap sebagai Excel (.xlsx).",
    "    Nama file boleh diganti, misalnya keputusan_minggu1.xlsx: semua file .xlsx di folder",
    "    ini dibaca pada proses berikutnya.",
    "  - Keputusan dicatat di keputusan_petugas.csv, jadi tetap berlaku walaupun file ini",
    "    dibuat ulang. Pasangan yang sudah diputuskan tidak muncul lagi di file baru.",
    "  - Jangan mengubah atau menghapus kolom kunci_a dan kunci_b (tersembunyi): keputusan",
    "    dicocokkan dengan kunci itu, bukan dengan nomor baris atau nama file desa.",
    "  - Boleh mengurutkan, menyaring, atau menyalin baris ke file lain.",
    "",
    "Membatalkan keputusan: kosongkan atau ubah isian di file tempat keputusan itu ditulis.",
    "Bila file itu sudah tidak ada, minta admin menghapus barisnya di keputusan_petugas.csv.",
    "Bila satu pasangan diputuskan sama di satu file dan beda di file lain, yang dipakai beda.",
    "",
    "NIK hanya ditampilkan sebagian dan nama ibu kandung hanya inisialnya, untuk melindungi",
    "data pribadi. Data lengkap dapat dilihat di file desa pada baris yang disebut.",
)
