"""Per-row match features derived once from clean rows (ids, NIK as integer, effective birth date, term frequencies)."""

from __future__ import annotations

import polars as pl

from dtks.match.keys import RECORD_KEY, record_keys

ROW_ID = "row_id"
LINEAGE = ("village", "source_file", "source_sheet", "source_row")

# Clean-row columns the matcher reads, with the type it expects. Missing ones are added as nulls,
# so a frame from an older or partial cleaning step still matches (with less evidence).
CLEAN_COLUMNS: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "iddtks": pl.String(),
    "nik": pl.String(),
    "nik_is_valid": pl.Boolean(),
    "nik_possibly_truncated": pl.Boolean(),
    "nik_birth_date": pl.Date(),
    "nik_sex": pl.String(),
    "no_kk": pl.String(),
    "nama": pl.String(),
    "nama_key": pl.String(),
    "nama_ibu_key": pl.String(),
    "tempat_lahir_key": pl.String(),
    "tanggal_lahir": pl.Date(),
    "tanggal_lahir_is_placeholder": pl.Boolean(),
    "jenis_kelamin": pl.String(),
    "hubungan_keluarga": pl.String(),
    "desa_kode": pl.String(),
    "dusun": pl.String(),
    "rt": pl.String(),
    "rw": pl.String(),
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
    "nik",
    "nik15",
    "nik_ok",
    "nik_trunc",
    "nik_agrees_dob",
    "nik_birth_date",
    "no_kk",
    "nama_key",
    "nama_ibu_key",
    "tempat_lahir_key",
    "tgl",
    "tgl_text",
    "tgl_placeholder",
    "sex",
    "desa_kode",
    "dusun",
    "rt",
    "rw",
    "generation",
    "is_head",
    "tf_nama",
    "tf_tgl",
    "tf_ibu",
    "tf_tempat",
)


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


def _term_frequency(column: str) -> pl.Expr:
    """Chance that another random row holds this row's value of ``column``: (count - 1) / (n - 1).

    Leave-one-out, so a value seen twice in 50,000 rows counts as rare, not as 2 in 50,000.
    Floored at 1/n so a value seen once still has a finite frequency.
    """
    count = pl.len().over(column).cast(pl.Float64)
    total = pl.len().cast(pl.Float64)
    return pl.max_horizontal((count - 1) / pl.max_horizontal(total - 1, 1), 1 / total).alias(
        f"tf_{column}"
    )


def build_features(clean: pl.DataFrame) -> pl.DataFrame:
    """One row per clean row, in input order, with ``row_id`` (0..n-1) and match features.

    Derived columns:
    - ``record_key``: stable key (see `dtks.match.keys`);
    - ``nik`` only when 16 digits; ``nik_int`` the same as an unsigned integer;
      ``nik15`` its first 15 digits; ``nik_ok`` a well-formed NIK (valid, not truncated);
    - ``nik_agrees_dob``: the NIK's embedded date equals the typed birth date;
    - ``tgl``: the birth date used for matching: the typed one, or the NIK's when the typed
      one is missing or a placeholder; ``tgl_placeholder`` when only a placeholder is known;
    - ``sex``: typed sex, else the NIK's; ``generation``: from the relationship to the head;
    - ``tf_*``: term frequencies of name, birth date, mother's name and birth place.
    """
    frame = conform(clean)
    text_cols = ["iddtks", "nik", "no_kk", "nama_key", "nama_ibu_key", "tempat_lahir_key"]
    text_cols += ["desa_kode", "dusun", "rt", "rw", "hubungan_keluarga"]
    frame = frame.with_columns([_blank_to_null(c) for c in text_cols])
    nik16 = pl.col("nik").str.contains(r"^\d{16}$")
    placeholder = pl.col("tanggal_lahir_is_placeholder").fill_null(False)
    use_nik_date = pl.col("tanggal_lahir").is_null() | (
        placeholder & pl.col("nik_birth_date").is_not_null()
    )
    frame = frame.with_columns(
        pl.when(nik16).then(pl.col("nik")).otherwise(None).alias("nik"),
        pl.col("nik_possibly_truncated").fill_null(False).alias("nik_trunc"),
        pl.when(use_nik_date)
        .then(pl.col("nik_birth_date"))
        .otherwise(pl.col("tanggal_lahir"))
        .alias("tgl"),
        (placeholder & ~use_nik_date).alias("tgl_placeholder"),
        pl.coalesce("jenis_kelamin", "nik_sex").alias("sex"),
        pl.col("hubungan_keluarga")
        .replace_strict(GENERATION, default=None, return_dtype=pl.Int8)
        .alias("generation"),
        (pl.col("hubungan_keluarga") == "KEPALA KELUARGA").fill_null(False).alias("is_head"),
    )
    frame = frame.with_columns(
        pl.col("nik").cast(pl.UInt64, strict=False).alias("nik_int"),
        pl.col("nik").str.slice(0, 15).alias("nik15"),
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
    )
    frame = frame.with_columns(
        _term_frequency("nama_key").alias("tf_nama"),
        _term_frequency("tgl").alias("tf_tgl"),
        _term_frequency("nama_ibu_key").alias("tf_ibu"),
        _term_frequency("tempat_lahir_key").alias("tf_tempat"),
    )
    frame = frame.with_columns(record_keys(frame).alias(RECORD_KEY))
    return frame.with_row_index(ROW_ID)
