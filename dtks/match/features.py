"""Per-row match features derived once from clean rows (ids, NIK as integer, effective birth date, term frequencies)."""

from __future__ import annotations

import polars as pl

from dtks.clean import CLEAN_SCHEMA
from dtks.match.keys import RECORD_KEY, record_keys

ROW_ID = "row_id"
LINEAGE = ("village", "source_file", "source_sheet", "source_row")

# Clean-row columns the matcher reads, with the type it expects. Missing ones are added as nulls,
# so a frame from an older or partial cleaning step still matches (with less evidence).
# ``iddtks`` is the person-level IDDTKS and ``iddtks_family`` the family/household id, as
# `dtks.match.identifiers.read_iddtks_meaning` splits the column.
CLEAN_COLUMNS: dict[str, pl.DataType] = {
    column: CLEAN_SCHEMA.get(column, pl.String())
    for column in (
        "village",
        "source_file",
        "source_sheet",
        "source_row",
        "iddtks",
        "iddtks_family",
        "nik",
        "nik_is_valid",
        "nik_possibly_truncated",
        "nik_birth_date",
        "nik_sex",
        "no_kk",
        "no_kk_possibly_truncated",
        "nama",
        "nama_gelar",
        "nama_key",
        "nama_ibu_key",
        "tempat_lahir_key",
        "tanggal_lahir",
        "tanggal_lahir_from_nik",
        "tanggal_lahir_is_placeholder",
        "jenis_kelamin",
        "hubungan_keluarga",
        "desa_kode",
        "dusun",
        "rt",
        "rw",
        "alamat",
    )
}

# Generation of each relationship to the head of the family: a parent and a child differ.
GENERATION: dict[str, int] = {
    "ORANG TUA": 1,
    "MERTUA": 1,
    "KEPALA KELUARGA": 0,
    "ISTRI": 0,
    "SUAMI": 0,
    "ANAK": -1,
    "MENANTU": -1,
    "CUCU": -2,
}

# Feature columns carried into the pair frame (suffixed _l / _r there).
PAIR_FEATURES = (
    ROW_ID,
    "iddtks",
    "iddtks_family",
    "nik",
    "nik15",
    "nik_ok",
    "nik_trunc",
    "nik_agrees_dob",
    "nik_birth_date",
    "no_kk",
    "kk15",
    "kk_trunc",
    "nama_key",
    "nama_sound",
    "is_hajji",
    "nama_ibu_key",
    "ibu_sound",
    "tempat_lahir_key",
    "tgl",
    "tgl_text",
    "tgl_placeholder",
    "sex",
    "desa_kode",
    "dusun",
    "rt",
    "rw",
    "alamat_key",
    "generation",
    "is_head",
    "tf_nama",
    "tf_tgl",
    "tf_ibu",
    "tf_tempat",
    "dob_typed",
    "dob_typed_placeholder",
    "sex_typed",
)

# What the safety line (`dtks.match.safety`) reads besides the name: the row's own values.
SAFETY_FEATURES = ("dob_typed", "dob_typed_placeholder", "sex_typed")
# Set by `dtks.match.shared_nik.mark_shared_niks`: the row's NIK is also on a different person.
NIK_IS_SHARED = "nik_is_shared"
NIK_FITS_ROW = "nik_fits_row"  # the NIK's birth date and sex are the row's (same module)


def safety_feature_exprs() -> list[pl.Expr]:
    """The row's own birth date and sex: a date filled in from the NIK, and the NIK's sex, are
    not the row's (a borrowed NIK carries its owner's), so they count as unknown."""
    from_nik = pl.col("tanggal_lahir_from_nik").fill_null(False)
    return [
        pl.when(from_nik).then(None).otherwise(pl.col("tanggal_lahir")).alias("dob_typed"),
        (pl.col("tanggal_lahir_is_placeholder").fill_null(False) & ~from_nik).alias(
            "dob_typed_placeholder"
        ),
        pl.col("jenis_kelamin").alias("sex_typed"),
    ]


# Feature columns kept besides the pair features, for blocking keys (`dtks.match.blocking`).
BLOCKING_FEATURES = ("nik_int", "nama3", "tgl_year", "nik_is_valid", "hubungan_keluarga")


def conform(clean: pl.DataFrame) -> pl.DataFrame:
    """``clean`` with every column the matcher reads present and of the expected type."""
    missing = [
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in CLEAN_COLUMNS.items()
        if name not in clean.columns
    ]
    frame = clean.with_columns(missing) if missing else clean
    return frame.with_columns([pl.col(name).cast(dtype) for name, dtype in CLEAN_COLUMNS.items()])


def _blank_to_null(column: str) -> pl.Expr:
    col = pl.col(column).str.strip_chars()
    return pl.when(col == "").then(None).otherwise(col).alias(column)


