"""Atomic publication of a DuckDB file that analysts open read-only while runs go on.

The new file is built beside the old one under a temporary name, written in a storage
version that older DuckDB clients (the duckdb CLI 1.x from PyPI, DBeaver's JDBC driver)
can read, checkpointed, closed, fsynced, verified, and only then renamed over the old
file. A reader holding the old file keeps its (unlinked) copy; a run that dies before the
rename leaves the old file untouched.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

# Older clients cannot open a file written in a newer storage format; v1.2.0 is read by
# every DuckDB from 1.2 on, including the CLI that PyPI ships (duckdb-cli 1.5).
PUBLISH_STORAGE_VERSION = "v1.2.0"
PUBLISHED_FILE_MODE = 0o640


@dataclass
class PublishedTable:
    """A table to publish, with the COMMENTs analysts see in their tools."""

    name: str
    frame: pl.DataFrame
    comment: str
    column_comments: dict[str, str] = field(default_factory=dict)


@dataclass
class PublishedView:
    name: str
    sql: str
    comment: str


class PublishVerificationError(RuntimeError):
    """The freshly built file did not read back as written; the old file was kept."""


def publish_database(
    target: Path,
    tables: list[PublishedTable],
    views: list[PublishedView] = (),  # type: ignore[assignment]
    archive_keep: int = 5,
) -> Path:
    """Build `target` from `tables` and swap it in atomically; return the archived copy or target.

    The previous file, if any, is kept under `target.parent / "archive"` (the newest
    `archive_keep` copies).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.stem}.{uuid.uuid4().hex}.building")
    try:
        _build(staging, tables, list(views))
        _verify(staging, tables)
        os.chmod(staging, PUBLISHED_FILE_MODE)
        _fsync_file(staging)
        if target.exists():
            _archive(target, archive_keep)
        os.replace(staging, target)
        _fsync_dir(target.parent)
    finally:
        for leftover in (staging, staging.with_name(staging.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return target


def _build(path: Path, tables: list[PublishedTable], views: list[PublishedView]) -> None:
    con = duckdb.connect()
    try:
        con.execute(
            f"ATTACH '{_sql_path(path)}' AS pub (STORAGE_VERSION '{PUBLISH_STORAGE_VERSION}')"
        )
        for table in tables:
            con.register("_frame", table.frame.to_arrow())
            con.execute(f'CREATE TABLE pub."{table.name}" AS SELECT * FROM _frame')  # noqa: S608
            con.unregister("_frame")
            con.execute(f'COMMENT ON TABLE pub."{table.name}" IS {_literal(table.comment)}')
            for column, comment in table.column_comments.items():
                if column in table.frame.columns:
                    con.execute(
                        f'COMMENT ON COLUMN pub."{table.name}"."{column}" IS {_literal(comment)}'
                    )
        con.execute("USE pub")
        for view in views:
            con.execute(f'CREATE VIEW "{view.name}" AS {view.sql}')
            con.execute(f'COMMENT ON VIEW "{view.name}" IS {_literal(view.comment)}')
        con.execute("USE memory")
        con.execute("CHECKPOINT pub")
        con.execute("DETACH pub")
    finally:
        con.close()


def _verify(path: Path, tables: list[PublishedTable]) -> None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        for table in tables:
            (count,) = con.execute(f'SELECT count(*) FROM "{table.name}"').fetchall()[0]  # noqa: S608
            if count != table.frame.height:
                raise PublishVerificationError(
                    f"{path.name}: table {table.name} has {count} rows, expected {table.frame.height}"
                )
    finally:
        con.close()


def _archive(target: Path, keep: int) -> None:
    archive_dir = target.parent / "archive"
    archive_dir.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    copy = archive_dir / f"{target.stem}.{stamp}{target.suffix}"
    try:
        os.link(target, copy)  # a hard link costs nothing and survives the rename
    except OSError:
        shutil.copy2(target, copy)
    old = sorted(archive_dir.glob(f"{target.stem}.*{target.suffix}"))
    for stale in old[:-keep] if keep > 0 else old:
        stale.unlink(missing_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _literal(text: str) -> str:
    """A SQL string literal for our own fixed comment texts (COMMENT ON takes no parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
