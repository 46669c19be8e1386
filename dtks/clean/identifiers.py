"""NIK and Nomor KK: normalising the written number, Excel damage, region, embedded date, serial."""

from __future__ import annotations

from datetime import date

import polars as pl

from dtks.clean.dates import century_by_age, date_or_null
from dtks.clean.issues import Check
from dtks.privacy import mask_number_expr
from dtks.region import Kecamatan

# Kemendagri province codes (the first two digits of every NIK and KK), including the
# Papua provinces created in 2022. National facts, not tied to one kecamatan.
PROVINCE_CODES: tuple[str, ...] = (
    "11",
    "12",
    "13",
    "14",
    "15",
    "16",
    "17",
    "18",
    "19",
    "21",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "51",
    "52",
    "53",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "72",
    "73",
    "74",
    "75",
    "76",
    "81",
    "82",
    "91",
    "92",
    "93",
    "94",
    "95",
    "96",
)
NUMBER_LENGTH = 16
WOMAN_DAY_OFFSET = 40

_SCIENTIFIC = r"^(\d+)(?:[.,](\d+))?E\+?(\d+)$"
_FLOAT_TEXT = r"^(\d{16})\.0+$"
_SPACES_AND_QUOTES = "[\\s\u00a0'`\u2018\u2019\"]+"
_EMPTY = r"^(?:|-+|0+|TIDAK ?ADA|TDK ?ADA|BELUM ?ADA|BLM ?ADA|BELUM ?PUNYA|NULL|NONE|N/?A|KOSONG)$"
# "3.528.114.506.890.000": digits grouped in thousands, as a number format displays them; the
# value went through a number, so a last digit 0 may be Excel's 15-digit truncation.
_THOUSANDS_GROUPED = r"^\d{1,3}(?:(?:\.\d{3}){4,}|(?:,\d{3}){4,})$"


def add_number(lf: pl.LazyFrame, column: str, was_numeric: str) -> pl.LazyFrame:
    """Add `{column}` (16 digits or null), `_as_written`, `_possibly_truncated` and `_{column}_status`.

    Status: missing, bad_characters, wrong_length, scientific_truncated or ok. `_{column}_digits`
    keeps what the digits looked like after normalising, for masked display in issues.
    Most cells are already 16 digits; the costly parsing runs only on the others.
    """
    text, odd = f"_{column}_text", f"_{column}_odd"
    lf = lf.with_columns(pl.col(column).str.replace_all(_SPACES_AND_QUOTES, "").alias(text))
    lf = lf.with_columns(
        pl.col(text).str.contains(_THOUSANDS_GROUPED).fill_null(False).alias(f"_{column}_grouped")
    )
    plain = pl.col(text).str.contains(r"^\d{16}$")
    lf = lf.with_columns(pl.when(~plain).then(pl.col(text).str.to_uppercase()).alias(odd))
    mantissa, fraction, exponent = _scientific_parts(pl.col(odd))
    lf = lf.with_columns(
        mantissa.alias("_mantissa"), fraction.alias("_fraction"), exponent.alias("_exponent")
    )
    mantissa, fraction = pl.col("_mantissa"), pl.col("_fraction")
    is_sci = mantissa.is_not_null()
    sci_length = mantissa.str.len_chars() + pl.col("_exponent")
    sci_digits = (mantissa + fraction + pl.lit("0" * NUMBER_LENGTH)).str.slice(0, sci_length)
    sci_exact = (mantissa + fraction).str.len_chars() >= sci_length
    other_digits = pl.col(odd).str.replace(_FLOAT_TEXT, "$1").str.replace_all(r"[.\-_/,]", "")
    digits = pl.when(is_sci).then(sci_digits).otherwise(other_digits)
    lf = lf.with_columns(
        digits.alias("_odd_digits"), is_sci.fill_null(False).alias(f"_{column}_scientific")
    )
    odd_digits = pl.col("_odd_digits")
    status = (
        pl.when(plain)
        .then(pl.lit("ok"))
        .when(pl.col(text).is_null() | pl.col(odd).str.contains(_EMPTY))
        .then(pl.lit("missing"))
        .when(pl.col(f"_{column}_scientific") & ~sci_exact)
        .then(pl.lit("scientific_truncated"))
        .when(~odd_digits.str.contains(r"^\d+$"))
        .then(pl.lit("bad_characters"))
        .when(odd_digits.str.len_bytes() != NUMBER_LENGTH)
        .then(pl.lit("wrong_length"))
        .otherwise(pl.lit("ok"))
    )
    lf = lf.with_columns(
        status.alias(f"_{column}_status"),
        pl.coalesce(odd_digits, pl.col(text)).alias(f"_{column}_digits"),
    ).drop("_mantissa", "_fraction", "_exponent", "_odd_digits", text, odd)
    ok = pl.col(f"_{column}_status") == "ok"
    from_number = (
        pl.col(f"_{column}_scientific")
        | pl.col(f"_{column}_grouped")
        | pl.col(was_numeric).fill_null(False)
    )
    truncated = (pl.col(f"_{column}_status") == "scientific_truncated") | (
        ok & from_number & pl.col(f"_{column}_digits").str.ends_with("0")
    )
    return lf.with_columns(
        pl.when(ok).then(pl.col(f"_{column}_digits")).alias(column),
        pl.col(column).alias(f"{column}_as_written"),
        truncated.fill_null(False).alias(f"{column}_possibly_truncated"),
    )


