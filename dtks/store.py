"""The pipeline's working DuckDB store: one writer at a time, guarded by a file lock.

Note for DuckDB 2.x: a result must be read to its end (`fetchall`, `.pl()`) before the
connection does other work; `fetchone` leaves it unfinished.

DuckDB allows one writing process per file and no reader while another process writes,
so every access (read or write) goes through `WorkStore.session()`, which holds an
exclusive `flock` on `<store>.lock` for its duration. Two runs started together therefore
wait for each other instead of failing on DuckDB's own lock.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from dtks.storage_errors import explain_storage_errors

# Tables that hold the pipeline's memory across runs (published ids, run history, review
# decisions): kept when the cache tables are rebuilt after a change of their layout.
PERSISTENT_TABLES = frozenset(
    {
        "store_meta",
        "run_history",
        "id_registry",
        "id_merges",
        "published_persons",
        "published_households",
        "validation_issue_history",
    }
)


class StoreLockTimeout(TimeoutError):
    """Another run held the work store for longer than we were willing to wait."""


class WorkStore:
    """A DuckDB file under the work dir, plus the lock that serialises its users."""

    def __init__(self, path: Path, layout: str = "", lock_timeout_s: float = 6 * 3600) -> None:
        """`layout` fingerprints the shapes of the cache tables (raw, clean, ...): when it
        differs from the one the store was built with, the cache tables are dropped and
        rebuilt from the raw folder on the next ingest; persistent tables are kept.
        """
        self.path = Path(path)
        self.layout = layout
        self.lock_path = self.path.with_suffix(".lock")
        self.lock_timeout_s = lock_timeout_s

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An open connection, held under the store lock; closed and unlocked on exit.

        A full disk or a work folder the service may not write fails as a `StorageError`
        that says so in Bahasa Indonesia.
        """
        with explain_storage_errors(self.path.parent, f"penyimpanan kerja {self.path.name}"):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with _exclusive_lock(self.lock_path, self.lock_timeout_s):
                con = duckdb.connect(str(self.path))
                try:
                    _ensure_layout(con, self.layout)
                    yield con
                    con.execute("CHECKPOINT")
                finally:
                    con.close()


@contextmanager
def _exclusive_lock(lock_path: Path, timeout_s: float) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreLockTimeout(
                        f"the work store {lock_path} stayed locked by another run for "
                        f"{timeout_s:.0f} s; check for a stuck run in the Dagster UI"
                    ) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _ensure_layout(con: duckdb.DuckDBPyConnection, layout: str) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS store_meta (layout VARCHAR)").fetchall()
    rows = con.execute("SELECT layout FROM store_meta").fetchall()
    if rows == [(layout,)]:
        return
    for (table,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall():
        if table not in PERSISTENT_TABLES:
            # names come from the catalog of our own file, not from input data
            con.execute(f'DROP TABLE "{table}"').fetchall()
    con.execute("DELETE FROM store_meta").fetchall()
    con.execute("INSERT INTO store_meta VALUES (?)", [layout]).fetchall()


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def quoted(identifier: str) -> str:
    """A table or column name of the pipeline's own, double-quoted for SQL.

    Only plain snake_case names pass: data values never become identifiers.
    """
    if not _IDENTIFIER.fullmatch(identifier):
        raise ValueError(f"not a pipeline identifier: {identifier!r}")
    return f'"{identifier}"'


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    (count,) = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name = ?",
        [table],
    ).fetchall()[0]
    return count > 0


def replace_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pl.DataFrame,
    where: dict[str, str],
) -> None:
    """Delete the rows of `table` matching `where` (column = value), then append `frame`.

    The table is created from the frame's schema on first use. Values are bound as
    parameters; `table` and the column names are the pipeline's own identifiers.
    """
    if table_exists(con, table) and where:
        condition = " AND ".join(f"{quoted(column)} = ?" for column in where)
        con.execute(
            f"DELETE FROM {quoted(table)} WHERE {condition}",  # noqa: S608 - identifiers checked
            list(where.values()),
        ).fetchall()
    append_rows(con, table, frame)


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Make `table` hold exactly `frame` (dropped when the frame has no columns)."""
    con.execute(f"DROP TABLE IF EXISTS {quoted(table)}").fetchall()
    if frame.width:
        append_rows(con, table, frame)


def append_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a Polars frame to `table`, creating the table from the frame if needed."""
    con.register("_incoming", frame.to_arrow())
    try:
        if table_exists(con, table):
            columns = ", ".join(quoted(c) for c in frame.columns)
            con.execute(
                f"INSERT INTO {quoted(table)} ({columns}) SELECT {columns} FROM _incoming"  # noqa: S608
            ).fetchall()
        else:
            con.execute(f"CREATE TABLE {quoted(table)} AS SELECT * FROM _incoming")  # noqa: S608
    finally:
        con.unregister("_incoming")


def read_table(
    con: duckdb.DuckDBPyConnection, table: str, where: dict[str, str] | None = None
) -> pl.DataFrame | None:
    """The rows of `table` (optionally filtered by column = value) or None if it does not exist."""
    if not table_exists(con, table):
        return None
    condition = ""
    params: list[str] = []
    if where:
        condition = " WHERE " + " AND ".join(f"{quoted(column)} = ?" for column in where)
        params = list(where.values())
    frame = con.sql(f"SELECT * FROM {quoted(table)}{condition}", params=params).pl()  # noqa: S608
    return _utc_as_written(frame)


def _utc_as_written(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands TIMESTAMPTZ back as "Etc/UTC"; make it "UTC" again so frames concatenate."""
    zoned = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone not in (None, "UTC")
    ]
    return frame.with_columns(pl.col(zoned).dt.convert_time_zone("UTC")) if zoned else frame
