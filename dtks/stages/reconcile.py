"""Reconcile stage: clusters become persons with stable ids; the result waits in the store
for the checks and the publish stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from dtks.store import read_table, replace_table

LINEAGE = ["village", "source_file", "source_sheet", "source_row"]
RECONCILED_TABLES = ("reconciled_sources", "reconciled_persons")


@dataclass(frozen=True)
class ReconcileSummary:
    rows: int
    persons: int


def reconcile_kecamatan(con: duckdb.DuckDBPyConnection) -> ReconcileSummary:
    """Join every clean row to its cluster and build one person per cluster."""
    clean = read_table(con, "clean_rows")
    clusters = read_table(con, "match_clusters")
    if clean is None or clusters is None or clean.is_empty():
        for table in RECONCILED_TABLES:
            replace_table(con, table, pl.DataFrame())
        return ReconcileSummary(0, 0)
    sources = person_sources(clean, clusters)
    persons = one_person_per_cluster(sources)
    replace_table(con, "reconciled_sources", sources)
    replace_table(con, "reconciled_persons", persons)
    return ReconcileSummary(sources.height, persons.height)


def person_sources(clean: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """Every clean row with its record key and person id, lineage first."""
    joined = clean.join(
        clusters.select(*LINEAGE, "record_key", "cluster_id"), on=LINEAGE, how="left"
    )
    missing = joined.filter(pl.col("cluster_id").is_null()).height
    if missing:
        raise RuntimeError(f"{missing} clean rows have no cluster: matching lost rows")
    with_ids = joined.with_columns(pl.col("cluster_id").alias("person_id"))
    first = ["person_id", *LINEAGE, "record_key"]
    return with_ids.select(*first, pl.exclude(*first, "cluster_id")).sort(LINEAGE)


def one_person_per_cluster(sources: pl.DataFrame) -> pl.DataFrame:
    """One row per person: the values of its first source row (golden records replace this)."""
    drop = [c for c in sources.columns if c.endswith("_as_written")]
    return (
        sources.group_by("person_id", maintain_order=True)
        .agg(
            pl.len().alias("count_sources"),
            pl.col("village").unique().sort().str.join(", ").alias("villages"),
            pl.exclude("person_id", *LINEAGE, "record_key", *drop).first(),
        )
        .sort("person_id")
    )
