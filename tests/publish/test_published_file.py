"""What analysts get: every table and column described, views, the masked file, the older
client (duckdb-cli 1.5 from PyPI) and the worked queries of docs/queries.sql."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.publish.paths import FULL, MASKED, published_paths
from dtks.publish.tables import DECLARED
from dtks.publish.views import VIEWS

PROJECT = Path(__file__).resolve().parents[2]
QUERIES = PROJECT / "docs" / "queries.sql"
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")
FILES = ("kecamatan.duckdb", "kecamatan_masked.duckdb")
VIEW_NAMES = {v.name for v in VIEWS}


def _path(dirs: dict[str, Path], name: str) -> Path:
    """Where the file of that name is published: the full one under penuh/, the masked one
    under tersamar/."""
    return published_paths(dirs["curated"])[FILES.index(name)]


def _connect(dirs: dict[str, Path], name: str = FILES[0]) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(_path(dirs, name)), read_only=True)


def test_full_and_masked_files_live_in_folders_of_their_own(published_run) -> None:
    """Each file can be given to its own group; the path analysts know is a relative link
    to the full file, which opens only for those who may read penuh/."""
    curated = published_run["curated"]
    full, masked = published_paths(curated)
    assert (full.parent.name, masked.parent.name) == (FULL.folder, MASKED.folder)
    assert full.is_file() and not full.is_symlink()
    assert masked.is_file() and not masked.is_symlink()
    for link, target in ((curated / FILES[0], full), (curated / FILES[1], masked)):
        assert link.is_symlink()
        assert Path(os.readlink(link)) == target.relative_to(curated)
    assert list(masked.parent.glob("kecamatan.*")) == []
    assert list(full.parent.glob("kecamatan_masked*")) == []
    assert [p.name for p in curated.iterdir() if p.is_file() and not p.is_symlink()] == []


def _relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE NOT internal "
        "UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


@pytest.mark.parametrize("file", FILES)
def test_every_table_and_view_is_published_with_a_comment(published_run, file: str) -> None:
    con = _connect(published_run, file)
    try:
        assert set(_relations(con)) == set(DECLARED) | VIEW_NAMES
        missing = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND coalesce(comment, '') = '' "
            "UNION ALL SELECT view_name FROM duckdb_views() "
            "WHERE NOT internal AND coalesce(comment, '') = ''"
        ).fetchall()
    finally:
        con.close()
    assert missing == []


@pytest.mark.parametrize("file", FILES)
def test_no_published_column_without_a_comment(published_run, file: str) -> None:
    con = _connect(published_run, file)
    try:
        missing = con.execute(
            "SELECT table_name || '.' || column_name FROM duckdb_columns() "
            "WHERE NOT internal AND schema_name = 'main' AND (comment IS NULL OR comment = '') "
            "ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert [name for (name,) in missing] == []


def test_views_answer_their_questions(published_run) -> None:
    con = _connect(published_run)
    try:
        counts = {
            view: con.execute(f'SELECT count(*) FROM "{view}"').fetchall()[0][0]  # noqa: S608
            for view in sorted(VIEW_NAMES)
        }
        (villages,) = con.execute("SELECT count(*) FROM village_status").fetchall()[0]
        (recipients,) = con.execute(
            "SELECT count(*) FROM persons WHERE pkh OR bpnt OR pbi_jk OR bst"
        ).fetchall()[0]
        (headless,) = con.execute(
            "SELECT count(*) FROM households WHERE is_without_head OR head_is_deceased"
        ).fetchall()[0]
    finally:
        con.close()
    assert counts["village_summary"] == villages == 13
    assert counts["program_recipients"] >= recipients > 0
    assert counts["households_without_head"] == headless > 0


def _real_identifiers(dirs: dict[str, Path]) -> tuple[set[str], set[str]]:
    """Every NIK / KK number and every mother's name the full file holds."""
    con = _connect(dirs)
    try:
        numbers = con.execute(
            "SELECT DISTINCT v FROM (SELECT nik AS v FROM person_sources UNION ALL "
            "SELECT no_kk FROM person_sources UNION ALL SELECT nik_as_written FROM person_sources "
            "UNION ALL SELECT no_kk_as_written FROM person_sources) WHERE length(v) >= 15"
        ).fetchall()
        mothers = con.execute(
            "SELECT DISTINCT nama_ibu_kandung FROM person_sources "
            "WHERE length(nama_ibu_kandung) > 3"
        ).fetchall()
    finally:
        con.close()
    return {v for (v,) in numbers}, {v for (v,) in mothers}


