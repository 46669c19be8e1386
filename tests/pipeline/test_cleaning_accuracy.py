"""Published NIK, birth date and sex are right where what was written determines them."""

from __future__ import annotations

import duckdb
import polars as pl
from dagster_runs import full_file, run_reconciliation

from dtks.evaluation import cleaning_accuracy

# Issue 3, "Done when": NIK 99.9 %, birth date 99 %, sex 99.5 %.
TARGETS = {"nik": 0.999, "tanggal_lahir": 0.99, "jenis_kelamin": 0.995}


def test_published_values_meet_the_accuracy_targets(dtks_dirs) -> None:
    assert run_reconciliation(dtks_dirs).success
    con = duckdb.connect(str(full_file(dtks_dirs)), read_only=True)
    person_sources = con.sql("SELECT * FROM person_sources").pl()
    con.close()
    truth = pl.read_parquet(dtks_dirs["truth"])
    for result in cleaning_accuracy(truth, person_sources):
        assert result.rows_determined > 500, result
        assert result.accuracy >= TARGETS[result.field], result
