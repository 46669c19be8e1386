"""Matching benchmark: quality vs ground truth (and vs Splink) at kecamatan scale; speed and memory at 1M rows.

    .venv/bin/python bench/bench_match.py                 # 50,000 people: our matcher and Splink
    .venv/bin/python bench/bench_match.py --no-splink     # ours only
    .venv/bin/python bench/bench_match.py --rows 1000000  # speed / peak memory (+ Splink speed with --splink-speed)

Synthetic exports come from `python -m dtks.synth` (cached under bench/out/), are read by
dtks.ingest and cleaned by dtks.clean, exactly as the pipeline does; the truth parquet gives
`true_person_id` per source row. Speed runs measure the matcher in a fresh child process so
its peak RSS (resource.getrusage) is the matcher's own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_match_data import generate, ingest_and_clean, scale_up  # noqa: E402
from bench_match_eval import labelled, per_defect, score  # noqa: E402

from dtks.match import find_duplicates  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _peak_rss_gb() -> float:
    """Peak resident memory of this process in GB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def quality(people: int, seed: int, with_splink: bool) -> None:
    """Generate, clean, match, and score against the truth; Splink side by side."""
    work = OUT / f"synth_{people}_{seed}"
    started = time.perf_counter()
    raw, truth_path = generate(people, seed, work)
    clean = ingest_and_clean(raw, work / "clean.parquet")
    truth = pl.read_parquet(truth_path).filter(pl.col("row_kind") == "data")
    print(
        f"data: {people} people, {clean.height} clean rows ({time.perf_counter() - started:.1f} s to prepare)"
    )

    start = time.perf_counter()
    result = find_duplicates(clean)
    ours_s = time.perf_counter() - start
    frame = labelled(result.clusters, truth)
    ours = score(frame)
    print(
        f"\nours: {ours_s:.1f} s; stats: {json.dumps(result.stats['decisions'])} "
        f"rules {json.dumps(result.stats['hard_rules_fired'])} capped {json.dumps(result.stats['capped_blocks'])}"
    )
    print("timings", json.dumps(result.stats["timings"]))
    print(ours.line("ours, all pairs"))
    review = result.pairs.filter(pl.col("decision") == "review").height
    print(
        f"review queue: {review} pairs; needs confirmation: {result.stats['count_needs_confirmation']}"
    )
    for defect, scores in per_defect(frame).items():
        print(scores.line(f"  {defect}"))

    if with_splink:
        from bench_match_splink import run_splink

        start = time.perf_counter()
        clusters, timings = run_splink(clean)
        splink_s = time.perf_counter() - start
        ids = result.clusters.select("row_id", "source_file", "source_sheet", "source_row")
        splink_frame = labelled(
            ids.with_columns(pl.col("row_id").cast(pl.Int64)).join(clusters, on="row_id"), truth
        )
        theirs = score(splink_frame)
        print(
            f"\nsplink: {splink_s:.1f} s {json.dumps({k: round(v, 1) for k, v in timings.items()})}"
        )
        print(theirs.line("splink, all pairs (p>=0.95)"))
        for defect, scores in per_defect(splink_frame).items():
            print(scores.line(f"  {defect}"))
        print(
            f"\nside by side: F1 ours {ours.f1:.4f} vs splink {theirs.f1:.4f}; "
            f"time ours {ours_s:.1f} s vs splink {splink_s:.1f} s"
        )


def speed_child(path: Path, splink: bool) -> None:
    """In a child process: match the frame at ``path`` and print time and peak memory as JSON."""
    clean = pl.read_parquet(path)
    base = _peak_rss_gb()
    start = time.perf_counter()
    if splink:
        from bench_match_splink import run_splink

        _, timings = run_splink(clean)
        stats: dict = {"pairs": timings["splink_pairs"]}
    else:
        result = find_duplicates(clean)
        stats = {
            "pairs": result.stats["count_pairs"],
            "timings": result.stats["timings"],
            "capped_blocks": result.stats["capped_blocks"],
            "decisions": result.stats["decisions"],
        }
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {
                "rows": clean.height,
                "seconds": round(elapsed, 1),
                "peak_rss_gb": round(_peak_rss_gb(), 2),
                "rss_before_gb": round(base, 2),
                **stats,
            }
        )
    )


def speed(rows: int, people: int, seed: int, with_splink: bool) -> None:
    """Scale the cleaned kecamatan to ``rows`` and time the matcher (and Splink) in child processes."""
    work = OUT / f"synth_{people}_{seed}"
    raw, _ = generate(people, seed, work)
    clean = ingest_and_clean(raw, work / "clean.parquet")
    path = OUT / f"scaled_{rows}.parquet"
    if not path.exists():
        scale_up(clean, rows).write_parquet(path)
    for engine in ["ours"] + (["splink"] if with_splink else []):
        cmd = [sys.executable, __file__, "--speed-child", str(path)] + (
            ["--splink-child"] if engine == "splink" else []
        )
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        print(engine, done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--rows", type=int, help="speed mode: scale the cleaned rows to this many")
    parser.add_argument("--no-splink", action="store_true", help="skip the Splink comparison")
    parser.add_argument(
        "--splink-speed", action="store_true", help="in speed mode, time Splink too"
    )
    parser.add_argument("--speed-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--splink-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_child:
        speed_child(args.speed_child, args.splink_child)
    elif args.rows:
        speed(args.rows, args.people, args.seed, args.splink_speed)
    else:
        quality(args.people, args.seed, not args.no_splink)


if __name__ == "__main__":
    main()