def _scientific_parts(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Mantissa (leading zeros off), fraction digits and exponent of a number Excel wrote in
    scientific notation ("3.52811E+15" -> "3", "52811", 15); null mantissa for other text."""
    parts = text.str.extract_groups(_SCIENTIFIC)
    return (
        parts.struct.field("1").str.strip_chars_start("0"),
        parts.struct.field("2").fill_null(""),
        parts.struct.field("3").cast(pl.Int32, strict=False),
    )


def scientific_leading_digits(written: pl.Expr) -> pl.Expr:
    """The leading digits a 16-digit number written by Excel in scientific notation still
    holds: "3.52811E+15" -> "352811", "3,5281101E+15" -> "35281101"; null for any other text
    (a plain number, or a scientific one that is not 16 digits long).
    """
    text = written.str.replace_all(_SPACES_AND_QUOTES, "").str.to_uppercase()
    mantissa, fraction, exponent = _scientific_parts(text)
    digits = mantissa + fraction
    return (
        pl.when((mantissa.str.len_chars() + exponent) == NUMBER_LENGTH)
        .then(digits.str.strip_chars_end("0").str.slice(0, NUMBER_LENGTH))
        .otherwise(pl.lit(None, pl.String))
    )


def _part(column: str, offset: int, length: int) -> pl.Expr:
    return pl.col(column).str.slice(offset, length).cast(pl.Int32, strict=False)


def region_is_real(column: str) -> pl.Expr:
    """First 6 digits look like a Kemendagri region: known province, kabupaten and kecamatan not 00."""
    number = pl.col(column)
    return (
        number.str.slice(0, 2).is_in(PROVINCE_CODES)
        & (number.str.slice(2, 2) != "00")
        & (number.str.slice(4, 2) != "00")
    )


def add_nik_fields(
    lf: pl.LazyFrame, kecamatan: Kecamatan, typed_year: pl.Expr, reference: date
) -> pl.LazyFrame:
    """Add `nik_birth_date`, `nik_sex`, `nik_region_is_local`, `nik_is_valid` and helper flags.

    The NIK's two-digit year takes the century of `typed_year` when their last two digits
    agree, otherwise the century that gives an age of 0-99.
    """
    lf = lf.with_columns(
        _part("nik", 6, 2).alias("_nik_day_code"),
        _part("nik", 8, 2).alias("_nik_month"),
        _part("nik", 10, 2).alias("_nik_yy"),
    )
    day_code, month, yy = pl.col("_nik_day_code"), pl.col("_nik_month"), pl.col("_nik_yy")
    is_woman = day_code > WOMAN_DAY_OFFSET
    day = pl.when(is_woman).then(day_code - WOMAN_DAY_OFFSET).otherwise(day_code)
    agrees = (typed_year % 100 == yy) & typed_year.is_between(reference.year - 150, reference.year)
    year = (
        pl.when(agrees.fill_null(False)).then(typed_year).otherwise(century_by_age(yy, reference))
    )
    lf = lf.with_columns(year.alias("_nik_year"), day.alias("_nik_day"))
    year, day = pl.col("_nik_year"), pl.col("_nik_day")
    lf = lf.with_columns(date_or_null(year, month, day).alias("_nik_born"))
    born = pl.col("_nik_born")
    born = (
        pl.when(born > pl.lit(reference)).then(date_or_null(year - 100, month, day)).otherwise(born)
    )
    sex = (
        pl.when(day_code.is_between(1, 31))
        .then(pl.lit("L"))
        .when(day_code.is_between(41, 71))
        .then(pl.lit("P"))
    )
    lf = lf.with_columns(
        born.alias("nik_birth_date"),
        sex.alias("nik_sex"),
        (pl.col("nik").str.slice(0, 6) == kecamatan.nik_prefix).alias("nik_region_is_local"),
        region_is_real("nik").alias("_nik_region_real"),
        (pl.col("nik").str.slice(12, 4) == "0000").alias("_nik_serial_zero"),
    )
    valid = (
        pl.col("nik").is_not_null()
        & pl.col("nik_birth_date").is_not_null()
        & pl.col("_nik_region_real")
        & ~pl.col("_nik_serial_zero")
    )
    return lf.with_columns(valid.fill_null(False).alias("nik_is_valid"))


def kk_issue_date(column: str, reference: date) -> pl.Expr:
    """The date a KK number was issued: its digits 7-12 as DDMMYY, the two-digit year in the
    century giving an age of 0-99 (`century_by_age`); null when not a real date or later than
    `reference` (the run's reference date).

    A KK is issued anew when a family moves, splits or loses its head, so of two sound KK
    numbers of one person the one issued later is the family they belong to now.

        >>> frame = pl.DataFrame({"no_kk": ["3528111503190004", "3528110112990001",
        ...                                 "3528113102100003", None]})
        >>> frame.select(kk_issue_date("no_kk", date(2026, 11, 30))).to_series().to_list()
        [datetime.date(2019, 3, 15), datetime.date(1999, 12, 1), None, None]
    """
    year = century_by_age(_part(column, 10, 2), reference)
    issued = date_or_null(year, _part(column, 8, 2), _part(column, 6, 2))
    return pl.when(issued <= pl.lit(reference)).then(issued)


def add_kk_fields(lf: pl.LazyFrame, kecamatan: Kecamatan, reference: date) -> pl.LazyFrame:
    """Add `no_kk_issue_date` (`kk_issue_date`), `no_kk_is_valid` and helper flags: region,
    issue date (DDMMYY, not in the future), serial."""
    lf = lf.with_columns(
        kk_issue_date("no_kk", reference).alias("no_kk_issue_date"),
        (pl.col("no_kk").str.slice(0, 6) == kecamatan.nik_prefix).alias("_no_kk_local"),
        region_is_real("no_kk").alias("_no_kk_region_real"),
        (pl.col("no_kk").str.slice(12, 4) == "0000").alias("_no_kk_serial_zero"),
    ).with_columns(pl.col("no_kk_issue_date").is_not_null().alias("_no_kk_date_real"))
    valid = (
        pl.col("no_kk").is_not_null()
        & pl.col("_no_kk_date_real")
        & pl.col("_no_kk_region_real")
        & ~pl.col("_no_kk_serial_zero")
    )
    return lf.with_columns(valid.fill_null(False).alias("no_kk_is_valid"))


def _number_checks(column: str) -> list[Check]:
    status = pl.col(f"_{column}_status")
    masked_digits = mask_number_expr(pl.col(f"_{column}_digits"))
    as_written = pl.col(f"{column}_as_written")
    known = pl.col(column).is_not_null()
    return [
        Check(f"{column}_missing", status == "missing"),
        Check(f"{column}_bad_characters", status == "bad_characters", mask_number_expr(as_written)),
        Check(f"{column}_wrong_length", status == "wrong_length", masked_digits),
        Check(f"{column}_scientific_truncated", status == "scientific_truncated", masked_digits),
        Check(
            f"{column}_possibly_truncated",
            known & pl.col(f"{column}_possibly_truncated"),
            masked_digits,
        ),
        Check(f"{column}_serial_zero", known & pl.col(f"_{column}_serial_zero"), masked_digits),
        Check(f"{column}_bad_region", known & ~pl.col(f"_{column}_region_real"), masked_digits),
    ]


def nik_checks() -> list[Check]:
    """Issues of the NIK column (the sex and date comparisons live with their own columns)."""
    masked = mask_number_expr(pl.col("nik"))
    known = pl.col("nik").is_not_null()
    return [
        *_number_checks("nik"),
        Check(
            "nik_foreign_region",
            known & pl.col("_nik_region_real") & ~pl.col("nik_region_is_local"),
            masked,
        ),
        Check("nik_bad_date", known & pl.col("nik_birth_date").is_null(), masked),
        Check("nik_equals_kk", known & (pl.col("nik") == pl.col("no_kk")), masked),
        Check(
            "nik_sex_mismatch",
            pl.col("nik_sex") != pl.col("jenis_kelamin"),
            pl.col("jenis_kelamin"),
            pl.col("nik_sex"),
        ),
    ]


def kk_checks() -> list[Check]:
    """Issues of the Nomor KK column."""
    masked = mask_number_expr(pl.col("no_kk"))
    known = pl.col("no_kk").is_not_null()
    return [
        *_number_checks("no_kk"),
        Check(
            "no_kk_foreign_region",
            known & pl.col("_no_kk_region_real") & ~pl.col("_no_kk_local"),
            masked,
        ),
        Check("no_kk_bad_date", known & ~pl.col("_no_kk_date_real"), masked),
    ]