def test_masked_file_holds_no_nik_kk_or_mothers_name(published_run) -> None:
    numbers, mothers = _real_identifiers(published_run)
    digits = {re.sub(r"\D", "", n) for n in numbers} | numbers
    con = _connect(published_run, FILES[1])
    try:
        text_columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE NOT internal AND schema_name = 'main' AND data_type = 'VARCHAR' "
            "AND table_name IN (SELECT table_name FROM duckdb_tables())"
        ).fetchall()
        leaks = []
        for table, column in text_columns:
            values = con.sql(f'SELECT DISTINCT "{column}" AS v FROM "{table}"').pl()["v"]  # noqa: S608
            found = set(values.drop_nulls().str.extract_all(r"\d{15,16}").explode().drop_nulls())
            if found & digits:
                leaks.append(f"{table}.{column}: NIK/KK")
            if "ibu" in column and set(values.drop_nulls()) & mothers:
                leaks.append(f"{table}.{column}: mother's name")
        extras = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE column_name = 'extras'"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert leaks == []
    assert extras == 0


def _cli(path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    assert DUCKDB_CLI.exists(), "install the dev extra: pip install -e '.[dev]' (duckdb-cli)"
    return subprocess.run(
        [str(DUCKDB_CLI), "-no-init", "-readonly", "-bail", *args, str(path)],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_from_pypi_is_the_older_client() -> None:
    version = subprocess.run(
        [str(DUCKDB_CLI), "-version"], capture_output=True, text=True, timeout=60
    ).stdout
    assert version.startswith("v1.5."), version


@pytest.mark.parametrize("file", FILES)
def test_duckdb_cli_15_reads_every_table_and_view(published_run, file: str) -> None:
    path = _path(published_run, file)
    con = _connect(published_run, file)
    try:
        relations = _relations(con)
        expected = {
            name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]  # noqa: S608
            for name in relations
        }
    finally:
        con.close()
    # every value of every row is read (and cast to text), not just counted
    sql = "\n".join(
        f"SELECT '{name}' AS relation, count(*) AS n, "  # noqa: S608 - our own names
        f'sum(length(CAST(t AS VARCHAR))) > 0 AS read FROM "{name}" AS t;'
        for name in relations
    )
    result = _cli(path, "-csv", "-noheader", stdin=sql)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert {name: int(n) for name, n, _ in rows} == expected
    assert all(read in ("true", "NULL") for _, n, read in rows)


def _statements(sql: str) -> list[str]:
    """The statements of a script, with their comment lines, split at `;` ending a line."""
    return [s.strip() for s in re.split(r";\s*$", sql, flags=re.MULTILINE) if s.strip()]


def test_queries_sql_holds_a_dozen_worked_questions() -> None:
    statements = _statements(QUERIES.read_text(encoding="utf-8"))
    questions = [s for s in statements if re.search(r"^-- \d+\.", s, flags=re.MULTILINE)]
    assert len(questions) >= 12


@pytest.mark.parametrize("file", FILES)
def test_every_query_in_queries_sql_runs_against_the_published_file(
    published_run, file: str
) -> None:
    con = _connect(published_run, file)
    failures = []
    try:
        for statement in _statements(QUERIES.read_text(encoding="utf-8")):
            try:
                con.execute(statement).fetchall()
            except duckdb.Error as error:
                failures.append(f"{statement.splitlines()[-1][:60]}...: {error}")
    finally:
        con.close()
    assert failures == []


def test_queries_sql_runs_in_the_older_cli(published_run) -> None:
    """Through the path analysts know (the link to penuh/kecamatan.duckdb)."""
    result = _cli(published_run["curated"] / FILES[0], "-f", str(QUERIES))
    assert result.returncode == 0, result.stderr
    assert "Error" not in result.stderr


def test_runs_table_records_trigger_inputs_and_accounting(published_run) -> None:
    con = _connect(published_run)
    try:
        runs = con.sql("SELECT * FROM runs").pl()
        files = con.sql("SELECT source_file, file_hash FROM source_files").pl()
    finally:
        con.close()
    (run,) = runs.to_dicts()
    assert (run["outcome"], run["trigger"]) == ("published", "manual")
    assert run["rows_read"] == run["rows_accepted"] + run["rows_rejected"]
    assert run["count_persons_new"] == run["count_persons"]
    inputs = pl.DataFrame(json.loads(run["input_files"]))
    assert set(zip(inputs["source_file"], inputs["file_hash"], strict=True)) == set(
        files.iter_rows()
    )
    accounting = json.loads(run["accounting"])
    assert {a["village"] for a in accounting} <= set(inputs["village"])
