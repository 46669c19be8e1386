"""Publish stage: assemble the curated tables from the work store and swap the files in.

Order of a publish: check the row accounting (a gap publishes nothing), build and swap in
`penuh/kecamatan.duckdb` and `tersamar/kecamatan_masked.duckdb`, write the submission folder,
then commit the id state staged by the reconcile stage, the run's history row and the issue
history in one transaction. A failure anywhere before the commit leaves the id registry of
the last publish untouched.

The full file and the masked file live in two folders under the curated folder, so that
each can be given to its own group of readers (README, "Who may read what"); the path
analysts know, `$DTKS_CURATED_DIR/kecamatan.duckdb`, is a relative symlink to the full file
(it opens for those who may read `penuh/`, and for nobody else), and
`kecamatan_masked.duckdb` likewise points into `tersamar/`.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

from dtks.accounting import RowAccountingError, assert_rows_accounted, row_accounting
from dtks.catalog import TABLE_COMMENTS, VIEWS, column_comments
from dtks.files import private_dir
from dtks.privacy import mask_name_sql, mask_number_sql
from dtks.publish import PublishedTable, PublishedView, link_published, publish_database
from dtks.quality import ISSUE_HISTORY_TABLE, open_issues, validation_issues
from dtks.region import Kecamatan
from dtks.stages.desil import ensure_desil_tables
from dtks.stages.match import IDDTKS_FILES
from dtks.stages.musdes import ensure_musdes_tables
from dtks.stages.reconcile import change_counts, commit_published_state
from dtks.store import (
    mark_boundary,
    quoted,
    read_table,
    replace_table,
    statements_of,
    table_exists,
    transaction,
)
from dtks.submission import SubmissionSummary, write_submission

LINEAGE = ["village", "source_file", "source_sheet", "source_row"]
PUBLISHED_FILE = "kecamatan.duckdb"
MASKED_FILE = "kecamatan_masked.duckdb"
# The folders under the curated folder that hold each file and its archive/: one group of
# readers each (README, deploy/README.md).
FULL_DIR = "penuh"
MASKED_DIR = "tersamar"
# Columns that identify a person directly; masked or dropped in the masked file. A column
# is also masked when its name is one of these plus a suffix of `MASKED_SUFFIXES`.
MASKED_NUMBER_COLUMNS = ("nik", "nik_as_written", "no_kk", "no_kk_as_written")
MASKED_NAME_COLUMNS = ("nama_ibu_kandung", "nama_ibu_key")
MASKED_SUFFIXES = ("_l", "_r", "_kept")
# Free-form columns that may hold identifiers we cannot see (unknown export columns).
MASKED_DROPPED_COLUMNS = ("extras",)
RUN_HISTORY = "run_history"
# Published tables copied from the work store by DuckDB, as they are.
STORE_TABLES = {
    # the family's DTSEN desil (dtks.desil) on every person and household
    "persons": (
        "SELECT p.*, d.desil, d.desil_period, d.desil_matched_by FROM reconciled_persons p "
        "LEFT JOIN desil_households d USING (household_id)"
    ),
    "households": (
        "SELECT h.*, d.* EXCLUDE (household_id) FROM reconciled_households h "
        "LEFT JOIN desil_households d USING (household_id)"
    ),
    "desil_rows": "SELECT * FROM desil_rows",
    "person_sources": "SELECT * FROM reconciled_sources",
    "rejected_rows": "SELECT * FROM clean_rejected",
    "match_pairs": "SELECT * FROM match_pairs",
    "source_files": "SELECT * FROM source_files",
    "deactivations": "SELECT * FROM reconciled_deactivations",
    "change_log": "SELECT * FROM reconciled_changes",
    # the village deliberation (dtks.musdes)
    "deliberation_items": "SELECT * FROM deliberation_items",
    "register_rows": "SELECT * FROM register_rows",
}
PUBLISHED_ORDER = (
    "persons",
    "households",
    "person_sources",
    "rejected_rows",
    "validation_issues",
    "match_pairs",
    "review_queue",
    "village_status",
    "source_files",
    "deactivations",
    "change_log",
    "runs",
    "desil_rows",
    "deliberation_items",
    "register_rows",
)


class NothingToPublishError(RuntimeError):
    """No accepted row in any village: publishing would replace the dataset with nothing."""


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
    count_households: int = 0
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    submission: SubmissionSummary | None = None
    state_committed: bool = False


def published_paths(curated_dir: Path) -> tuple[Path, Path]:
    """Where the full file and the masked file are published (each in its own folder)."""
    return curated_dir / FULL_DIR / PUBLISHED_FILE, curated_dir / MASKED_DIR / MASKED_FILE


@statements_of("publish")
def publish_kecamatan(
    con: duckdb.DuckDBPyConnection,
    kecamatan: Kecamatan,
    curated_dir: Path,
    run: RunInfo,
    stale_after_days: int = 45,
) -> PublishSummary:
    """Build every published table from the store, check the row accounting, publish both
    files and the submission, then commit the staged id state.

    Raises RowAccountingError (and publishes nothing) when any village's rows do not add up;
    the failed run is recorded in the run history.
    """
    source_files = _table(con, "source_files")
    person_sources = _table(con, "reconciled_sources")
    ensure_desil_tables(con)  # a store where the desil stage has not run publishes no desil
    ensure_musdes_tables(con)  # likewise no deliberation items
    if person_sources.is_empty():
        raise NothingToPublishError(
            "nothing to publish: no village folder under the raw folder holds a readable "
            "export yet (files still being copied are read on the next run); the previously "
            "published file, if any, was left as it was"
        )
    persons = _table(con, "reconciled_persons")
    deactivations = _table(con, "reconciled_deactivations")
    rejected = _table(con, "clean_rejected")
    pairs = _table(con, "match_pairs")
    issues = validation_issues(
        read_table(con, "clean_issues"),
        person_sources,
        persons,
        pairs,
        previous=read_table(con, ISSUE_HISTORY_TABLE),
    )
    still_open = open_issues(issues)
    accounting = row_accounting(source_files, person_sources, rejected)
    status = village_status(
        kecamatan, source_files, accounting, still_open, run.started_at, stale_after_days
    )
    counts = RunCounts.of(
        persons.height,
        _row_count(con, "reconciled_households"),
        _store_change_counts(con),
        pairs,
        deactivations.height,
        still_open,
        status,
    )
    try:
        assert_rows_accounted(accounting)
    except RowAccountingError as error:
        record_run(con, run_row(run, "failed: " + str(error), accounting, source_files, counts))
        raise

    history = _history_with(con, run_row(run, "published", accounting, source_files, counts))
    tables = {
        **STORE_TABLES,
        "source_files": _source_files_sql(con),
        "validation_issues": issues,
        "review_queue": review_queue(pairs, person_sources),
        "village_status": status,
        "runs": history,
    }
    tables = _described(con, {name: tables[name] for name in PUBLISHED_ORDER})
    views = published_views()
    full, masked = published_paths(curated_dir)
    private_dir(curated_dir)
    move_legacy_archive(curated_dir)
    path = publish_database(full, tables, views, con=con)
    link_published(curated_dir / PUBLISHED_FILE, path)
    mark_boundary()
    masked_path = publish_database(masked, tables, views, con=con, select=masked_select)
    link_published(curated_dir / MASKED_FILE, masked_path)
    mark_boundary()
    submission = write_submission(curated_dir, persons, deactivations, kecamatan, run.run_id)
    mark_boundary()
    committed = commit_published_state(con, run_history=history, also={ISSUE_HISTORY_TABLE: issues})
    return PublishSummary(
        path=path,
        masked_path=masked_path,
        accounting=accounting,
        village_status=status,
        count_persons=persons.height,
        count_households=counts.households,
        changes=counts.changes,
        submission=submission,
        state_committed=committed,
    )


def move_legacy_archive(curated_dir: Path) -> None:
    """Copies archived before the full and masked files had folders of their own
    (`curated/archive/`) move into `penuh/archive/` and `tersamar/archive/`."""
    legacy = curated_dir / "archive"
    if not legacy.is_dir():
        return
    full, masked = published_paths(curated_dir)
    for published in (full, masked):
        stem, suffix = Path(published.name).stem, published.suffix
        for copy in sorted(legacy.glob(f"{stem}.*{suffix}")):
            os.replace(copy, private_dir(published.parent / "archive") / copy.name)
    with contextlib.suppress(OSError):  # not empty: someone keeps other files there
        legacy.rmdir()


def published_views() -> list[PublishedView]:
    """The convenience views of `dtks.catalog.VIEWS`, ready for `publish_database`."""
    return [PublishedView(v.name, v.sql, v.comment, dict(v.column_comments)) for v in VIEWS]


def _source_files_sql(con: duckdb.DuckDBPyConnection) -> str:
    """`source_files` with what the match stage read each file's IDDTKS column to mean."""
    if not table_exists(con, IDDTKS_FILES):
        return STORE_TABLES["source_files"]
    return (
        "SELECT f.*, i.* EXCLUDE (source_file) FROM source_files AS f "  # noqa: S608 - ours
        f"LEFT JOIN {quoted(IDDTKS_FILES)} AS i USING (source_file)"
    )


