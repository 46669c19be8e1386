"""End-to-end time and memory of `make run` at the sample size and at 1,000,000 rows, per stage.

    .venv/bin/python bench/bench_pipeline.py                # both sizes
    .venv/bin/python bench/bench_pipeline.py --size sample  # data/raw (~25,000 people)
    .venv/bin/python bench/bench_pipeline.py --size 1m      # 1,000,000 people, 20% XLSX

Each case runs `python -m pipelines.cli run` (what `make run` runs) in a subprocess with
DTKS_* pointing at fresh temporary work/curated/review folders, so Dagster's start-up and
imports are included. It reports the wall time, the peak RSS of the whole process tree
(sampled from /proc every 0.2 s), each stage's own `duration_s` from the run's
materialisation metadata, and each step's wall time (Dagster's step stats) and peak RSS. The sample is
copied from data/raw; the 1M exports are generated once with `python -m dtks.synth --people
1000000 --xlsx-share 0.2 --seed 1` and cached under bench/out/ (read only by the run).
Results also go to bench/out/bench_pipeline_<size>.json. Targets (DESIGN.md section 6):
sample < 60 s; 1M < 180 s and < 12 GB. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchlib import OUT, PROJECT, generate, run_env, run_sampled, scratch_dirs

RUN_TIMEOUT_S = 3600
TARGETS = {"sample": (60.0, None), "1m": (180.0, 12.0)}  # seconds, GB


@dataclass
class BenchResult:
    size: str
    rows_read: int
    wall_s: float
    peak_rss_gb: float
    stage_duration_s: dict[str, float] = field(default_factory=dict)  # metadata duration_s
    step_wall_s: dict[str, float] = field(default_factory=dict)  # Dagster step stats
    step_peak_rss_gb: dict[str, float] = field(default_factory=dict)  # sampled during the step
    exit_code: int = 0


def raw_folder(size: str, scratch: Path) -> Path:
    """The exports to reconcile: a copy of data/raw, or the cached 1M generation."""
    if size == "sample":
        raw = scratch / "raw"
        shutil.copytree(PROJECT / "data" / "raw", raw)
        return raw
    raw, _ = generate(1_000_000, 1, OUT / "synth_1000000_1", xlsx_share=0.2)
    return raw


def stage_timings(
    dagster_home: Path,
) -> tuple[dict[str, float], dict[str, tuple[float, float]], int]:
    """duration_s of every materialisation and (start, end) of every step, of the latest run."""
    import dagster as dg

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    (run,) = instance.get_runs(limit=1)
    records = instance.get_records_for_run(
        run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    durations: dict[str, float] = {}
    rows_read = 0
    for record in records:
        materialization = record.event_log_entry.dagster_event.event_specific_data.materialization
        metadata = materialization.metadata
        name = materialization.asset_key.to_user_string()
        if "duration_s" in metadata:
            durations[name] = float(metadata["duration_s"].value)
        if name == "kecamatan_dataset" and "rows_read" in metadata:
            rows_read = int(metadata["rows_read"].value)
    steps = {
        s.step_key: (s.start_time, s.end_time)
        for s in instance.get_run_step_stats(run.run_id)
        if s.start_time and s.end_time
    }
    return durations, steps, rows_read


def bench(size: str, keep: Path | None = None) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix=f"bench_pipeline_{size}_") as tmp:
        scratch = Path(tmp)
        if keep is not None:  # profile later stages against this run's store
            shutil.rmtree(keep, ignore_errors=True)
            scratch = keep
        env = run_env(scratch_dirs(scratch, raw_folder(size, scratch)))
        run = run_sampled(env, OUT / f"bench_pipeline_{size}.log", RUN_TIMEOUT_S)
        durations, steps, rows_read = stage_timings(scratch / "work" / "dagster_home")
    samples = run.samples
    return BenchResult(
        size=size,
        rows_read=rows_read,
        wall_s=round(run.wall_s, 1),
        peak_rss_gb=round(run.peak_rss_bytes / 1e9, 2),
        stage_duration_s=durations,
        step_wall_s={step: round(end - start, 2) for step, (start, end) in steps.items()},
        step_peak_rss_gb={
            step: round(max((r for t, r in samples if start <= t <= end), default=0) / 1e9, 2)
            for step, (start, end) in steps.items()
        },
        exit_code=run.exit_code,
    )


def report(result: BenchResult) -> None:
    max_s, max_gb = TARGETS[result.size]
    verdict = "OK" if result.exit_code == 0 and result.wall_s < max_s else "MISSED"
    if max_gb is not None and result.peak_rss_gb >= max_gb:
        verdict = "MISSED"
    print(
        f"\n{result.size}: {result.rows_read:,} rows read, exit {result.exit_code}, "
        f"wall {result.wall_s:.1f} s (target < {max_s:.0f} s), peak RSS "
        f"{result.peak_rss_gb:.2f} GB{f' (target < {max_gb:.0f} GB)' if max_gb else ''}: {verdict}"
    )
    print(f"  {'stage / step':<32}{'duration_s':>12}{'step wall s':>13}{'peak RSS GB':>13}")
    for name in sorted(set(result.stage_duration_s) | set(result.step_wall_s)):
        duration = result.stage_duration_s.get(name)
        step = result.step_wall_s.get(name)
        rss = result.step_peak_rss_gb.get(name)
        print(
            f"  {name:<32}{'' if duration is None else f'{duration:.1f}':>12}"
            f"{'' if step is None else f'{step:.1f}':>13}{'' if rss is None else f'{rss:.2f}':>13}"
        )
    accounted = sum(result.step_wall_s.values())
    print(f"  start-up, imports and Dagster overhead: {result.wall_s - accounted:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["sample", "1m", "both"], default="both")
    parser.add_argument(
        "--keep", type=Path, help="run in this folder and keep it (work store, curated files)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = ["sample", "1m"] if args.size == "both" else [args.size]
    failed = False
    for size in sizes:
        result = bench(size, args.keep / size if args.keep else None)
        report(result)
        (OUT / f"bench_pipeline_{size}.json").write_text(json.dumps(asdict(result), indent=2))
        failed |= result.exit_code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
