"""The blocking check `no_person_crosses_the_safety_line` on `reconciled_persons`: it reads
the work store, fails on a person whose rows are two people and names those rows by file
and row, with no personal value."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from assets.checks import persons_input
from assets.gx_suites import check_outcomes, load_suite, validate
from dtks.store import replace_table

CHECK = "no_person_crosses_the_safety_line"
NIK = "3528111405700011"


def _source(person_id: str, row: int, nama: str, born: dt.date, sex: str) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "village": "kapong",
        "source_file": "kapong/a.csv",
        "source_sheet": "",
        "source_row": row,
        "nik": NIK,
        "nama_key": nama,
        "nama_gelar": None,
        "tanggal_lahir": born,
        "tanggal_lahir_from_nik": False,
        "tanggal_lahir_is_placeholder": False,
        "jenis_kelamin": sex,
    }


HEAD = ("AHMAD FAUZI", dt.date(1970, 5, 14), "L")
# (description, rows of person P-1 besides the head, check passes, rows named when it fails)
CASES = [
    ("one person listed twice, name respelt", [("AHMAD FAUSI", *HEAD[1:])], True, None),
    (
        "the wife merged into the head's person",
        [("SITI AMINAH", dt.date(1975, 3, 9), "P")],
        False,
        "kapong/a.csv baris 2 ~ kapong/a.csv baris 3 (beda: nama, tanggal lahir, jenis kelamin)",
    ),
    (
        "a son merged into his father's person",
        [("MOH ROSYID", dt.date(2004, 2, 11), "L")],
        False,
        "kapong/a.csv baris 2 ~ kapong/a.csv baris 3 (beda: nama, tanggal lahir)",
    ),
]


@pytest.mark.parametrize(("description", "others", "passes", "named"), CASES)
def test_a_person_whose_rows_are_two_people_blocks_the_publish(
    tmp_path: Path, description: str, others: list[tuple], passes: bool, named: str | None
) -> None:
    sources = pl.DataFrame(
        [_source("P-1", 2, *HEAD)]
        + [_source("P-1", 3 + i, *o) for i, o in enumerate(others)]
        + [_source("P-2", 40, "NUR HASANAH", dt.date(2001, 7, 30), "P")]
    )
    persons = pl.DataFrame(
        {
            "person_id": ["P-1", "P-2"],
            "villages": ["kapong", "kapong"],
            "nik": [NIK, None],
            "nik_is_valid": [True, False],
        }
    )
    with duckdb.connect(str(tmp_path / "work.duckdb")) as con:
        replace_table(con, "reconciled_persons", persons)
        replace_table(con, "reconciled_sources", sources)
        given = persons_input(con, None)
    suite = load_suite("persons")
    outcomes = {
        o.check.name: o for o in check_outcomes(suite, validate(suite, given.frame), given.frame)
    }
    outcome = outcomes[CHECK]
    assert outcome.check.blocking
    assert outcome.passed is passes, description
    if not passes:
        (example,) = outcome.examples
        assert example["person_id"] == "P-1"
        assert example["rows_across_safety_line"] == named
        assert NIK not in str(outcome.examples)
        assert "SITI" not in str(outcome.examples)
