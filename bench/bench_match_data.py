"""Bench helpers: synthetic exports -> ingest -> clean, cached; scaling a clean frame up to a kabupaten."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl

from dtks.clean import clean_rows
from dtks.ingest import raw_rows_frame, read_export, survey_village_folder
from dtks.region import DEFAULT_KECAMATAN_KODE, load_kecamatan

REFERENCE_DATE = dt.date(2026, 11, 30)


CROSS_RECORD_DEFECTS = (
    "dup_in_village",
    "dup_across_villages",
    "nik_typo",
    "nik_missing",
    "hajj_name",
    "kk_two_heads",
    "nik_numeric",
    "name_abbreviation",
    "name_spelling",
    "ibu_spelling",
    "date_swapped",
    "date_two_digit_year",
    "date_impossible",
)


def scaled_rates(scale: float, overrides: dict[str, float] | None = None) -> dict[str, float]:
    """Default synth rates of the defects that matter for matching times ``scale``, then ``overrides``."""
    from dtks.synth.defects import DEFAULT_RATES

    rates = (
        {} if scale == 1 else {d: min(DEFAULT_RATES[d] * scale, 1.0) for d in CROSS_RECORD_DEFECTS}
    )
    return rates | (overrides or {})


def work_dir(out: Path, people: int, seed: int, rates: dict[str, float]) -> Path:
    """Cache folder of one generated data set: people, seed and the non-default rates in the name."""
    tag = "".join(f"_{k}={v:g}" for k, v in sorted(rates.items()))
    if len(tag) > 60:
        import hashlib

        tag = "_r" + hashlib.sha1(tag.encode()).hexdigest()[:10]
    return out / f"synth_{people}_{seed}{tag}"


def ingest_and_clean(raw: Path, cache: Path) -> pl.DataFrame:
    """Clean rows of every village under ``raw`` (read with dtks.ingest, cleaned with dtks.clean)."""
    if cache.exists():
        return pl.read_parquet(cache)
    kecamatan = load_kecamatan(DEFAULT_KECAMATAN_KODE)
    frames = []
    for slug in kecamatan.slugs:
        folder = survey_village_folder(raw, slug)
        reads = [read_export(path, raw) for path in folder.exports]
        rows = raw_rows_frame(reads)
        if rows.height:
            frames.append(clean_rows(rows, kecamatan, slug, reference_date=REFERENCE_DATE).clean)
    clean = pl.concat(frames, how="diagonal_relaxed")
    clean.write_parquet(cache)
    return clean


def scale_up(clean: pl.DataFrame, rows: int, seed: int = 1) -> pl.DataFrame:
    """A kabupaten-sized frame from copies of a kecamatan, each copy a different set of people.

    Copy k gets its own NIK/KK region digits and desa codes, and its name words are renamed by a
    random permutation of the name vocabulary (so name frequencies keep their shape but the
    copies are not duplicates of each other). Then truncated to ``rows``.
    """
    copies = -(-rows // clean.height)
    words = (
        pl.concat([clean["nama_key"], clean["nama_ibu_key"]])
        .drop_nulls()
        .str.split(" ")
        .explode()
        .unique()
        .sort()
        .to_list()
    )
    rng = random.Random(seed)
    frames = []
    for k in range(copies):
        shuffled = words[:]
        rng.shuffle(shuffled)
        mapping = dict(zip(words, shuffled, strict=True)) if k else {}
        region = f"{35 + k // 90:02d}{10 + k % 90:02d}"
        frame = clean.with_columns(
            pl.lit(f"copy{k}/").add(pl.col("source_file")).alias("source_file"),
            pl.lit(f"copy{k}-").add(pl.col("village")).alias("village"),
            (pl.col("nik").str.slice(0, 2) + pl.lit(region) + pl.col("nik").str.slice(6)).alias(
                "nik"
            ),
            (pl.col("no_kk").str.slice(0, 2) + pl.lit(region) + pl.col("no_kk").str.slice(6)).alias(
                "no_kk"
            ),
            (pl.lit(f"{k}.") + pl.col("desa_kode")).alias("desa_kode"),
            pl.lit(f"x{k}-").add(pl.col("iddtks")).alias("iddtks"),
        )
        if mapping:
            frame = frame.with_columns(
                pl.col(c)
                .str.split(" ")
                .list.eval(pl.element().replace(mapping))
                .list.join(" ")
                .alias(c)
                for c in ("nama_key", "nama_ibu_key")
            )
        frames.append(frame)
    return pl.concat(frames).head(rows)
