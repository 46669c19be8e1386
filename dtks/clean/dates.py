"""Birth and update dates: reading every written form, century rules, swaps, impossible and placeholder dates."""

from __future__ import annotations

from datetime import date

import polars as pl

from dtks.clean.issues import Check

MAX_AGE_YEARS = 120
EXCEL_EPOCH = date(1899, 12, 30)
MAX_EXCEL_SERIAL = 60000
PLACEHOLDER_DAY_MONTHS: tuple[tuple[int, int], ...] = ((1, 1), (31, 12), (1, 7))

# Month names and abbreviations, Indonesian and English, upper case.
MONTHS: dict[str, int] = {
    **dict.fromkeys(("JANUARI", "JAN", "JANUARY", "JANUARY"), 1),
    **dict.fromkeys(("FEBRUARI", "PEBRUARI", "FEB", "PEB", "FEBRUARY"), 2),
    **dict.fromkeys(("MARET", "MAR", "MRT", "MARCH"), 3),
    **dict.fromkeys(("APRIL", "APR"), 4),
    **dict.fromkeys(("MEI", "MAY"), 5),
    **dict.fromkeys(("JUNI", "JUN", "JUNE"), 6),
    **dict.fromkeys(("JULI", "JUL", "JULY"), 7),
    **dict.fromkeys(("AGUSTUS", "AGUST", "AGU", "AGT", "AGS", "AUG", "AUGUST"), 8),
    **dict.fromkeys(("SEPTEMBER", "SEPT", "SEP"), 9),
    **dict.fromkeys(("OKTOBER", "OKT", "OCT", "OCTOBER"), 10),
    **dict.fromkeys(("NOVEMBER", "NOPEMBER", "NOV", "NOP"), 11),
    **dict.fromkeys(("DESEMBER", "DES", "DEC", "DECEMBER"), 12),
}

_SEP = r"(?:\s*[-/.]\s*|\s+)"
_DMY = rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})$"
_YMD = rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})$"
_D_MONTH_Y = r"^(\d{1,2})[\s\-/.]*([A-Z]+)\.?[\s\-/.,]*(\d{4}|\d{2})$"
_MONTH_D_Y = r"^([A-Z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$"
_YYYYMMDD = r"^((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$"
_DDMMYYYY = r"^(\d{2})(\d{2})(\d{4})$"
_SERIAL = r"^(\d{1,5})(?:\.0+)?$"
_YEAR_ONLY = r"^(?:18|19|20)\d{2}$"
_EMPTY = r"^(?:|-+|0|TIDAK TAHU|TDK TAHU|NULL|N/?A)$"


def days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    """Number of days of `month` in `year` (Gregorian), as an expression."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2)
        .then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11]))
        .then(30)
        .otherwise(31)
    )


def is_real_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """True where (year, month, day) is a calendar date; null components give False."""
    return (
        year.is_between(1, 9999)
        & month.is_between(1, 12)
        & (day >= 1)
        & (day <= days_in_month(year, month))
    ).fill_null(False)


def date_or_null(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The date, or null where the components are not a calendar date (never raises)."""
    real = is_real_date(year, month, day)
    safe = pl.date(
        pl.when(real).then(year).otherwise(2000),
        pl.when(real).then(month).otherwise(1),
        pl.when(real).then(day).otherwise(1),
    )
    return pl.when(real).then(safe)


def century_by_age(two_digit_year: pl.Expr, reference: date) -> pl.Expr:
    """Four-digit year for a two-digit one: the century that gives an age of 0-99."""
    this_century = 2000 + two_digit_year
    return (
        pl.when(this_century <= reference.year).then(this_century).otherwise(1900 + two_digit_year)
    )


def format_date(column: pl.Expr) -> pl.Expr:
    """Date as an operator writes it: 17-08-1975."""
    return column.dt.to_string("%d-%m-%Y")


