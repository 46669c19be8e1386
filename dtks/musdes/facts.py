"""The facts the `musdes` Great Expectations suite validates (expectations/musdes.json): no NIK,
no KK, no name, only ids, kinds, statuses and counts.

One row per deliberation item (kind "item": its status, its kind and reason, and whether each
of its source rows is a row the run accounted for: an accepted export row, a deactivated row
or a register row), and one per population register file (kind "register": rows read against
rows in `register_rows`).
"""

from __future__ import annotations

import json

import polars as pl

ROW = ["source_file", "source_sheet", "source_row"]
MUSDES_FACTS_SCHEMA: dict[str, pl.DataType] = {
    "kind": pl.String(),  # item or register
    "key": pl.String(),  # item_id, or the register's source_file
    "village": pl.String(),
    "item_kind": pl.String(),
    "reason": pl.String(),
    "status": pl.String(),
    "count_source_rows": pl.Int64(),
    "count_rows_traced": pl.Int64(),  # of its source rows, those found in the run's tables
    "rows_read": pl.Int64(),
    "rows_accounted_for": pl.Int64(),
}


def musdes_facts(
    items: pl.DataFrame | None,
    register_rows: pl.DataFrame | None,
    sources: pl.DataFrame | None,
    source_files: pl.DataFrame | None,
) -> pl.DataFrame:
    """Facts of the current items and of every register file (`MUSDES_FACTS_SCHEMA`)."""
    frames = [pl.DataFrame(schema=MUSDES_FACTS_SCHEMA)]
    known: set[tuple] = set()
    for frame in (sources, register_rows):
        if frame is not None and frame.height:
            known |= set(frame.select(ROW).iter_rows())
    if items is not None and items.height:
        current = items.filter(pl.col("is_current"))
        traced = [
            sum(
                (r["source_file"], r["source_sheet"], r["source_row"]) in known
                for r in json.loads(rows or "[]")
            )
            for rows in current["source_rows"]
        ]
        frames.append(
            current.select(
                pl.lit("item").alias("kind"),
                pl.col("item_id").alias("key"),
                "village",
                pl.col("kind").alias("item_kind"),
                "reason",
                "status",
                pl.col("count_source_rows").fill_null(0),
                pl.Series("count_rows_traced", traced, pl.Int64),
                pl.lit(None, pl.Int64).alias("rows_read"),
                pl.lit(None, pl.Int64).alias("rows_accounted_for"),
            )
        )
    if source_files is not None and "register_rows_read" in source_files.columns:
        registers = source_files.filter(
            pl.col("file_kind").str.contains("population_register")
        ).select("village", "source_file", pl.col("register_rows_read").alias("rows_read"))
        counted = (
            register_rows.group_by("village", "source_file").agg(
                pl.len().cast(pl.Int64).alias("rows_accounted_for")
            )
            if register_rows is not None and register_rows.height
            else pl.DataFrame(
                schema={
                    "village": pl.String,
                    "source_file": pl.String,
                    "rows_accounted_for": pl.Int64,
                }
            )
        )
        frames.append(
            registers.join(counted, on=["village", "source_file"], how="left").select(
                pl.lit("register").alias("kind"),
                pl.col("source_file").alias("key"),
                "village",
                *(pl.lit(None, pl.String).alias(c) for c in ("item_kind", "reason", "status")),
                pl.lit(None, pl.Int64).alias("count_source_rows"),
                pl.lit(None, pl.Int64).alias("count_rows_traced"),
                "rows_read",
                pl.col("rows_accounted_for").fill_null(0),
            )
        )
    return pl.concat([f.cast(MUSDES_FACTS_SCHEMA) for f in frames], how="vertical")  # type: ignore[arg-type]
