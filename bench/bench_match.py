"""Matching benchmark: quality vs ground truth and vs Splink at kecamatan scale; speed and memory at 1M rows.

    .venv/bin/python bench/bench_match.py                   # 50,000 people: ours and Splink, one table
    .venv/bin/python bench/bench_match.py --no-splink       # ours only, with per-defect scores
    .venv/bin/python bench/bench_match.py --sweep           # ours over 4 seeds / defect rates
    .venv/bin/python bench/bench_match.py --rows 1000000    # speed and peak memory: ours, then Splink
    .venv/bin/python bench/bench_match.py --rows 1000000 --no-splink

Options: --seed S, --people N, --defect-scale X (every matching defect's synth rate times X),
--rate DEFECT=RATE. Synthetic exports come from `python -m dtks.synth` (cached under
bench/out/), are read by dtks.ingest and cleaned by dtks.clean, exactly as the pipeline does;
the truth parquet gives `true_person_id` per source row. Scores are pairwise over clusters.
Speed runs start each engine in a fresh child process, so peak RSS (getrusage) and CPU time
are the engine's own; the machine's other load shows as wall time above CPU time.
Splink's settings are committed in bench/bench_match_splink.py.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_match_data import ingest_and_clean, scale_up, scaled_rates, work_dir  # noqa: E402
from bench_match_eval import Scores, labelled, per_defect, score  # noqa: E402
from benchlib import generate  # noqa: E402

from dtks.match import MatchSettings, find_duplicates  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def _peak_rss_gb() -> float:
    """Peak resident memory of this process in GB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _prepare(people: int, seed: int, rates: dict[str, float]) -> tuple[pl.DataFrame, pl.DataFrame]:
    work = work_dir(OUT, people, seed, rates)
    raw, truth_path = generate(people, seed, work, rates)
    clean = ingest_and_clean(raw, work / "clean.parquet")
    truth = pl.read_parquet(truth_path).filter(pl.col("row_kind") == "data")
    return clean, truth


def _row(engine: str, threshold: str, scores: Scores, seconds: float | None) -> str:
    time_text = f"{seconds:>8.1f}" if seconds is not None else f"{'':>8}"
    return (
        f"{engine:<8} {threshold:>10} {scores.precision:>7.4f} {scores.recall:>7.4f} "
        f"{scores.f1:>7.4f} {scores.count_predicted_pairs:>7} {scores.count_true_pairs:>7}"
        f" {time_text}"
    )


def quality(people: int, seed: int, with_splink: bool, rates: dict[str, float]) -> None:
    """Generate, clean, match, score against the truth; Splink on the same rows, one table."""
    clean, truth = _prepare(people, seed, rates)
    print(
        f"data: {people} people, {clean.height} clean rows, seed {seed}, rates {rates or 'default'}"
    )
    start = time.perf_counter()
    result = find_duplicates(clean)
    ours_s = time.perf_counter() - start
    frame = labelled(result.clusters, truth)
    ours = score(frame)
    stats = result.stats
    print(
        f"ours: {stats['count_pairs']} candidate pairs, decisions {json.dumps(stats['decisions'])}, "
        f"hard rules {json.dumps(stats['hard_rules_fired'])}"
    )
    print(f"      capped blocks {json.dumps(stats['capped_blocks'])}")
    print(f"      timings {json.dumps(stats['timings'])}")
    if not with_splink:
        print(ours.line("ours, all pairs"))
        for defect, scores in per_defect(frame).items():
            print(scores.line(f"  {defect}"))
        return

    from bench_match_splink import run_splink

    clusters, timings = run_splink(clean)
    ids = result.clusters.select(pl.col("row_id").cast(pl.Int64), *frame.columns[1:4])
    splink_scores = {
        threshold: score(labelled(ids.join(table, on="row_id"), truth))
        for threshold, table in clusters.items()
    }
    best = max(splink_scores, key=lambda t: splink_scores[t].f1)
    print(
        f"splink: {int(timings['splink_pairs'])} predicted pairs (p >= 0.5); training "
        f"{timings['splink_training_s']:.1f} s, predict {timings['splink_predict_s']:.1f} s"
    )
    print(
        f"\n{'engine':<8} {'threshold':>10} {'P':>7} {'R':>7} {'F1':>7} {'pred':>7} {'true':>7} "
        f"{'seconds':>8}"
    )
    print(_row("ours", f"{MatchSettings().merge_probability:g}", ours, ours_s))
    for threshold, scores in splink_scores.items():
        mark = " <- best F1" if threshold == best else ""
        seconds = timings["splink_s"] if threshold == min(splink_scores) else None
        print(_row("splink", f"{threshold:g}", scores, seconds) + mark)
    print(
        f"\nF1 ours {ours.f1:.4f} vs Splink's best {splink_scores[best].f1:.4f} (threshold "
        f"{best:g}); time ours {ours_s:.1f} s vs Splink {timings['splink_s']:.1f} s "
        "(training, prediction, one clustering)"
    )
    print("\nper defect (recall): ours vs Splink at its best threshold")
    theirs = per_defect(labelled(ids.join(clusters[best], on="row_id"), truth))
    for defect, scores in per_defect(frame).items():
        other = theirs.get(defect)
        print(
            f"  {defect:<22} ours P={scores.precision:.4f} R={scores.recall:.4f}   "
            f"splink P={other.precision if other else 0:.4f} R={other.recall if other else 0:.4f}"
        )