def _term_frequency(column: str, person: str) -> pl.Expr:
    """Chance that another person holds this row's value of ``column``.

    Counted over people, not rows: rows with the same value of ``column`` and of ``person``
    (e.g. the same name and birth date) count once, because they are mostly one person listed
    several times, and a person's own duplicates must not make their name look common (five
    copies of a rare name would otherwise weigh as a name five people carry).
    Leave-one-out: (people with the value - 1) / (people - 1), so a value seen twice counts as
    rare; floored at 1 / people so a value seen once still has a finite frequency.
    """
    count = pl.col(person).n_unique().over(column).cast(pl.Float64)
    total = pl.struct(column, person).n_unique().cast(pl.Float64)
    return pl.max_horizontal((count - 1) / pl.max_horizontal(total - 1, 1), 1 / total).alias(
        f"tf_{column}"
    )


# Titles of someone who made the hajj (as `dtks.clean` writes them in ``nama_gelar``): many
# pilgrims take a new everyday name, while the KTP and KK keep the old one.
HAJJ_TITLES = ["H.", "HJ.", "K.H."]


def hajji_expr() -> pl.Expr:
    """``is_hajji``: the name carries a hajj title (needs ``nama_gelar``)."""
    return (
        pl.col("nama_gelar")
        .str.split(" ")
        .list.eval(pl.element().is_in(HAJJ_TITLES))
        .list.any()
        .fill_null(False)
        .alias("is_hajji")
    )