def _table(con: duckdb.DuckDBPyConnection, name: str, *columns: str) -> pl.DataFrame:
    """A store table (only `columns`, when given), or an empty frame when there is none."""
    if not table_exists(con, name):
        return pl.DataFrame()
    if not columns:
        return read_table(con, name)
    selected = ", ".join(quoted(c) for c in columns)
    return con.sql(f"SELECT {selected} FROM {quoted(name)}").pl()  # noqa: S608 - identifiers


def _row_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    if not table_exists(con, name):
        return 0
    return con.execute(f"SELECT count(*) FROM {quoted(name)}").fetchall()[0][0]  # noqa: S608


def _store_change_counts(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, int]]:
    changes = _table(con, "reconciled_changes", "entity", "change_type", "entity_id")
    return change_counts(changes) if changes.height else {}


def store_row_accounting(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """`row_accounting` of what the store holds now, reading only the columns it counts."""
    return row_accounting(
        _table(con, "source_files"),
        _table(con, "reconciled_sources", "village"),
        _table(con, "clean_rejected", "village"),
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


@dataclass(frozen=True)
class RunCounts:
    """The counts a run row carries (no personal data)."""

    persons: int
    households: int
    changes: dict[str, dict[str, int]]
    pairs_to_review: int
    deactivations: int
    errors: int
    warnings: int
    villages_missing: int

    @classmethod
    def of(
        cls,
        persons: int,
        households: int,
        changes: dict[str, dict[str, int]],
        pairs: pl.DataFrame,
        deactivations: int,
        issues: pl.DataFrame,
        status: pl.DataFrame,
    ) -> RunCounts:
        to_review = (
            pairs.filter(
                (pl.col("decision") == "review") | pl.col("needs_confirmation").fill_null(False)
            ).height
            if pairs.height
            else 0
        )
        severity = issues["severity"] if issues.height else pl.Series([], dtype=pl.String)
        return cls(
            persons=persons,
            households=households,
            changes=changes,
            pairs_to_review=to_review,
            deactivations=deactivations,
            errors=int((severity == "error").sum()),
            warnings=int((severity == "warning").sum()),
            villages_missing=int(status["is_missing"].sum()) if status.height else 0,
        )


RUN_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "started_at": pl.Datetime("us", "UTC"),
    "published_at": pl.Datetime("us", "UTC"),
    "trigger": pl.String(),
    "outcome": pl.String(),
    "rows_read": pl.Int64(),
    "rows_accepted": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "count_persons": pl.Int64(),
    "count_households": pl.Int64(),
    "count_persons_new": pl.Int64(),
    "count_persons_updated": pl.Int64(),
    "count_persons_merged": pl.Int64(),
    "count_persons_split": pl.Int64(),
    "count_persons_removed": pl.Int64(),
    "count_households_new": pl.Int64(),
    "count_households_removed": pl.Int64(),
    "count_pairs_to_review": pl.Int64(),
    "count_deactivations": pl.Int64(),
    "count_errors": pl.Int64(),
    "count_warnings": pl.Int64(),
    "count_villages_missing": pl.Int64(),
    "accounting": pl.String(),
    "input_files": pl.String(),
}


def run_row(
    run: RunInfo,
    outcome: str,
    accounting: pl.DataFrame,
    source_files: pl.DataFrame,
    counts: RunCounts,
) -> pl.DataFrame:
    """The one-row `runs` record of this run."""
    file_columns = [
        c
        for c in ("village", "source_file", "file_hash", "status", "rows_read")
        if c in source_files.columns
    ]
    files = (
        source_files.select(*file_columns).sort("source_file").to_dicts()
        if source_files.height
        else []
    )
    persons = counts.changes.get("person", {})
    households = counts.changes.get("household", {})
    published = outcome == "published"
    row = {
        "run_id": run.run_id,
        "started_at": run.started_at.astimezone(UTC),
        "published_at": datetime.now(UTC) if published else None,
        "trigger": run.trigger,
        "outcome": outcome,
        "rows_read": int(accounting["rows_read"].sum()) if accounting.height else 0,
        "rows_accepted": int(accounting["rows_accepted"].sum()) if accounting.height else 0,
        "rows_rejected": int(accounting["rows_rejected"].sum()) if accounting.height else 0,
        "count_persons": counts.persons,
        "count_households": counts.households,
        **{
            f"count_persons_{k}": persons.get(k, 0)
            for k in ("new", "updated", "merged", "split", "removed")
        },
        "count_households_new": households.get("new", 0),
        "count_households_removed": households.get("removed", 0),
        "count_pairs_to_review": counts.pairs_to_review,
        "count_deactivations": counts.deactivations,
        "count_errors": counts.errors,
        "count_warnings": counts.warnings,
        "count_villages_missing": counts.villages_missing,
        "accounting": json.dumps(accounting.drop("gap", strict=False).to_dicts()),
        "input_files": json.dumps(files, ensure_ascii=False),
    }
    return pl.DataFrame([row], schema=RUN_SCHEMA)


def _history_with(con: duckdb.DuckDBPyConnection, this_run: pl.DataFrame) -> pl.DataFrame:
    """Every earlier run (older rows may lack newer columns) followed by this one."""
    history = read_table(con, RUN_HISTORY)
    if history is None or history.is_empty():
        return this_run
    combined = pl.concat([history, this_run], how="diagonal_relaxed")
    return combined.select(*RUN_SCHEMA, pl.exclude(*RUN_SCHEMA))


def record_run(con: duckdb.DuckDBPyConnection, this_run: pl.DataFrame) -> None:
    """Add a run to the work store's run history (published or not), in one transaction."""
    history = _history_with(con, this_run)
    with transaction(con):
        replace_table(con, RUN_HISTORY, history)


def record_unpublished_run(con: duckdb.DuckDBPyConnection, run: RunInfo, outcome: str) -> bool:
    """Record a run that did not publish (e.g. ``failed: <why>``) with what the store knows;
    False when the run is in the history already (the publish stage recorded why).

    The id registry is not touched: the next publish reports its changes against the last
    published state.
    """
    history = read_table(con, RUN_HISTORY)
    if history is not None and run.run_id in history["run_id"].to_list():
        return False
    source_files = _table(con, "source_files")
    accounting = store_row_accounting(con) if source_files.height else pl.DataFrame()
    counts = RunCounts(
        persons=_row_count(con, "reconciled_persons"),
        households=_row_count(con, "reconciled_households"),
        changes={},
        pairs_to_review=0,
        deactivations=_row_count(con, "reconciled_deactivations"),
        errors=0,
        warnings=0,
        villages_missing=0,
    )
    record_run(con, run_row(run, outcome, accounting, source_files, counts))
    return True


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


def masked_select(columns: list[str]) -> str:
    """The select list of a masked table: NIK and KK masked (also `nik_l` / `nik_r` of pairs
    and `nik_kept`), mothers' names reduced to initials, free-form columns dropped."""
    selected = []
    for column in columns:
        base = _unsuffixed(column)
        if column in MASKED_DROPPED_COLUMNS:
            continue
        if base in MASKED_NUMBER_COLUMNS:
            selected.append(f"{mask_number_sql(column)} AS {quoted(column)}")
        elif base in MASKED_NAME_COLUMNS:
            selected.append(f"{mask_name_sql(column)} AS {quoted(column)}")
        else:
            selected.append(quoted(column))
    return ", ".join(selected)


def _unsuffixed(column: str) -> str:
    for suffix in MASKED_SUFFIXES:
        if column.endswith(suffix):
            return column.removesuffix(suffix)
    return column


def _described(
    con: duckdb.DuckDBPyConnection, tables: dict[str, pl.DataFrame | str]
) -> list[PublishedTable]:
    """Tables with their COMMENTs (a table missing from the catalog gets an empty one, which
    tests/publish reports; the nightly run does not fail over documentation)."""
    described = []
    for name, rows in tables.items():
        columns = (
            rows.columns
            if isinstance(rows, pl.DataFrame)
            else con.sql(f"SELECT * FROM ({rows}) LIMIT 0").columns  # noqa: S608 - our own SQL
        )
        comments = column_comments(name, columns)
        described.append(PublishedTable(name, rows, TABLE_COMMENTS.get(name, ""), comments))
    return described
