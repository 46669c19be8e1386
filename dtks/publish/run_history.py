"""Run history: one row per run that published or failed to, kept in the work store
(`run_history`, a persistent table) and published as `runs`.

The publish stage adds the row of a run it publishes (or refuses, when rows do not add
up); the failure sensor adds the row of a run that failed elsewhere
(`record_unpublished_run`). Each column is declared once, with its type and its COMMENT.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from dtks.quality.accounting import store_row_accounting
from dtks.store import read_table, replace_table, row_count, table_or_empty, transaction

RUN_HISTORY = "run_history"

# column -> (type, COMMENT of `runs`)
RUN_COLUMNS: dict[str, tuple[pl.DataType, str]] = {
    "run_id": (pl.String(), "Dagster run id (or the id of a run outside Dagster)"),
    "started_at": (pl.Datetime("us", "UTC"), "When the run started (UTC)"),
    "published_at": (
        pl.Datetime("us", "UTC"),
        "When the file was published (UTC); NULL when the run did not publish",
    ),
    "trigger": (pl.String(), "manual, schedule or sensor"),
    "outcome": (pl.String(), "published, or failed / blocked and why"),
    "rows_read": (pl.Int64(), "Rows read over all villages"),
    "rows_accepted": (pl.Int64(), "Rows accepted over all villages"),
    "rows_rejected": (pl.Int64(), "Rows rejected over all villages"),
    "count_persons": (pl.Int64(), "Reconciled persons"),
    "count_households": (pl.Int64(), "Households (KK families)"),
    "count_persons_new": (pl.Int64(), "Persons new since the previous publish"),
    "count_persons_updated": (pl.Int64(), "Persons with at least one changed field"),
    "count_persons_merged": (pl.Int64(), "Person ids merged into another one"),
    "count_persons_split": (pl.Int64(), "Persons split off another one"),
    "count_persons_removed": (pl.Int64(), "Persons no longer listed"),
    "count_households_new": (pl.Int64(), "Households new since the previous publish"),
    "count_households_removed": (pl.Int64(), "Households no longer listed"),
    "count_pairs_to_review": (
        pl.Int64(),
        "Candidate pairs waiting for a clerk or an operator's confirmation",
    ),
    "count_deactivations": (pl.Int64(), "Source rows to deactivate upward"),
    "count_errors": (pl.Int64(), "Validation problems of severity error"),
    "count_warnings": (pl.Int64(), "Validation problems of severity warning"),
    "count_villages_missing": (pl.Int64(), "Villages without a readable export"),
    "accounting": (pl.String(), "Per village: rows read, accepted, rejected (JSON)"),
    "input_files": (
        pl.String(),
        "Every input file with its village, SHA-256, status and rows read (JSON)",
    ),
}
RUN_SCHEMA: dict[str, pl.DataType] = {name: kind for name, (kind, _) in RUN_COLUMNS.items()}
RUN_COMMENTS: dict[str, str] = {name: comment for name, (_, comment) in RUN_COLUMNS.items()}
PERSON_CHANGES = ("new", "updated", "merged", "split", "removed")


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    trigger: str  # manual, schedule, sensor
    started_at: datetime


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
        **{f"count_persons_{k}": persons.get(k, 0) for k in PERSON_CHANGES},
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


def history_with(con: duckdb.DuckDBPyConnection, this_run: pl.DataFrame) -> pl.DataFrame:
    """Every earlier run (older rows may lack newer columns) followed by this one."""
    history = read_table(con, RUN_HISTORY)
    if history is None or history.is_empty():
        return this_run
    combined = pl.concat([history, this_run], how="diagonal_relaxed")
    return combined.select(*RUN_SCHEMA, pl.exclude(*RUN_SCHEMA))


def record_run(con: duckdb.DuckDBPyConnection, this_run: pl.DataFrame) -> None:
    """Add a run to the work store's run history (published or not), in one transaction."""
    history = history_with(con, this_run)
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
    source_files = table_or_empty(con, "source_files")
    accounting = store_row_accounting(con) if source_files.height else pl.DataFrame()
    counts = RunCounts(
        persons=row_count(con, "reconciled_persons"),
        households=row_count(con, "reconciled_households"),
        changes={},
        pairs_to_review=0,
        deactivations=row_count(con, "reconciled_deactivations"),
        errors=0,
        warnings=0,
        villages_missing=0,
    )
    record_run(con, run_row(run, outcome, accounting, source_files, counts))
    return True