# How names sound, beyond the spelling folds of cleaning (`dtks.clean.names.name_key`): the
# Madurese and old spellings that vary in the wild (e/i, o/u, f/p/v, q/k, z/j, kh/h, sy/s,
# iy/i as in SAHRIYAH/SAHRIAH), then doubled letters. Too loose for a key; right for a level.
SOUND_FOLDS: dict[str, str] = {
    "KH": "H",
    "SY": "S",
    "TS": "S",
    "IY": "I",
    "UW": "U",
    "F": "P",
    "V": "P",
    "Q": "K",
    "Z": "J",
    "E": "I",
    "O": "U",
}
_DOUBLED = {letter * 2: letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def sound_key(column: str) -> pl.Expr:
    """``column`` folded to how it sounds: "KHOLIFAH" and "HOLIPAH" -> "HULIPAH"."""
    return (
        pl.col(column)
        .str.replace_many(SOUND_FOLDS)
        .str.replace_many(_DOUBLED)
        .str.replace_many(_DOUBLED)
    )


PLACEHOLDER_DAYS = ((1, 1), (12, 31), (7, 1))  # (month, day) written when the date is unknown


def _placeholder_pattern(column: str) -> pl.Expr:
    """The date in ``column`` is one of the placeholder days (01-01, 31-12, 01-07)."""
    date = pl.col(column)
    return pl.any_horizontal(
        [(date.dt.month() == m) & (date.dt.day() == d) for m, d in PLACEHOLDER_DAYS]
    ).fill_null(False)


def _address_key() -> pl.Expr:
    """``alamat`` in a match form (upper case, punctuation dropped, single spaces), only for rows
    without RT and RW: where they are known, the household comparison reads them, and the free
    text (``DUSUN BARAT RT 001``) adds nothing but the cost of comparing it."""
    text = (
        pl.col("alamat")
        .str.to_uppercase()
        .str.replace_all(r"[^0-9A-Z ]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
        .replace("", None)
    )
    structured = pl.col("rt").is_not_null() & pl.col("rw").is_not_null()
    return pl.when(structured).then(None).otherwise(text)


def build_features(clean: pl.DataFrame) -> pl.DataFrame:
    """One row per clean row, in input order, with ``row_id`` (0..n-1) and match features.

    Only what matching reads is kept: lineage, ``record_key``, the pair features
    (`PAIR_FEATURES`) and the blocking keys (`BLOCKING_FEATURES`).

    Derived columns:
    - ``record_key``: stable key (see `dtks.match.keys`);
    - ``nik`` only when 16 digits; ``nik_int`` the same as an unsigned integer;
      ``nik15`` its first 15 digits; ``nik_ok`` a well-formed NIK (valid, not truncated);
    - ``nik_agrees_dob``: the NIK's embedded date equals the typed birth date;
    - ``kk15`` / ``kk_trunc``: the same for the KK number (Excel truncates it too);
    - ``tgl``: the birth date used for matching: the typed one, or the NIK's when the typed
      one is missing, or is a placeholder (01-01-1980) in the NIK date's year (a NIK with a
      typo in its year does not move a birth date to another year);
      ``tgl_placeholder`` when only a placeholder is known;
    - ``dob_typed`` / ``sex_typed`` / ``dob_typed_placeholder``: the row's own birth date
      and sex, nothing read from the NIK (`safety_feature_exprs`);
    - when the NIK is also on a different person (``nik_is_shared``, set by
      `dtks.match.shared_nik.mark_shared_niks`), nothing is read from it: ``tgl`` and ``sex``
      are the typed ones and ``nik_birth_date`` is null; when the row does not fit the NIK
      either (``nik_fits_row``), the row has no ``nik``;
    - ``sex``: typed sex, else the NIK's; ``generation``: from the relationship to the head;
    - ``is_hajji``: the name carries a hajj title (H., HJ., K.H.);
    - ``alamat_key``: the free-text address (ALAMAT) upper case, without punctuation, for
      rows without RT and RW (`_address_key`);
    - ``nama_sound`` / ``ibu_sound``: name and mother's name folded to how they sound;
    - ``tf_*``: term frequencies of name, birth date, mother's name and birth place, over
      people rather than rows (`_term_frequency`).
    """
    frame = conform(clean)
    text_cols = [
        "iddtks",
        "iddtks_family",
        "nik",
        "no_kk",
        "nama_key",
        "nama_ibu_key",
        "tempat_lahir_key",
    ]
    text_cols += ["desa_kode", "dusun", "rt", "rw", "alamat", "hubungan_keluarga"]
    frame = frame.with_columns([_blank_to_null(c) for c in text_cols])
    # the record key is made of the row as sent, whatever matching makes of its NIK below
    keys = record_keys(frame)
    frame = frame.with_columns(*safety_feature_exprs())
    # A NIK that is also on a different person says nothing of this row's date or sex.
    shared = (
        pl.col(NIK_IS_SHARED).fill_null(False) if NIK_IS_SHARED in frame.columns else pl.lit(False)
    )
    nik_date = pl.when(shared).then(None).otherwise(pl.col("nik_birth_date"))
    # ... and a shared NIK the row does not fit is someone else's: no NIK for this row
    fits = pl.col(NIK_FITS_ROW).fill_null(False) if NIK_FITS_ROW in frame.columns else pl.lit(True)
    nik16 = pl.col("nik").str.contains(r"^\d{16}$") & ~(shared & ~fits)
    placeholder = pl.col("tanggal_lahir_is_placeholder").fill_null(False)
    use_nik_date = pl.col("dob_typed").is_null() | (
        placeholder
        & nik_date.is_not_null()
        & (pl.col("nik_birth_date").dt.year() == pl.col("tanggal_lahir").dt.year())
    )
    frame = frame.with_columns(
        pl.when(nik16).then(pl.col("nik")).otherwise(None).alias("nik"),
        pl.col("nik_possibly_truncated").fill_null(False).alias("nik_trunc"),
        pl.col("no_kk_possibly_truncated").fill_null(False).alias("kk_trunc"),
        pl.when(use_nik_date).then(nik_date).otherwise(pl.col("dob_typed")).alias("tgl"),
        pl.coalesce("jenis_kelamin", pl.when(~shared).then(pl.col("nik_sex"))).alias("sex"),
        pl.col("hubungan_keluarga")
        .replace_strict(GENERATION, default=None, return_dtype=pl.Int8)
        .alias("generation"),
        (pl.col("hubungan_keluarga") == "KEPALA KELUARGA").fill_null(False).alias("is_head"),
        hajji_expr(),
    )
    frame = frame.with_columns(
        # still a placeholder when the NIK only repeats it (NIKs get 01-01 dates too)
        (
            (placeholder & (pl.col("tgl") == pl.col("tanggal_lahir")).fill_null(True))
            | (pl.col("tanggal_lahir").is_null() & _placeholder_pattern("tgl"))
        ).alias("tgl_placeholder"),
        pl.col("nik").cast(pl.UInt64, strict=False).alias("nik_int"),
        pl.col("nik").str.slice(0, 15).alias("nik15"),
        pl.col("no_kk").str.slice(0, 15).alias("kk15"),
        (
            pl.col("nik").is_not_null()
            & pl.col("nik_is_valid").fill_null(False)
            & ~pl.col("nik_trunc")
        ).alias("nik_ok"),
        (pl.col("nik_birth_date") == pl.col("tanggal_lahir"))
        .fill_null(False)
        .alias("nik_agrees_dob"),
        pl.col("tgl").dt.strftime("%Y%m%d").alias("tgl_text"),
        pl.col("tgl").dt.year().alias("tgl_year"),
        pl.col("nama_key").str.slice(0, 3).alias("nama3"),
        sound_key("nama_key").alias("nama_sound"),
        sound_key("nama_ibu_key").alias("ibu_sound"),
        _address_key().alias("alamat_key"),
    )
    frame = frame.with_columns(
        _term_frequency("nama_key", "tgl").alias("tf_nama"),
        _term_frequency("tgl", "nama_key").alias("tf_tgl"),
        _term_frequency("nama_ibu_key", "nama_key").alias("tf_ibu"),
        _term_frequency("tempat_lahir_key", "nama_key").alias("tf_tempat"),
    )
    frame = frame.with_columns(
        pl.when(shared).then(None).otherwise(pl.col("nik_birth_date")).alias("nik_birth_date"),
        keys.alias(RECORD_KEY),
    )
    kept = [*LINEAGE, RECORD_KEY, *BLOCKING_FEATURES, *PAIR_FEATURES[1:]]
    return frame.select(list(dict.fromkeys(kept))).with_row_index(ROW_ID)
