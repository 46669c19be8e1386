"""Atomic publication of a DuckDB file that analysts open read-only while runs go on.

The new file is built beside the old one under a temporary name, written in a storage
version that older DuckDB clients (the duckdb CLI 1.x from PyPI, DBeaver's JDBC driver)
can read, checkpointed, closed, fsynced, verified, and only then renamed over the old
file. A reader holding the old file keeps its (unlinked) copy; a run that dies before the
rename leaves the old file untouched, and the next publish sweeps its leftovers away.

`replace_directory` does the same for a folder of files (the submission): built beside the
old one, then swapped in by rename. `link_published` points a symlink at a published file
(the contract path analysts know), swapped in by rename as well.

Published files are 0640 and new folders 0750 (`dtks.files`): personal data is never
readable by other users of the machine.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from dtks.files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    fsync_dir,
    fsync_file,
    private_dir,
)
from dtks.storage_errors import explain_storage_errors
from dtks.store import quoted

# Older clients cannot open a file written in a newer storage format; v1.2.0 is read by
# every DuckDB from 1.2 on, including the CLI that PyPI ships (duckdb-cli 1.5).
PUBLISH_STORAGE_VERSION = "v1.2.0"
PUBLISHED_FILE_MODE = PRIVATE_FILE_MODE
BUILDING = "_publishing"  # the new files, attached while they are built (a number follows)
FRAME = "_published_frame"  # a Polars frame being copied in


@dataclass
class PublishedTable:
    """A table to publish, with the COMMENTs analysts see in their tools.

    Its rows are a Polars frame, or a SELECT of our own over the connection the file is
    built on (e.g. the work store's tables, which DuckDB then copies without Python).
    """

    name: str
    rows: pl.DataFrame | str
    comment: str
    column_comments: dict[str, str] = field(default_factory=dict)
    # the select list the table is written with, given its columns (e.g. masks over
    # identifying columns, `dtks.publish.masking`); default all columns as they are
    select: Callable[[list[str]], str] | None = None


@dataclass(frozen=True)
class PublishedView:
    """A view over the published tables (SQL of our own), with its COMMENTs."""

    name: str
    sql: str
    comment: str
    column_comments: dict[str, str] = field(default_factory=dict)


class PublishVerificationError(RuntimeError):
    """The freshly built file did not read back as written; the old file was kept."""


def publish_database(
    target: Path,
    tables: list[PublishedTable],
    views: list[PublishedView] = (),  # type: ignore[assignment]
    archive_keep: int = 5,
    con: duckdb.DuckDBPyConnection | None = None,
) -> Path:
    """Build `target` from `tables` and swap it in atomically; return the archived copy or target.

    The previous file, if any, is kept under `target.parent / "archive"` (the newest
    `archive_keep` copies). `con`: the connection the tables' SELECTs run on (default: a
    fresh in-memory one).
    """
    (staged,) = build_databases([(target, tables)], views, con)
    try:
        return swap_in(staged, archive_keep)
    finally:
        staged.discard()


@dataclass(frozen=True)
class StagedFile:
    """A published file built and verified beside its target, not yet swapped in."""

    target: Path
    staging: Path

    def discard(self) -> None:
        """Remove what is left of the staged file (nothing once it was swapped in)."""
        for leftover in (self.staging, self.staging.with_name(self.staging.name + ".wal")):
            leftover.unlink(missing_ok=True)


def build_databases(
    files: list[tuple[Path, list[PublishedTable]]],
    views: list[PublishedView] = (),  # type: ignore[assignment]
    con: duckdb.DuckDBPyConnection | None = None,
) -> list[StagedFile]:
    """Build every (target, tables) file beside its target, all at once, and verify them.

    DuckDB writes a table on about one core, so the files are built side by side, each on
    its own cursor of `con` (the full and the masked file: the time of one on two cores).
    Returns the staged files in the order given; a failure leaves no staged file behind.
    """
    staged = []
    for target in (t for t, _ in files):
        with explain_storage_errors(target.parent, f"file terbitan {target.name}", _kept(target)):
            private_dir(target.parent)
            _sweep_leftovers(target)
        staged.append(
            StagedFile(target, target.with_name(f".{target.stem}.{uuid.uuid4().hex}.building"))
        )

    def build(index: int) -> None:
        file, (target, tables) = staged[index], files[index]
        with explain_storage_errors(target.parent, f"file terbitan {target.name}", _kept(target)):
            cursor = con.cursor() if con is not None else None
            try:
                counts = _build(file.staging, tables, list(views), cursor, f"{BUILDING}_{index}")
            finally:
                if cursor is not None:
                    cursor.close()
            _verify(file.staging, counts, list(views))
            os.chmod(file.staging, PUBLISHED_FILE_MODE)
            fsync_file(file.staging)

    try:
        with ThreadPoolExecutor(max_workers=len(files)) as pool:
            for done in [pool.submit(build, i) for i in range(len(files))]:
                done.result()
    except BaseException:
        for file in staged:
            file.discard()
        raise
    return staged


def swap_in(staged: StagedFile, archive_keep: int = 5) -> Path:
    """Rename a staged file over its target, the previous one archived; return the target."""
    target = staged.target
    with explain_storage_errors(target.parent, f"file terbitan {target.name}", _kept(target)):
        if target.exists():
            _archive(target, archive_keep)
        os.replace(staged.staging, target)
        fsync_dir(target.parent)
    return target


def _kept(target: Path) -> str:
    return f"Tidak ada data yang hilang: {target.name} yang lama tetap utuh."


def _sweep_leftovers(target: Path) -> None:
    """Remove half-built files of publishes that were killed (runs are serialised by the
    work-store lock, so no other publish is building now)."""
    for leftover in target.parent.glob(f".{target.stem}.*.building*"):
        leftover.unlink(missing_ok=True)


def _build(
    path: Path,
    tables: list[PublishedTable],
    views: list[PublishedView],
    con: duckdb.DuckDBPyConnection | None,
    alias: str = BUILDING,
) -> dict[str, int]:
    """Write the tables, their COMMENTs and the views into a new file at `path`, attached
    as `alias`; return the row count each table must read back with."""
    own = con is None
    con = duckdb.connect() if con is None else con
    (home,) = con.execute("SELECT current_database()").fetchall()[0]
    con.execute(
        f"ATTACH '{_sql_path(path)}' AS {alias} (STORAGE_VERSION '{PUBLISH_STORAGE_VERSION}')"
    ).fetchall()
    try:
        counts, columns = {}, {}
        # Each table commits on its own, so DuckDB never holds the whole dataset as
        # uncommitted transaction-local data; the COMMENTs then go in one transaction.
        for table in tables:
            counts[table.name], columns[table.name] = _write_table(con, table, alias)
        con.execute(f"USE {alias}").fetchall()  # the views bind to the new file's tables
        con.execute("BEGIN TRANSACTION").fetchall()  # one commit, not one per COMMENT
        try:
            _describe(con, tables, columns, views)
            con.execute("COMMIT").fetchall()
        except Exception:
            con.execute("ROLLBACK").fetchall()
            raise
        con.execute(f"USE {_catalog(home)}").fetchall()
        con.execute(f"CHECKPOINT {alias}").fetchall()  # everything in the file, no WAL
    finally:
        con.execute(f"USE {_catalog(home)}").fetchall()
        con.execute(f"DETACH DATABASE IF EXISTS {alias}").fetchall()
        if own:
            con.close()
    return counts


def _describe(
    con: duckdb.DuckDBPyConnection,
    tables: list[PublishedTable],
    columns: dict[str, list[str]],
    views: list[PublishedView],
) -> None:
    """The COMMENTs of the tables and their columns, and the views with theirs."""
    for table in tables:
        name = quoted(table.name)
        _comment(con, "TABLE", name, table.comment)
        for column, comment in table.column_comments.items():
            if column in columns[table.name]:
                _comment(con, "COLUMN", f"{name}.{quoted(column)}", comment)
    for view in views:
        name = quoted(view.name)
        con.execute(f"CREATE VIEW {name} AS {view.sql}").fetchall()
        _comment(con, "VIEW", name, view.comment)
        for column, comment in view.column_comments.items():
            _comment(con, "COLUMN", f"{name}.{quoted(column)}", comment)


def _write_table(
    con: duckdb.DuckDBPyConnection, table: PublishedTable, alias: str
) -> tuple[int, list[str]]:
    """Create one table of the new file (attached as `alias`) from its frame or SELECT;
    return the number of rows written and the table's columns."""
    frame = table.rows if isinstance(table.rows, pl.DataFrame) else None
    if frame is not None:
        con.register(FRAME, frame.to_arrow())
    source = f"SELECT * FROM {FRAME}" if frame is not None else table.rows  # noqa: S608
    try:
        columns = con.sql(f"SELECT * FROM ({source}) LIMIT 0").columns  # noqa: S608
        selected = (table.select or _all_columns)(columns)
        ((count,),) = con.execute(  # CREATE TABLE AS answers with the rows it wrote
            f"CREATE TABLE {alias}.{quoted(table.name)} AS "  # noqa: S608 - our own SQL
            f"SELECT {selected} FROM ({source})"
        ).fetchall()
        columns = con.sql(f"SELECT * FROM {alias}.{quoted(table.name)} LIMIT 0").columns  # noqa: S608
        return count, columns
    finally:
        if frame is not None:
            con.unregister(FRAME)