SWEEP = ((20261130, 1.0), (11, 1.0), (20261130, 2.0), (7, 2.0))
SWEEP_DEFECTS = (
    "nik_typo",
    "nik_numeric",
    "nik_missing",
    "hajj_name",
    "kk_two_heads",
    "dup_across_villages",
)


def sweep(people: int) -> None:
    """Our matcher over several seeds and defect rates (x2 doubles every matching defect):
    one line each, so that a change is not tuned to one sample."""
    header = f"{'seed':>9} {'rates':>5} {'rows':>6} {'P':>7} {'R':>7} {'F1':>7} {'s':>5}"
    print(header + "".join(f" {d[:12]:>12}" for d in SWEEP_DEFECTS) + "   (per defect: R)")
    for seed, scale in SWEEP:
        clean, truth = _prepare(people, seed, scaled_rates(scale))
        start = time.perf_counter()
        result = find_duplicates(clean)
        seconds = time.perf_counter() - start
        frame = labelled(result.clusters, truth)
        ours = score(frame)
        defects = per_defect(frame)
        cells = "".join(
            f" {defects[d].recall:>12.4f}" if d in defects else f" {'-':>12}" for d in SWEEP_DEFECTS
        )
        print(
            f"{seed:>9} {f'x{scale:g}':>5} {clean.height:>6} {ours.precision:>7.4f} "
            f"{ours.recall:>7.4f} {ours.f1:>7.4f} {seconds:>5.1f}{cells}"
        )


def speed_child(path: Path, splink: bool) -> None:
    """In a child process: match the frame at ``path``; print seconds, CPU and peak memory as JSON."""
    clean = pl.read_parquet(path)
    base = _peak_rss_gb()
    cpu = _cpu_s()
    start = time.perf_counter()
    if splink:
        from bench_match_splink import run_splink

        _, timings = run_splink(clean, thresholds=(0.99,))
        stats: dict = {"pairs": int(timings["splink_pairs"]), "timings": timings}
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
                "cpu_s": round(_cpu_s() - cpu, 1),
                "peak_rss_gb": round(_peak_rss_gb(), 2),
                "rss_before_gb": round(base, 2),
                **stats,
            }
        )
    )


def speed(rows: int, people: int, seed: int, with_splink: bool) -> None:
    """Scale the cleaned kecamatan to ``rows``; time ours and Splink, each in its own process."""
    clean, _ = _prepare(people, seed, {})
    path = OUT / f"scaled_{rows}_{seed}.parquet"
    if not path.exists():
        scale_up(clean, rows).write_parquet(path)
    print(f"{rows} rows on {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.1f}")
    print(f"{'engine':<8} {'seconds':>8} {'cpu_s':>8} {'peak_GB':>8} {'pairs':>10}")
    print("(pairs: ours = candidate pairs scored; Splink = predictions at p >= 0.99)")
    for engine in ["ours"] + (["splink"] if with_splink else []):
        cmd = [sys.executable, __file__, "--speed-child", str(path)]
        cmd += ["--splink-child"] if engine == "splink" else []
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        report = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{engine:<8} {report['seconds']:>8.1f} {report['cpu_s']:>8.1f} "
            f"{report['peak_rss_gb']:>8.2f} {report['pairs']:>10}   {json.dumps(report['timings'])}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--defect-scale",
        type=float,
        default=1.0,
        help="multiply the synth rates of every matching-relevant defect (2 = twice as many)",
    )
    parser.add_argument(
        "--rate", action="append", default=[], metavar="DEFECT=RATE", help="one synth rate"
    )
    parser.add_argument("--rows", type=int, help="speed mode: scale the cleaned rows to this many")
    parser.add_argument("--no-splink", action="store_true", help="skip Splink")
    parser.add_argument(
        "--sweep", action="store_true", help="ours only, over several seeds and defect rates"
    )
    parser.add_argument("--speed-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--splink-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_child:
        speed_child(args.speed_child, args.splink_child)
    elif args.sweep:
        sweep(args.people)
    elif args.rows:
        speed(args.rows, args.people, args.seed, not args.no_splink)
    else:
        overrides = {k: float(v) for k, v in (r.split("=", 1) for r in args.rate)}
        rates = scaled_rates(args.defect_scale, overrides)
        quality(args.people, args.seed, not args.no_splink, rates)


if __name__ == "__main__":
    main()
