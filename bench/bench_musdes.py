"""Village deliberation (issue 17) measured on generated data with truth, end to end.

    .venv/bin/python bench/bench_musdes.py                      # 25,000 people, seed 20261203
    .venv/bin/python bench/bench_musdes.py --people 5000 --seed 3 --defect-scale 2
    .venv/bin/python bench/bench_musdes.py --render docs/img    # also the workbook as PDF/PNG

Generates exports, desil lists and OpenSID population registers (`dtks.synth`), runs the whole
reconciliation headlessly (`python -m pipelines.cli run`, as `make run`), and scores:

- families to propose (`usulan`) against the register's new families;
- deceased or moved persons still listed (`sanggah` MENINGGAL / PINDAH) against the truth.

Then the round trip: statuses written into one village's workbook (as an operator would, with
openpyxl), the village's export replaced by a new download, a second run; the statuses must be
kept and counted. With `--render`, one village's workbook is converted by LibreOffice
(`soffice --headless --convert-to pdf`) and its cover and first list page to PNG (pdftoppm).
Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dtks.musdes.evaluation import fill_statuses, score_deceased_moved, score_proposals  # noqa: E402
from dtks.synth import generate  # noqa: E402
from dtks.synth.conventions import Conventions  # noqa: E402
from dtks.synth.desil import DesilOptions  # noqa: E402
from dtks.synth.register import RegisterOptions, register_truth_path  # noqa: E402

ROUND_TRIP_VILLAGE = "kapong"


def run_pipeline(dirs: dict[str, Path]) -> float:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "False"}
    env.update(
        {f"DTKS_{n.upper()}_DIR": str(dirs[n]) for n in ("raw", "work", "curated", "review")}
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def query(dirs: dict[str, Path], sql: str, params: list | None = None) -> pl.DataFrame:
    con = duckdb.connect(str(dirs["curated"] / "kecamatan.duckdb"), read_only=True)
    try:
        return con.sql(sql, params=params or []).pl()
    finally:
        con.close()


def render(workbook: Path, out: Path) -> list[Path]:
    """The workbook as PDF (LibreOffice headless), its first pages as PNG (pdftoppm)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        profile = f"-env:UserInstallation=file://{tmp}/profile"
        subprocess.run(
            [
                "soffice",
                profile,
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(tmp) / f"{workbook.stem}.pdf"
        shutil.copy(pdf, out / f"musdes-{workbook.stem}.pdf")
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "80",
                "-png",
                "-f",
                "1",
                "-l",
                "3",
                str(pdf),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        pages = sorted(Path(tmp).glob("page-*.png"))
        kept = []
        for page, name in zip(pages, ("berita-acara", "usulan", "sanggahan"), strict=False):
            target = out / f"musdes-{name}.png"
            shutil.copy(page, target)
            kept.append(target)
        return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--defect-scale", type=float, default=1.0)
    parser.add_argument("--render", type=Path, help="folder for the PDF and PNG pages")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_musdes_"))
    if root.exists():
        shutil.rmtree(root)
    dirs = {name: root / name for name in ("raw", "work", "curated", "review")}
    truth = root / "truth.parquet"
    started = time.monotonic()
    generate(
        args.people,
        seed=args.seed,
        out_dir=dirs["raw"],
        truth_path=truth,
        conventions=Conventions(defect_scale=args.defect_scale),
        desil=DesilOptions(),
        register=RegisterOptions(),
    )
    print(
        f"generated {args.people} people (seed {args.seed}) in {time.monotonic() - started:.1f} s"
    )
    first = run_pipeline(dirs)
    items = query(dirs, "SELECT * FROM deliberation_items")
    sources = query(dirs, "SELECT * FROM person_sources")
    register_truth = pl.read_parquet(register_truth_path(truth))
    proposals = score_proposals(items, register_truth)
    removals = score_deceased_moved(items, sources, pl.read_parquet(truth), register_truth)
    print(f"first run: {first:.1f} s")
    print("| measure | predicted | correct | positives | found | precision | recall |")
    print("|---|---|---|---|---|---|---|")
    for name, score in (
        ("families to propose", proposals),
        ("deceased/moved still listed", removals),
    ):
        d = score.as_dict()
        print(
            f"| {name} | {d['predicted']} | {d['correct']} | {d['positives']} | {d['found']} | "
            f"{d['precision']:.4f} | {d['recall']:.4f} |"
        )
    counts = items.group_by("kind", "reason").len().sort("kind", "reason")
    print("items: " + ", ".join(f"{k}/{r} {n}" for k, r, n in counts.iter_rows()))
    register = query(
        dirs,
        "SELECT outcome, matched_by, count(*) AS n FROM register_rows GROUP BY ALL ORDER BY ALL",
    )
    print("register rows: " + ", ".join(f"{o}/{m or '-'} {n}" for o, m, n in register.iter_rows()))

    workbook = dirs["curated"] / "reports" / "musdes" / f"{ROUND_TRIP_VILLAGE}.xlsx"
    given = fill_statuses(workbook, ["diterima", "selesai", "ditolak", "diusulkan"])
    village = dirs["raw"] / ROUND_TRIP_VILLAGE
    (village / "arsip").mkdir(exist_ok=True)
    for path in sorted(p for p in village.iterdir() if p.is_file() and "penduduk" not in p.name):
        shutil.copy(path, village / f"baru_{path.name}")
        path.rename(village / "arsip" / path.name)
    second = run_pipeline(dirs)
    kept = dict(
        query(
            dirs,
            "SELECT item_id, status FROM deliberation_items WHERE village = ? "
            "AND status <> 'belum'",
            [ROUND_TRIP_VILLAGE],
        ).iter_rows()
    )
    print(
        f"round trip: {len(given)} statuses written in {workbook.name}, new export, second run "
        f"{second:.1f} s: {sum(kept.get(k) == v for k, v in given.items())} kept, "
        f"{len(set(kept) - set(given))} others"
    )
    if args.render:
        for page in render(workbook, args.render):
            print(f"rendered {page}")
    if not args.keep:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
