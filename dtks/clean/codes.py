"""Coded columns: sex, relationship to the head, marital status, program flags, PADAN, KETERANGAN."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from dtks.clean.issues import Check

PROGRAM_FLAGS: tuple[str, ...] = ("pkh", "bpnt", "pbi_jk", "bst")
SPOUSE = "ISTRI/SUAMI"  # code 2: resolved to ISTRI or SUAMI by sex

# Keys are written forms after `code_text`: upper case, punctuation as single spaces.
SEX: dict[str, str] = {
    **dict.fromkeys(("L", "LK", "LAKI", "LAKI LAKI", "LAKILAKI", "PRIA", "1", "M", "MALE"), "L"),
    **dict.fromkeys(
        ("P", "PR", "PEREMPUAN", "WANITA", "PEREMPUAN WANITA", "2", "W", "F", "FEMALE"), "P"
    ),
}

RELATIONSHIP: dict[str, str] = {
    **dict.fromkeys(
        (
            "1",
            "KEPALA KELUARGA",
            "KK",
            "KEP KELUARGA",
            "KEPALA KEL",
            "KEP KEL",
            "KEPALA",
            "KEPALA RUMAH TANGGA",
            "KRT",
            "KEPALA RUTA",
            "KEPALA KELUARGA KK",
        ),
        "KEPALA KELUARGA",
    ),
    **dict.fromkeys(("ISTRI", "ISTERI", "IST"), "ISTRI"),
    **dict.fromkeys(("SUAMI",), "SUAMI"),
    **dict.fromkeys(("2", "ISTRI SUAMI", "SUAMI ISTRI", "PASANGAN", "ISTERI SUAMI"), SPOUSE),
    **dict.fromkeys(("3", "ANAK", "ANAK KANDUNG", "ANAK TIRI", "ANAK ANGKAT", "ANK"), "ANAK"),
    **dict.fromkeys(("4", "MENANTU"), "MENANTU"),
    **dict.fromkeys(("5", "CUCU"), "CUCU"),
    **dict.fromkeys(
        ("6", "ORANG TUA", "ORANGTUA", "ORTU", "AYAH", "IBU", "BAPAK", "ORANG TUA KANDUNG"),
        "ORANG TUA",
    ),
    **dict.fromkeys(("7", "MERTUA"), "MERTUA"),
    **dict.fromkeys(
        (
            "8",
            "FAMILI LAIN",
            "FAMILI",
            "FAMILY",
            "FAMILI LAINNYA",
            "SAUDARA",
            "KERABAT",
            "KELUARGA LAIN",
        ),
        "FAMILI LAIN",
    ),
    **dict.fromkeys(
        ("9", "LAINNYA", "LAIN LAIN", "LAIN", "PEMBANTU", "PEMBANTU RUMAH TANGGA", "PRT"),
        "LAINNYA",
    ),
}

MARITAL: dict[str, str] = {
    **dict.fromkeys(
        ("1", "BELUM KAWIN", "BELUM MENIKAH", "BLM KAWIN", "TIDAK KAWIN", "LAJANG", "BK"),
        "BELUM KAWIN",
    ),
    **dict.fromkeys(
        (
            "2",
            "KAWIN",
            "MENIKAH",
            "SUDAH KAWIN",
            "SUDAH MENIKAH",
            "NIKAH",
            "K",
            "KAWIN TERCATAT",
            "KAWIN BELUM TERCATAT",
            "KAWIN TIDAK TERCATAT",
            "KAWIN SIRI",
        ),
        "KAWIN",
    ),
    **dict.fromkeys(
        ("3", "CERAI HIDUP", "CERAI", "CH", "JANDA CERAI", "DUDA CERAI"), "CERAI HIDUP"
    ),
    **dict.fromkeys(("4", "CERAI MATI", "CM", "JANDA MATI", "DUDA MATI"), "CERAI MATI"),
}

YES_NO: dict[str, bool] = {
    **dict.fromkeys(
        ("YA", "Y", "1", "TRUE", "YES", "ADA", "PENERIMA", "V", "SUDAH", "PADAN", "SUDAH PADAN"),
        True,
    ),
    **dict.fromkeys(
        (
            "TIDAK",
            "TDK",
            "N",
            "0",
            "FALSE",
            "NO",
            "BUKAN",
            "BELUM",
            "TIDAK PADAN",
            "BELUM PADAN",
            "BUKAN PENERIMA",
        ),
        False,
    ),
}

# KETERANGAN: first matching rule wins; words are matched whole.
KETERANGAN_RULES: tuple[tuple[str, str], ...] = (
    ("MENINGGAL", r"\b(MENINGGAL|MENINGAL|WAFAT|ALM|ALMH|ALMARHUM|ALMARHUMAH|MD|MGL|MATI)\b"),
    ("PINDAH", r"\b(PINDAH|PINDAHAN|MUTASI|PNDH)\b"),
    ("GANDA", r"\b(GANDA|DOUBLE|DOBEL|DOBLE|DUPLIKAT|DUPLIKASI|DUPLICATE)\b"),
    ("TIDAK DITEMUKAN", r"\b(TIDAK|TDK|TAK) ?DI ?TEMUKAN\b|\bTIDAK DIKENAL\b"),
)


def code_text(column: str) -> pl.Expr:
    """Cell text reduced for lookup: upper case, punctuation to spaces, single spaces, trimmed."""
    return (
        pl.col(column)
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9]+", " ")
        .str.strip_chars()
        .str.replace(r"^0+(\d)$", "$1")
    )


def lookup(column: str, table: dict[str, str] | dict[str, bool], dtype: pl.DataType) -> pl.Expr:
    """Canonical value of a coded cell, null when blank or not recognised."""
    text = code_text(column)
    # "1 - KEPALA KELUARGA" / "3. ANAK": try the whole text, then the text without the code.
    without_code = text.str.replace(r"^\d+ (\D)", "$1")
    whole = text.replace_strict(table, default=None, return_dtype=dtype)
    return pl.coalesce(whole, without_code.replace_strict(table, default=None, return_dtype=dtype))


def _is_blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | pl.col(column).str.strip_chars(" -.").eq("")


def lookups() -> list[tuple[str, str, pl.Expr]]:
    """(source column, output column, expression) of every coded column's lookup.

    Each depends on its own cell only, so it can be computed once per distinct value.
    """
    result: list[tuple[str, str, pl.Expr]] = [
        ("jenis_kelamin", "jenis_kelamin", lookup("jenis_kelamin", SEX, pl.String())),
        (
            "hubungan_keluarga",
            "_hubungan_code",
            lookup("hubungan_keluarga", RELATIONSHIP, pl.String()),
        ),
        ("status_kawin", "status_kawin", lookup("status_kawin", MARITAL, pl.String())),
        ("padan_dukcapil", "padan_dukcapil", lookup("padan_dukcapil", YES_NO, pl.Boolean())),
    ]
    result += [(flag, flag, lookup(flag, YES_NO, pl.Boolean())) for flag in PROGRAM_FLAGS]
    return result


def code_outputs(source: str, output: str) -> list[str]:
    """Columns `derive_code` adds: the canonical value and the blank / unrecognised flags."""
    return [output, f"_{source}_blank", f"_{source}_unrecognised"]


def derive_code(source: str, output: str, expr: pl.Expr) -> Callable[[pl.LazyFrame], pl.LazyFrame]:
    """A step adding `output` (canonical value) and flags `_{source}_blank`, `_{source}_unrecognised`."""

    def derive(lf: pl.LazyFrame) -> pl.LazyFrame:
        lf = lf.with_columns(expr.alias(output), _is_blank(source).alias(f"_{source}_blank"))
        unrecognised = ~pl.col(f"_{source}_blank") & pl.col(output).is_null()
        return lf.with_columns(unrecognised.alias(f"_{source}_unrecognised"))

    return derive


WRITTEN_COPIES: dict[str, str] = {
    "jenis_kelamin": "_jenis_kelamin_written",
    "hubungan_keluarga": "_hubungan_written",
    "status_kawin": "_status_kawin_written",
    "padan_dukcapil": "_padan_dukcapil_written",
    **{flag: f"_{flag}_written" for flag in PROGRAM_FLAGS},
}


def keep_written(lf: pl.LazyFrame) -> pl.LazyFrame:
    """Copy the written coded cells to `_*_written` before they are replaced by canonical values."""
    return lf.with_columns(pl.col(src).alias(dst) for src, dst in WRITTEN_COPIES.items())


def resolve_spouse(lf: pl.LazyFrame) -> pl.LazyFrame:
    """`hubungan_keluarga` from `_hubungan_code`: code 2 (ISTRI/SUAMI) becomes ISTRI or SUAMI by sex."""
    spouse = (
        pl.when(pl.col("jenis_kelamin") == "P")
        .then(pl.lit("ISTRI"))
        .when(pl.col("jenis_kelamin") == "L")
        .then(pl.lit("SUAMI"))
    )
    relationship = (
        pl.when(pl.col("_hubungan_code") == SPOUSE).then(spouse).otherwise(pl.col("_hubungan_code"))
    )
    return lf.with_columns(relationship.alias("hubungan_keluarga"))


def keterangan_kode() -> pl.Expr:
    """KETERANGAN free text to MENINGGAL, PINDAH, GANDA, TIDAK DITEMUKAN or null."""
    text = code_text("keterangan")
    result = pl.lit(None, dtype=pl.String)
    for kode, pattern in reversed(KETERANGAN_RULES):
        result = pl.when(text.str.contains(pattern)).then(pl.lit(kode)).otherwise(result)
    return result


def code_checks() -> list[Check]:
    """Issues of the coded columns: missing or unrecognised values, and KETERANGAN statuses."""
    checks = [
        Check("jenis_kelamin_missing", pl.col("_jenis_kelamin_blank"), None, pl.col("nik_sex")),
        Check(
            "jenis_kelamin_unknown",
            pl.col("_jenis_kelamin_unrecognised"),
            pl.col("_jenis_kelamin_written"),
            pl.col("nik_sex"),
        ),
        Check("hubungan_keluarga_missing", pl.col("_hubungan_keluarga_blank")),
        Check(
            "hubungan_keluarga_unknown",
            pl.col("_hubungan_keluarga_unrecognised"),
            pl.col("_hubungan_written"),
        ),
        Check(
            "hubungan_keluarga_ambiguous",
            (pl.col("_hubungan_code") == SPOUSE) & pl.col("hubungan_keluarga").is_null(),
            pl.col("_hubungan_written"),
        ),
        Check(
            "status_kawin_unknown",
            pl.col("_status_kawin_unrecognised"),
            pl.col("_status_kawin_written"),
        ),
        Check(
            "padan_dukcapil_unknown",
            pl.col("_padan_dukcapil_unrecognised"),
            pl.col("_padan_dukcapil_written"),
        ),
    ]
    checks += [
        Check(f"{flag}_unknown", pl.col(f"_{flag}_unrecognised"), pl.col(f"_{flag}_written"))
        for flag in PROGRAM_FLAGS
    ]
    kode = pl.col("keterangan_kode")
    checks += [
        Check("keterangan_meninggal", kode == "MENINGGAL", pl.col("keterangan")),
        Check("keterangan_pindah", kode == "PINDAH", pl.col("keterangan")),
        Check("keterangan_ganda", kode == "GANDA", pl.col("keterangan")),
        Check("keterangan_tidak_ditemukan", kode == "TIDAK DITEMUKAN", pl.col("keterangan")),
    ]
    return checks
