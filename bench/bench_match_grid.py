"""The matcher alone on the grid's cases: clean rows (ingest + clean, cached) -> `find_duplicates`
-> pairwise scores, review queue and what was decided automatically, in seconds per case.

    .venv/bin/python bench/bench_match_grid.py --cases febrl1,febrl3
    .venv/bin/python bench/bench_match_grid.py --cases family-borrowed-nonik,absent-borrowed-2x --people 5000

A fast loop for tuning the matcher; the whole-pipeline figures (persons after reconcile, Splink
beside them) come from bench/bench_grid.py. Scores are pairwise over the matcher's clusters;
``review`` counts the pairs a clerk would see (decision review, or merged and to confirm) per
100 rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_match_data import ingest_and_clean  # noqa: E402
from bench_match_eval import labelled, score  # noqa: E402
from grid_cells import CELLS_BY_NAME, FEBRL, SEED  # noqa: E402

from dtks.match import MERGED, REVIEW, MatchSettings, find_duplicates  # noqa: E402
from dtks.match.queue_limit import QUEUE_LIMIT  # noqa: E402
from dtks.synth.febrl import write_febrl  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CACHE = OUT / "grid"


def prepare(case: str, people: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Clean rows and truth of a grid case (generated, ingested and cleaned once, cached)."""
    if case in CELLS_BY_NAME:
        raw, truth = CELLS_BY_NAME[case].generate(people, SEED, CACHE)
        cache = raw.parent / "clean.parquet"
    else:
        work = CACHE / case
        raw, truth = work / "raw", work / "truth.parquet"
        if not truth.exists():
            write_febrl(case, raw, truth)
        cache = work / "clean.parquet"
    return ingest_and_clean(raw, cache), pl.read_parquet(truth)


def evaluate(case: str, people: int, settings: MatchSettings) -> dict[str, object]:
    clean, truth = prepare(case, people)
    started = time.perf_counter()
    result = find_duplicates(clean, settings=settings)
    seconds = time.perf_counter() - started
    frame = labelled(result.clusters, truth)
    scores = score(frame)
    pairs = result.pairs
    queue = pairs.filter(
        (pl.col("decision") == REVIEW)
        | ((pl.col("decision") == MERGED) & pl.col("needs_confirmation"))
    )
    person = frame["true_person_id"]  # row i is row_id i
    over = pairs.filter(pl.col("decided_by") == QUEUE_LIMIT)
    same = person.gather(over["row_id_l"]) == person.gather(over["row_id_r"])
    over = over.with_columns(same.alias("same"))
    merged, apart = (
        over.filter(pl.col("decision") == MERGED),
        over.filter(pl.col("decision") != MERGED),
    )
    return {
        "case": case,
        "rows": clean.height,
        "precision": scores.precision,
        "recall": scores.recall,
        "f1": scores.f1,
        "queue": queue.height,
        "queue_per_100": 100 * queue.height / clean.height,
        "seconds": seconds,
        "over_limit_merged": merged.height,
        "over_limit_merged_right": int(merged["same"].sum()),
        "over_limit_apart": apart.height,
        "over_limit_apart_right": int((~apart["same"]).sum()),
        "stats": result.stats,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(FEBRL), help="comma list of cells / FEBRL sets")
    parser.add_argument("--people", type=int, default=5000, help="people per generated cell")
    args = parser.parse_args()
    for case in [c.strip() for c in args.cases.split(",") if c.strip()]:
        r = evaluate(case, args.people, MatchSettings())
        print(
            f"{case:<24} rows {r['rows']:>6,} P {r['precision']:.4f} R {r['recall']:.4f} "
            f"F1 {r['f1']:.4f} queue {r['queue']:>5,} ({r['queue_per_100']:.2f} per 100 rows) "
            f"{r['seconds']:.1f} s; over the queue limit: merged {r['over_limit_merged']} "
            f"({r['over_limit_merged_right']} right), apart {r['over_limit_apart']} "
            f"({r['over_limit_apart_right']} right)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
