"""Match stage: find the same person across and within villages over all clean rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from dtks.match import MatchSettings, find_duplicates
from dtks.store import read_table, replace_table

MATCH_TABLES = ("match_pairs", "match_clusters", "match_levels")


@dataclass(frozen=True)
class MatchSummary:
    """Counts for metadata: rows, pairs by decision, clusters, capped blocks."""

    rows: int
    pairs_by_decision: dict[str, int]
    persons: int
    persons_with_duplicates: int
    needs_confirmation: int
    capped_blocks: list[Any] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def match_kecamatan(
    con: duckdb.DuckDBPyConnection,
    decisions: pl.DataFrame | None = None,
    settings: MatchSettings | None = None,
) -> MatchSummary:
    """Match every clean row of every village and replace the match tables of the store."""
    clean = read_table(con, "clean_rows")
    if clean is None or clean.is_empty():
        for table in MATCH_TABLES:
            replace_table(con, table, pl.DataFrame())
        return MatchSummary(0, {}, 0, 0, 0)
    result = find_duplicates(clean, decisions=decisions, settings=settings)
    replace_table(con, "match_pairs", published_pairs(result.pairs))
    replace_table(con, "match_clusters", result.clusters.drop("row_id"))
    replace_table(con, "match_levels", result.levels)
    decisions_count = result.pairs["decision"].value_counts()
    clusters = result.clusters.select("cluster_id", "cluster_size").unique()
    return MatchSummary(
        rows=clean.height,
        pairs_by_decision=dict(
            zip(decisions_count["decision"], decisions_count["count"], strict=True)
        ),
        persons=clusters.height,
        persons_with_duplicates=clusters.filter(pl.col("cluster_size") > 1).height,
        needs_confirmation=int(result.pairs["needs_confirmation"].sum()),
        capped_blocks=list(result.stats.get("capped_blocks", [])),
        timings=dict(result.stats.get("timings", {})),
    )


def published_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs with their evidence as plain text (enum structs do not travel well to old clients)."""
    evidence = pairs.get_column("evidence").struct.unnest()
    weights = pairs.get_column("evidence_weights").struct.unnest()
    return pairs.drop("row_id_l", "row_id_r", "evidence", "evidence_weights").with_columns(
        *[evidence[c].cast(pl.Utf8).alias(f"level_{c}") for c in evidence.columns],
        *[weights[c].cast(pl.Float64).alias(f"weight_{c}") for c in weights.columns],
    )
