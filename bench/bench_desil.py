"""Desil at scale (issue 16): 1,000,000 registry persons plus desil lists ranking all their
families; the added work (reading the lists, matching them) must cost < 30 s and < 2 GB.

    .venv/bin/python bench/bench_desil.py                  # 1,000,000 persons
    .venv/bin/python bench/bench_desil.py --persons 100000 # a quick look

The reconciled persons and households are built directly as frames (what the reconcile stage
hands over: ~3.3 persons per family, well-formed KKs, 3 % of NIKs missing in the exports, names,
birth dates and sex, one source row per person), so the numbers are the desil work alone,
including the name-and-birth-date search for rows whose NIK matches no trusted NIK. The lists are written as one pipe-delimited CSV per village (13), title rows
above the header, 22 % of rows without Nomor KK, 3 % with a member's NIK, 10 % with ".0"
suffixes, 8 % of families unranked, 2 % extra families absent from the registry. Measured in
this process: wall time of `read_export` over the lists plus `match_desil`, and the peak RSS
(ru_maxrss) of the whole process minus the RSS before that work; the work includes
`kks_named_by_lists`, which the reconcile stage runs over the lists to complete unreadable KKs.
Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dtks.desil import match_desil  # noqa: E402
from dtks.desil.named_kks import kks_named_by_lists  # noqa: E402
from dtks.ingest import DESIL_ROWS_SCHEMA, read_export  # noqa: E402

VILLAGES = 13


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def registry(persons: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    families = persons * 10 // 33
    family_of = np.sort(rng.integers(0, families, persons))
    family_of[:families] = np.arange(families)  # every family has a member
    family_of.sort()
    nik = 3528110000000000 + rng.choice(10**9, persons, replace=False).astype(np.int64) * 7
    missing = rng.random(persons) < 0.03
    born = np.datetime64("1940-01-01") + rng.integers(0, 80 * 365, persons).astype("timedelta64[D]")
    person = pl.DataFrame(
        {
            "person_id": [f"P{i:08d}" for i in range(persons)],
            "household_id": pl.Series(family_of).cast(pl.String),
            "nik": pl.Series(np.where(missing, None, nik.astype(str)), dtype=pl.String),
            "_list_nik": pl.Series(nik).cast(pl.String),  # what the desil lists carry
            "nik_is_valid": ~missing,
            "nik_possibly_truncated": False,
            "nik_shared_with_other_person": False,
            "nama": pl.Series(rng.integers(0, 20000, persons)).cast(pl.String),
            "tanggal_lahir": pl.Series(born).cast(pl.Date),
            "jenis_kelamin": pl.Series(np.where(rng.random(persons) < 0.5, "L", "P")),
        }
    ).with_columns(
        ("NAMA " + pl.col("nama")).alias("nama"),
        pl.lit(False).alias("tanggal_lahir_is_placeholder"),
        pl.format("desa-{}", pl.col("household_id").cast(pl.Int64) % VILLAGES).alias("villages"),
    )
    heads = person.group_by("household_id").agg(pl.col("person_id").first().alias("head_person_id"))
    households = heads.with_columns(
        (pl.col("household_id").cast(pl.Int64) + 3528111000000000).cast(pl.String).alias("no_kk"),
        pl.lit(False).alias("is_kk_malformed"),
        (pl.col("household_id").cast(pl.Int64) % VILLAGES).alias("_village"),
    )
    return person, households


def no_kk_of(person: pl.DataFrame, households: pl.DataFrame) -> pl.Series:
    """Each person's KK as their source row carries it."""
    return person.join(households.select("household_id", "no_kk"), on="household_id", how="left")[
        "no_kk"
    ]