def _all_columns(columns: list[str]) -> str:  # noqa: ARG001 - the `select` signature
    """Every column, as it is."""
    return "*"


def _catalog(name: str) -> str:
    """A database name DuckDB gave us (e.g. the store's file stem), double-quoted."""
    return '"' + name.replace('"', '""') + '"'


def _comment(con: duckdb.DuckDBPyConnection, kind: str, target: str, text: str) -> None:
    con.execute(f"COMMENT ON {kind} {target} IS {_literal(text)}").fetchall()


def _verify(path: Path, counts: dict[str, int], views: list[PublishedView]) -> None:
    """Every table reads back with the row count it was built with; every view runs."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        for name, expected in counts.items():
            (count,) = con.execute(f"SELECT count(*) FROM {quoted(name)}").fetchall()[0]  # noqa: S608
            if count != expected:
                raise PublishVerificationError(
                    f"{path.name}: table {name} has {count} rows, expected {expected}"
                )
        for view in views:
            con.execute(f"SELECT count(*) FROM {quoted(view.name)}").fetchall()  # noqa: S608
    finally:
        con.close()


def _archive(target: Path, keep: int) -> None:
    archive_dir = private_dir(target.parent / "archive")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    copy = archive_dir / f"{target.stem}.{stamp}{target.suffix}"
    try:
        os.link(target, copy)  # a hard link costs nothing and survives the rename
    except OSError:
        shutil.copy2(target, copy)
    old = sorted(archive_dir.glob(f"{target.stem}.*{target.suffix}"))
    for stale in old[:-keep] if keep > 0 else old:
        stale.unlink(missing_ok=True)


def replace_directory(target: Path, build: Callable[[Path], None]) -> Path:
    """Build a folder with ``build(staging_dir)`` beside ``target`` and swap it in by rename.

    Readers see the old folder or the new one, never a half-written one (between the two
    renames, for a moment, no folder at all). A failed build leaves the old folder in place.
    """
    kept = f"Tidak ada data yang hilang: folder {target.name}/ yang lama tetap utuh."
    with explain_storage_errors(target.parent, f"folder {target.name}/", kept):
        private_dir(target.parent)
        for leftover in target.parent.glob(f".{target.name}.*"):
            shutil.rmtree(leftover, ignore_errors=True)
        staging = target.with_name(f".{target.name}.{uuid.uuid4().hex}.building")
        retired = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
        staging.mkdir(mode=PRIVATE_DIR_MODE)  # a set-group-id parent's group is inherited
        try:
            build(staging)
            for path in staging.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    os.chmod(path, PRIVATE_FILE_MODE)
                    fsync_file(path)
            if target.exists():
                os.replace(target, retired)
            os.replace(staging, target)
            fsync_dir(target.parent)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(retired, ignore_errors=True)
    return target


def link_published(link: Path, target: Path) -> Path:
    """Make `link` a relative symlink to `target`, swapped in by rename (a regular file left
    at `link` by an older layout is replaced).

    The link itself reveals nothing: opening it needs the right to read `target`'s folder.
    """
    relative = os.path.relpath(target, link.parent)
    if link.is_symlink() and os.readlink(link) == relative:
        return link
    temp = link.with_name(f".{link.name}.{uuid.uuid4().hex}.link")
    os.symlink(relative, temp)
    try:
        os.replace(temp, link)
        fsync_dir(link.parent)
    finally:
        temp.unlink(missing_ok=True)
    return link


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _literal(text: str) -> str:
    """A SQL string literal for our own fixed comment texts (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"
