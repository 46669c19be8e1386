"""Publishing swaps a complete file in atomically, for every kind of client."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.publish.atomic import PublishedTable, PublishedView, publish_database


def _tables(n: int) -> list[PublishedTable]:
    persons = pl.DataFrame({"person_id": [f"P{i}" for i in range(n)], "n": list(range(n))})
    return [PublishedTable("persons", persons, "one row per person", {"n": "a number"})]


def _count(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM persons").fetchall()[0][0]
    finally:
        con.close()


def test_publish_writes_tables_views_and_comments(tmp_path: Path) -> None:
    target = tmp_path / "kecamatan.duckdb"
    view = PublishedView("persons_count", "SELECT count(*) AS n FROM persons", "how many")
    publish_database(target, _tables(3), [view])
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT n FROM persons_count").fetchall() == [(3,)]
    assert con.execute(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'persons'"
    ).fetchall() == [("one row per person",)]
    assert con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'persons' AND column_name = 'n'"
    ).fetchall() == [("a number",)]
    con.close()


def test_published_file_keeps_other_users_out(tmp_path: Path) -> None:
    target = tmp_path / "kecamatan.duckdb"
    publish_database(target, _tables(1))
    mode = stat.S_IMODE(os.stat(target).st_mode)
    assert mode & 0o027 == 0, oct(mode)


def test_previous_files_are_archived_and_pruned(tmp_path: Path) -> None:
    target = tmp_path / "kecamatan.duckdb"
    for n in range(1, 5):
        publish_database(target, _tables(n), archive_keep=2)
    archived = sorted((tmp_path / "archive").iterdir())
    assert len(archived) == 2
    assert [_count(p) for p in archived] == [2, 3]
    assert _count(target) == 4
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["kecamatan.duckdb"]


def test_failed_build_leaves_previous_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "kecamatan.duckdb"
    publish_database(target, _tables(2))
    before = target.read_bytes()
    twice = _tables(3) + _tables(3)  # the second CREATE TABLE fails halfway through the build
    with pytest.raises(duckdb.CatalogException):
        publish_database(target, twice)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["kecamatan.duckdb"]


def test_reader_holding_the_file_is_not_blocked_and_sees_new_data_on_reconnect(
    tmp_path: Path,
) -> None:
    target = tmp_path / "kecamatan.duckdb"
    publish_database(target, _tables(2))
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent("""
            import duckdb, sys
            con = duckdb.connect(sys.argv[1], read_only=True)
            print(con.execute("SELECT count(*) FROM persons").fetchall()[0][0], flush=True)
            sys.stdin.readline()  # hold the connection until told
            print(con.execute("SELECT count(*) FROM persons").fetchall()[0][0], flush=True)
        """),
            str(target),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "2"
    publish_database(target, _tables(5))  # must not wait for, nor fail on, the reader
    out, _ = reader.communicate("go\n", timeout=30)
    assert out.strip() == "2"  # the open connection keeps the old snapshot
    assert _count(target) == 5  # a new connection sees the new data
