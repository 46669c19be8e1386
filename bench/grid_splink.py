"""Bench helpers: Splink 4 (DuckDB) on the rows and fields a run published, the grid's committed settings.

Written as a competent Splink user would, from the columns an export has and Splink's own
documentation, without looking at the truth or at how our matcher decides:

- input: every accepted row of `person_sources` with its cleaned values (the same rows and
  fields our matcher saw): NIK, KK, name, birth date, sex, mother's name, birth place,
  address (ALAMAT, or DUSUN RT RW when there is no ALAMAT), village. IDDTKS is left out:
  the export documentation (DESIGN.md section 2) says the column holds a family or a member
  id depending on the menu, so equal IDDTKS is no evidence of one person a user could rely on;
- a column empty on every row is left out, with its comparisons and blocking rules (the
  FEBRL exports have no NIK, KK or sex);
- blocking: same NIK; same birth date; same name; same KK; same first name word and birth
  year; same last name word and birth year; same mother and birth year;
- comparisons: NIK exact (an edit distance on NIK would reward two people born on one day
  in one kecamatan, whose NIKs differ only in the serial); name and mother by Jaro-Winkler; the
  date of birth comparison from Splink's library; sex and birth place exact;
  term-frequency adjustments on name, birth date and birth place. The fields every member
  of a family shares (KK, address, village) are ONE comparison, nested: same KK, else
  address Jaro-Winkler >= 0.9, else same village, else: counted as independent evidence
  they would make any two members of a family look like one person;
- u by random sampling, the prior from two deterministic rules with an assumed recall of
  0.7, m by expectation maximisation on "same NIK" and "same name and birth date" (without
  NIK: "same birth date" and "same name");
- the threshold is fixed before looking at any result: match probability 0.9. A sweep of
  other thresholds is reported beside it as Splink's best case (chosen with the truth, so
  an upper bound no user gets).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import polars as pl

THRESHOLD = 0.9
SWEEP = (0.5, 0.8, 0.95, 0.99, 0.999)
U_PAIRS = 1e6


def splink_input(sources: pl.DataFrame) -> pl.DataFrame:
    """person_sources -> one Splink row each: row_id plus the compared columns (text)."""
    address = pl.coalesce(
        pl.col("alamat"),
        pl.concat_str(["dusun", "rt", "rw"], separator=" ", ignore_nulls=True),
    )
    nama = pl.col("nama").str.to_uppercase()
    return sources.select(
        pl.col("row_id"),
        pl.col("nik"),
        pl.col("no_kk"),
        nama.alias("nama"),
        nama.str.extract(r"^(\S+)").alias("nama_depan"),
        nama.str.extract(r"(\S+)$").alias("nama_belakang"),
        pl.col("tanggal_lahir").dt.strftime("%Y-%m-%d").alias("tanggal_lahir"),
        pl.col("tanggal_lahir").dt.year().cast(pl.String).alias("tahun_lahir"),
        pl.col("jenis_kelamin"),
        pl.col("nama_ibu_kandung").str.to_uppercase().alias("nama_ibu"),
        pl.col("tempat_lahir").str.to_uppercase().alias("tempat_lahir"),
        address.str.to_uppercase().alias("alamat"),
        pl.col("desa_kode"),
    )


def _present(frame: pl.DataFrame) -> set[str]:
    return {c for c in frame.columns if frame[c].null_count() < frame.height}


def settings(present: set[str]) -> tuple[Any, list[Any]]:
    """The Splink settings and the EM training rules, for the columns present."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    def has(*columns: str) -> bool:
        return all(c in present for c in columns)

    rules = [
        block_on(*cols)
        for cols in (
            ("nik",),
            ("tanggal_lahir",),
            ("nama",),
            ("no_kk",),
            ("nama_depan", "tahun_lahir"),
            ("nama_belakang", "tahun_lahir"),
            ("nama_ibu", "tahun_lahir"),
        )
        if has(*cols)
    ]
    comparisons = []
    if has("nik"):
        comparisons.append(cl.ExactMatch("nik"))
    comparisons.append(
        cl.JaroWinklerAtThresholds("nama", [0.95, 0.88, 0.7]).configure(
            term_frequency_adjustments=True
        )
    )
    if has("tanggal_lahir"):
        comparisons.append(
            cl.DateOfBirthComparison("tanggal_lahir", input_is_string=True).configure(
                term_frequency_adjustments=True
            )
        )
    if has("jenis_kelamin"):
        comparisons.append(cl.ExactMatch("jenis_kelamin"))
    if has("nama_ibu"):
        comparisons.append(cl.JaroWinklerAtThresholds("nama_ibu", [0.9, 0.7]))
    if has("tempat_lahir"):
        comparisons.append(cl.ExactMatch("tempat_lahir").configure(term_frequency_adjustments=True))
    household = [
        level
        for column, level in (
            ("no_kk", lambda: cll.ExactMatchLevel("no_kk")),
            ("alamat", lambda: cll.JaroWinklerLevel("alamat", 0.9)),
            ("desa_kode", lambda: cll.ExactMatchLevel("desa_kode")),
        )
        if has(column)
        for level in [level()]
    ]
    if household:
        comparisons.append(
            cl.CustomComparison(
                [
                    cll.NullLevel("desa_kode" if has("desa_kode") else "alamat"),
                    *household,
                    cll.ElseLevel(),
                ],
                output_column_name="keluarga",
                comparison_description="KK, address, village, nested",
            )
        )
    if has("nik"):  # each rule leaves the other identifiers free to be estimated
        training = [block_on("nik"), block_on("nama", "tanggal_lahir")]
    else:
        training = [block_on(*cols) for cols in (("tanggal_lahir",), ("nama",)) if has(*cols)]
    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="row_id",
        blocking_rules_to_generate_predictions=rules,
        comparisons=comparisons,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    return creator, training


def run_splink(sources: pl.DataFrame) -> tuple[pl.DataFrame, dict[float, pl.DataFrame], dict]:
    """Clusters (row_id, cluster_id) at THRESHOLD, at each SWEEP threshold, and timings."""
    from splink import DuckDBAPI, Linker, block_on

    logging.disable(logging.WARNING)  # Splink narrates every EM iteration
    try:
        started = time.perf_counter()
        frame = splink_input(sources)
        present = _present(frame)
        frame = frame.select([c for c in frame.columns if c in present or c == "row_id"])
        creator, training = settings(present)
        linker = Linker(frame.to_arrow(), creator, db_api=DuckDBAPI())
        deterministic = [block_on("nik")] if "nik" in present else []
        if "tanggal_lahir" in present:
            deterministic.append(block_on("nama", "tanggal_lahir"))
        else:
            deterministic.append(block_on("nama"))
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
        timings = {"splink_u_s": round(time.perf_counter() - started, 1)}
        for rule in training:
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
        timings["splink_training_s"] = round(time.perf_counter() - started, 1)
        predictions = linker.inference.predict(threshold_match_probability=min(SWEEP))
        clusters = {}
        for threshold in (THRESHOLD, *SWEEP):
            table = linker.clustering.cluster_pairwise_predictions_at_threshold(
                predictions, threshold_match_probability=threshold
            )
            clusters[threshold] = (
                table.as_duckdbpyrelation()
                .select("row_id", "cluster_id")
                .pl()
                .with_columns(pl.col("cluster_id").cast(pl.String))
            )
            if threshold == THRESHOLD:
                seconds = time.perf_counter() - started
        timings["splink_s"] = round(seconds, 1)
        return clusters.pop(THRESHOLD), clusters, timings
    finally:
        logging.disable(logging.NOTSET)
