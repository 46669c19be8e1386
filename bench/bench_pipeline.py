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
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "bench" / "out"
RUN_TIMEOUT_S = 3600
SAMPLE_INTERVAL_S = 0.2
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
    cached = OUT / "synth_1000000_1"
    raw = cached / "raw"
    if not (cached / "truth.parquet").exists():
        started = time.monotonic()
        shutil.rmtree(cached, ignore_errors=True)
        cached.mkdir(parents=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dtks.synth",
                "--people",
                "1000000",
                "--xlsx-share",
                "0.2",
                "--seed",
                "1",
                "--out",
                str(raw),
                "--truth",
                str(cached / "truth.parquet"),
            ],
            cwd=PROJECT,
            check=True,
        )
        print(f"generated 1M exports in {time.monotonic() - started:.0f} s: {raw}")
    return raw


def tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of `root_pid` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        rss[int(entry.name)] = int(statm.split()[1]) * page
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def run_cli(env: dict[str, str], log_path: Path) -> tuple[float, list[tuple[float, int]], int]:
    """Run `python -m pipelines.cli run`; wall seconds, (epoch, tree RSS bytes) samples, exit code."""
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run"],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                samples.append((time.time(), tree_rss_bytes(process.pid)))
                done.wait(SAMPLE_INTERVAL_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = process.wait(timeout=RUN_TIMEOUT_S)
        finally:
            done.set()
            sampler.join()
    return time.monotonic() - started, samples, code


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
        raw = raw_folder(size, scratch)
        env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
        env.update(
            DTKS_RAW_DIR=str(raw),
            DTKS_WORK_DIR=str(scratch / "work"),
            DTKS_CURATED_DIR=str(scratch / "curated"),
            DTKS_REVIEW_DIR=str(scratch / "review"),
            GX_ANALYTICS_ENABLED="False",
        )
        log_path = OUT / f"bench_pipeline_{size}.log"
        wall_s, samples, code = run_cli(env, log_path)
        durations, steps, rows_read = stage_timings(scratch / "work" / "dagster_home")
    return BenchResult(
        size=size,
        rows_read=rows_read,
        wall_s=round(wall_s, 1),
        peak_rss_gb=round(max((rss for _, rss in samples), default=0) / 1e9, 2),
        stage_duration_s=durations,
        step_wall_s={step: round(end - start, 2) for step, (start, end) in steps.items()},
        step_peak_rss_gb={
            step: round(max((r for t, r in samples if start <= t <= end), default=0) / 1e9, 2)
            for step, (start, end) in steps.items()
        },
        exit_code=code,
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
