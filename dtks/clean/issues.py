"""The catalogue of cleaning issue codes and the builder that turns row checks into issue rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import polars as pl

from dtks.columns import LINEAGE_COLUMNS

Severity = Literal["error", "warning"]

ROW_INDEX = "_row_index"  # position of the row in the raw frame, for ordering issues

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "column": pl.String(),
    "code": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "value_masked": pl.String(),
    "suggested_value": pl.String(),
}


@dataclass(frozen=True)
class IssueType:
    """One kind of problem: its code, severity, the column it concerns and its message.

    `template` is Bahasa Indonesia for the village operator; `{nilai}` is the value as
    written (masked for NIK, KK and mother's name) and `{saran}` the suggested value. The
    location (file, sheet, row) is put in front of every message by `build_issues`.
    """

    code: str
    severity: Severity
    column: str
    template: str


def _flag_unknown(column: str, label: str) -> IssueType:
    return IssueType(
        f"{column}_unknown",
        "warning",
        column,
        f"isi kolom {label} '{{nilai}}' tidak dikenali. Isi YA atau TIDAK.",
    )


ISSUE_TYPES: tuple[IssueType, ...] = (
    # NIK
    IssueType("nik_missing", "error", "nik", "NIK kosong. Isi NIK 16 digit sesuai KTP/KK."),
    IssueType(
        "nik_bad_characters",
        "error",
        "nik",
        "NIK '{nilai}' berisi huruf atau tanda selain angka. Ketik ulang NIK 16 digit sesuai KTP/KK.",
    ),
    IssueType(
        "nik_wrong_length",
        "error",
        "nik",
        "NIK '{nilai}' tidak 16 digit. Periksa dan ketik ulang NIK sesuai KTP/KK.",
    ),
    IssueType(
        "nik_scientific_truncated",
        "error",
        "nik",
        "NIK tersimpan sebagai angka Excel berformat ilmiah (contoh 3,52811E+15), terbaca "
        "'{nilai}': digit terakhirnya sudah hilang. "
        "Ketik ulang NIK sebagai teks (awali dengan tanda ') sesuai KTP/KK.",
    ),
    IssueType(
        "nik_possibly_truncated",
        "warning",
        "nik",
        "NIK '{nilai}' disimpan sebagai angka di Excel dan berakhir 0: digit terakhir mungkin "
        "hilang. Cocokkan dengan KTP/KK dan simpan kolom NIK sebagai teks.",
    ),
    IssueType(
        "nik_bad_region",
        "error",
        "nik",
        "6 digit pertama NIK '{nilai}' bukan kode wilayah yang ada. Periksa NIK sesuai KTP/KK.",
    ),
    IssueType(
        "nik_foreign_region",
        "warning",
        "nik",
        "NIK '{nilai}' diterbitkan di luar kecamatan ini. Jika penduduk pindahan, tidak perlu "
        "diubah; jika bukan, periksa NIK sesuai KTP/KK.",
    ),
    IssueType(
        "nik_bad_date",
        "error",
        "nik",
        "Tanggal lahir di dalam NIK '{nilai}' (digit 7-12) bukan tanggal yang ada. "
        "Periksa NIK sesuai KTP/KK.",
    ),
    IssueType(
        "nik_serial_zero",
        "error",
        "nik",
        "4 digit terakhir NIK '{nilai}' adalah 0000, NIK seperti itu tidak ada. "
        "Periksa NIK sesuai KTP/KK.",
    ),
    IssueType(
        "nik_equals_kk",
        "error",
        "nik",
        "NIK '{nilai}' sama dengan Nomor KK. Isi NIK orang ini sendiri sesuai KTP/KK.",
    ),
    IssueType(
        "nik_date_mismatch",
        "warning",
        "tanggal_lahir",
        "Tanggal lahir '{nilai}' berbeda dengan tanggal lahir di dalam NIK ({saran}). "
        "Periksa KTP/KK lalu perbaiki tanggal lahir atau NIK yang salah.",
    ),
    IssueType(
        "nik_sex_mismatch",
        "warning",
        "jenis_kelamin",
        "Jenis kelamin '{nilai}' berbeda dengan jenis kelamin menurut NIK ({saran}). "
        "Periksa KTP/KK lalu perbaiki jenis kelamin atau NIK yang salah.",
    ),
    # Nomor KK
    IssueType(
        "no_kk_missing",
        "error",
        "no_kk",
        "Nomor KK kosong. Isi Nomor KK 16 digit sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_bad_characters",
        "error",
        "no_kk",
        "Nomor KK '{nilai}' berisi huruf atau tanda selain angka. Ketik ulang sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_wrong_length",
        "error",
        "no_kk",
        "Nomor KK '{nilai}' tidak 16 digit. Periksa dan ketik ulang sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_scientific_truncated",
        "error",
        "no_kk",
        "Nomor KK tersimpan sebagai angka Excel berformat ilmiah (contoh 3,52811E+15), "
        "terbaca '{nilai}': digit terakhirnya sudah hilang. "
        "Ketik ulang sebagai teks (awali dengan tanda ') sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_possibly_truncated",
        "warning",
        "no_kk",
        "Nomor KK '{nilai}' disimpan sebagai angka di Excel dan berakhir 0: digit terakhir "
        "mungkin hilang. Cocokkan dengan Kartu Keluarga dan simpan kolom sebagai teks.",
    ),
    IssueType(
        "no_kk_bad_region",
        "error",
        "no_kk",
        "6 digit pertama Nomor KK '{nilai}' bukan kode wilayah yang ada. Periksa sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_foreign_region",
        "warning",
        "no_kk",
        "Nomor KK '{nilai}' diterbitkan di luar kecamatan ini. Jika keluarga sudah pindah "
        "ke desa ini, urus KK baru; jika bukan, periksa Nomor KK.",
    ),
    IssueType(
        "no_kk_bad_date",
        "error",
        "no_kk",
        "Tanggal terbit di dalam Nomor KK '{nilai}' (digit 7-12) bukan tanggal yang ada. "
        "Periksa sesuai Kartu Keluarga.",
    ),
    IssueType(
        "no_kk_serial_zero",
        "error",
        "no_kk",
        "4 digit terakhir Nomor KK '{nilai}' adalah 0000. Periksa sesuai Kartu Keluarga.",
    ),
    # Tanggal lahir
    IssueType(
        "tanggal_lahir_missing",
        "error",
        "tanggal_lahir",
        "Tanggal lahir kosong. Isi tanggal lahir sesuai KTP/KK (contoh 17-08-1975).",
    ),
    IssueType(
        "tanggal_lahir_unreadable",
        "error",
        "tanggal_lahir",
        "Tanggal lahir '{nilai}' tidak bisa dibaca. Tulis sebagai tanggal-bulan-tahun, "
        "contoh 17-08-1975.",
    ),
    IssueType(
        "tanggal_lahir_impossible",
        "error",
        "tanggal_lahir",
        "Tanggal lahir '{nilai}' bukan tanggal yang mungkin. Perbaiki sesuai KTP/KK.",
    ),
    IssueType(
        "tanggal_lahir_future",
        "error",
        "tanggal_lahir",
        "Tanggal lahir '{nilai}' ada di masa depan. Perbaiki sesuai KTP/KK.",
    ),
    IssueType(
        "tanggal_lahir_day_month_swapped",
        "warning",
        "tanggal_lahir",
        "Tanggal dan bulan pada tanggal lahir '{nilai}' tampaknya tertukar; dibaca sebagai "
        "{saran}. Perbaiki sesuai KTP/KK.",
    ),
    IssueType(
        "tanggal_lahir_two_digit_year",
        "warning",
        "tanggal_lahir",
        "Tahun lahir '{nilai}' ditulis 2 digit dan dibaca sebagai {saran}. Tulis tahun 4 digit.",
    ),
    IssueType(
        "tanggal_lahir_placeholder",
        "warning",
        "tanggal_lahir",
        "Tanggal lahir '{nilai}' tampak seperti tanggal pengganti (01-01, 01-07 atau 31-12). "
        "Jika tanggal sebenarnya diketahui, perbaiki sesuai KTP/KK.",
    ),
    IssueType(
        "tanggal_update_unreadable",
        "warning",
        "tanggal_update",
        "Tanggal update '{nilai}' tidak bisa dibaca atau tidak mungkin. "
        "Tulis sebagai tanggal-bulan-tahun.",
    ),
    # Codes
    IssueType(
        "jenis_kelamin_missing",
        "warning",
        "jenis_kelamin",
        "Jenis kelamin kosong. Isi L atau P (menurut NIK: {saran}).",
    ),
    IssueType(
        "jenis_kelamin_unknown",
        "warning",
        "jenis_kelamin",
        "Jenis kelamin '{nilai}' tidak dikenali. Isi L (laki-laki) atau P (perempuan).",
    ),
    IssueType(
        "hubungan_keluarga_missing",
        "warning",
        "hubungan_keluarga",
        "Hubungan keluarga kosong. Isi hubungan dengan kepala keluarga sesuai KK.",
    ),
    IssueType(
        "hubungan_keluarga_unknown",
        "warning",
        "hubungan_keluarga",
        "Hubungan keluarga '{nilai}' tidak dikenali. Isi salah satu: KEPALA KELUARGA, ISTRI, "
        "SUAMI, ANAK, MENANTU, CUCU, ORANG TUA, MERTUA, FAMILI LAIN, LAINNYA.",
    ),
    IssueType(
        "hubungan_keluarga_ambiguous",
        "warning",
        "hubungan_keluarga",
        "Hubungan keluarga '{nilai}' bisa ISTRI atau SUAMI, tetapi jenis kelamin kosong. "
        "Isi ISTRI atau SUAMI, dan jenis kelamin.",
    ),
    IssueType(
        "status_kawin_unknown",
        "warning",
        "status_kawin",
        "Status kawin '{nilai}' tidak dikenali. Isi BELUM KAWIN, KAWIN, CERAI HIDUP atau CERAI MATI.",
    ),
    IssueType(
        "padan_dukcapil_unknown",
        "warning",
        "padan_dukcapil",
        "Isi kolom PADAN DUKCAPIL '{nilai}' tidak dikenali. Isi YA atau TIDAK.",
    ),
    _flag_unknown("pkh", "PKH"),
    _flag_unknown("bpnt", "BPNT"),
    _flag_unknown("pbi_jk", "PBI-JK"),
    _flag_unknown("bst", "BST"),
    IssueType(
        "keterangan_meninggal",
        "warning",
        "keterangan",
        "Keterangan '{nilai}': orang ini meninggal tetapi masih terdaftar. "
        "Nonaktifkan datanya (usulkan hapus karena meninggal).",
    ),
    IssueType(
        "keterangan_pindah",
        "warning",
        "keterangan",
        "Keterangan '{nilai}': orang ini sudah pindah. Usulkan pindah/nonaktif sesuai prosedur.",
    ),
    IssueType(
        "keterangan_ganda",
        "warning",
        "keterangan",
        "Keterangan '{nilai}': data ini ditandai ganda. Nonaktifkan salah satu data yang ganda.",
    ),
    IssueType(
        "keterangan_tidak_ditemukan",
        "warning",
        "keterangan",
        "Keterangan '{nilai}': orang ini tidak ditemukan. Lakukan verifikasi lapangan lalu "
        "perbaiki atau nonaktifkan datanya.",
    ),
    # Names
    IssueType(
        "nama_missing",
        "error",
        "nama",
        "Nama kosong, baris tidak diterima. Isi nama lengkap sesuai KTP/KK.",
    ),
    IssueType(
        "nama_no_letters",
        "error",
        "nama",
        "Nama '{nilai}' tidak berisi huruf, baris tidak diterima. Isi nama lengkap sesuai KTP/KK.",
    ),
    IssueType(
        "nama_not_latin",
        "error",
        "nama",
        "Nama '{nilai}' tidak ditulis dengan huruf Latin, sehingga tidak bisa dicocokkan dengan "
        "data lain. Tulis nama sesuai KTP/KK dengan huruf Latin.",
    ),
    IssueType(
        "nama_abbreviated",
        "warning",
        "nama",
        "Nama '{nilai}' memakai singkatan. Gunakan nama lengkap sesuai KTP.",
    ),
    IssueType(
        "nama_has_title",
        "warning",
        "nama",
        "Nama '{nilai}' memuat gelar ({saran}). Tulis nama tanpa gelar sesuai KTP; "
        "gelar sudah dipisahkan.",
    ),
    IssueType(
        "nama_odd_characters",
        "warning",
        "nama",
        "Nama '{nilai}' berisi angka atau tanda baca yang tidak lazim; dibaca sebagai {saran}. "
        "Perbaiki sesuai KTP.",
    ),
    IssueType(
        "nama_ibu_kandung_missing",
        "warning",
        "nama_ibu_kandung",
        "Nama ibu kandung kosong. Isi sesuai KK.",
    ),
    # Places
    IssueType(
        "desa_lain",
        "warning",
        "desa",
        "Kolom DESA berisi '{nilai}', desa lain di kecamatan ini ({saran}). Jika orang ini "
        "warga desa lain, pindahkan ke file desa tersebut; jika bukan, perbaiki kolom DESA.",
    ),
    IssueType(
        "desa_unknown",
        "warning",
        "desa",
        "Kolom DESA berisi '{nilai}', bukan nama desa di kecamatan ini. Perbaiki nama desa.",
    ),
    IssueType(
        "rt_invalid",
        "warning",
        "rt",
        "RT '{nilai}' tidak sah. Isi nomor RT 1 sampai 999, contoh 003.",
    ),
    IssueType(
        "rw_invalid",
        "warning",
        "rw",
        "RW '{nilai}' tidak sah. Isi nomor RW 1 sampai 999, contoh 002.",
    ),
)

ISSUE_CATALOGUE: dict[str, IssueType] = {t.code: t for t in ISSUE_TYPES}

# Rejected rows: reason_code -> reason (Bahasa Indonesia).
REJECTION_REASONS: dict[str, str] = {
    "totals": "Baris jumlah/total, bukan data orang.",
    "signature": "Baris tanda tangan atau pengesahan, bukan data orang.",
    "note": "Baris catatan atau keterangan tabel, bukan data orang.",
    "repeated_header": "Baris judul kolom yang berulang, bukan data orang.",
    "row_kind_unknown": "Jenis baris tidak dikenal, bukan data orang.",
    "nama_missing": "Nama kosong: baris tidak dapat mewakili seseorang.",
    "nama_no_letters": "Nama tidak berisi huruf: baris tidak dapat mewakili seseorang.",
}


@dataclass(frozen=True)
class Check:
    """A row-level test: rows where `when` is true get one issue of type `code`.

    `value` must already be masked where it holds personal data (NIK, KK, mother's name).
    """

    code: str
    when: pl.Expr
    value: pl.Expr | None = None
    suggested: pl.Expr | None = None


def catalogue_frame() -> pl.DataFrame:
    """The catalogue as a table (code, severity, column, template) for reports and docs."""
    return pl.DataFrame(
        {
            "code": [t.code for t in ISSUE_TYPES],
            "severity": [t.severity for t in ISSUE_TYPES],
            "column": [t.column for t in ISSUE_TYPES],
            "template": [t.template for t in ISSUE_TYPES],
        }
    )


# Control and format characters (newlines, bidirectional overrides, zero-width characters):
# shown as U+FFFD in messages, so a value or file name cannot break a line or reorder the text.
INVISIBLE_CHARACTERS = r"[\p{Cc}\p{Cf}\u2028\u2029]"


def visible(text: pl.Expr) -> pl.Expr:
    """`text` with invisible characters replaced by U+FFFD, for showing in a message."""
    return text.str.replace_all(INVISIBLE_CHARACTERS, "\ufffd")


def location_expr() -> pl.Expr:
    """'file X, lembar Y, baris N' (no sheet for CSV) for the front of every message."""
    sheet = pl.col("source_sheet")
    sheet_part = (
        pl.when(sheet.is_null() | (sheet == ""))
        .then(pl.lit(""))
        .otherwise(pl.lit(", lembar ") + visible(sheet))
    )
    return pl.concat_str(
        [
            pl.lit("File "),
            visible(pl.col("source_file")).fill_null("?"),
            sheet_part,
            pl.lit(", baris "),
            pl.col("source_row").cast(pl.String).fill_null("?"),
        ]
    )


def _template_pieces(template: str) -> tuple[str, bool, str, bool, str]:
    """Split a template into: text, {nilai}?, text, {saran}?, text (placeholders in that order)."""
    pieces = re.split(r"\{(\w+)\}", template)
    texts, names = pieces[0::2], pieces[1::2]
    if names not in ([], ["nilai"], ["saran"], ["nilai", "saran"]):
        raise ValueError(f"template placeholders must be {{nilai}} then {{saran}}: {template!r}")
    has_nilai, has_saran = "nilai" in names, "saran" in names
    texts += [""] * (3 - len(texts))
    if has_saran and not has_nilai:
        return texts[0], False, "", True, texts[1]
    return texts[0], has_nilai, texts[1], has_saran, texts[2]


def _catalogue_with_pieces() -> pl.DataFrame:
    pieces = [_template_pieces(t.template) for t in ISSUE_TYPES]
    return pl.DataFrame(
        {
            "_order": pl.Series(range(len(ISSUE_TYPES)), dtype=pl.UInt16),
            "code": [t.code for t in ISSUE_TYPES],
            "severity": [t.severity for t in ISSUE_TYPES],
            "column": [t.column for t in ISSUE_TYPES],
            "_p0": [p[0] for p in pieces],
            "_has_nilai": [p[1] for p in pieces],
            "_p1": [p[2] for p in pieces],
            "_has_saran": [p[3] for p in pieces],
            "_p2": [p[4] for p in pieces],
        }
    )


def _message() -> pl.Expr:
    """The catalogue template rendered per issue row, the location in front."""
    value = pl.when(pl.col("_has_nilai")).then(pl.col("value_masked").fill_null("(kosong)"))
    suggested = pl.when(pl.col("_has_saran")).then(pl.col("suggested_value").fill_null("-"))
    return pl.concat_str(
        [
            location_expr(),
            pl.lit(": "),
            pl.col("_p0"),
            value.fill_null(""),
            pl.col("_p1"),
            suggested.fill_null(""),
            pl.col("_p2"),
        ]
    )


def _hits(frame: pl.LazyFrame, check: Check, order: int) -> pl.LazyFrame:
    value = visible((check.value if check.value is not None else pl.lit(None)).cast(pl.String))
    suggested = visible(
        (check.suggested if check.suggested is not None else pl.lit(None)).cast(pl.String)
    )
    return frame.filter(check.when.fill_null(False)).select(
        pl.col(ROW_INDEX),
        pl.lit(order, dtype=pl.UInt16).alias("_order"),
        value.alias("value_masked"),
        suggested.alias("suggested_value"),
    )


def build_issues(lineage: pl.DataFrame, *sources: tuple[pl.LazyFrame, list[Check]]) -> pl.DataFrame:
    """One issue row per (row, failed check), in row order then catalogue order.

    `lineage` holds `ROW_INDEX` and the lineage columns of every row; each source is a frame
    (with `ROW_INDEX` and the columns its checks read) and the checks to run on it.
    Checks only collect (row, code, value, suggestion); messages are rendered once at the end.
    """
    order = {code: i for i, code in enumerate(ISSUE_CATALOGUE)}
    parts = [
        _hits(frame, check, order[check.code]) for frame, checks in sources for check in checks
    ]
    if not parts:
        return pl.DataFrame(schema=ISSUE_SCHEMA)
    hits = pl.concat(parts, how="vertical").collect().sort([ROW_INDEX, "_order"])
    return (
        hits.lazy()
        .join(
            lineage.lazy().select(ROW_INDEX, *LINEAGE_COLUMNS),
            on=ROW_INDEX,
            how="left",
            maintain_order="left",
        )
        .join(_catalogue_with_pieces().lazy(), on="_order", how="left", maintain_order="left")
        .with_columns(_message().alias("message"))
        .select(list(ISSUE_SCHEMA))
        .collect()
        .cast(ISSUE_SCHEMA)
    )
