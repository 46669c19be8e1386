"""The facts the `desil` Great Expectations suite validates (expectations/desil.json)."""

from __future__ import annotations

import polars as pl

DESIL_FACTS_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),  # family or list
    "key": pl.String(),  # household_id, or the list's source_file
    "village": pl.String(),
    "desil": pl.Int64(),
    "count_current_desils": pl.Int64(),
    "rows_read": pl.Int64(),
    "rows_accounted_for": pl.Int64(),
}


def desil_facts(
    desil_rows: pl.DataFrame | None,
    households_desil: pl.DataFrame | None,
    source_files: pl.DataFrame | None,
) -> pl.DataFrame:
    """One row per family with a matched row (its desil, distinct desils of its newest
    period) and one per desil list file (rows read against rows in `desil_rows`)."""
    frames = [pl.DataFrame(schema=DESIL_FACTS_SCHEMA)]
    if desil_rows is not None and desil_rows.height:
        current = (
            desil_rows.filter(pl.col("is_current"), pl.col("status") == "cocok")
            .group_by("household_id")
            .agg(
                pl.col("village").first(),
                pl.col("desil").n_unique().cast(pl.Int64).alias("count_current_desils"),
            )
        )
        families = (
            households_desil
            if households_desil is not None
            else pl.DataFrame(schema={"household_id": pl.String, "desil": pl.Int64})
        ).select("household_id", "desil")
        frames.append(
            current.join(families, on="household_id", how="left").select(
                pl.lit("family").alias("kind"),
                pl.col("household_id").alias("key"),
                "village",
                "desil",
                "count_current_desils",
                pl.lit(None, pl.Int64).alias("rows_read"),
                pl.lit(None, pl.Int64).alias("rows_accounted_for"),
            )
        )
    if source_files is not None and "file_kind" in source_files.columns:
        lists = source_files.filter(pl.col("file_kind").str.contains("desil_list")).select(
            "village", "source_file", pl.col("desil_rows_read").alias("rows_read")
        )
        counted = (
            desil_rows.group_by("village", "source_file").agg(
                pl.len().cast(pl.Int64).alias("rows_accounted_for")
            )
            if desil_rows is not None and desil_rows.height
            else pl.DataFrame(
                schema={
                    "village": pl.String,
                    "source_file": pl.String,
                    "rows_accounted_for": pl.Int64,
                }
            )
        )
        frames.append(
            lists.join(counted, on=["village", "source_file"], how="left").select(
                pl.lit("list").alias("kind"),
                pl.col("source_file").alias("key"),
                "village",
                pl.lit(None, pl.Int64).alias("desil"),
                pl.lit(None, pl.Int64).alias("count_current_desils"),
                "rows_read",
                pl.col("rows_accounted_for").fill_null(0),
            )
        )
    return pl.concat([f.cast(DESIL_FACTS_SCHEMA) for f in frames], how="vertical")  # type: ignore[arg-type]
