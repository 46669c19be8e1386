"""Clean stage: turn one village's raw rows into clean rows, issues and rejected rows."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dtks.clean import clean_rows
from dtks.ingest import empty_raw_rows
from dtks.region import Kecamatan
from dtks.store import read_table, replace_rows, statements_of, transaction

CLEAN_TABLES = ("clean_rows", "clean_issues", "clean_rejected")


@dataclass(frozen=True)
class VillageClean:
    """Counts of one village's cleaning, for metadata and the run summary."""

    village: str
    rows_in: int
    rows_accepted: int
    rows_rejected: int
    issues_error: int
    issues_warning: int


@statements_of("clean")
def clean_village(
    con: duckdb.DuckDBPyConnection, kecamatan: Kecamatan, village: str
) -> VillageClean:
    """Clean every raw row of `village` and replace that village's clean tables (one
    transaction)."""
    raw = read_table(con, "raw_rows", {"village": village})
    if raw is None:
        raw = empty_raw_rows()
    raw = raw.drop("village", strict=False)
    result = clean_rows(raw, kecamatan, village)
    key = {"village": village}
    with transaction(con):
        replace_rows(con, "clean_rows", result.clean, key)
        replace_rows(con, "clean_issues", result.issues, key)
        replace_rows(con, "clean_rejected", result.rejected, key)
    severity = result.issues["severity"].value_counts() if result.issues.height else None
    counts = (
        dict(zip(severity["severity"], severity["count"], strict=True))
        if severity is not None
        else {}
    )
    return VillageClean(
        village=village,
        rows_in=raw.height,
        rows_accepted=result.clean.height,
        rows_rejected=result.rejected.height,
        issues_error=int(counts.get("error", 0)),
        issues_warning=int(counts.get("warning", 0)),
    )
