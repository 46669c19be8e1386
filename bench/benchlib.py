"""What the benchmarks share: generated exports, the environment of `make run` over scratch
folders, and `make run` in a subprocess with the memory of its process tree sampled.

Imported by the scripts in this folder (they run as `python bench/<script>.py`, so this
folder is on the import path).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
OUT = PROJECT / "bench" / "out"
SAMPLE_INTERVAL_S = 0.2


def generate(
    people: int,
    seed: int,
    work: Path,
    rates: Mapping[str, float] | None = None,
    xlsx_share: float | None = None,
    extra_args: Sequence[str] = (),
) -> tuple[Path, Path]:
    """Run `python -m dtks.synth` once into `work` (reused when its truth is there already);
    returns the raw folder (`work/raw`) and the truth file. `extra_args` go to the command
    line as they are (e.g. `--iddtks family`)."""
    raw, truth = work / "raw", work / "truth.parquet"
    if not truth.exists():
        started = time.monotonic()
        work.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "dtks.synth", "--people", str(people), "--seed", str(seed)]
        cmd += ["--out", str(raw), "--truth", str(truth)]
        if xlsx_share is not None:
            cmd += ["--xlsx-share", str(xlsx_share)]
        for name, rate in sorted((rates or {}).items()):
            cmd += ["--rate", f"{name}={rate}"]
        cmd += list(extra_args)
        subprocess.run(cmd, cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)
        print(f"generated {people:,} people in {time.monotonic() - started:.0f} s: {raw}")
    return raw, truth


def run_env(dirs: Mapping[str, Path]) -> dict[str, str]:
    """The environment of `make run` over `dirs` (raw, work, curated, review); Dagster's
    instance goes to its default place under the work folder."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update(
        DTKS_RAW_DIR=str(dirs["raw"]),
        DTKS_WORK_DIR=str(dirs["work"]),
        DTKS_CURATED_DIR=str(dirs["curated"]),
        DTKS_REVIEW_DIR=str(dirs["review"]),
        GX_ANALYTICS_ENABLED="False",
    )
    return env


def scratch_dirs(scratch: Path, raw: Path) -> dict[str, Path]:
    """`raw` with work, curated and review folders under `scratch`."""
    return {"raw": raw, **{name: scratch / name for name in ("work", "curated", "review")}}


def tree_usage(root_pid: int) -> tuple[int, float]:
    """Resident memory (bytes) and CPU time used so far (user + system seconds) of `root_pid`
    and all its live descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()  # fields from the 3rd (state) on
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(statm.split()[1]) * page
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree), sum(cpu.get(pid, 0.0) for pid in tree)


@dataclass(frozen=True)
class SampledRun:
    """One `make run`: wall seconds, (epoch, tree RSS bytes) samples, exit code, and
    (epoch, tree CPU seconds so far) samples."""

    wall_s: float
    samples: list[tuple[float, int]]
    exit_code: int
    cpu_samples: list[tuple[float, float]] = field(default_factory=list)

    def cpu_s_between(self, start: float, end: float) -> float:
        """CPU seconds the process tree used between two epochs (nearest samples)."""
        inside = [cpu for t, cpu in self.cpu_samples if start <= t <= end]
        before = [cpu for t, cpu in self.cpu_samples if t < start]
        return (inside[-1] - (before[-1] if before else inside[0])) if inside else 0.0

    @property
    def peak_rss_bytes(self) -> int:
        return max((rss for _, rss in self.samples), default=0)


def run_sampled(env: dict[str, str], log_path: Path, timeout_s: float) -> SampledRun:
    """`python -m pipelines.cli run` (what `make run` runs) with `env`, its output in
    `log_path`, the RSS of its process tree sampled every `SAMPLE_INTERVAL_S`."""
    samples: list[tuple[float, int]] = []
    cpu_samples: list[tuple[float, float]] = []
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
                now = time.time()
                rss, cpu = tree_usage(process.pid)
                samples.append((now, rss))
                cpu_samples.append((now, cpu))
                done.wait(SAMPLE_INTERVAL_S)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            code = process.wait(timeout=timeout_s)
        finally:
            done.set()
            sampler.join()
    return SampledRun(time.monotonic() - started, samples, code, cpu_samples)