def _normalised_text(column: str) -> pl.Expr:
    text = (
        pl.col(column)
        .str.strip_chars()
        .str.strip_chars_start("'`")
        .str.to_uppercase()
        .str.replace(r"[T\s]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
        .str.strip_chars(" .,")
    )
    return pl.when(text.str.contains(_EMPTY)).then(None).otherwise(text)


# Written forms: name -> (regex, group of year, month, day); a month group may be a name.
FORMS: dict[str, tuple[str, int, int, int]] = {
    "dmy": (_DMY, 3, 2, 1),
    "ymd": (_YMD, 1, 2, 3),
    "yyyymmdd": (_YYYYMMDD, 1, 2, 3),
    "ddmmyyyy": (_DDMMYYYY, 3, 2, 1),
    "d_month_y": (_D_MONTH_Y, 3, 2, 1),
    "month_d_y": (_MONTH_D_Y, 3, 1, 2),
}
SWAPPABLE_FORMS: tuple[str, ...] = ("dmy", "ymd", "yyyymmdd", "ddmmyyyy")


def _form_parts(t: pl.Expr, form: str) -> pl.Expr:
    """Struct {form, y, m, d} (as text) where `t` matches `form`, null elsewhere.

    Month names are looked up here, so a form with an unknown month name does not match.
    """
    pattern, year, month, day = FORMS[form]
    groups = t.str.extract_groups(pattern)
    month_text = groups.struct.field(str(month))
    if form in ("d_month_y", "month_d_y"):
        month_text = month_text.replace_strict(MONTHS, default=None, return_dtype=pl.Int32).cast(
            pl.String
        )
    parts = pl.struct(
        pl.lit(form).alias("form"),
        groups.struct.field(str(year)).alias("y"),
        month_text.alias("m"),
        groups.struct.field(str(day)).alias("d"),
    )
    return pl.when(month_text.is_not_null()).then(parts)


def add_date_parts(lf: pl.LazyFrame, column: str, prefix: str, reference: date) -> pl.LazyFrame:
    """Add `{prefix}_y/_m/_d` (written order, century resolved), `_swappable`, `_two_digit`, `_form`.

    `_form` is null for an empty cell, "unreadable" when no known form matched, otherwise
    the form read (dmy, ymd, yyyymmdd, ddmmyyyy, d_month_y, month_d_y, serial).
    Meant to run on distinct written values (see `dtks.clean.distinct`).
    """
    text, rest = f"{prefix}_text", f"{prefix}_rest"
    lf = lf.with_columns(_normalised_text(column).alias(text))
    # Fast path: real dates in the common numeric forms parse natively; regexes run on the rest.
    fast = pl.coalesce(
        pl.col(text).str.to_date(fmt, strict=False) for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")
    )
    fast = pl.when(fast.dt.year() >= 1000).then(fast)
    lf = lf.with_columns(fast.alias("_fast"))
    lf = lf.with_columns(pl.when(pl.col("_fast").is_null()).then(pl.col(text)).alias(rest))
    t = pl.col(rest)
    fast_form = (
        pl.when(pl.col(text).str.contains(r"^\d{4}")).then(pl.lit("ymd")).otherwise(pl.lit("dmy"))
    )
    fast_parts = pl.struct(
        fast_form.alias("form"),
        pl.col("_fast").dt.year().cast(pl.String).alias("y"),
        pl.col("_fast").dt.month().cast(pl.String).alias("m"),
        pl.col("_fast").dt.day().cast(pl.String).alias("d"),
    )
    chosen = pl.coalesce(
        pl.when(pl.col("_fast").is_not_null()).then(fast_parts),
        *(_form_parts(t, form) for form in FORMS),
    )
    serial = t.str.extract(_SERIAL, 1).cast(pl.Int32, strict=False)
    is_serial = ~t.str.contains(_YEAR_ONLY) & serial.is_between(1, MAX_EXCEL_SERIAL)
    serial_date = pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)
    lf = lf.with_columns(
        chosen.alias("_chosen"),
        pl.when(is_serial.fill_null(False)).then(serial_date).alias("_serial_date"),
    )
    chosen_col, serial_col = pl.col("_chosen"), pl.col("_serial_date")
    form = (
        pl.when(pl.col(text).is_null())
        .then(None)
        .when(chosen_col.is_not_null())
        .then(chosen_col.struct.field("form"))
        .when(serial_col.is_not_null())
        .then(pl.lit("serial"))
        .otherwise(pl.lit("unreadable"))
    )
    year_text = chosen_col.struct.field("y")
    two_digit = year_text.str.len_bytes() == 2
    year_number = year_text.cast(pl.Int32, strict=False)
    year = (
        pl.when(serial_col.is_not_null() & chosen_col.is_null())
        .then(serial_col.dt.year().cast(pl.Int32))
        .when(two_digit)
        .then(century_by_age(year_number, reference))
        .otherwise(year_number)
    )
    month = pl.coalesce(
        chosen_col.struct.field("m").cast(pl.Int32, strict=False),
        serial_col.dt.month().cast(pl.Int32),
    )
    day = pl.coalesce(
        chosen_col.struct.field("d").cast(pl.Int32, strict=False),
        serial_col.dt.day().cast(pl.Int32),
    )
    return lf.with_columns(
        form.alias(f"{prefix}_form"),
        year.alias(f"{prefix}_y"),
        month.alias(f"{prefix}_m"),
        day.alias(f"{prefix}_d"),
        (two_digit & chosen_col.is_not_null()).fill_null(False).alias(f"{prefix}_two_digit"),
        chosen_col.struct.field("form")
        .is_in(SWAPPABLE_FORMS)
        .fill_null(False)
        .alias(f"{prefix}_swappable"),
    ).drop("_chosen", "_serial_date", "_fast", text, rest)


