"""Cleaning accuracy against ground truth at kecamatan scale (issue 3, "Done when").

    .venv/bin/python bench/bench_clean_accuracy.py [--people 50000] [--seed 11] [--rate name=r ...]

Generates exports with dtks.synth (cached under bench/out/), ingests and cleans them with
the real stages into a temporary work store, and prints NIK / birth date / sex accuracy
among rows whose written values determine the truth, with a few wrong rows per field.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from dtks.evaluation import cleaning_accuracy, wrong_rows
from dtks.region import load_kecamatan
from dtks.stages.clean import clean_village
from dtks.stages.ingest import ingest_village
from dtks.store import WorkStore, read_table
from dtks.synth import generate

OUT = Path(__file__).resolve().parent / "out"
TARGETS = {"nik": 0.999, "tanggal_lahir": 0.99, "jenis_kelamin": 0.995}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rate", action="append", default=[], help="defect=rate for dtks.synth")
    args = parser.parse_args()
    rates = {k: float(v) for k, v in (r.split("=", 1) for r in args.rate)}
    tag = f"accuracy_{args.people}_{args.seed}_" + "_".join(
        f"{k}{v}" for k, v in sorted(rates.items())
    )
    raw, truth_path = OUT / tag / "raw", OUT / tag / "truth.parquet"
    if not truth_path.exists():
        generate(
            args.people, seed=args.seed, out_dir=raw, truth_path=truth_path, rates=rates or None
        )
    kecamatan = load_kecamatan()
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as work,
        WorkStore(Path(work) / "store.duckdb").session() as con,
    ):
        for village in kecamatan.slugs:
            ingest_village(con, raw, village)
            clean_village(con, kecamatan, village)
        clean = read_table(con, "clean_rows")
    assert clean is not None
    seconds = time.monotonic() - started
    truth = pl.read_parquet(truth_path)
    print(f"{clean.height} clean rows from {args.people} people, ingest+clean {seconds:.1f} s")
    print(f"{'field':<16}{'determined':>12}{'right':>10}{'accuracy':>10}{'target':>8}")
    for result in cleaning_accuracy(truth, clean):
        ok = "ok" if result.accuracy >= TARGETS[result.field] else "MISS"
        print(
            f"{result.field:<16}{result.rows_determined:>12}{result.rows_right:>10}"
            f"{result.accuracy:>10.5f}{TARGETS[result.field]:>8} {ok}"
        )
        with pl.Config(tbl_rows=5, fmt_str_lengths=40):
            print(wrong_rows(truth, clean, result.field).head(5))


if __name__ == "__main__":
    main()