def write_lists(
    raw: Path, person: pl.DataFrame, households: pl.DataFrame, rng: np.random.Generator
) -> None:
    heads = households.join(
        person.select(
            pl.col("person_id").alias("head_person_id"), pl.col("_list_nik").alias("nik")
        ),
        on="head_person_id",
    )
    members = person.group_by("household_id").agg(pl.col("_list_nik").last().alias("member_nik"))
    rows = heads.join(members, on="household_id")
    n = rows.height
    draw = rng.random(n)
    rows = rows.with_columns(
        pl.Series(rng.integers(1, 11, n)).alias("desil"),
        pl.Series(draw).alias("_draw"),
        pl.Series(rng.random(n) < 0.10).alias("_dot"),
    ).filter(pl.col("_draw") >= 0.08)
    kk = pl.when(pl.col("_draw") < 0.33).then(None).otherwise(pl.col("no_kk"))
    nik = pl.when(pl.col("_draw") < 0.11).then(pl.col("member_nik")).otherwise(pl.col("nik"))
    dot = pl.when(pl.col("_dot")).then(pl.lit(".0")).otherwise(pl.lit(""))
    rows = rows.select(
        "_village",
        (kk + dot).alias("NOMOR KK"),
        (nik + dot).alias("NIK KEPALA KELUARGA"),
        pl.lit("NAMA KEPALA").alias("NAMA KEPALA KELUARGA"),
        pl.col("desil").cast(pl.String).alias("DESIL"),
    )
    extra = int(n * 0.02)
    absent = pl.DataFrame(
        {
            "_village": rng.integers(0, VILLAGES, extra),
            "NOMOR KK": [f"35281199{i:08d}" for i in range(extra)],
            "NIK KEPALA KELUARGA": [f"35281188{i:08d}" for i in range(extra)],
            "NAMA KEPALA KELUARGA": "ORANG LAIN",
            "DESIL": "1",
        }
    )
    rows = pl.concat([rows, absent])
    for village, part in rows.partition_by("_village", as_dict=True).items():
        folder = raw / f"desa-{village[0]}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "Pemeringkatan Desil 2026-07.csv"
        with path.open("w", encoding="utf-8") as handle:
            handle.write("DAFTAR PEMERINGKATAN DESIL\nPERIODE JULI 2026\n\n")
            part.drop("_village").write_csv(handle, separator="|")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--out", default="bench/out/bench_desil.json")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(16)
    person, households = registry(args.persons, rng)
    sources = person.select(
        "person_id", pl.col("villages").alias("village"), no_kk_of(person, households)
    ).with_columns(pl.col("no_kk").alias("no_kk_as_written"))
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        write_lists(raw, person, households, rng)
        households = households.drop("_village")
        person = person.drop("_list_nik")
        before_mb = _rss_mb()
        started = time.perf_counter()
        reads = [read_export(path, raw) for path in sorted(raw.glob("*/*.csv"))]
        read_s = time.perf_counter() - started
        assert all(r.status == "ok" and r.file_kind == "desil_list" for r in reads)
        desil_raw = pl.concat(
            [
                r.desil_rows.with_columns(pl.lit(r.source_file.split("/")[0]).alias("village"))
                for r in reads
            ]
        ).select([*DESIL_ROWS_SCHEMA, "village"])
        del reads
        named = kks_named_by_lists(desil_raw)  # what the reconcile stage reads of the lists
        rows, families = match_desil(desil_raw, person, households, None, sources)
        total_s = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "persons": args.persons,
        "families": households.height,
        "ranking_rows": rows.height,
        "matched": int((rows["status"] == "cocok").sum()),
        "by": dict(rows.drop_nulls("matched_by").group_by("matched_by").len().iter_rows()),
        "families_with_desil": int(families["desil"].is_not_null().sum()),
        "niks_named_with_a_kk": named.height,
        "read_lists_s": round(read_s, 2),
        "added_work_s": round(total_s, 2),
        "rss_before_mb": round(before_mb),
        "peak_rss_mb": round(peak_mb),
        "added_peak_mb": round(peak_mb - before_mb),
    }
    print(json.dumps(result, indent=1))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    ok = total_s < 30 and peak_mb - before_mb < 2048
    print("within budget (< 30 s, < 2 GB added)" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
