"""The change log: what changed in persons and households since the previous publish.

One row per change: ``new``, ``updated`` (one row per field, with the old and the new value),
``merged`` (the id was merged into ``related_id``), ``split`` (a new id that split off
``related_id``) and ``removed``. Values of personal fields (NIK, KK, mother's name) are
masked, so the log can be shown to anyone who may see the masked file.
"""

from __future__ import annotations

import polars as pl

from dtks.privacy import mask_name_expr, mask_number_expr

NEW, UPDATED, MERGED, SPLIT, REMOVED = "new", "updated", "merged", "split", "removed"

# Fields whose change is reported; provenance, counts of pairs and quality flags are not.
TRACKED_PERSON_FIELDS = (
    "household_id",
    "iddtks",
    "nik",
    "no_kk",
    "nama",
    "nama_gelar",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "status_kawin",
    "pekerjaan",
    "padan_dukcapil",
    "pkh",
    "bpnt",
    "pbi_jk",
    "bst",
    "village",
    "desa_kode",
    "alamat",
    "dusun",
    "rt",
    "rw",
    "count_sources",
    "villages",
    "is_deceased",
    "is_moved",
    "is_active",
)
TRACKED_HOUSEHOLD_FIELDS = (
    "no_kk",
    "head_person_id",
    "head_nama",
    "count_members",
    "count_heads",
    "village",
    "desa_kode",
    "alamat",
    "dusun",
    "rt",
    "rw",
)
MASKED_NUMBER_FIELDS = ("nik", "no_kk")
MASKED_NAME_FIELDS = ("nama_ibu_kandung",)

CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "entity": pl.String(),
    "entity_id": pl.String(),
    "change_type": pl.String(),
    "field": pl.String(),
    "old_value": pl.String(),
    "new_value": pl.String(),
    "related_id": pl.String(),
    "village": pl.String(),
}


def empty_changes() -> pl.DataFrame:
    return pl.DataFrame(schema=CHANGE_SCHEMA)


def _as_text(field: str, column: str) -> pl.Expr:
    """A field's value as the text shown in the log, masked where personal."""
    text = pl.col(column).cast(pl.String)
    if field in MASKED_NUMBER_FIELDS:
        return mask_number_expr(text)
    if field in MASKED_NAME_FIELDS:
        return mask_name_expr(text)
    return text


def entity_changes(
    entity: str,
    id_column: str,
    tracked: tuple[str, ...],
    previous: pl.DataFrame | None,
    current: pl.DataFrame,
    merges: pl.DataFrame,
    splits: pl.DataFrame,
    run_id: str,
) -> pl.DataFrame:
    """Changes of one entity between the previous publish and now.

    ``previous`` / ``current``: ``id_column``, ``village`` and the tracked fields (``previous``
    is None before the first publish: then everything is new). ``merges``: ``merged_id`` ->
    ``into_id``; ``splits``: ``entity_id`` -> ``related_id`` (the id it split off).
    """
    if "village" not in tracked:
        raise ValueError("the village must be tracked: every change names its village")
    cur = current.select(pl.col(id_column).alias("entity_id"), *tracked)
    prev = cur.clear() if previous is None else previous.rename({id_column: "entity_id"})
    appeared = cur.join(prev.select("entity_id"), on="entity_id", how="anti")
    vanished = prev.join(cur.select("entity_id"), on="entity_id", how="anti")
    added = appeared.join(splits, on="entity_id", how="left").select(
        "entity_id",
        pl.when(pl.col("related_id").is_null())
        .then(pl.lit(NEW))
        .otherwise(pl.lit(SPLIT))
        .alias("change_type"),
        "related_id",
        "village",
    )
    gone = vanished.join(
        merges.rename({"merged_id": "entity_id", "into_id": "related_id"}).select(
            "entity_id", "related_id"
        ),
        on="entity_id",
        how="left",
    ).select(
        "entity_id",
        pl.when(pl.col("related_id").is_null())
        .then(pl.lit(REMOVED))
        .otherwise(pl.lit(MERGED))
        .alias("change_type"),
        "related_id",
        "village",
    )
    comparable = [f for f in tracked if f in prev.columns]
    both = prev.select("entity_id", *comparable).join(
        cur.select("entity_id", *comparable), on="entity_id", suffix="_new"
    )
    updated = [
        both.filter(pl.col(field).ne_missing(pl.col(f"{field}_new"))).select(
            "entity_id",
            pl.lit(UPDATED).alias("change_type"),
            pl.lit(field).alias("field"),
            _as_text(field, field).alias("old_value"),
            _as_text(field, f"{field}_new").alias("new_value"),
            pl.col("village_new").alias("village"),
        )
        for field in comparable
    ]
    frames = [
        frame.with_columns(pl.lit(run_id).alias("run_id"), pl.lit(entity).alias("entity"))
        for frame in (added, gone, *updated)
    ]
    changes = pl.concat([empty_changes(), *frames], how="diagonal_relaxed")
    return changes.select(*CHANGE_SCHEMA).sort("entity_id", "change_type", "field", nulls_last=True)
