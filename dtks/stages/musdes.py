"""Musdes stage (village deliberation): the population registers matched to the reconciled
persons, the deliberation items of every village with the statuses operators gave them, one
workbook per village; writes `register_rows` and `deliberation_items` to the store.

Runs after the desil stage (targeting checks need the desil). The statuses are read back from
`$DTKS_CURATED_DIR/reports/musdes/*.xlsx` (the workbooks the last run wrote, filled in) and
`$DTKS_REVIEW_DIR/musdes/*.xlsx` (copies operators saved there) before the workbooks are
written again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from dtks.musdes import (
    ITEM_SCHEMA,
    REGISTER_ROW_SCHEMA,
    apply_statuses,
    deliberation_items,
    load_ledger,
    merge_statuses,
    read_status_workbooks,
    register_rows,
    save_ledger,
    write_village_workbook,
)
from dtks.musdes.items import with_secret_item_ids
from dtks.musdes.settings import ProgrammeCutoffs
from dtks.musdes.status import LEDGER_DIR, PROBLEM_SCHEMA
from dtks.musdes.workbook import VillageHeading
from dtks.privacy import identifier_secret
from dtks.region import Kecamatan
from dtks.storage_errors import explain_storage_errors
from dtks.store import read_table, replace_table, table_exists, transaction

MUSDES_DIR = "musdes"  # under the curated reports folder
ITEM_COLUMNS: dict[str, pl.DataType] = {
    **ITEM_SCHEMA,
    "status": pl.String(),
    "catatan": pl.String(),
    "status_updated_at": pl.String(),
    "status_history": pl.String(),
    "is_current": pl.Boolean(),
}


@dataclass
class MusdesSummary:
    """What the musdes stage did (counts only: no personal data)."""

    register_rows: int = 0
    register_outcomes: dict[str, int] = field(default_factory=dict)
    items: dict[str, int] = field(default_factory=dict)  # "kind/reason" -> count
    statuses: dict[str, int] = field(default_factory=dict)
    statuses_read: int = 0
    status_problems: list[dict] = field(default_factory=list)  # file, sheet, row, message
    workbooks: list[str] = field(default_factory=list)


def ensure_musdes_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty tables when the stage has not run (publishing never depends on it)."""
    for table, schema in (
        ("deliberation_items", ITEM_COLUMNS),
        ("register_rows", REGISTER_ROW_SCHEMA),
    ):
        if not table_exists(con, table):
            replace_table(con, table, pl.DataFrame(schema=schema))


def musdes_kecamatan(
    con: duckdb.DuckDBPyConnection,
    kecamatan: Kecamatan,
    curated_dir: Path,
    review_dir: Path,
    cutoffs: ProgrammeCutoffs,
    now: datetime | None = None,
) -> MusdesSummary:
    """Build the items, carry the statuses over, store both tables, write the workbooks."""
    now = now or datetime.now(UTC)
    summary = MusdesSummary()
    persons = read_table(con, "reconciled_persons")
    sources = read_table(con, "reconciled_sources")
    households = read_table(con, "reconciled_households")
    if persons is None or sources is None or households is None:
        ensure_musdes_tables(con)
        return summary
    raw = read_table(con, "register_raw_rows")
    register = (
        register_rows(raw, persons, sources, kecamatan)
        if raw is not None and raw.height
        else pl.DataFrame(schema=REGISTER_ROW_SCHEMA)
    )
    items = deliberation_items(
        register,
        persons,
        sources,
        households,
        read_table(con, "desil_households"),
        read_table(con, "desil_rows"),
        read_table(con, "reconciled_deactivations"),
        cutoffs,
    )
    items = with_secret_item_ids(items, identifier_secret(con))
    reports = curated_dir / "reports" / MUSDES_DIR
    # a folder the service may not read or write fails as a StorageError saying so
    with explain_storage_errors(reports, f"bahan musyawarah desa {MUSDES_DIR}/"):
        read = read_status_workbooks([reports, review_dir / LEDGER_DIR])
    previous = read_table(con, "deliberation_items")  # what the workbooks were written from
    ledger = merge_statuses(load_ledger(review_dir), read.entries, items, now, previous)
    if ledger.height:
        save_ledger(review_dir, ledger)
    published = apply_statuses(items, ledger)
    published = published.select(
        [
            (pl.col(c) if c in published.columns else pl.lit(None)).cast(t).alias(c)
            for c, t in ITEM_COLUMNS.items()
        ]
    )
    with transaction(con):  # both tables or neither
        replace_table(con, "register_rows", register)
        replace_table(con, "deliberation_items", published)
    villages = sorted(set(persons["village"].drop_nulls()) | set(register["village"].drop_nulls()))
    for slug in villages:
        desa = kecamatan.desa_by_slug(slug)
        path = reports / f"{slug}.xlsx"
        heading = VillageHeading(
            desa.nama, kecamatan.nama, kecamatan.kabupaten_nama, cutoffs.describe(), now
        )
        current = published.filter(pl.col("village") == slug, pl.col("is_current"))
        with explain_storage_errors(reports, f"bahan musyawarah desa {path.name}"):
            write_village_workbook(path, current, heading)
        summary.workbooks.append(path.name)
    summary.register_rows = register.height
    summary.register_outcomes = dict(register.group_by("outcome").len().sort("outcome").iter_rows())
    summary.items = {
        f"{k}/{r}": n
        for k, r, n in published.filter(pl.col("is_current"))
        .group_by("kind", "reason")
        .len()
        .sort("kind", "reason")
        .iter_rows()
    }
    summary.statuses = dict(published.group_by("status").len().sort("status").iter_rows())
    summary.statuses_read = read.entries.height
    summary.status_problems = read.problems.select(list(PROBLEM_SCHEMA)).to_dicts()
    return summary


def village_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The camat's summary: current items per village, kind and status (counts only)."""
    ensure_musdes_tables(con)
    return con.sql(
        """
        SELECT village, kind, count(*) AS items,
               count(*) FILTER (WHERE status = 'belum') AS belum,
               count(*) FILTER (WHERE status = 'diusulkan') AS diusulkan,
               count(*) FILTER (WHERE status = 'diterima') AS diterima,
               count(*) FILTER (WHERE status = 'ditolak') AS ditolak,
               count(*) FILTER (WHERE status = 'selesai') AS selesai
        FROM deliberation_items WHERE is_current GROUP BY ALL ORDER BY village, kind
        """
    ).pl()
