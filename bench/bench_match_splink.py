"""Bench helpers: the same clean rows through Splink 4 (DuckDB backend), settings committed here.

Fair chance: the same derived columns as our matcher (NIK, its first 15 digits, KK, name key,
birth date with the NIK date filling placeholders, mother, birth place, village), blocking rules
that find the same candidates (NIK one-digit typos through two NIK halves), the comparisons a
competent user would pick (Jaro-Winkler names with term-frequency adjustment, the date-of-birth
comparison, NIK Levenshtein), u by random sampling and m by EM over several blocking rules.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import polars as pl

from dtks.match.features import build_features

SPLINK_COLUMNS = [
    "row_id",
    "nik",
    "nik15",
    "nik_a",
    "nik_b",
    "no_kk",
    "nama_key",
    "nama3",
    "nama_ibu_key",
    "tempat_lahir_key",
    "tgl",
    "tgl_year",
    "sex",
    "desa_kode",
    "dusun",
]


def splink_input(clean: pl.DataFrame) -> pl.DataFrame:
    """The clean rows with the derived columns Splink blocks and compares on (dates as ISO text)."""
    features = build_features(clean)
    return features.with_columns(
        pl.col("nik").str.slice(0, 8).alias("nik_a"),
        pl.col("nik").str.slice(8, 8).alias("nik_b"),
        pl.col("tgl").dt.strftime("%Y-%m-%d").alias("tgl"),
        pl.col("row_id").cast(pl.Int64),
    ).select(SPLINK_COLUMNS)


def splink_settings() -> Any:
    """The committed Splink settings."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="row_id",
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("nik15"),
            block_on("nik_a"),
            block_on("nik_b"),
            block_on("no_kk"),
            block_on("tgl", "nama3"),
            block_on("tgl", "nama_ibu_key"),
            block_on("nama_key", "tgl_year"),
            block_on("nama_key", "nama_ibu_key"),
            block_on("nama_key", "desa_kode"),
        ],
        comparisons=[
            cl.LevenshteinAtThresholds("nik", [1, 2]),
            cl.JaroWinklerAtThresholds("nama_key", [0.95, 0.88, 0.75]).configure(
                term_frequency_adjustments=True
            ),
            cl.DateOfBirthComparison("tgl", input_is_string=True),
            cl.JaroWinklerAtThresholds("nama_ibu_key", [0.9, 0.75]),
            cl.ExactMatch("no_kk"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("tempat_lahir_key").configure(term_frequency_adjustments=True),
            cl.ExactMatch("desa_kode"),
            cl.ExactMatch("dusun"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(
    clean: pl.DataFrame, threshold: float = 0.95
) -> tuple[pl.DataFrame, dict[str, float]]:
    """Train and predict with Splink; clusters (row_id, cluster_id) at ``threshold`` and timings."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    frame = splink_input(clean)
    linker = Linker(frame.to_pandas(), splink_settings(), db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match([block_on("nik")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in (block_on("nik"), block_on("tgl"), block_on("nama_key")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    timings["splink_training_s"] = time.perf_counter() - start
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    timings["splink_predict_s"] = time.perf_counter() - start - timings["splink_training_s"]
    count_pairs = len(predictions.as_pandas_dataframe())
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    result = pl.from_pandas(clusters.as_pandas_dataframe()[["row_id", "cluster_id"]])
    timings["splink_total_s"] = time.perf_counter() - start
    return result.with_columns(pl.col("cluster_id").cast(pl.String)), timings | {
        "splink_pairs": float(count_pairs)
    }
