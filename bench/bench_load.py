"""Load cases of issue 8: a kecamatan five times the sample, and 200 files in one village.

    .venv/bin/python bench/bench_load.py                 # both cases
    .venv/bin/python bench/bench_load.py --case files    # data/raw, one village in 200 parts
    .venv/bin/python bench/bench_load.py --case 5x       # 125,000 generated people

Each case runs `python -m pipelines.cli run` (what `make run` runs) in a subprocess over
fresh temporary work/curated/review folders and reports the exit code, rows read, wall time
and peak RSS: of the whole process tree (sampled from /proc every 0.2 s) and of the largest
single process (getrusage RUSAGE_CHILDREN ru_maxrss: the largest child of this script so
far, so in `--case both` possibly the generator). The budget is the memory of a
2-core, 24 GB machine. The 5x exports are generated once (`python -m dtks.synth --people
125000 --seed 5`) and cached under bench/out/synth_125000_5/; the 200-file village is the
largest single-file village of data/raw, its rows split into 200 CSV parts (the title rows
and the header repeated in each part). Results also go to bench/out/bench_load_<case>.json.
Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
from benchlib import OUT, PROJECT, generate, run_env, run_sampled, scratch_dirs

from dtks.publish.paths import published_paths

SAMPLE = PROJECT / "data" / "raw"
PEOPLE_5X = 125_000
SEED_5X = 5
PARTS = 200
MEMORY_BUDGET_GB = 24.0
RUN_TIMEOUT_S = 3600


@dataclass
class LoadResult:
    case: str
    input_files: int
    rows_read: int
    persons: int
    wall_s: float
    peak_tree_rss_gb: float
    peak_process_rss_gb: float
    exit_code: int


def five_times_sample() -> Path:
    """The cached raw folder of 125,000 generated people (generated on first use)."""
    raw, _ = generate(PEOPLE_5X, SEED_5X, OUT / f"synth_{PEOPLE_5X}_{SEED_5X}")
    return raw


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _header_index(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        upper = line.upper()
        if "NIK" in upper and "NAMA" in upper:
            return index
    raise ValueError("no header line with NIK and NAMA found")


def split_village(folder: Path, parts: int) -> int:
    """Replace the single CSV export of `folder` by `parts` CSV files of its lines (its own
    delimiter kept); the title lines and the header go into each part. Returns the number of
    lines after the header that were split."""
    (export,) = sorted(folder.glob("*.csv"))
    lines = _decoded(export.read_bytes()).splitlines()
    header_at = _header_index(lines)
    head, body = lines[: header_at + 1], lines[header_at + 1 :]
    bounds = [len(body) * number // parts for number in range(parts + 1)]  # no part empty
    export.unlink()
    for number in range(parts):
        chunk = body[bounds[number] : bounds[number + 1]]
        part = folder / f"{export.stem}_bagian{number + 1:03d}.csv"
        part.write_text("\r\n".join(head + chunk) + "\r\n", encoding="utf-8")
    return len(body)


def two_hundred_files(scratch: Path) -> Path:
    """A copy of data/raw whose largest single-CSV village comes in `PARTS` files."""
    raw = scratch / "raw"
    shutil.copytree(SAMPLE, raw)
    single = [
        folder
        for folder in raw.iterdir()
        if folder.is_dir() and [p.suffix for p in folder.iterdir()] == [".csv"]
    ]
    folder = max(single, key=lambda f: next(f.iterdir()).stat().st_size)
    rows = split_village(folder, PARTS)
    print(f"{folder.name}: {rows:,} rows split into {PARTS} CSV files")
    return raw


def largest_child_rss_bytes() -> int:
    """ru_maxrss (KiB on Linux) of the largest single process among the waited-for children."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def published_counts(curated: Path) -> tuple[int, int]:
    """(rows read, persons) of the published file, or zeros when there is none."""
    path = published_paths(curated)[0]
    if not path.exists():
        return 0, 0
    con = duckdb.connect(str(path), read_only=True)
    try:
        ((read,),) = con.execute("SELECT sum(rows_read) FROM village_status").fetchall()
        ((persons,),) = con.execute("SELECT count(*) FROM persons").fetchall()
    finally:
        con.close()
    return int(read or 0), int(persons)


def bench(case: str) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix=f"bench_load_{case}_") as tmp:
        scratch = Path(tmp)
        raw = two_hundred_files(scratch) if case == "files" else five_times_sample()
        files = sum(1 for p in raw.rglob("*") if p.is_file())
        env = run_env(scratch_dirs(scratch, raw))
        run = run_sampled(env, OUT / f"bench_load_{case}.log", RUN_TIMEOUT_S)
        read, persons = published_counts(scratch / "curated")
    return LoadResult(
        case=case,
        input_files=files,
        rows_read=read,
        persons=persons,
        wall_s=round(run.wall_s, 1),
        peak_tree_rss_gb=round(run.peak_rss_bytes / 1e9, 2),
        peak_process_rss_gb=round(largest_child_rss_bytes() / 1e9, 2),
        exit_code=run.exit_code,
    )


def report(result: LoadResult) -> None:
    verdict = (
        "OK" if result.exit_code == 0 and result.peak_tree_rss_gb < MEMORY_BUDGET_GB else "MISSED"
    )
    print(
        f"{result.case}: exit {result.exit_code}, {result.input_files} files, "
        f"{result.rows_read:,} rows read, {result.persons:,} persons, wall {result.wall_s:.1f} s, "
        f"peak RSS tree {result.peak_tree_rss_gb:.2f} GB / largest process "
        f"{result.peak_process_rss_gb:.2f} GB (budget {MEMORY_BUDGET_GB:.0f} GB): {verdict}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=["files", "5x", "both"], default="both")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    failed = False
    for case in ["files", "5x"] if args.case == "both" else [args.case]:
        result = bench(case)
        report(result)
        (OUT / f"bench_load_{case}.json").write_text(json.dumps(asdict(result), indent=2))
        failed |= result.exit_code != 0 or result.peak_tree_rss_gb >= MEMORY_BUDGET_GB
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
