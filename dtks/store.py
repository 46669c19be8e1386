"""The pipeline's working DuckDB store: one writer at a time, guarded by a file lock.

Note for DuckDB 2.x: a result must be read to its end (`fetchall`, `.pl()`) before the
connection does other work; `fetchone` leaves it unfinished.

DuckDB allows one writing process per file and no reader while another process writes,
so every access (read or write) goes through `WorkStore.session()`, which holds an
exclusive `flock` on `<store>.lock` for its duration. Two runs started together therefore
wait for each other instead of failing on DuckDB's own lock.

Every unit of store work is one transaction (`transaction`): a file's ingest, a village's
clean, a stage's table replacements, the commit of the id registry. A run killed anywhere
leaves each unit either done or not started, never half (DuckDB rolls back what was not
committed when the file is opened again). Every statement that changes the store goes
through `execute`, which also passes a *boundary* of the fault hook below.

Fault injection: `stop_after(stage, n)` (tests) raises `InjectedStop` right after the n-th
boundary of `stage`; the environment variable `DTKS_FAULT_KILL_AFTER=<stage>:<n>` SIGKILLs
the process there instead (benchmarks, a real `make run`). A boundary is a store statement
or a file swapped in (`mark_boundary`); stage runners name their stage with
`statements_of(stage)`. Without either, the hook only counts.

The store file, its WAL and DuckDB's spill files hold personal data: the file is kept at
mode 0640 (or stricter) and DuckDB spills into `<work dir>/tmp/` (mode 0750), never /tmp.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.files import PRIVATE_FILE_MODE, private_dir, restrict_file
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
            private_dir(self.path.parent)
            with _exclusive_lock(self.lock_path, self.lock_timeout_s):
                con = duckdb.connect(str(self.path), config={"temp_directory": self._spill_dir()})
                try:
                    restrict_file(self.path)
                    _ensure_layout(con, self.layout)
                    yield con
                    con.execute("CHECKPOINT")
                finally:
                    con.close()

    def _spill_dir(self) -> str:
        """Where DuckDB spills what does not fit in memory: beside the store, not in /tmp."""
        return str(private_dir(self.path.parent / "tmp"))


@contextmanager
def _exclusive_lock(lock_path: Path, timeout_s: float) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
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
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    with transaction(con):
        for (table,) in tables:
            if table not in PERSISTENT_TABLES:
                # names come from the catalog of our own file, not from input data
                execute(con, f'DROP TABLE "{table}"')
        execute(con, "DELETE FROM store_meta")
        execute(con, "INSERT INTO store_meta VALUES (?)", [layout])


class InjectedStop(BaseException):  # noqa: N818 - not an error: a stop a test asked for
    """The run stopped at a boundary because a test asked for it (`stop_after`).

    A BaseException, so that no `except Exception` on the way up handles it: the session
    closes the connection without committing, as a kill would.
    """


FAULT_ENV = "DTKS_FAULT_KILL_AFTER"


@dataclass
class _Faults:
    """The fault hook's state in this process: boundaries passed per stage, and where to stop."""

    stage: str = ""
    passed: dict[str, int] = field(default_factory=dict)
    stop_at: tuple[str, int] | None = None
    kill: bool = False  # SIGKILL instead of raising (set from the environment)

    def boundary(self) -> None:
        count = self.passed.get(self.stage, 0) + 1
        self.passed[self.stage] = count
        if self.stop_at == (self.stage, count):
            if self.kill:
                os.kill(os.getpid(), signal.SIGKILL)
            raise InjectedStop(f"stopped after boundary {count} of stage {self.stage}")


def _faults_from_env() -> _Faults:
    setting = os.environ.get(FAULT_ENV, "")
    if not setting:
        return _Faults()
    stage, _, count = setting.rpartition(":")
    return _Faults(stop_at=(stage, int(count)), kill=True)


_FAULTS = _faults_from_env()


@contextmanager
def statements_of(stage: str) -> Iterator[None]:
    """Count the boundaries passed in the block as the given stage's (ingest, clean, ...);
    also a decorator: ``@statements_of("ingest")`` on a stage runner."""
    outer, _FAULTS.stage = _FAULTS.stage, stage
    try:
        yield
    finally:
        _FAULTS.stage = outer


def mark_boundary() -> None:
    """A point where a run may be stopped that is not a store statement (a file swapped in)."""
    _FAULTS.boundary()


