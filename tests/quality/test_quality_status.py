"""Each published issue says whether it is new, still open since the previous run, or fixed;
a problem keeps its identity when the operator re-exports with rows in another order."""

from __future__ import annotations

import polars as pl

from dtks.clean.issues import ISSUE_SCHEMA
from dtks.quality.status import with_issue_keys, with_status
from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA, validation_issues


def issue(code: str, row: int, record_key: str | None, village: str = "kapong") -> dict:
    return {
        "village": village,
        "source_file": f"{village}/a.csv",
        "source_sheet": "",
        "source_row": row,
        "column": "nik",
        "code": code,
        "severity": "error",
        "message": f"File {village}/a.csv, baris {row}: NIK kosong.",
        "value_masked": None,
        "suggested_value": None,
        "record_key": record_key,
    }


def statuses(current: list[dict], previous: list[dict] | None) -> list[tuple]:
    before = with_status(with_issue_keys(pl.DataFrame(previous)), None) if previous else None
    now = with_status(with_issue_keys(pl.DataFrame(current)), before)
    return sorted(now.select("code", "source_row", "status").rows())


def test_first_run_everything_is_new() -> None:
    assert statuses([issue("nik_missing", 2, "D-1")], None) == [("nik_missing", 2, "new")]


def test_same_record_in_another_row_is_still_open_and_a_gone_problem_is_fixed() -> None:
    previous = [issue("nik_missing", 2, "D-1"), issue("no_kk_missing", 3, "D-2")]
    current = [issue("nik_missing", 7, "D-1"), issue("nik_wrong_length", 3, "D-2")]
    assert statuses(current, previous) == [
        ("nik_missing", 7, "still_open"),  # row moved after a re-export: same record key
        ("nik_wrong_length", 3, "new"),
        ("no_kk_missing", 3, "fixed"),  # location as it was in the previous run
    ]


def test_rows_without_record_key_are_recognised_by_their_place() -> None:
    previous = [issue("nama_missing", 9, None)]
    assert statuses([issue("nama_missing", 9, None)], previous) == [
        ("nama_missing", 9, "still_open")
    ]
    assert statuses([issue("nama_missing", 10, None)], previous) == [
        ("nama_missing", 9, "fixed"),
        ("nama_missing", 10, "new"),
    ]


def test_fixed_issues_are_not_reported_fixed_again() -> None:
    first = with_status(with_issue_keys(pl.DataFrame([issue("nik_missing", 2, "D-1")])), None)
    second = with_status(
        with_issue_keys(pl.DataFrame([issue("nik_missing", 2, "D-9")]).head(0)), first
    )
    third = with_status(
        with_issue_keys(pl.DataFrame([issue("nik_missing", 2, "D-9")]).head(0)), second
    )
    assert second["status"].to_list() == ["fixed"]
    assert third.is_empty()


def test_the_same_problem_twice_on_one_record_keeps_unique_keys() -> None:
    keyed = with_issue_keys(
        pl.DataFrame([issue("nik_missing", 2, "D-1"), issue("nik_missing", 8, "D-1")])
    )
    assert keyed["issue_key"].n_unique() == 2


def test_validation_issues_carry_the_record_and_put_fixed_last() -> None:
    clean = pl.DataFrame(
        [{k: v for k, v in issue("nik_missing", 2, None).items() if k != "record_key"}],
        schema=ISSUE_SCHEMA,
    )
    sources = pl.DataFrame(
        {
            "person_id": ["P1"],
            "village": ["kapong"],
            "source_file": ["kapong/a.csv"],
            "source_sheet": [""],
            "source_row": [2],
            "record_key": ["D-1"],
            "iddtks": ["ID3528000000001"],
            "nama": ["SITI"],
            "nik": [None],
            "nik_as_written": ["3,52811E+15"],
        }
    )
    previous = validation_issues(
        clean.with_columns(pl.lit("nik_wrong_length").alias("code")), sources, None, None
    )
    published = validation_issues(clean, sources, None, None, previous)
    assert published.schema == pl.Schema(VALIDATION_ISSUE_SCHEMA)
    assert published.select(
        "code", "status", "iddtks", "nama", "nik_masked", "record_key"
    ).rows() == [
        ("nik_missing", "new", "ID3528000000001", "SITI", "3,5281***15", "D-1"),
        ("nik_wrong_length", "fixed", "ID3528000000001", "SITI", "3,5281***15", "D-1"),
    ]
