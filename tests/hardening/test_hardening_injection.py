"""Hostile file names, sheet names and cell values travel through ingest and cleaning as data:
they reach no shell, no path outside the data folders, and no SQL text."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import duckdb
import polars as pl
import pytest
from corpus_cases import HEADER, OTHER, PERSON, csv_text, sheet_rows, xlsx_bytes

from dtks.region import load_kecamatan
from dtks.stages.clean import clean_village
from dtks.stages.ingest import ingest_village

SQL = "'; DROP TABLE raw_rows; --"
HOSTILE_SHEETS = ("x'; DROP TABLE raw_rows;--", "$(touch PWNED_SHEET)")
# File names an operator's laptop, WhatsApp or a prankster may produce. "/" cannot be part of
# a name on Linux; "..", backslashes and shell syntax can.
HOSTILE_NAMES = (
    "$(touch PWNED);.csv",
    "`touch PWNED_BACKTICK`.csv",
    "a b'c\".xlsx",
    "baris\nbaru.csv",
    "-rf --no-preserve-root.csv",
    "..\\..\\keluar.csv",
    "...csv",
    "; DROP TABLE source_files; --.csv",
    "data\u202excsl.csv",
    "%s%n%x {0} ${HOME}.csv",
)
# Names starting with "." are hidden files: listed as ignored, never read.
READ_NAMES = tuple(name for name in HOSTILE_NAMES if not name.startswith("."))
CANARIES = ("PWNED", "PWNED_BACKTICK", "PWNED_SHEET")


def _write_hostile_village(raw: Path) -> Path:
    village = raw / "kapong"
    village.mkdir(parents=True)
    for name in HOSTILE_NAMES:
        path = village / name
        if name.endswith(".xlsx"):
            path.write_bytes(xlsx_bytes(_two_hostile_sheets))
        else:
            path.write_bytes(csv_text(HEADER, PERSON, [OTHER[0], SQL, *OTHER[2:]]))
    return village


def _two_hostile_sheets(workbook) -> None:
    for sheet in HOSTILE_SHEETS:
        sheet_rows(HEADER, [OTHER[0], SQL, *OTHER[2:]], name=sheet)(workbook)


@pytest.fixture
def ingested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, duckdb.DuckDBPyConnection]:
    monkeypatch.chdir(tmp_path)  # a command run by accident would drop its canary here
    raw = tmp_path / "raw"
    _write_hostile_village(raw)
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    result = ingest_village(con, raw, "kapong")
    assert result.files_failed == {}
    clean_village(con, load_kecamatan(), "kapong")
    yield tmp_path, con
    con.close()


def _column(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list:
    return [row[0] for row in con.execute(sql, params or []).fetchall()]


def test_hostile_file_names_are_stored_exactly_and_stay_inside_the_raw_folder(ingested) -> None:
    root, con = ingested
    stored = _column(con, "SELECT source_file FROM source_files ORDER BY source_file")
    assert sorted(stored) == sorted(f"kapong/{name}" for name in READ_NAMES)
    for source_file in stored:
        parts = PurePosixPath(source_file).parts
        assert parts[0] == "kapong" and len(parts) == 2 and ".." not in parts
        assert (root / "raw" / source_file).resolve().is_relative_to((root / "raw").resolve())
    counted = _column(con, "SELECT count(DISTINCT source_file) FROM raw_rows")
    assert counted == [len(READ_NAMES)]


def test_no_shell_ever_sees_a_file_or_sheet_name(ingested) -> None:
    root, _ = ingested
    found = [p for p in root.rglob("*") if p.name in CANARIES]
    found += [Path.cwd() / c for c in CANARIES if (Path.cwd() / c).exists()]
    found += [Path(os.sep, "tmp", c) for c in CANARIES if Path(os.sep, "tmp", c).exists()]
    assert found == []


def test_hostile_sheet_names_and_cell_values_round_trip_as_data(ingested) -> None:
    _, con = ingested
    sheets = _column(con, "SELECT DISTINCT source_sheet FROM raw_rows WHERE source_sheet <> ''")
    assert sorted(sheets) == sorted(HOSTILE_SHEETS)
    names = _column(con, "SELECT count(*) FROM raw_rows WHERE nama = ?", [SQL])
    assert names == [len(READ_NAMES) + 1]  # one per CSV, two in the workbook
    tables = set(_column(con, "SELECT table_name FROM information_schema.tables"))
    assert {"raw_rows", "source_files", "source_sheets", "clean_rows", "clean_issues"} <= tables


def test_messages_show_invisible_characters_of_names_instead_of_obeying_them(ingested) -> None:
    _, con = ingested
    issues = pl.DataFrame(
        con.execute("SELECT source_file, message FROM clean_issues").fetchall(),
        schema=["source_file", "message"],
        orient="row",
    )
    assert issues.height > 0
    assert not issues["message"].str.contains("\n").any()
    assert not issues["message"].str.contains("\u202e").any()
    shown = issues.filter(pl.col("source_file") == "kapong/baris\nbaru.csv")["message"]
    assert shown.str.contains("File kapong/baris\ufffdbaru.csv, baris 2:", literal=True).any()
