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
    person_sources = _person_sources(con)
    rejected = _table(con, "clean_rejected")
    issues = _table(con, "clean_issues")
    accounting = row_accounting(source_files, person_sources, rejected)
    assert_rows_accounted(accounting)

    persons = _persons(person_sources)
    status = village_status(
        kecamatan, source_files, accounting, issues, run.started_at, stale_after_days
    )
    runs = _runs_with(con, run, accounting, source_files, persons.height)
    tables = {
        "person_sources": person_sources,
        "rejected_rows": rejected,
        "persons": persons,
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


def _person_sources(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    clean = _table(con, "clean_rows")
    if clean.is_empty():
        return pl.DataFrame(schema={"person_id": pl.Utf8, **{c: pl.Utf8 for c in LINEAGE}})
    key = pl.concat_str([pl.col(c).cast(pl.Utf8).fill_null("") for c in LINEAGE], separator="\x1f")
    with_ids = clean.with_columns(
        ("P" + key.hash(seed=0).cast(pl.Utf8).str.zfill(20)).alias("person_id")
    )
    ordered = ["person_id", *LINEAGE]
    return with_ids.select(*ordered, pl.exclude(ordered)).sort(LINEAGE)


def _persons(person_sources: pl.DataFrame) -> pl.DataFrame:
    """One row per person: until matching merges rows, each accepted row is a person."""
    drop = [c for c in person_sources.columns if c.endswith("_as_written")]
    return (
        person_sources.group_by("person_id", maintain_order=True)
        .agg(
            pl.len().alias("count_sources"),
            pl.col("village").unique().sort().str.join(", ").alias("villages"),
            pl.exclude("person_id", *LINEAGE, *drop).first(),
        )
        .sort("person_id")
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


def _masked(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The same tables with NIK and KK masked and mothers' names reduced to initials."""
    masked = {}
    for name, frame in tables.items():
        exprs = [mask_number_expr(c).alias(c) for c in MASKED_NUMBER_COLUMNS if c in frame.columns]
        exprs += [mask_name_expr(c).alias(c) for c in MASKED_NAME_COLUMNS if c in frame.columns]
        masked_frame = frame.with_columns(exprs) if exprs else frame
        masked[name] = masked_frame.drop(MASKED_DROPPED_COLUMNS, strict=False)
    return masked


def _described(tables: dict[str, pl.DataFrame]) -> list[PublishedTable]:
    return [
        PublishedTable(name, frame, TABLE_COMMENTS[name], COLUMN_COMMENTS.get(name, {}))
        for name, frame in tables.items()
    ]
