"""Reconcile stage: clusters become golden persons and households with stable ids.

The result waits in the work store (``reconciled_*`` tables) for the checks and the publish
stage. The id state it implies (``pending_*`` tables) is only committed by the publish stage
once the files are out (`commit_published_state`): a run that is blocked or fails before
publishing leaves the registry of the last publish untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl

from dtks.clean import CLEAN_SCHEMA
from dtks.desil.named_kks import kks_named_by_lists
from dtks.reconcile import reconcile_dataset
from dtks.store import (
    execute,
    quoted,
    read_table,
    replace_table,
    statements_of,
    table_exists,
    transaction,
)

CLUSTER_SCHEMA = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "record_key": pl.String(),
    "iddtks_person": pl.String(),
    "iddtks_family": pl.String(),
    "cluster_id": pl.String(),
}
# Cache tables: rebuilt by every reconcile.
RECONCILED_TABLES = (
    "reconciled_sources",
    "reconciled_persons",
    "reconciled_households",
    "reconciled_deactivations",
    "reconciled_changes",
)
# pending table -> the persistent table it becomes when the publish succeeds.
PENDING_STATE = {
    "pending_id_registry": "id_registry",
    "pending_published_persons": "published_persons",
    "pending_published_households": "published_households",
}
PENDING_MERGES = "pending_id_merges"
# The persistent state this stage reads and the publish stage writes. `published_persons`
# and `published_households` must be listed in dtks.store.PERSISTENT_TABLES as well.
STATE_TABLES = ("id_registry", "id_merges", "published_persons", "published_households")


@dataclass(frozen=True)
class ReconcileSummary:
    """Counts for metadata: rows, persons, households, and changes by kind."""

    rows: int
    persons: int
    households: int
    deactivations: int
    changes: dict[str, dict[str, int]] = field(default_factory=dict)


@statements_of("reconcile")
def reconcile_kecamatan(con: duckdb.DuckDBPyConnection, run_id: str = "") -> ReconcileSummary:
    """Build persons, households, deactivations and the change log; stage the id state
    (every table in one transaction)."""
    clean = read_table(con, "clean_rows")
    clusters = read_table(con, "match_clusters")
    source_files = read_table(con, "source_files")
    if clean is None or clusters is None or clean.is_empty():  # no village sent anything
        clean, clusters = pl.DataFrame(schema=CLEAN_SCHEMA), pl.DataFrame(schema=CLUSTER_SCHEMA)
    dataset = reconcile_dataset(
        clean,
        clusters,
        pairs=read_table(con, "match_pairs"),
        source_files=source_files,
        registry=read_table(con, "id_registry"),
        previous_persons=read_table(con, "published_persons"),
        previous_households=read_table(con, "published_households"),
        run_id=run_id,
        named_kks=kks_named_by_lists(read_table(con, "desil_raw_rows"), source_files),
    )
    staged = {
        "reconciled_sources": dataset.sources,
        "reconciled_persons": dataset.persons,
        "reconciled_households": dataset.households,
        "reconciled_deactivations": dataset.deactivations,
        "reconciled_changes": dataset.changes,
        "pending_id_registry": dataset.registry,
        "pending_published_persons": dataset.person_snapshot(),
        "pending_published_households": dataset.household_snapshot(),
        PENDING_MERGES: dataset.merges,
    }
    with transaction(con):
        for table, frame in staged.items():
            replace_table(con, table, frame)
    return ReconcileSummary(
        rows=dataset.sources.height,
        persons=dataset.persons.height,
        households=dataset.households.height,
        deactivations=dataset.deactivations.height,
        changes=change_counts(dataset.changes),
    )


def change_counts(changes: pl.DataFrame) -> dict[str, dict[str, int]]:
    """{entity: {change_type: number of persons/households}} (updates counted once per id)."""
    if changes.is_empty():
        return {}
    counted = changes.group_by("entity", "change_type").agg(
        pl.col("entity_id").n_unique().alias("n")
    )
    result: dict[str, dict[str, int]] = {}
    for entity, change_type, n in counted.sort("entity", "change_type").iter_rows():
        result.setdefault(entity, {})[change_type] = int(n)
    return result


def commit_published_state(
    con: duckdb.DuckDBPyConnection,
    run_history: pl.DataFrame | None = None,
    also: dict[str, pl.DataFrame] | None = None,
) -> bool:
    """Make the staged id state the state of the last publish, in one transaction, together
    with the new ``run_history`` (when given) and the tables in ``also`` (replaced).

    Call only after the published files are in place. Returns False when no id state was
    staged (the state of this reconcile was committed already).
    """
    staged = all(table_exists(con, t) for t in PENDING_STATE)
    with transaction(con):
        if staged:
            for pending, final in PENDING_STATE.items():
                execute(con, f"DROP TABLE IF EXISTS {quoted(final)}")
                execute(con, f"ALTER TABLE {quoted(pending)} RENAME TO {quoted(final)}")
            _append_merges(con)
        if run_history is not None:
            replace_table(con, "run_history", run_history)
        for table, frame in (also or {}).items():
            replace_table(con, table, frame)
    return staged


def _append_merges(con: duckdb.DuckDBPyConnection) -> None:
    if not table_exists(con, PENDING_MERGES):
        return
    if table_exists(con, "id_merges"):
        execute(con, f"INSERT INTO id_merges BY NAME SELECT * FROM {quoted(PENDING_MERGES)}")  # noqa: S608
        execute(con, f"DROP TABLE {quoted(PENDING_MERGES)}")
    else:
        execute(con, f"ALTER TABLE {quoted(PENDING_MERGES)} RENAME TO id_merges")