def part_columns(prefix: str) -> list[str]:
    """Columns `add_date_parts` adds (for computing them on distinct values)."""
    return [f"{prefix}_{part}" for part in ("form", "y", "m", "d", "two_digit", "swappable")]


def resolve_date(
    lf: pl.LazyFrame, prefix: str, reference: date, witness: pl.Expr | None = None
) -> pl.LazyFrame:
    """Add `{prefix}_date`, `_swapped`, `_impossible`, `_future` from the parts of `add_date_parts`.

    Day and month are swapped when a numeric written form is impossible but the swapped one
    is a date, or, for any written form, when `witness` (the NIK date) equals the swapped date.
    """
    y, m, d = pl.col(f"{prefix}_y"), pl.col(f"{prefix}_m"), pl.col(f"{prefix}_d")
    direct = date_or_null(y, m, d)
    swapped = date_or_null(y, d, m)
    witness_says_swap = (
        (witness == swapped) & (witness != direct.fill_null(date(1, 1, 1)))
        if witness is not None
        else pl.lit(False)
    )
    # Without a witness only numeric forms can be read the other way round; with the NIK
    # as witness any form can (Excel date cells are often dd/mm typed under an mm/dd locale).
    use_swap = (
        swapped.is_not_null()
        & (d != m)
        & ((pl.col(f"{prefix}_swappable") & direct.is_null()) | witness_says_swap.fill_null(False))
    ).fill_null(False)
    value = pl.when(use_swap).then(swapped).otherwise(direct)
    readable = pl.col(f"{prefix}_form").is_not_null() & (pl.col(f"{prefix}_form") != "unreadable")
    oldest = date(reference.year - MAX_AGE_YEARS, reference.month, min(reference.day, 28))
    lf = lf.with_columns(value.alias(f"{prefix}_value"), use_swap.alias(f"{prefix}_swapped"))
    v = pl.col(f"{prefix}_value")
    future = v > pl.lit(reference)
    impossible = readable & (v.is_null() | (v < pl.lit(oldest)))
    return lf.with_columns(
        pl.when(future.fill_null(False) | impossible)
        .then(None)
        .otherwise(v)
        .alias(f"{prefix}_date"),
        impossible.fill_null(False).alias(f"{prefix}_impossible"),
        future.fill_null(False).alias(f"{prefix}_future"),
    )


