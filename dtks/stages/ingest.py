"""Ingest stage: bring one village's export files into the work store, file by file.

New and changed files are (re)read and replace that file's rows; unchanged files (same
content hash) are left alone; files that vanished are dropped; files still being copied
keep whatever the store had of them until they settle.

Each file is one transaction: its `source_files` row (with the content hash that later runs
compare against), its sheets and its rows are committed together. A run stopped in between
leaves the old hash beside the old rows, so the next run sees the file as changed and reads
it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.ingest import (
    ExportRead,
    file_sha256,
    read_export,
    refused_export,
    source_files_frame,
    source_sheets_frame,
    survey_village_folder,
)
from dtks.store import (
    execute,
    quoted,
    read_table,
    replace_rows,
    statements_of,
    table_exists,
    transaction,
)

INGEST_TABLES = ("source_files", "source_sheets", "raw_rows", "desil_raw_rows", "register_raw_rows")


@dataclass
class VillageIngest:
    """What one village's ingest did: the files it saw and how each was handled."""

    village: str
    files_new: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    files_still_writing: list[str] = field(default_factory=list)
    files_failed: dict[str, str] = field(default_factory=dict)  # source_file -> message
    files_unsupported: dict[str, str] = field(default_factory=dict)  # source_file -> reason
    rows_read: int = 0

    @property
    def files_present(self) -> int:
        return len(self.files_new) + len(self.files_changed) + len(self.files_unchanged)


@statements_of("ingest")
def ingest_village(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    village: str,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
) -> VillageIngest:
    """Bring `raw_dir/<village>/` into the store and say what changed."""
    result = VillageIngest(village)
    folder = survey_village_folder(
        raw_dir, village, min_age_seconds=min_age_seconds, settle_seconds=settle_seconds
    )
    result.files_unsupported = {_relative(f.path, raw_dir): f.reason for f in folder.unsupported}
    result.files_still_writing = [_relative(f.path, raw_dir) for f in folder.still_writing]
    known = _known_hashes(con, village)
    present = set(result.files_still_writing)
    for found in folder.refused:  # links out of the raw folder, FIFOs, folders named .xlsx
        export = refused_export(found.path, raw_dir, found.code, found.reason)
        present.add(export.source_file)
        _store_export(con, village, export)
        result.files_failed[export.source_file] = export.error_message or export.error_code or ""
    for path in folder.exports:
        source_file = _relative(path, raw_dir)
        present.add(source_file)
        file_hash = file_sha256(path, raw_dir)
        if file_hash is not None and known.get(source_file) == file_hash:
            result.files_unchanged.append(source_file)
            continue
        (result.files_changed if source_file in known else result.files_new).append(source_file)
        export = read_export(path, raw_dir)
        _store_export(con, village, export)
        if export.status != "ok":
            result.files_failed[source_file] = export.error_message or export.error_code or ""
    for source_file in sorted(set(known) - present):
        _drop_file(con, village, source_file)
        result.files_removed.append(source_file)
    result.rows_read = _rows_read(con, village)
    return result


def _relative(path: Path, raw_dir: Path) -> str:
    return path.relative_to(raw_dir).as_posix()


def _known_hashes(con: duckdb.DuckDBPyConnection, village: str) -> dict[str, str]:
    files = read_table(con, "source_files", {"village": village})
    if files is None:
        return {}
    return dict(zip(files["source_file"], files["file_hash"], strict=True))


def _rows_read(con: duckdb.DuckDBPyConnection, village: str) -> int:
    if not table_exists(con, "source_files"):
        return 0
    (total,) = con.execute(
        "SELECT coalesce(sum(rows_read), 0) FROM source_files WHERE village = ?", [village]
    ).fetchall()[0]
    return int(total)


def _store_export(con: duckdb.DuckDBPyConnection, village: str, export: ExportRead) -> None:
    """Replace everything the store holds for this file with what was just read, in one
    transaction (the hash is only there when the rows are)."""
    key = {"village": village, "source_file": export.source_file}
    with_village = pl.lit(village).alias("village")
    with transaction(con):
        replace_rows(
            con, "source_files", source_files_frame([export]).with_columns(with_village), key
        )
        replace_rows(
            con, "source_sheets", source_sheets_frame([export]).with_columns(with_village), key
        )
        replace_rows(con, "raw_rows", export.rows.with_columns(with_village), key)
        # desil ranking lists (dtks.ingest.file_kinds): families and their desil, never persons
        replace_rows(con, "desil_raw_rows", export.desil_rows.with_columns(with_village), key)
        # village population registers (dtks.musdes): residents, never persons
        replace_rows(con, "register_raw_rows", export.register_rows.with_columns(with_village), key)


def _drop_file(con: duckdb.DuckDBPyConnection, village: str, source_file: str) -> None:
    with transaction(con):
        for table in INGEST_TABLES:
            if table_exists(con, table):
                execute(
                    con,
                    f"DELETE FROM {quoted(table)} WHERE village = ? AND source_file = ?",  # noqa: S608
                    [village, source_file],
                )
