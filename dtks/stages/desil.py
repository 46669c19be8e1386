"""Desil stage: the kecamatan-wide lists folder, then every desil list matched to the
reconciled families (`dtks.desil`); writes `desil_rows` and `desil_households` to the store.

Lists covering all villages go in `<raw>/_kecamatan/` (`KECAMATAN_FOLDER`); a list in a village
folder is read by that village's ingest. A registry export put in `_kecamatan/` is refused:
exports belong in their village's folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.desil import DESIL_ROWS_COLUMNS, HOUSEHOLD_DESIL_COLUMNS, STATUSES, match_desil
from dtks.ingest import (
    DESIL_ROWS_SCHEMA,
    KECAMATAN_FOLDER,
    ExportRead,
    empty_desil_rows,
    empty_raw_rows,
    read_export,
    refused_export,
    source_files_frame,
    source_sheets_frame,
    survey_village_folder,
)
from dtks.ingest.errors import display_text
from dtks.store import (
    execute,
    read_table,
    replace_rows,
    replace_table,
    table_exists,
    transaction,
)

DESIL_TABLES = ("desil_rows", "desil_households")


@dataclass
class DesilSummary:
    """What the desil stage did (counts only: no personal data)."""

    lists: int = 0
    rows: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    matched_by: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)
    families_with_desil: int = 0
    families_changed: int = 0
    kecamatan_files_refused: dict[str, str] = field(default_factory=dict)


def ingest_kecamatan_lists(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, str]:
    """Read `<raw>/_kecamatan/` into `desil_raw_rows` (village "_kecamatan"); refused files."""
    folder = survey_village_folder(raw_dir, KECAMATAN_FOLDER)
    reads: list[ExportRead] = [
        refused_export(f.path, raw_dir, f.code, f.reason) for f in folder.refused
    ]
    for path in folder.exports:
        read = read_export(path, raw_dir)
        if read.status == "ok" and read.rows.height:
            read.status, read.error_code = "error", "registry_in_kecamatan_folder"
            read.error_message = (
                f"File {display_text(read.source_file)} adalah ekspor data desa (per orang), "
                f"bukan daftar desil. Folder {KECAMATAN_FOLDER}/ hanya untuk daftar "
                "pemeringkatan desil se-kecamatan; pindahkan file ini ke folder desanya."
            )
            read.sheets, read.rows, read.desil_rows = [], empty_raw_rows(), empty_desil_rows()
        reads.append(read)
    if table_exists(con, "source_files"):
        con.execute("DELETE FROM source_files WHERE village = ?", [KECAMATAN_FOLDER]).fetchall()
    for table in ("source_sheets", "desil_raw_rows"):
        if table_exists(con, table):
            con.execute(f'DELETE FROM "{table}" WHERE village = ?', [KECAMATAN_FOLDER]).fetchall()  # noqa: S608
    village = pl.lit(KECAMATAN_FOLDER).alias("village")
    for read in reads:
        key = {"village": KECAMATAN_FOLDER, "source_file": read.source_file}
        replace_rows(con, "source_files", source_files_frame([read]).with_columns(village), key)
        replace_rows(con, "source_sheets", source_sheets_frame([read]).with_columns(village), key)
        replace_rows(con, "desil_raw_rows", read.desil_rows.with_columns(village), key)
    return {r.source_file: r.error_message or "" for r in reads if r.status != "ok"}


def ensure_desil_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty desil tables when the stage has not run (so publishing never depends on it)."""
    for table, schema in (
        ("desil_rows", DESIL_ROWS_COLUMNS),
        ("desil_households", HOUSEHOLD_DESIL_COLUMNS),
    ):
        if not table_exists(con, table):
            replace_table(con, table, pl.DataFrame(schema=schema))


def desil_kecamatan(con: duckdb.DuckDBPyConnection, raw_dir: Path | None = None) -> DesilSummary:
    """Match every desil list in the store to the reconciled families and store the result."""
    summary = DesilSummary()
    if raw_dir is not None:
        summary.kecamatan_files_refused = ingest_kecamatan_lists(con, raw_dir)
    raw = read_table(con, "desil_raw_rows")
    persons = read_table(con, "reconciled_persons")
    households = read_table(con, "reconciled_households")
    if raw is None or raw.is_empty() or persons is None or households is None:
        with transaction(con):
            for table in DESIL_TABLES:
                if table_exists(con, table):
                    execute(con, f'DROP TABLE "{table}"')
            ensure_desil_tables(con)
        return summary
    raw = raw.select([*DESIL_ROWS_SCHEMA, "village"])
    sources = (
        con.sql(
            "SELECT person_id, village, no_kk, no_kk_as_written, no_kk_possibly_truncated "
            "FROM reconciled_sources"
        ).pl()
        if table_exists(con, "reconciled_sources")
        else None
    )
    rows, families = match_desil(raw, persons, households, read_table(con, "source_files"), sources)
    with transaction(con):  # both tables or neither (see dtks.store.transaction)
        replace_table(con, "desil_rows", rows)
        replace_table(con, "desil_households", families)
    summary.lists = rows.select("village", "source_file").n_unique()
    summary.rows = rows.height
    summary.statuses = dict.fromkeys(STATUSES, 0) | dict(rows.group_by("status").len().iter_rows())
    summary.matched_by = dict(
        rows.drop_nulls("matched_by").group_by("matched_by").len().iter_rows()
    )
    summary.reasons = dict(
        rows.filter(pl.col("status") != "cocok").group_by("reason").len().sort("reason").iter_rows()
    )
    summary.families_with_desil = families.filter(pl.col("desil").is_not_null()).height
    summary.families_changed = int(families["desil_changed"].sum())
    return summary


def desil_distribution(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Families per village, dusun and desil ("1".."10", "-" for registry families with none)."""
    if not table_exists(con, "reconciled_households"):
        return pl.DataFrame()
    ensure_desil_tables(con)
    return con.sql(
        """
        SELECT village, desa_nama, coalesce(dusun, '-') AS dusun,
               coalesce(CAST(desil AS VARCHAR), '-') AS desil, families FROM (
            SELECT h.village, h.desa_nama, h.dusun, d.desil, count(*) AS families
            FROM reconciled_households h LEFT JOIN desil_households d USING (household_id)
            GROUP BY ALL
        ) ORDER BY village, dusun, desil NULLS LAST
        """
    ).pl()


def per_village(distribution: pl.DataFrame) -> pl.DataFrame:
    """`desil_distribution` summed over the dusun of each village."""
    if distribution.is_empty():
        return distribution
    return distribution.group_by("village", "desil", maintain_order=True).agg(
        pl.col("families").sum()
    )
