"""End-to-end time and memory of `make run` at the sample size and at 1,000,000 rows, per stage.

    .venv/bin/python bench/bench_pipeline.py                # both sizes
    .venv/bin/python bench/bench_pipeline.py --size sample  # data/raw (~25,000 people)
    .venv/bin/python bench/bench_pipeline.py --size 1m      # 1,000,000 people, 20% XLSX
    .venv/bin/python bench/bench_pipeline.py --cell today --people 1000000  # a grid cell

Each case runs `python -m pipelines.cli run` (what `make run` runs) in a subprocess with
DTKS_* pointing at fresh temporary work/curated/review folders, so Dagster's start-up and
imports are included. It reports the wall time, the peak RSS of the whole process tree
(sampled from /proc every 0.2 s), each stage's own `duration_s` from the run's
materialisation metadata, and each step's wall time (Dagster's step stats) and peak RSS. The sample is
copied from data/raw; the 1M exports are generated once with `python -m dtks.synth --people
1000000 --xlsx-share 0.2 --seed 1` and cached under bench/out/ (read only by the run).
`--cell` runs a cell of the measuring grid instead (bench/grid_cells.py: the frozen defect
profile `PROFILE_2026_12`, half the files XLSX, the grid's seed), generated once into
`--cache` (default bench/out/grid/, shared with bench_grid.py).
Results also go to bench/out/bench_pipeline_<case>.json, and the stage table (wall s, CPU s,
peak RSS per step) with the command that reproduces it to
bench/results/pipeline-<case>-<date>.md. Targets (DESIGN.md section 6): sample < 60 s;
1M < 180 s and < 12 GB. Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchlib import OUT, PROJECT, generate, run_env, run_sampled, scratch_dirs
from grid_cells import CELLS_BY_NAME, SEED

RESULTS = PROJECT / "bench" / "results"

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
    step_cpu_s: dict[str, float] = field(default_factory=dict)  # CPU time of the tree in the step
    cpu_s: float = 0.0  # CPU time of the whole run
    exit_code: int = 0


@dataclass(frozen=True)
class Case:
    """What to reconcile: the sample, the 1M generation, or a grid cell at some size."""

    size: str  # sample / 1m / the cell's people count
    cell: str | None = None
    people: int = 0
    cache: Path = OUT / "grid"

    @property
    def name(self) -> str:
        return self.size if self.cell is None else f"{self.cell}-{self.people}"

    @property
    def targets(self) -> tuple[float, float | None]:
        """Seconds and GB (None: no memory target) of DESIGN.md section 6."""
        if self.size == "sample" or (self.cell is not None and self.people <= 40_000):
            return 60.0, None
        return 180.0, 12.0


def raw_folder(case: Case, scratch: Path) -> Path:
    """The exports to reconcile: a copy of data/raw, the cached 1M generation, or a cell."""
    if case.cell is not None:
        raw, _ = CELLS_BY_NAME[case.cell].generate(case.people, SEED, case.cache)
        return raw
    if case.size == "sample":
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


def bench(case: Case, keep: Path | None = None) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix=f"bench_pipeline_{case.name}_") as tmp:
        scratch = Path(tmp)
        if keep is not None:  # profile later stages against this run's store
            shutil.rmtree(keep, ignore_errors=True)
            scratch = keep
        env = run_env(scratch_dirs(scratch, raw_folder(case, scratch)))
        run = run_sampled(env, OUT / f"bench_pipeline_{case.name}.log", RUN_TIMEOUT_S)
        durations, steps, rows_read = stage_timings(scratch / "work" / "dagster_home")
    samples = run.samples
    return BenchResult(
        size=case.name,
        rows_read=rows_read,
        wall_s=round(run.wall_s, 1),
        peak_rss_gb=round(run.peak_rss_bytes / 1e9, 2),
        stage_duration_s=durations,
        step_wall_s={step: round(end - start, 2) for step, (start, end) in steps.items()},
        step_peak_rss_gb={
            step: round(max((r for t, r in samples if start <= t <= end), default=0) / 1e9, 2)
            for step, (start, end) in steps.items()
        },
        step_cpu_s={
            step: round(run.cpu_s_between(start, end), 1) for step, (start, end) in steps.items()
        },
        cpu_s=round(run.cpu_samples[-1][1] if run.cpu_samples else 0.0, 1),
        exit_code=run.exit_code,
    )


def stage_table(result: BenchResult, targets: tuple[float, float | None]) -> list[str]:
    """The result as a markdown table, one row per Dagster step, then the totals."""
    max_s, max_gb = targets
    verdict = "OK" if result.exit_code == 0 and result.wall_s < max_s else "MISSED"
    if max_gb is not None and result.peak_rss_gb >= max_gb:
        verdict = "MISSED"
    gb_target = f" (target < {max_gb:.0f} GB)" if max_gb else ""
    lines = [
        f"{result.size}: {result.rows_read:,} rows read, exit {result.exit_code}, "
        f"wall {result.wall_s:.1f} s (target < {max_s:.0f} s), CPU {result.cpu_s:.0f} s, "
        f"peak RSS {result.peak_rss_gb:.2f} GB{gb_target}: {verdict}",
        "",
        "| stage / step | duration_s | step wall s | step CPU s | peak RSS GB |",
        "|---|---:|---:|---:|---:|",
    ]

    def cell(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:.{digits}f}"

    steps = sorted(result.step_wall_s, key=lambda step: result.step_wall_s[step], reverse=True)
    others = sorted(set(result.stage_duration_s) - set(steps))
    for name in [*steps, *others]:
        lines.append(
            f"| {name} | {cell(result.stage_duration_s.get(name))} "
            f"| {cell(result.step_wall_s.get(name))} | {cell(result.step_cpu_s.get(name))} "
            f"| {cell(result.step_peak_rss_gb.get(name), 2)} |"
        )
    accounted = sum(result.step_wall_s.values())
    lines.append(f"| start-up, imports, Dagster overhead | | {result.wall_s - accounted:.1f} | | |")
    lines.append(
        f"| **whole run** | | **{result.wall_s:.1f}** | **{result.cpu_s:.0f}** "
        f"| **{result.peak_rss_gb:.2f}** |"
    )
    return lines


def write_results(result: BenchResult, table: list[str], command: str) -> Path:
    """The stage table and the command that reproduces it, under bench/results/."""
    today = datetime.now(UTC).date().isoformat()
    path = RESULTS / f"pipeline-{result.size}-{today}.md"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"# `make run` stage by stage: {result.size} ({today})\n\n"
        f"    {command}\n\n"
        "Steps ordered by wall time; `duration_s` is the stage's own metadata, step wall and "
        "peak RSS come from Dagster's step stats and /proc samples of the process tree every "
        "0.2 s, CPU s is the tree's user + system time in the step (2 cores: up to 2x wall). "
        "The machine may be shared: wall times include waiting for the CPU.\n\n"
        + "\n".join(table)
        + "\n"
    )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["sample", "1m", "both"], default="both")
    parser.add_argument("--cell", choices=sorted(CELLS_BY_NAME), help="a grid cell instead")
    parser.add_argument("--people", type=int, default=1_000_000, help="people of --cell")
    parser.add_argument(
        "--cache", type=Path, default=OUT / "grid", help="where --cell's exports are generated"
    )
    parser.add_argument(
        "--keep", type=Path, help="run in this folder and keep it (work store, curated files)"
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.cell is not None:
        cases = [Case(str(args.people), args.cell, args.people, args.cache)]
    else:
        cases = [Case(size) for size in (["sample", "1m"] if args.size == "both" else [args.size])]
    command = shlex.join([".venv/bin/python", "bench/bench_pipeline.py", *sys.argv[1:]])
    failed = False
    for case in cases:
        result = bench(case, args.keep / case.name if args.keep else None)
        table = stage_table(result, case.targets)
        print("\n" + "\n".join(table))
        print(f"written to {write_results(result, table, command)}")
        (OUT / f"bench_pipeline_{case.name}.json").write_text(json.dumps(asdict(result), indent=2))
        failed |= result.exit_code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