@contextmanager
def stop_after(stage: str, boundary: int) -> Iterator[dict[str, int]]:
    """Test hook: raise `InjectedStop` right after the `boundary`-th boundary (1-based) of
    `stage` in the block; yields the boundaries passed per stage, counted from zero.

    `stop_after("", 0)` stops nowhere and only counts, e.g. to learn how many boundaries a
    stage has.
    """
    saved = (_FAULTS.passed, _FAULTS.stop_at, _FAULTS.kill)
    _FAULTS.passed, _FAULTS.stop_at, _FAULTS.kill = {}, (stage, boundary), False
    try:
        yield _FAULTS.passed
    finally:
        _FAULTS.passed, _FAULTS.stop_at, _FAULTS.kill = saved


def execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> list[tuple]:
    """Run one statement that changes the store, read its result to the end, pass a boundary."""
    rows = con.execute(sql, params or []).fetchall()
    _FAULTS.boundary()
    return rows


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One unit of store work: everything in the block is committed together or not at all.

    DuckDB allows DDL in a transaction (CREATE OR REPLACE, DROP, ALTER ... RENAME), so a
    stage's table replacements fit in one. An error rolls back; an `InjectedStop` or a kill
    leaves the transaction open, and closing or reopening the file rolls it back.
    """
    execute(con, "BEGIN TRANSACTION")
    try:
        yield
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
    execute(con, "COMMIT")


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
        execute(
            con,
            f"DELETE FROM {quoted(table)} WHERE {condition}",  # noqa: S608 - identifiers checked
            list(where.values()),
        )
    append_rows(con, table, frame)


def _arrow(frame: pl.DataFrame) -> object:
    """The frame as Arrow without copying its strings: Polars keeps them as string views,
    which DuckDB reads as VARCHAR (the default conversion copies every string, about 1 s of
    CPU per 1M rows of 56 columns)."""
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def replace_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Make `table` hold exactly `frame` (dropped when the frame has no columns)."""
    if not frame.width:
        execute(con, f"DROP TABLE IF EXISTS {quoted(table)}")
        return
    con.register("_incoming", _arrow(frame))
    try:
        execute(con, f"CREATE OR REPLACE TABLE {quoted(table)} AS SELECT * FROM _incoming")  # noqa: S608
    finally:
        con.unregister("_incoming")


def append_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append a Polars frame to `table`, creating the table from the frame if needed."""
    con.register("_incoming", _arrow(frame))
    try:
        if table_exists(con, table):
            columns = ", ".join(quoted(c) for c in frame.columns)
            execute(
                con,
                f"INSERT INTO {quoted(table)} ({columns}) SELECT {columns} FROM _incoming",  # noqa: S608
            )
        else:
            execute(con, f"CREATE TABLE {quoted(table)} AS SELECT * FROM _incoming")  # noqa: S608
    finally:
        con.unregister("_incoming")


def read_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: dict[str, str] | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame | None:
    """The rows of `table` (optionally filtered by column = value) or None if it does not exist.

    `columns`: read only those of these columns the table has (in the table's order; an
    empty frame when it has none of them); the others are not read at all, which is what
    makes a wide table cheap to read.
    """
    if not table_exists(con, table):
        return None
    condition = ""
    params: list[str] = []
    if where:
        condition = " WHERE " + " AND ".join(f"{quoted(column)} = ?" for column in where)
        params = list(where.values())
    selected = "*"
    if columns is not None:
        wanted = set(columns)
        present = con.sql(f"SELECT * FROM {quoted(table)} LIMIT 0").columns  # noqa: S608
        selected = ", ".join(quoted(c) for c in present if c in wanted)
        if not selected:
            return pl.DataFrame()
    sql = f"SELECT {selected} FROM {quoted(table)}{condition}"  # noqa: S608 - identifiers checked
    return _utc_as_written(con.sql(sql, params=params).pl())


def table_or_empty(con: duckdb.DuckDBPyConnection, table: str, *columns: str) -> pl.DataFrame:
    """The rows of `table` (only `columns`, when given), or an empty frame when there is none."""
    if not table_exists(con, table):
        return pl.DataFrame()
    if not columns:
        return read_table(con, table)
    selected = ", ".join(quoted(c) for c in columns)
    return _utc_as_written(con.sql(f"SELECT {selected} FROM {quoted(table)}").pl())  # noqa: S608


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows of `table`; 0 when there is no such table."""
    if not table_exists(con, table):
        return 0
    return con.execute(f"SELECT count(*) FROM {quoted(table)}").fetchall()[0][0]  # noqa: S608


def _utc_as_written(frame: pl.DataFrame) -> pl.DataFrame:
    """DuckDB hands TIMESTAMPTZ back as "Etc/UTC"; make it "UTC" again so frames concatenate."""
    zoned = [
        name
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.Datetime) and dtype.time_zone not in (None, "UTC")
    ]
    return frame.with_columns(pl.col(zoned).dt.convert_time_zone("UTC")) if zoned else frame
