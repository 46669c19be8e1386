"""Publish stage: assemble the curated tables from the work store and swap the files in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from dtks.accounting import assert_rows_accounted, row_accounting
from dtks.catalog import COLUMN_COMMENTS, TABLE_COMMENTS
from dtks.privacy import mask_name_expr, mask_number_expr
from dtks.publish import PublishedTable, publish_database
from dtks.region import Kecamatan
from dtks.store import append_rows, read_table

LINEAGE = ["village", "source_file", "source_sheet", "source_row"]
PUBLISHED_FILE = "kecamatan.duckdb"
MASKED_FILE = "kecamatan_masked.duckdb"
# Columns that identify a person directly; masked or dropped in the masked file.
MASKED_NUMBER_COLUMNS = ("nik", "nik_as_written", "no_kk", "no_kk_as_written")
MASKED_NAME_COLUMNS = ("nama_ibu_kandung", "nama_ibu_key")
# Free-form columns that may hold identifiers we cannot see (unknown export columns).
MASKED_DROPPED_COLUMNS = ("extras",)


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    trigger: str  # manual, schedule, sensor
    started_at: datetime


@dataclass(frozen=True)
class PublishSummary:
    path: Path
    masked_path: Path
    accounting: pl.DataFrame
    village_status: pl.DataFrame
    count_persons: int


def publish_kecamatan(
    con: duckdb.DuckDBPyConnection,
    kecamatan: Kecamatan,
    curated_dir: Path,
    run: RunInfo,
    stale_after_days: int = 45,
) -> PublishSummary:
    """Build every published table from the store, check the row accounting, publish both files.

    Raises RowAccountingError (and publishes nothing) when any village's rows do not add up.
    """
    source_files = _table(con, "source_files")
    person_sources = _table(con, "reconciled_sources")
    persons = _table(con, "reconciled_persons")
    rejected = _table(con, "clean_rejected")
    issues = _table(con, "clean_issues")
    accounting = row_accounting(source_files, person_sources, rejected)
    assert_rows_accounted(accounting)

    status = village_status(
        kecamatan, source_files, accounting, issues, run.started_at, stale_after_days
    )
    runs = _runs_with(con, run, accounting, source_files, persons.height)
    pairs = _table(con, "match_pairs")
    tables = {
        "person_sources": person_sources,
        "rejected_rows": rejected,
        "persons": persons,
        "match_pairs": pairs,
        "review_queue": review_queue(pairs, person_sources),
        "validation_issues": issues,
        "village_status": status,
        "source_files": source_files,
        "runs": runs,
    }
    path = publish_database(curated_dir / PUBLISHED_FILE, _described(tables))
    masked_path = publish_database(curated_dir / MASKED_FILE, _described(_masked(tables)))
    append_rows(con, "run_history", runs.tail(1))
    return PublishSummary(path, masked_path, accounting, status, persons.height)


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    frame = read_table(con, name)
    return frame if frame is not None else pl.DataFrame()


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
    files = (
        source_files.group_by("village").agg(
            pl.len().alias("count_files"),
            (pl.col("status") != "ok").sum().alias("count_files_failed"),
            pl.col("modified_at").filter(pl.col("status") == "ok").max().alias("latest_export_at"),
        )
        if source_files.height
        else pl.DataFrame(
            schema={
                "village": pl.Utf8,
                "count_files": pl.UInt32,
                "count_files_failed": pl.UInt32,
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
        .with_columns(
            pl.col(
                "count_files",
                "count_files_failed",
                "rows_read",
                "rows_accepted",
                "rows_rejected",
                "count_errors",
                "count_warnings",
            )
            .fill_null(0)
            .cast(pl.Int64)
        )
        .with_columns(
            pl.col("latest_export_at").is_null().alias("is_missing"),
            (pl.col("latest_export_at") < pl.lit(stale_before)).fill_null(False).alias("is_stale"),
        )
    )


def _runs_with(
    con: duckdb.DuckDBPyConnection,
    run: RunInfo,
    accounting: pl.DataFrame,
    source_files: pl.DataFrame,
    count_persons: int,
) -> pl.DataFrame:
    files = (
        source_files.select("source_file", "file_hash").sort("source_file").to_dicts()
        if source_files.height
        else []
    )
    this_run = pl.DataFrame(
        [
            {
                "run_id": run.run_id,
                "started_at": run.started_at.astimezone(UTC),
                "published_at": datetime.now(UTC),
                "trigger": run.trigger,
                "outcome": "published",
                "rows_read": int(accounting["rows_read"].sum()),
                "rows_accepted": int(accounting["rows_accepted"].sum()),
                "rows_rejected": int(accounting["rows_rejected"].sum()),
                "count_persons": count_persons,
                "accounting": json.dumps(accounting.drop("gap").to_dicts()),
                "input_files": json.dumps(files),
            }
        ],
        schema={
            "run_id": pl.Utf8,
            "started_at": pl.Datetime("us", "UTC"),
            "published_at": pl.Datetime("us", "UTC"),
            "trigger": pl.Utf8,
            "outcome": pl.Utf8,
            "rows_read": pl.Int64,
            "rows_accepted": pl.Int64,
            "rows_rejected": pl.Int64,
            "count_persons": pl.Int64,
            "accounting": pl.Utf8,
            "input_files": pl.Utf8,
        },
    )
    history = read_table(con, "run_history")
    return this_run if history is None else pl.concat([history, this_run], how="vertical_relaxed")


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


def _masked(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The same tables with NIK and KK masked and mothers' names reduced to initials."""
    return {name: masked_frame(frame) for name, frame in tables.items()}


def masked_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with identifiers masked, including pair columns such as `nik_l` / `nik_r`."""
    exprs = []
    for column in frame.columns:
        base = column.removesuffix("_l").removesuffix("_r")
        if base in MASKED_NUMBER_COLUMNS:
            exprs.append(mask_number_expr(column).alias(column))
        elif base in MASKED_NAME_COLUMNS:
            exprs.append(mask_name_expr(column).alias(column))
    masked = frame.with_columns(exprs) if exprs else frame
    return masked.drop(MASKED_DROPPED_COLUMNS, strict=False)


def _described(tables: dict[str, pl.DataFrame]) -> list[PublishedTable]:
    return [
        PublishedTable(name, frame, TABLE_COMMENTS[name], COLUMN_COMMENTS.get(name, {}))
        for name, frame in tables.items()
    ]
