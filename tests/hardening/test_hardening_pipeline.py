"""A real Dagster run over the whole corpus mixed into a normal kecamatan publishes every
readable row, and lists every unreadable file with its error code."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from corpus_cases import CASES, HEADER, PERSON, Case, Refused, csv_text, sheet_rows, xlsx_bytes
from dagster_runs import published, run_reconciliation

from dtks.ingest import read_export

# The corpus is spread over three villages; the other ten hold only their normal exports.
CORPUS_VILLAGES = ("kapong", "tamberu", "blaban")
HOSTILE_FILES = {
    "bujur-timur/$(touch PWNED);.csv": csv_text(HEADER, PERSON),
    "bujur-timur/baris\nbaru; DROP TABLE persons; --.csv": csv_text(HEADER, PERSON),
    "bujur-timur/a b'c\".xlsx": xlsx_bytes(
        sheet_rows(HEADER, PERSON, name="x'; DROP TABLE raw_rows;--")
    ),
}


@pytest.fixture(scope="module")
def corpus_run(
    tmp_path_factory: pytest.TempPathFactory, synthetic_exports: tuple[Path, Path]
) -> tuple[dict[str, Path], object, dict[str, Case]]:
    root = tmp_path_factory.mktemp("corpus_run")
    dirs = {
        "raw": root / "raw",
        "work": root / "work",
        "curated": root / "curated",
        "review": root / "review",
        "truth": synthetic_exports[1],
    }
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    placed: dict[str, Case] = {}
    for i, case in enumerate(c for c in CASES if not c.large):
        source_file = f"{CORPUS_VILLAGES[i % len(CORPUS_VILLAGES)]}/{case.file_name}"
        case.write(dirs["raw"] / source_file)
        placed[source_file] = case
    for source_file, payload in HOSTILE_FILES.items():
        (dirs["raw"] / source_file).write_bytes(payload)
    result = run_reconciliation(dirs)
    return dirs, result, placed


def _frame(dirs: dict[str, Path], sql: str, columns: list[str]) -> pl.DataFrame:
    return pl.DataFrame(published(dirs, sql), schema=columns, orient="row")


def test_the_run_over_the_corpus_succeeds_and_publishes_every_village(corpus_run) -> None:
    dirs, result, _ = corpus_run
    assert result.success
    assert published(dirs, "SELECT count(*) FROM village_status WHERE NOT is_missing") == [(13,)]


def test_every_readable_file_has_all_its_rows_published(corpus_run) -> None:
    dirs, _, placed = corpus_run
    outcome = _frame(
        dirs,
        "SELECT source_file, count(*) FROM ("
        " SELECT source_file FROM person_sources UNION ALL SELECT source_file FROM rejected_rows"
        ") GROUP BY source_file",
        ["source_file", "rows"],
    )
    rows_published = dict(outcome.iter_rows())
    files = _frame(
        dirs,
        "SELECT source_file, status, error_code, rows_read FROM source_files",
        ["source_file", "status", "error_code", "rows_read"],
    )
    by_file = {row["source_file"]: row for row in files.iter_rows(named=True)}
    readable = [*HOSTILE_FILES]
    for source_file, case in placed.items():
        if case.regular and not isinstance(case.expect, Refused):
            readable.append(source_file)
    for source_file in readable:
        direct = read_export(dirs["raw"] / source_file, dirs["raw"])
        assert direct.status == "ok", source_file
        assert by_file[source_file]["status"] == "ok", source_file
        assert by_file[source_file]["rows_read"] == direct.rows_read, source_file
        assert rows_published.get(source_file) == direct.rows_read, source_file


def test_every_unreadable_file_is_listed_with_its_error_code(corpus_run) -> None:
    dirs, _, placed = corpus_run
    files = dict(published(dirs, "SELECT source_file, error_code FROM source_files"))
    refused = {
        source_file: case.expect.code.value
        for source_file, case in placed.items()
        if case.regular and isinstance(case.expect, Refused)
    }
    assert {f: files.get(f) for f in refused} == refused
    leaked = published(
        dirs,
        "SELECT count(*) FROM person_sources WHERE list_contains(?, source_file)",
        [list(refused)],
    )
    assert leaked == [(0,)]


def test_files_refused_before_opening_are_listed_with_their_error_code(corpus_run) -> None:
    dirs, _, placed = corpus_run
    files = dict(published(dirs, "SELECT source_file, error_code FROM source_files"))
    refused = {f: c.expect.code.value for f, c in placed.items() if not c.regular}
    assert {f: files.get(f) for f in refused} == refused


def test_the_normal_exports_are_all_accounted_for_beside_the_corpus(corpus_run) -> None:
    dirs, _, _ = corpus_run
    truth = pl.read_parquet(dirs["truth"]).select("source_file", "source_sheet", "source_row")
    outcome = _frame(
        dirs,
        "SELECT source_file, source_sheet, source_row FROM person_sources "
        "UNION ALL SELECT source_file, source_sheet, source_row FROM rejected_rows",
        ["source_file", "source_sheet", "source_row"],
    )
    missing = truth.join(outcome, on=["source_file", "source_sheet", "source_row"], how="anti")
    assert missing.height == 0, missing.head()


def test_hostile_names_reach_the_published_file_as_data(corpus_run) -> None:
    dirs, _, _ = corpus_run
    for source_file in HOSTILE_FILES:
        assert published(
            dirs, "SELECT count(*) FROM person_sources WHERE source_file = ?", [source_file]
        ) == [(1,)]
    sheets = published(
        dirs, "SELECT DISTINCT source_sheet FROM person_sources WHERE village = 'bujur-timur'"
    )
    assert ("x'; DROP TABLE raw_rows;--",) in sheets
    assert not list((dirs["raw"].parent).rglob("PWNED"))
