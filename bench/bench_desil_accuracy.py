"""How right the desil is on a published run, against the generator's truth (issue 16).

    make run   # on the committed sample (data/raw, with its desil lists)
    .venv/bin/python bench/bench_desil_accuracy.py

Reads `kecamatan.duckdb` (DTKS_CURATED_DIR, default data/curated) and the truth
(`data/sample_truth.parquet` and `data/sample_truth_desil.parquet`, or --truth); prints
`dtks.desil.evaluation.evaluate_desil`, the persons placed in a family none of their rows
belongs to (`misplaced_persons`) and the non-matched rows by reason. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dtks.desil.evaluation import evaluate_desil, misplaced_persons  # noqa: E402
from dtks.synth.desil import desil_truth_path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    curated = Path(os.environ.get("DTKS_CURATED_DIR", "data/curated"))
    parser.add_argument("--published", type=Path, default=curated / "kecamatan.duckdb")
    parser.add_argument("--truth", type=Path, default=Path("data/sample_truth.parquet"))
    args = parser.parse_args(argv)
    con = duckdb.connect(str(args.published), read_only=True)
    try:
        desil_rows = con.sql("SELECT * FROM desil_rows WHERE village <> '_kecamatan'").pl()
        households = con.sql("SELECT * FROM households").pl()
        persons = con.sql("SELECT person_id, household_id FROM persons").pl()
        sources = con.sql(
            "SELECT person_id, source_file, source_sheet, source_row FROM person_sources"
        ).pl()
    finally:
        con.close()
    truth = pl.read_parquet(args.truth)
    desil_truth = pl.read_parquet(desil_truth_path(args.truth))
    score = evaluate_desil(desil_rows, households, persons, households, sources, truth, desil_truth)
    score["misplaced_persons"] = misplaced_persons(persons, sources, truth, households)
    score["matched_by"] = dict(
        desil_rows.drop_nulls("matched_by").group_by("matched_by").len().sort("matched_by").rows()
    )
    score["not_matched"] = dict(
        desil_rows.filter(pl.col("status") != "cocok")
        .group_by("reason")
        .len()
        .sort("reason")
        .rows()
    )
    print(json.dumps(score, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
