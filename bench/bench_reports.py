"""Time and memory of the fix lists (`dtks.reports.write_reports`) on a parquet of issues.

    .venv/bin/python bench/bench_reports.py                       # /tmp/fixlist_issues.parquet
    .venv/bin/python bench/bench_reports.py --issues x.parquet --accounting a.parquet
    .venv/bin/python bench/bench_reports.py --profile out.prof    # cProfile of the parent

`--issues` is the published `validation_issues` with `status` (what the `village_fix_lists`
asset reads; the 1M benchmark leaves it at /tmp/fixlist_issues.parquet, ~660,000 issues);
`--accounting` the row accounting per village (optional: without it every village reads as
having no export). It reports the wall time of `write_reports`, the peak RSS of this
process and the size of the workbooks. Target (issue 7, 1,000,000 rows): under 20 s on 2 cores and under 4 GB.
Not run by CI.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dtks.region import load_kecamatan
from dtks.reports import write_reports

TARGET_S = 20.0
GENERATED_AT = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)  # fixed: runs give the same files
TARGET_GB = 4.0
NO_ACCOUNTING = {"village": pl.String, "rows_read": pl.Int64}


def read_accounting(path: Path | None) -> pl.DataFrame:
    if path is not None and path.exists():
        return pl.read_parquet(path)
    return pl.DataFrame(schema=NO_ACCOUNTING)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=Path, default=Path("/tmp/fixlist_issues.parquet"))
    parser.add_argument("--accounting", type=Path, default=Path("/tmp/fixlist_accounting.parquet"))
    parser.add_argument("--kecamatan", default="35.28.11")
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile here")
    args = parser.parse_args()

    issues = pl.read_parquet(args.issues)
    accounting = read_accounting(args.accounting)
    kecamatan = load_kecamatan(args.kecamatan)
    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        out = args.out or Path(tmp)
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        write_reports(out, kecamatan, issues, accounting, GENERATED_AT)
        if profiler:
            profiler.disable()
        wall = time.perf_counter() - started
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux
        if profiler:
            profiler.dump_stats(args.profile)
        size_mb = sum(p.stat().st_size for p in out.glob("*.xlsx")) / 1e6
    verdict = "OK" if wall < TARGET_S and peak_gb < TARGET_GB else "MISSED"
    print(
        f"write_reports: {issues.height:,} issues, {len(kecamatan.desa)} villages, "
        f"{wall:.1f} s, peak RSS {peak_gb:.2f} GB "
        f"(targets {TARGET_S:.0f} s, {TARGET_GB:.0f} GB): {verdict}; workbooks {size_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
