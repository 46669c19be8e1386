"""Village population register rows: cleaned like export rows, given a civil status, and
matched to the reconciled persons on a trusted NIK or on name, birth date and mother's name
together (never on a name alone).

Every register row read ends in exactly one `outcome` (the register's row accounting):

- `cocok`: the resident is a registry person (`person_id`, `matched_by` nik / nama_tgl_ibu);
- `tidak_cocok`: a resident found in no registry record;
- `ditolak`: not a resident (totals row, signature, note, a row without a name), with the reason.
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from dtks.clean import clean_rows
from dtks.ingest import RAW_ROWS_SCHEMA
from dtks.ingest.file_kinds import register_layout
from dtks.region import Kecamatan

LINEAGE = ["village", "source_file", "source_sheet", "source_row"]
REGISTER_ROW_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "row_kind": pl.String(),
    "status": pl.String(),  # HIDUP, MENINGGAL, PINDAH, HILANG, TIDAK_VALID
    "status_as_written": pl.String(),
    "nik": pl.String(),
    "nik_is_trusted": pl.Boolean(),
    "no_kk": pl.String(),
    "family_key": pl.String(),  # the register family: its KK, else the person
    "nama": pl.String(),
    "nama_key": pl.String(),
    "tanggal_lahir": pl.Date(),
    "nama_ibu_key": pl.String(),
    "hubungan_keluarga": pl.String(),
    "dusun": pl.String(),
    "rt": pl.String(),
    "rw": pl.String(),
    "outcome": pl.String(),  # cocok, tidak_cocok, ditolak
    "person_id": pl.String(),
    "matched_by": pl.String(),  # nik, nama_tgl_ibu
    "reason": pl.String(),  # why a row was not used (Bahasa Indonesia)
}
# Reconcile flags under which a registry NIK is not a key (as in dtks.desil).
UNTRUSTED_NIK_FLAGS = ("nik_possibly_truncated", "nik_shared_with_other_person")
# Name, birth date and mother's name all equal still do not match two rows whose trusted NIKs
# differ in more than this many digits (one mistyped or two swapped digits are a typo).
MAX_NIK_TYPO_DIGITS = 2


def register_rows(
    raw: pl.DataFrame,
    persons: pl.DataFrame,
    sources: pl.DataFrame,
    kecamatan: Kecamatan,
    reference_date: date | None = None,
) -> pl.DataFrame:
    """Every register row read, cleaned, with its status and outcome (`REGISTER_ROW_SCHEMA`).

    `raw` is `register_raw_rows` (Raw rows columns, `status_dasar_text`, `village`);
    `persons` the reconciled persons, `sources` their accepted source rows.
    """
    if raw.is_empty():
        return pl.DataFrame(schema=REGISTER_ROW_SCHEMA)
    cleaned, rejected = [], []
    for village in sorted(raw["village"].unique()):
        rows = raw.filter(pl.col("village") == village)
        result = clean_rows(
            rows.select(list(RAW_ROWS_SCHEMA)), kecamatan, village, reference_date=reference_date
        )
        cleaned.append(result.clean)
        rejected.append(result.rejected)
    status_text = raw.select(
        *LINEAGE,
        "row_kind",
        pl.coalesce("status_dasar_text", "keterangan").alias("status_as_written"),
    )
    clean = pl.concat(cleaned, how="diagonal_relaxed").join(status_text, on=LINEAGE, how="left")
    clean = clean.with_columns(
        _status(pl.col("status_as_written"), pl.col("keterangan_kode")).alias("status"),
        (
            pl.col("nik_is_valid").fill_null(False)
            & ~pl.col("nik_possibly_truncated").fill_null(False)
        ).alias("nik_is_trusted"),
        pl.coalesce(
            pl.when(pl.col("no_kk_is_valid")).then("kk:" + pl.col("no_kk")),
            "nik:" + pl.col("nik"),
            "row:" + pl.col("source_file") + "|" + pl.col("source_row").cast(pl.String),
        ).alias("family_key"),
    )
    clean = clean.with_columns(_hashed(pl.col("family_key")).alias("family_key"))
    matched = _match(clean, persons, sources)
    accepted = matched.select(
        [
            pl.col(c).cast(t) if c in matched.columns else pl.lit(None, t).alias(c)
            for c, t in REGISTER_ROW_SCHEMA.items()
        ]
    )
    refused = pl.concat(rejected, how="diagonal_relaxed")
    if refused.height:
        refused = refused.with_columns(
            pl.lit("ditolak").alias("outcome"),
            pl.col("reason").alias("reason")
            if "reason" in refused.columns
            else pl.lit(None, pl.String).alias("reason"),
        )
        refused = refused.select(
            [
                pl.col(c).cast(t) if c in refused.columns else pl.lit(None, t).alias(c)
                for c, t in REGISTER_ROW_SCHEMA.items()
            ]
        )
        accepted = pl.concat([accepted, refused], how="vertical")
    return accepted.sort(LINEAGE)


def _hashed(keys: pl.Expr) -> pl.Expr:
    """ "kk:3528..." -> "kk:<16 hex digits>": the family key is published, the number is not."""

    def one(key: str) -> str:
        kind, _, value = key.partition(":")
        return f"{kind}:{hashlib.sha256(value.encode()).hexdigest()[:16]}"

    return keys.map_batches(
        lambda s: s.replace_strict(
            {k: one(k) for k in s.drop_nulls().unique()}, default=None, return_dtype=pl.String
        ),
        return_dtype=pl.String,
    )


def _status(written: pl.Expr, keterangan_kode: pl.Expr) -> pl.Expr:
    """The register's word for the resident (layouts file), else KETERANGAN's code, else HIDUP:
    a register lists residents, so a row saying nothing is a living one."""
    words = register_layout().status_values
    normalised = written.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    from_words = normalised.replace_strict(words, default=None, return_dtype=pl.String)
    from_code = (
        pl.when(keterangan_kode == "MENINGGAL")
        .then(pl.lit("MENINGGAL"))
        .when(keterangan_kode == "PINDAH")
        .then(pl.lit("PINDAH"))
    )
    return pl.coalesce(from_words, from_code, pl.lit("HIDUP"))


def _digits_apart(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """How many of the 16 positions of two NIKs differ (null when either is null)."""
    return pl.sum_horizontal(
        [(left.str.slice(i, 1) != right.str.slice(i, 1)).cast(pl.Int32) for i in range(16)]
    ).cast(pl.Int32) + pl.when(left.is_null() | right.is_null()).then(None).otherwise(0)


def _match(clean: pl.DataFrame, persons: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """`person_id` and `matched_by` on every register row that is a registry person."""
    untrusted = pl.any_horizontal(
        [pl.col(f).fill_null(False) for f in UNTRUSTED_NIK_FLAGS if f in persons.columns]
        or [pl.lit(False)]
    )
    by_nik = (
        persons.filter(
            pl.col("nik").is_not_null(), pl.col("nik_is_valid").fill_null(False), ~untrusted
        )
        .group_by("nik")
        .agg(pl.col("person_id").unique())
        .filter(pl.col("person_id").list.len() == 1)
        .select("nik", pl.col("person_id").list.first().alias("person_by_nik"))
    )
    key = ["nama_key", "tanggal_lahir", "nama_ibu_key"]
    registry_keys = (
        sources.drop_nulls(key)
        .group_by(key)
        .agg(pl.col("person_id").unique())
        .filter(pl.col("person_id").list.len() == 1)
        .select(*key, pl.col("person_id").list.first().alias("person_by_key"))
    )
    person_nik = persons.select(
        pl.col("person_id").alias("person_by_key"),
        pl.when(pl.col("nik_is_valid").fill_null(False) & ~untrusted)
        .then(pl.col("nik"))
        .alias("_registry_nik"),
    )
    unique_in_register = pl.len().over(["village", *key]) == 1
    matched = (
        clean.join(by_nik, on="nik", how="left")
        .with_columns(
            pl.when(pl.col("nik_is_trusted")).then("person_by_nik").alias("person_by_nik")
        )
        .join(registry_keys, on=key, how="left", nulls_equal=False)
        .join(person_nik, on="person_by_key", how="left")
        .with_columns(
            # the key match stands only when unique in the register too, and when no trusted
            # NIK on the register row says it is somebody else
            pl.when(
                unique_in_register
                & ~(
                    pl.col("nik_is_trusted")
                    & (_digits_apart(pl.col("_registry_nik"), pl.col("nik")) > MAX_NIK_TYPO_DIGITS)
                ).fill_null(False)
            )
            .then("person_by_key")
            .alias("person_by_key")
        )
    )
    return matched.with_columns(
        pl.coalesce("person_by_nik", "person_by_key").alias("person_id"),
        pl.when(pl.col("person_by_nik").is_not_null())
        .then(pl.lit("nik"))
        .when(pl.col("person_by_key").is_not_null())
        .then(pl.lit("nama_tgl_ibu"))
        .alias("matched_by"),
    ).with_columns(
        pl.when(pl.col("person_id").is_not_null())
        .then(pl.lit("cocok"))
        .otherwise(pl.lit("tidak_cocok"))
        .alias("outcome"),
        pl.lit(None, pl.String).alias("reason"),
    )
