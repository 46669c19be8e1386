"""Bench helper: the matcher's missed and false pairs on a synthetic data set, with their evidence.

    .venv/bin/python bench/bench_match_errors.py [--people 50000] [--seed S] [--defect-scale 2]
        [--defect nik_typo] [--limit 40]

For developers tuning blocking and evidence on SYNTHETIC data only (it prints values).
A missed pair is a true pair whose rows ended in different clusters: "not compared" when no
blocking rule proposed it, else its decision, hard rule and evidence.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_match_data import ingest_and_clean, scaled_rates, work_dir  # noqa: E402
from bench_match_eval import LINEAGE  # noqa: E402
from benchlib import generate  # noqa: E402

from dtks.match import find_duplicates  # noqa: E402
from dtks.match.features import build_features  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SHOW = [
    "nik",
    "nik_trunc",
    "tgl",
    "nama_key",
    "nama_ibu_key",
    "no_kk",
    "desa_kode",
    "hubungan_keluarga",
    "sex",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--defect-scale", type=float, default=1.0)
    parser.add_argument("--defect", help="only pairs touching a row with this defect")
    parser.add_argument("--limit", type=int, default=30)
    parser.add_argument("--false-only", action="store_true")
    args = parser.parse_args()
    rates = scaled_rates(args.defect_scale)
    work = work_dir(OUT, args.people, args.seed, rates)
    raw, truth_path = generate(args.people, args.seed, work, rates)
    clean = ingest_and_clean(raw, work / "clean.parquet")
    truth = (
        pl.read_parquet(truth_path)
        .filter(pl.col("row_kind") == "data")
        .select(*LINEAGE, "true_person_id", "defects")
        .with_columns(pl.col("source_sheet").fill_null(""))
    )
    result = find_duplicates(clean)
    feats = build_features(clean).with_columns(pl.col("source_sheet").fill_null(""))
    rows = (
        result.clusters.select("row_id", *LINEAGE, "cluster_id")
        .with_columns(pl.col("source_sheet").fill_null(""))
        .join(truth, on=LINEAGE, how="left")
    )
    truth_pairs = _pairs(rows, "true_person_id")
    predicted = _pairs(rows, "cluster_id")
    missed = truth_pairs.join(predicted, on=["a", "b"], how="anti")
    false = predicted.join(truth_pairs, on=["a", "b"], how="anti")
    scored = result.pairs.select(
        pl.col("row_id_l").alias("a"),
        pl.col("row_id_r").alias("b"),
        "decision",
        "hard_rule",
        "match_probability",
        "blocking_rule",
        "evidence",
        "evidence_weights",
    )
    defects = rows.select(pl.col("row_id"), "defects")
    for title, frame in (("MISSED", missed), ("FALSE", false)):
        if title == "MISSED" and args.false_only:
            continue
        frame = frame.join(scored, on=["a", "b"], how="left")
        frame = frame.join(defects.rename({"row_id": "a", "defects": "defects_a"}), on="a").join(
            defects.rename({"row_id": "b", "defects": "defects_b"}), on="b"
        )
        if args.defect:
            frame = frame.filter(
                pl.col("defects_a").list.contains(args.defect)
                | pl.col("defects_b").list.contains(args.defect)
            )
        print(f"\n===== {title}: {frame.height} pairs")
        for pair in frame.head(args.limit).iter_rows(named=True):
            print(
                f"-- {pair['decision'] or 'not compared'} p={pair['match_probability']} "
                f"rule={pair['hard_rule']} block={pair['blocking_rule']} "
                f"defects={pair['defects_a']}|{pair['defects_b']}"
            )
            if pair["evidence"]:
                weights = pair["evidence_weights"]
                print("   ", {k: f"{v} {weights[k]:+.1f}" for k, v in pair["evidence"].items()})
            for side in ("a", "b"):
                print("   ", feats.row(pair[side], named=True) and _show(feats, pair[side]))


def _show(feats: pl.DataFrame, row_id: int) -> str:
    row = feats.row(row_id, named=True)
    return " | ".join(f"{row[c]}" for c in SHOW)


def _pairs(rows: pl.DataFrame, cluster: str) -> pl.DataFrame:
    frame = rows.select("row_id", cluster)
    return (
        frame.join(frame, on=cluster, suffix="_b")
        .filter(pl.col("row_id") < pl.col("row_id_b"))
        .select(pl.col("row_id").alias("a"), pl.col("row_id_b").alias("b"))
    )


if __name__ == "__main__":
    main()