def add_birth_date(lf: pl.LazyFrame, reference: date) -> pl.LazyFrame:
    """Add `tanggal_lahir` (date), `tanggal_lahir_as_written`, `tanggal_lahir_is_placeholder`.

    Needs `_tl_*` parts (from `add_date_parts`) and `nik_birth_date` (the NIK witness).
    When the written date is missing, unreadable, impossible or in the future, the date the
    NIK carries is used instead and `tanggal_lahir_from_nik` says so; the written date's
    issue is still raised, so the operator fixes the record.
    """
    lf = resolve_date(lf, "_tl", reference, witness=pl.col("nik_birth_date"))
    born = pl.col("_tl_date")
    placeholder = pl.any_horizontal(
        (born.dt.day() == day) & (born.dt.month() == month) for day, month in PLACEHOLDER_DAY_MONTHS
    )
    from_nik = born.is_null() & pl.col("nik_birth_date").is_not_null()
    return lf.with_columns(
        pl.coalesce(born, pl.col("nik_birth_date")).alias("tanggal_lahir"),
        pl.col("tanggal_lahir").alias("tanggal_lahir_as_written"),
        placeholder.fill_null(False).alias("tanggal_lahir_is_placeholder"),
        from_nik.alias("tanggal_lahir_from_nik"),
    )


def add_update_date(lf: pl.LazyFrame, reference: date) -> pl.LazyFrame:
    """Add `_tu_date` from the `_tu_*` parts of TANGGAL UPDATE (same forms, no NIK witness)."""
    return resolve_date(lf, "_tu", reference)


def birth_date_checks() -> list[Check]:
    """Issues of the birth date: missing, unreadable, impossible, future, swapped, 2-digit, placeholder."""
    written = pl.col("tanggal_lahir_as_written")
    nik_date = format_date(pl.col("nik_birth_date"))
    form = pl.col("_tl_form")
    readable = form.is_not_null() & (form != "unreadable")
    return [
        Check("tanggal_lahir_missing", form.is_null(), written, nik_date),
        Check("tanggal_lahir_unreadable", form == "unreadable", written, nik_date),
        Check("tanggal_lahir_impossible", pl.col("_tl_impossible"), written, nik_date),
        Check("tanggal_lahir_future", pl.col("_tl_future"), written, nik_date),
        Check(
            "tanggal_lahir_day_month_swapped",
            pl.col("_tl_swapped") & pl.col("_tl_date").is_not_null(),
            written,
            format_date(pl.col("tanggal_lahir")),
        ),
        Check(
            "tanggal_lahir_two_digit_year",
            readable & pl.col("_tl_two_digit") & pl.col("_tl_date").is_not_null(),
            written,
            format_date(pl.col("tanggal_lahir")),
        ),
        Check(
            "tanggal_lahir_placeholder",
            pl.col("tanggal_lahir_is_placeholder"),
            written,
            pl.when(pl.col("nik_birth_date") != pl.col("tanggal_lahir")).then(nik_date),
        ),
        Check(
            "nik_date_mismatch",
            (pl.col("nik_birth_date") != pl.col("_tl_date")) & ~pl.col("_tl_swapped"),
            format_date(pl.col("tanggal_lahir")),
            nik_date,
        ),
    ]


def update_date_checks() -> list[Check]:
    """Issues of the update date: written but not readable as a real, past date."""
    bad = (pl.col("_tu_form") == "unreadable") | pl.col("_tu_impossible") | pl.col("_tu_future")
    return [Check("tanggal_update_unreadable", bad, pl.col("tanggal_update"))]
