"""Source rows the kecamatan asks to deactivate upward: duplicates, deceased, moved.

Every row of a person listed as deceased (KETERANGAN MENINGGAL in any of their rows) is
deactivated as MENINGGAL. Otherwise a row marked PINDAH is deactivated as PINDAH, and every
other row of a person that is not the person's primary row (the record kept, see
`dtks.reconcile.golden`) is deactivated as GANDA, naming the record it duplicates.
"""

from __future__ import annotations

import polars as pl

from dtks.reconcile.golden import PERSON_ID, SOURCE_ROW_KEY, STATUS_MOVED

DUPLICATE, DECEASED, MOVED = "GANDA", "MENINGGAL", "PINDAH"
# Not a deactivation: a row sent upward as a duplicate by an earlier publish because it was
# wrongly merged with another person (a family id or a borrowed NIK): cancel that request.
CANCEL_DUPLICATE = "BATAL_GANDA"
REASONS = {
    DUPLICATE: "Data ganda: orang yang sama sudah tercatat pada data yang dipertahankan.",
    DECEASED: "Tercatat meninggal dunia: nonaktifkan semua baris orang ini.",
    MOVED: "Tercatat pindah dari desa ini.",
    CANCEL_DUPLICATE: "Bukan data ganda: orang pada baris ini sebelumnya keliru digabung dengan "
    "orang lain (IDDTKS keluarga atau NIK yang dipakai orang lain). Jika baris ini pernah "
    "diusulkan nonaktif (ganda), batalkan usulan itu.",
}
ROW_COLUMNS = (
    "village",
    "desa_kode",
    "desa_nama",
    "source_file",
    "source_sheet",
    "source_row",
    PERSON_ID,
    "iddtks",
    "nik",
    "no_kk",
    "nama",
    "tanggal_lahir",
)
KEPT_COLUMNS = ("iddtks", "nik", "nama", "village", "source_file", "source_sheet", "source_row")
DEACTIVATION_COLUMNS = (
    *ROW_COLUMNS,
    "reason_code",
    "reason",
    *[f"{c}_kept" for c in KEPT_COLUMNS],
)


def deactivations(sources: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """One row per source row to deactivate, with the reason and the record kept."""
    kept = sources.select(
        pl.col(SOURCE_ROW_KEY).alias("primary_source_row_key"),
        *[pl.col(c).alias(f"{c}_kept") for c in KEPT_COLUMNS],
    )
    facts = persons.select(PERSON_ID, "is_deceased", "primary_source_row_key").join(
        kept, on="primary_source_row_key", how="left"
    )
    rows = sources.join(facts, on=PERSON_ID, how="left", maintain_order="left")
    is_primary = pl.col(SOURCE_ROW_KEY) == pl.col("primary_source_row_key")
    reason_code = (
        pl.when(pl.col("is_deceased").fill_null(False))
        .then(pl.lit(DECEASED))
        .when(pl.col("keterangan_kode") == STATUS_MOVED)
        .then(pl.lit(MOVED))
        .when(~is_primary)
        .then(pl.lit(DUPLICATE))
    )
    flagged = rows.with_columns(reason_code.alias("reason_code")).filter(
        pl.col("reason_code").is_not_null()
    )
    # the kept record is only named where another record carries the person on
    name_kept = (pl.col("reason_code") != DECEASED) & ~is_primary
    return (
        flagged.with_columns(
            pl.col("reason_code").replace_strict(REASONS, return_dtype=pl.String).alias("reason"),
            *[
                pl.when(name_kept).then(pl.col(f"{c}_kept")).alias(f"{c}_kept")
                for c in KEPT_COLUMNS
            ],
        )
        .select(*DEACTIVATION_COLUMNS)
        .sort("village", "source_file", "source_sheet", "source_row")
    )


def cancelled_duplicates(
    sources: pl.DataFrame, deactivated: pl.DataFrame, splits: pl.DataFrame, previous: pl.DataFrame
) -> pl.DataFrame:
    """Rows an earlier publish may have listed as duplicates of a person that turned out to be
    several people, and that are not deactivated now: cancel that request (`CANCEL_DUPLICATE`).

    A published person split this run (``splits``: ``entity_id`` split off ``related_id``):
    every row of every part, the part that kept the id included, is such a row, except the
    row the earlier publish kept (``primary_source_row_key`` of ``previous``, the published
    persons, when it is known). ``*_kept`` names that person as published.
    """
    if splits.is_empty():
        return pl.DataFrame(schema=deactivated.schema)
    parts = pl.concat(
        [
            splits.select(pl.col("entity_id").alias(PERSON_ID), "related_id"),
            splits.select(pl.col("related_id").alias(PERSON_ID), "related_id").unique(),
        ]
    )
    kept = previous.select(
        pl.col(PERSON_ID).alias("related_id"),
        *[
            (pl.col(c) if c in previous.columns else pl.lit(None, pl.String)).alias(f"{c}_kept")
            for c in ("iddtks", "nik", "nama", "village")
        ],
        (
            pl.col("primary_source_row_key")
            if "primary_source_row_key" in previous.columns
            else pl.lit(None, pl.String)
        ).alias("_kept_row"),
    )
    rows = (
        sources.join(parts, on=PERSON_ID)
        .join(
            deactivated.select("source_file", "source_sheet", "source_row"),
            on=["source_file", "source_sheet", "source_row"],
            how="anti",
        )
        .join(kept, on="related_id", how="left")
        .filter((pl.col(SOURCE_ROW_KEY) != pl.col("_kept_row")).fill_null(True))
    )
    return (
        rows.with_columns(
            pl.lit(CANCEL_DUPLICATE).alias("reason_code"),
            pl.lit(REASONS[CANCEL_DUPLICATE]).alias("reason"),
            *[pl.lit(None, pl.String).alias(f"{c}_kept") for c in ("source_file", "source_sheet")],
            pl.lit(None, pl.Int64).alias("source_row_kept"),
        )
        .select(*DEACTIVATION_COLUMNS)
        .cast(deactivated.schema)
        .sort("village", "source_file", "source_sheet", "source_row")
    )
