"""The published tables computed at publish time from several store tables (the others are
copies of a store table): each village's status and the clerks' review queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from dtks.region import Kecamatan

# The counts of `village_status` (0 for a village that sent nothing).
VILLAGE_COUNTS = (
    "count_files",
    "count_files_failed",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "count_errors",
    "count_warnings",
)


def village_status(
    kecamatan: Kecamatan,
    source_files: pl.DataFrame,
    accounting: pl.DataFrame,
    issues: pl.DataFrame,
    now: datetime,
    stale_after_days: int,
) -> pl.DataFrame:
    """One row per village of the kecamatan, including villages that sent nothing."""
    villages = pl.DataFrame(
        {
            "village": [d.slug for d in kecamatan.desa],
            "desa_kode": [d.kode for d in kecamatan.desa],
            "desa_nama": [d.nama for d in kecamatan.desa],
        }
    )
    # a desil ranking list is not an export: it does not make a village's data recent
    export = pl.col("status") == "ok"
    if "file_kind" in source_files.columns:
        export = export & ~pl.col("file_kind").is_in(["desil_list", "population_register"])
    files = (
        source_files.group_by("village").agg(
            pl.len().alias("count_files"),
            (pl.col("status") != "ok").sum().alias("count_files_failed"),
            pl.col("source_file")
            .filter(export)
            .sort_by(pl.col("modified_at").filter(export))
            .last()
            .alias("latest_export_file"),
            pl.col("modified_at").filter(export).max().alias("latest_export_at"),
        )
        if source_files.height
        else pl.DataFrame(
            schema={
                "village": pl.Utf8,
                "count_files": pl.UInt32,
                "count_files_failed": pl.UInt32,
                "latest_export_file": pl.Utf8,
                "latest_export_at": pl.Datetime("us", "UTC"),
            }
        )
    )
    problems = (
        issues.group_by("village").agg(
            (pl.col("severity") == "error").sum().alias("count_errors"),
            (pl.col("severity") == "warning").sum().alias("count_warnings"),
        )
        if issues.height
        else pl.DataFrame(
            schema={"village": pl.Utf8, "count_errors": pl.UInt32, "count_warnings": pl.UInt32}
        )
    )
    stale_before = now.astimezone(UTC) - timedelta(days=stale_after_days)
    return (
        villages.join(files, on="village", how="left")
        .join(accounting.drop("gap"), on="village", how="left")
        .join(problems, on="village", how="left")
        .with_columns(pl.col(*VILLAGE_COUNTS).fill_null(0).cast(pl.Int64))
        .with_columns(
            pl.col("latest_export_at").is_null().alias("is_missing"),
            (pl.col("latest_export_at") < pl.lit(stale_before)).fill_null(False).alias("is_stale"),
        )
    )


def review_queue(pairs: pl.DataFrame, person_sources: pl.DataFrame) -> pl.DataFrame:
    """Pairs that need a clerk's decision, with both records' names and birth dates."""
    if pairs.is_empty():
        return pairs
    shown = ["record_key", "nama", "tanggal_lahir", "nik", "nama_ibu_kandung", "village"]
    side = person_sources.select(*shown).unique("record_key", keep="first")
    queue = pairs.filter((pl.col("decision") == "review") | pl.col("needs_confirmation"))
    for suffix in ("_l", "_r"):
        renamed = side.rename({c: f"{c}{suffix}" for c in shown if c != "village"}).drop("village")
        queue = queue.join(renamed, on=f"record_key{suffix}", how="left")
    return queue.sort("match_probability", descending=True)
