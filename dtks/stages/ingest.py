"""Ingest stage: bring one village's export files into the work store, file by file.

New and changed files are (re)read and replace that file's rows; unchanged files (same
content hash) are left alone; files that vanished are dropped; files still being copied
keep whatever the store had of them until they settle.

Each file is one transaction: its `source_files` row (with the content hash that later runs
compare against), its sheets and its rows are committed together. A run stopped in between
leaves the old hash beside the old rows, so the next run sees the file as changed and reads
it again.

Files are read by a few threads ahead of the store writes (`READ_AHEAD`): python-calamine
parses a sheet without holding the GIL, so the next file's XLSX parsing runs on the second
core while this one's rows go into DuckDB. The store is written by the calling thread only,
in the same order as without threads.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.ingest import (
    ExportRead,
    VillageFolder,
    file_sha256,
    read_export,
    refused_export,
    source_files_frame,
    source_sheets_frame,
    survey_village_folders,
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
# Reader threads, and how many files may be read and waiting to be stored at once (memory).
READER_THREADS = 2
READ_AHEAD = 2


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


@dataclass
class _VillagePlan:
    """What one village's ingest will do, decided before any file is read."""

    result: VillageIngest
    refused: list[ExportRead]
    to_read: list[tuple[Path, str]]  # (path, source_file) of new and changed files
    removed: list[str]


@statements_of("ingest")
def ingest_village(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    village: str,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
) -> VillageIngest:
    """Bring `raw_dir/<village>/` into the store and say what changed."""
    return ingest_villages(con, raw_dir, [village], min_age_seconds, settle_seconds)[0]


@statements_of("ingest")
def ingest_villages(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    villages: Iterable[str],
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
) -> list[VillageIngest]:
    """Bring every `raw_dir/<village>/` into the store, village by village, and say what
    changed in each. Files are read ahead in threads; the store is written here, in order."""
    folders = survey_village_folders(
        raw_dir, villages, min_age_seconds=min_age_seconds, settle_seconds=settle_seconds
    )
    plans = [_plan_village(con, raw_dir, folder) for folder in folders]
    jobs = [(path, raw_dir) for plan in plans for path, _ in plan.to_read]
    with ThreadPoolExecutor(READER_THREADS, thread_name_prefix="dtks-ingest") as pool:
        reads = _read_ahead(pool, jobs)
        try:
            for plan in plans:
                _apply_plan(con, plan, reads)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return [plan.result for plan in plans]


def _plan_village(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, folder: VillageFolder
) -> _VillagePlan:
    village = folder.village_slug
    result = VillageIngest(village)
    result.files_unsupported = {_relative(f.path, raw_dir): f.reason for f in folder.unsupported}
    result.files_still_writing = [_relative(f.path, raw_dir) for f in folder.still_writing]
    known = _known_hashes(con, village)
    present = set(result.files_still_writing)
    # links out of the raw folder, FIFOs, folders named .xlsx
    refused = [refused_export(f.path, raw_dir, f.code, f.reason) for f in folder.refused]
    present.update(export.source_file for export in refused)
    to_read: list[tuple[Path, str]] = []
    for path in folder.exports:
        source_file = _relative(path, raw_dir)
        present.add(source_file)
        file_hash = file_sha256(path, raw_dir)
        if file_hash is not None and known.get(source_file) == file_hash:
            result.files_unchanged.append(source_file)
            continue
        (result.files_changed if source_file in known else result.files_new).append(source_file)
        to_read.append((path, source_file))
    return _VillagePlan(result, refused, to_read, sorted(set(known) - present))


def _read_ahead(pool: ThreadPoolExecutor, jobs: list[tuple[Path, Path]]) -> Iterator[ExportRead]:
    """`read_export` of every job, in order, with at most `READ_AHEAD` reads waiting."""
    pending: deque[Future[ExportRead]] = deque()
    waiting = iter(jobs)
    for job in waiting:
        pending.append(pool.submit(read_export, *job))
        if len(pending) >= READ_AHEAD:
            break
    while pending:
        read = pending.popleft().result()
        job = next(waiting, None)
        if job is not None:
            pending.append(pool.submit(read_export, *job))
        yield read


def _apply_plan(
    con: duckdb.DuckDBPyConnection, plan: _VillagePlan, reads: Iterator[ExportRead]
) -> None:
    result = plan.result
    for export in plan.refused:
        _store_export(con, result.village, export)
        result.files_failed[export.source_file] = export.error_message or export.error_code or ""
    for _, source_file in plan.to_read:
        export = next(reads)
        _store_export(con, result.village, export)
        if export.status != "ok":
            result.files_failed[source_file] = export.error_message or export.error_code or ""
    for source_file in plan.removed:
        _drop_file(con, result.village, source_file)
        result.files_removed.append(source_file)
    result.rows_read = _rows_read(con, result.village)


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
