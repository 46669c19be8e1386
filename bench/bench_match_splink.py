"""Bench helpers: the same clean rows through Splink 4 (DuckDB backend), its settings committed here.

A fair chance, as a competent Splink user would set it up on this data:

- the same cleaned input and derived columns as our matcher (`dtks.match.features`): NIK and
  its first 15 digits and halves, KK, name key, birth date with the NIK date filling
  placeholders, mother, birth place, village and RT;
- blocking rules that find the same candidates as ours (same NIK, truncated NIK, NIK typos
  through NIK parts, KK, birth date with name or mother, name with birth year, mother or
  village); Splink does not cap blocks;
- household fields do not dominate: KK and address are ONE comparison with three levels
  (same KK, same RT, else), the village is not compared on its own;
- term-frequency adjustments on names, mother's name, birth date and birth place;
- u by random sampling; m by EM on three blocking rules that each leave the compared fields
  free (same NIK; same name and birth date; same name and mother); the prior from
  deterministic rules with an assumed recall;
- the threshold is not guessed: clusters are scored at a sweep of thresholds and the best F1
  is reported next to ours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import polars as pl

from dtks.match.features import build_features

SWEEP_THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9999)
SPLINK_U_PAIRS = 5e6


def splink_input(clean: pl.DataFrame) -> pl.DataFrame:
    """The clean rows with the derived columns Splink blocks and compares on (dates as ISO text)."""
    features = build_features(clean)
    rt_parts = ["desa_kode", "dusun", "rt", "rw"]
    return features.select(
        pl.col("row_id").cast(pl.Int64),
        "iddtks",
        "nik",
        "nik15",
        pl.col("nik").str.slice(0, 6).alias("nik_region"),
        pl.col("nik").str.slice(6, 10).alias("nik_date_serial"),
        pl.col("nik").str.slice(0, 8).alias("nik_a"),
        pl.col("nik").str.slice(8, 8).alias("nik_b"),
        "no_kk",
        pl.when(pl.all_horizontal([pl.col(c).is_not_null() for c in rt_parts]))
        .then(pl.concat_str(rt_parts, separator="|"))
        .alias("rt_key"),
        "desa_kode",
        "nama_key",
        "nama3",
        "nama_ibu_key",
        pl.col("nama_ibu_key").str.slice(0, 3).alias("ibu3"),
        "tempat_lahir_key",
        pl.col("tgl").dt.strftime("%Y-%m-%d").alias("tgl"),
        "tgl_year",
        "sex",
    )


def prediction_rules() -> list[Any]:
    """Blocking rules mirroring `dtks.match.blocking.default_rules` (without its caps)."""
    from splink import block_on

    return [
        block_on("iddtks"),
        block_on("nik"),
        block_on("nik15", "nama3"),
        block_on("tgl", "nik_region", "sex"),
        block_on("tgl", "nik_date_serial", "nama3"),
        block_on("nik_a", "nama_key", "ibu3"),
        block_on("nik_b", "nama_key"),
        block_on("no_kk", "tgl_year"),
        block_on("no_kk", "nama_key"),
        block_on("tgl", "nama3"),
        block_on("tgl", "nama_ibu_key"),
        block_on("tgl", "ibu3", "sex"),
        block_on("nama_key", "tgl_year"),
        block_on("nama_key", "nama_ibu_key"),
        block_on("nama_key", "desa_kode"),
    ]


def splink_settings() -> Any:
    """The committed Splink settings."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator

    nik = cl.CustomComparison(
        [
            cll.NullLevel("nik"),
            cll.ExactMatchLevel("nik"),
            cll.ExactMatchLevel("nik15").configure(label_for_charts="first 15 digits equal"),
            cll.DamerauLevenshteinLevel("nik", 1),
            cll.ElseLevel(),
        ],
        output_column_name="nik",
    )
    household = cl.CustomComparison(
        [
            cll.NullLevel("desa_kode"),
            cll.ExactMatchLevel("no_kk"),
            cll.ExactMatchLevel("rt_key"),
            cll.ElseLevel(),
        ],
        output_column_name="kk_domisili",
        comparison_description="KK and address, nested: same KK, same RT, else",
    )
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="row_id",
        blocking_rules_to_generate_predictions=prediction_rules(),
        comparisons=[
            cl.ExactMatch("iddtks"),
            nik,
            cl.JaroWinklerAtThresholds("nama_key", [0.95, 0.88, 0.75]).configure(
                term_frequency_adjustments=True
            ),
            cl.DateOfBirthComparison("tgl", input_is_string=True).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("nama_ibu_key", [0.9, 0.75]).configure(
                term_frequency_adjustments=True
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("tempat_lahir_key").configure(term_frequency_adjustments=True),
            household,
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(
    clean: pl.DataFrame, thresholds: Sequence[float] = SWEEP_THRESHOLDS
) -> tuple[dict[float, pl.DataFrame], dict[str, float]]:
    """Train, predict and cluster with Splink at each threshold.

    Returns clusters (row_id, cluster_id) per threshold and timings: ``splink_s`` is training,
    prediction and clustering at the first threshold (what a user runs); clustering at the
    other thresholds is evaluation only.
    """
    logging.disable(logging.WARNING)  # Splink narrates every EM iteration
    try:
        return _run(clean, thresholds)
    finally:
        logging.disable(logging.NOTSET)


def _run(
    clean: pl.DataFrame, thresholds: Sequence[float]
) -> tuple[dict[float, pl.DataFrame], dict[str, float]]:
    from splink import DuckDBAPI, Linker, block_on

    timings: dict[str, float] = {}
    start = time.perf_counter()
    frame = splink_input(clean)
    linker = Linker(frame.to_arrow(), splink_settings(), db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("nama_key", "tgl", "nama_ibu_key")], recall=0.9
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS, seed=1)
    for rule in (
        block_on("nik"),
        block_on("nama_key", "tgl"),
        block_on("nama_key", "nama_ibu_key"),
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    timings["splink_training_s"] = time.perf_counter() - start
    predictions = linker.inference.predict(threshold_match_probability=min(thresholds))
    timings["splink_predict_s"] = time.perf_counter() - start - timings["splink_training_s"]
    timings["splink_pairs"] = float(
        predictions.as_duckdbpyrelation().aggregate("count(*)").fetchall()[0][0]
    )
    clusters: dict[float, pl.DataFrame] = {}
    for index, threshold in enumerate(thresholds):
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold
        )
        table = clustered.as_duckdbpyrelation().select("row_id", "cluster_id").pl()
        clusters[threshold] = table.with_columns(pl.col("cluster_id").cast(pl.String))
        if index == 0:
            timings["splink_s"] = time.perf_counter() - start
    return clusters, timings
