"""The matcher end to end: features -> blocking -> comparisons -> scoring -> rules -> clusters."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import polars as pl
from rapidfuzz.distance import OSA
from rapidfuzz.process import cpdist

from dtks.match.blocking import PAIR_L, PAIR_R, candidate_pairs
from dtks.match.clustering import cluster_labels
from dtks.match.comparisons import Comparison
from dtks.match.decisions import (
    CANNOT_LINK,
    MUST_LINK,
    VOIDED_DECISION,
    decision_row_pairs,
    requeued,
    voided_decisions,
)
from dtks.match.features import LINEAGE, ROW_ID, build_features
from dtks.match.identifiers import IDDTKS_FAMILY, IDDTKS_PERSON, read_iddtks_meaning
from dtks.match.keys import RECORD_KEY, legacy_record_keys
from dtks.match.pairs import compare_pairs, levels_only
from dtks.match.queue_limit import REVIEW_RANK, queue_limit, rank_and_limit
from dtks.match.rules import (
    DECISIVE_WITHOUT_NIK,
    DISTINCT,
    MERGED,
    REVIEW,
    SAFETY_LINE,
    apply_hard_rules,
    level_is,
)
from dtks.match.safety import NAME_COMPARISON, crosses_expr
from dtks.match.scoring import (
    Parameters,
    estimate_prior,
    match_weights,
    probability,
    remove_matches_from_u,
)
from dtks.match.settings import MatchSettings
from dtks.match.shared_nik import mark_shared_niks
from dtks.match.training import (
    SAME_KK,
    estimate_m_by_blocks,
    estimate_u_all,
    household_context,
    u_given_same_kk,
)

CLUSTER_ID = "cluster_id"


@dataclass
class MatchResult:
    """What `find_duplicates` returns.

    - ``pairs``: one row per scored pair: both rows' ids and lineage (``*_l``/``*_r``),
      ``blocking_rule``, ``match_weight``, ``match_probability``, ``evidence`` (struct: per
      comparison the level code fired, e.g. ``"jaro_winkler>=0.95"``), ``evidence_weights``
      (struct: the bits each added), ``decision`` (merged/review/distinct),
      ``decided_by`` (score/rule/review/queue_limit), ``hard_rule``, ``needs_confirmation``,
      ``review_rank`` (place in the review queue, 0 first; `dtks.match.queue_limit`).
    - ``clusters``: every input row (lineage, ``record_key``) -> ``cluster_id`` (the smallest
      record key of its cluster, so stable across runs) and ``cluster_size``, with the row's
      ``iddtks_person`` and ``iddtks_family`` (`dtks.match.identifiers`).
    - ``iddtks_files``: per source file, what its IDDTKS column identifies, with the evidence.
    - ``levels``: the comparison levels with label, m, u and weight: the legend of ``evidence``.
    - ``stats``: candidate counts per blocking rule, capped blocks, decisions, timings, EM.
    """

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    levels: pl.DataFrame
    stats: dict[str, Any]
    iddtks_files: pl.DataFrame = field(default_factory=pl.DataFrame)


def train(features: pl.DataFrame, settings: MatchSettings) -> Parameters:
    """m and u of every comparison (see `dtks.match.training`); the prior comes later, from the
    candidates (`calibrate`)."""
    comparisons = settings.comparisons
    u = estimate_u_all(features, comparisons, settings)
    m, blocks = estimate_m_by_blocks(features, comparisons, u, settings)
    context = u_given_same_kk(features, comparisons, settings)
    return Parameters(
        m=m,
        u=u,
        prior=1e-6,
        em_iterations=sum(b.get("em_iterations", 0) for b in blocks),
        u_context={SAME_KK: context} if context else {},
        training=blocks,
    )


def pair_weights(pairs: pl.DataFrame, params: Parameters, settings: MatchSettings) -> pl.DataFrame:
    """Per pair the weight each comparison adds (``w_<name>``) and their sum ``bayes_factor_bits``."""
    comparisons = settings.comparisons
    levels = levels_only(pairs, comparisons)
    tf_columns = [c for c in pairs.columns if c.startswith("tf_")]
    return match_weights(
        levels,
        comparisons,
        params,
        pairs.select(tf_columns),
        {SAME_KK: household_context(comparisons, levels)},
        settings.tf_weight_cap,
    )


def calibrate(
    params: Parameters, pairs: pl.DataFrame, count_rows: int, settings: MatchSettings
) -> tuple[Parameters, pl.DataFrame]:
    """The prior by `estimate_prior` over the compared candidates, then u corrected for the few
    matches among the random pairs, and the prior again. Returns the parameters and weights."""
    total_pairs = count_rows * (count_rows - 1) // 2
    weights = pair_weights(pairs, params, settings)
    prior, share = estimate_prior(weights["bayes_factor_bits"].to_numpy(), total_pairs)
    corrected = remove_matches_from_u(params.u, params.m, prior, floor=0.05)
    params = replace(params, u=corrected, prior=prior, candidate_match_share=share)
    weights = pair_weights(pairs, params, settings)
    prior, share = estimate_prior(weights["bayes_factor_bits"].to_numpy(), total_pairs, prior)
    return replace(params, prior=prior, candidate_match_share=share), weights


def _evidence_exprs(comparisons: Sequence[Comparison]) -> list[pl.Expr]:
    """``evidence``: struct of the level code each comparison fired (Enum, compact),
    e.g. ``{"nik": "exact", "nama": "jaro_winkler>=0.95", ...}``; ``evidence_weights``: struct
    of the weight (bits) each contributed. `MatchResult.levels` is the legend (labels, m, u)."""
    codes, weights = [], []
    for c in comparisons:
        enum = pl.Enum(list(dict.fromkeys(c.codes)))
        codes.append(
            pl.col(f"level_{c.name}")
            .replace_strict(dict(enumerate(c.codes)), return_dtype=pl.String)
            .cast(enum)
            .alias(c.name)
        )
        weights.append(pl.col(f"w_{c.name}").round(2).cast(pl.Float32).alias(c.name))
    return [pl.struct(codes).alias("evidence"), pl.struct(weights).alias("evidence_weights")]


def score_pairs(
    pairs: pl.DataFrame,
    params: Parameters,
    settings: MatchSettings,
    weights: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Weighted and decided pairs (score, then hard rules, then clerks' decisions).

    ``pairs`` come from `compare_pairs` (features, similarities and levels) and carry
    ``blocking_rule`` and ``review_decision`` (null when no clerk decided); ``weights`` are
    their `pair_weights` when already computed.
    """
    comparisons = settings.comparisons
    if weights is None:
        weights = pair_weights(pairs, params, settings)
    pairs = pl.concat([pairs, weights], how="horizontal")
    pairs = pairs.with_columns(*probability(pl.col("bayes_factor_bits"), params.prior)).drop(
        "bayes_factor_bits"
    )
    probability_ = pl.col("match_probability")
    pairs = pairs.with_columns(
        pl.when(probability_ >= settings.merge_probability)
        .then(pl.lit(MERGED))
        .when(probability_ >= settings.review_probability)
        .then(pl.lit(REVIEW))
        .otherwise(pl.lit(DISTINCT))
        .alias("decision")
    )
    threshold = min(settings.merge_probability, 1 - 1e-12)
    merge_bits = float(np.log2(threshold / (1 - threshold)))
    nik_bits = pl.col("w_nik") if "w_nik" in pairs.columns else pl.lit(0.0)
    pairs = pairs.with_columns(
        (pl.col("match_weight") - nik_bits >= merge_bits).alias(DECISIVE_WITHOUT_NIK)
    )
    pairs = apply_hard_rules(pairs, settings.rules())
    one_edit_merge = (pl.col("decision") == MERGED) & level_is(
        comparisons, "nik", "one_edit", "one_edit_serial"
    )
    review = pl.col("review_decision")
    on_safety_line = (pl.col("hard_rule") == SAFETY_LINE).fill_null(False)
    return (
        pairs.with_columns(
            (pl.col("needs_confirmation") | one_edit_merge).alias("needs_confirmation"),
            pl.when(review.is_not_null() & ~on_safety_line)
            .then(pl.lit("review"))
            .when(pl.col("hard_rule").is_not_null())
            .then(pl.lit("rule"))
            .otherwise(pl.lit("score"))
            .alias("decided_by"),
            pl.when((review == MUST_LINK) & ~on_safety_line)
            .then(pl.lit(MERGED))
            .when(review == CANNOT_LINK)
            .then(pl.lit(DISTINCT))
            .otherwise(pl.col("decision"))
            .alias("decision"),
            *_evidence_exprs(comparisons),
        )
        .with_columns(
            (
                pl.col("is_cannot_link") & review.is_null()
                | (review == CANNOT_LINK)
                | on_safety_line
            ).alias("is_cannot_link"),
            pl.when(review.is_not_null())
            .then(False)
            .otherwise(pl.col("needs_confirmation"))
            .alias("needs_confirmation"),
        )
        .select(*SCORED_COLUMNS)
    )


# What a scored pair keeps once decided: the features and per-comparison columns are in the
# evidence structs by then, and a million rows' worth of them is gigabytes.
SCORED_COLUMNS = (
    PAIR_L,
    PAIR_R,
    "blocking_rule",
    "review_decision",
    "match_weight",
    "match_probability",
    "decision",
    "decided_by",
    "hard_rule",
    "needs_confirmation",
    "is_cannot_link",
    "evidence",
    "evidence_weights",
)


def _cluster(
    count_rows: int, pairs: pl.DataFrame, more_cannot: pl.DataFrame | None = None
) -> np.ndarray:
    """Cluster label per row from the decided pairs (merged = edge, must-link = +inf edge);
    ``more_cannot`` (row ids) are cannot-links found outside the scored pairs."""
    merged = pairs.filter(pl.col("decision") == MERGED)
    weight = np.where(
        (merged["review_decision"] == MUST_LINK).fill_null(False).to_numpy(),
        np.inf,
        merged["match_weight"].to_numpy(),
    )
    cannot = pairs.filter(pl.col("is_cannot_link")).select(PAIR_L, PAIR_R)
    if more_cannot is not None and more_cannot.height:
        cannot = pl.concat([cannot, more_cannot.select(PAIR_L, PAIR_R)])
    return cluster_labels(
        count_rows,
        merged[PAIR_L].to_numpy(),
        merged[PAIR_R].to_numpy(),
        weight,
        cannot[PAIR_L].to_numpy(),
        cannot[PAIR_R].to_numpy(),
    )


def _unchecked_cluster_pairs(
    labels: np.ndarray, scored: pl.DataFrame, max_size: int, min_size: int = 3
) -> pl.DataFrame:
    """All pairs inside clusters of min_size..max_size rows that were not scored yet."""
    members = pl.DataFrame({ROW_ID: np.arange(len(labels), dtype=np.uint32), "label": labels})
    members = members.filter(pl.len().over("label").is_between(min_size, max_size))
    if members.height == 0:
        return pl.DataFrame(schema={PAIR_L: pl.UInt32, PAIR_R: pl.UInt32})
    inside = (
        members.join(members, on="label", suffix="_r")
        .filter(pl.col(ROW_ID) < pl.col(f"{ROW_ID}_r"))
        .select(pl.col(ROW_ID).alias(PAIR_L), pl.col(f"{ROW_ID}_r").alias(PAIR_R))
    )
    return inside.join(scored.select(PAIR_L, PAIR_R), on=[PAIR_L, PAIR_R], how="anti")


def _safety_line_in_big_clusters(
    features: pl.DataFrame, labels: np.ndarray, scored: pl.DataFrame, settings: MatchSettings
) -> pl.DataFrame:
    """Pairs inside clusters too big for the full re-check that cross the safety line.

    Only the name comparison is computed for them (the line reads name, birth date and sex).
    """
    unchecked = _unchecked_cluster_pairs(
        labels, scored, settings.safety_check_max_size, settings.cluster_check_max_size + 1
    )
    if unchecked.is_empty():
        return unchecked
    name = [c for c in settings.comparisons if c.name == NAME_COMPARISON]
    compared = compare_pairs(features, unchecked, name, settings.workers)
    return compared.filter(crosses_expr(settings.comparisons)).select(
        pl.col(f"{ROW_ID}_l").alias(PAIR_L), pl.col(f"{ROW_ID}_r").alias(PAIR_R)
    )


def _sure_nik_conflicts(
    features: pl.DataFrame, pair_ids: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(pairs to score, pairs kept apart unscored): the second are surely ``nik_conflict``.

    Two rows with well-formed NIKs, each agreeing with its own birth date, more than one
    edit apart (no ``nik_one_digit`` typo), with different names (spelling aside) or
    different birth dates, and no clerk's decision are two people whatever the other
    comparisons say: the rules would keep them apart, and their score is low. Most candidate
    pairs of an export with NIKs are such (born the same day in one region, or one name
    born in other years): they are not compared, only kept apart as cannot-links for
    clustering. Pairs with the same name and birth date stay, so the few that score high
    despite two NIKs are still published for analysts.
    """
    columns = ["nik", "nik_ok", "nik_agrees_dob", "nama_key", "nama_sound", "tgl"]
    rows = features.select(columns)
    sides = [
        rows.select(pl.all().gather(pair_ids[side]).name.suffix(suffix))
        for side, suffix in ((PAIR_L, "_l"), (PAIR_R, "_r"))
    ]
    frame = pl.concat([pair_ids.select(PAIR_L, PAIR_R), *sides], how="horizontal")
    trusted = pl.all_horizontal(
        pl.col(f"{c}_{s}").fill_null(False) for c in ("nik_ok", "nik_agrees_dob") for s in "lr"
    )
    names_differ = (pl.col("nama_key_l") != pl.col("nama_key_r")) & (
        pl.col("nama_sound_l") != pl.col("nama_sound_r")
    )
    dates_differ = pl.col("tgl_l") != pl.col("tgl_r")
    undecided = pair_ids["review_decision"].is_null() & (
        pair_ids["blocking_rule"] != VOIDED_DECISION
    )
    maybe = (
        frame.select(
            (
                trusted & (names_differ | dates_differ) & (pl.col("nik_l") != pl.col("nik_r"))
            ).fill_null(False)
        ).to_series()
        & undecided
    )
    index = np.flatnonzero(maybe.to_numpy())
    if len(index) == 0:
        return pair_ids, pair_ids.clear().select(PAIR_L, PAIR_R)
    edits = cpdist(
        frame["nik_l"].gather(index).to_list(),
        frame["nik_r"].gather(index).to_list(),
        scorer=OSA.distance,
        workers=-1,
    )
    conflict = np.zeros(pair_ids.height, dtype=bool)
    conflict[index[edits > 1]] = True
    mask = pl.Series(conflict)
    return pair_ids.filter(~mask), pair_ids.filter(mask).select(PAIR_L, PAIR_R)


def _cluster_ids(features: pl.DataFrame, labels: np.ndarray) -> pl.DataFrame:
    """Every row with ``cluster_id`` = smallest record key of its cluster (ties numbered).

    Two clusters share a smallest key only when one record is split by a clerk's decision or a
    rule; they are then told apart by all their keys, in order (so stable across runs).
    """
    rows = features.select(
        ROW_ID,
        *LINEAGE,
        RECORD_KEY,
        pl.col("iddtks").alias(IDDTKS_PERSON),
        pl.col("iddtks_family").alias(IDDTKS_FAMILY),
    ).with_columns(pl.Series("label", labels))
    per_cluster = rows.group_by("label").agg(
        pl.col(RECORD_KEY).min().alias("min_key"), pl.len().alias("cluster_size")
    )
    shared = per_cluster.filter(pl.len().over("min_key") > 1)
    if shared.height:
        ties = (
            rows.join(shared.select("label"), on="label")
            .group_by("label")
            .agg(pl.col(RECORD_KEY).sort().str.join("|").alias("all_keys"))
        )
        numbered = (
            shared.join(ties, on="label")
            .sort("min_key", "all_keys", "label")
            .with_columns(pl.int_range(pl.len()).over("min_key").alias("dup"))
            .select("label", "dup")
        )
        per_cluster = per_cluster.join(numbered, on="label", how="left")
    else:
        per_cluster = per_cluster.with_columns(pl.lit(None, pl.Int64).alias("dup"))
    per_cluster = per_cluster.with_columns(
        pl.when(pl.col("dup").fill_null(0) == 0)
        .then(pl.col("min_key"))
        .otherwise(pl.format("{}~{}", "min_key", pl.col("dup") + 1))
        .alias(CLUSTER_ID)
    )
    return (
        rows.join(per_cluster.select("label", CLUSTER_ID, "cluster_size"), on="label")
        .sort(ROW_ID)
        .drop("label")
    )


def _output_pairs(features: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The published shape of the pairs: ids and lineage of both rows, score, evidence, decision."""
    ids = features.select(RECORD_KEY, "iddtks", *LINEAGE)  # row i is row_id i
    body = pairs.select(
        pl.col(f"{ROW_ID}_l"),
        pl.col(f"{ROW_ID}_r"),
        "blocking_rule",
        "match_weight",
        "match_probability",
        "evidence",
        "evidence_weights",
        "decision",
        "decided_by",
        "hard_rule",
        "needs_confirmation",
        REVIEW_RANK,
    ).sort(f"{ROW_ID}_l", f"{ROW_ID}_r")
    sides = [
        ids.select(pl.all().gather(body[f"{ROW_ID}_{side}"]).name.suffix(f"_{side}"))
        for side in ("l", "r")
    ]
    return pl.concat(
        [
            body.select(f"{ROW_ID}_l", f"{ROW_ID}_r"),
            *sides,
            body.drop(f"{ROW_ID}_l", f"{ROW_ID}_r"),
        ],
        how="horizontal",
    )


def find_duplicates(
    clean: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
    settings: MatchSettings | None = None,
) -> MatchResult:
    """Find the same person across and within villages in the clean rows of all villages.

    ``clean`` has the "Clean rows" columns of docs/architecture.md, lineage included
    (``village``, ``source_file``, ``source_sheet``, ``source_row``); missing optional columns
    only mean less evidence. ``decisions`` (optional) holds clerks' review decisions:
    ``record_key_l``, ``record_key_r``, ``decision`` (must_link/cannot_link or sama/beda),
    keyed by `dtks.match.keys.record_keys`; they override scores and rules.

    Steps: blocking rules propose candidate pairs (never all pairs); comparisons put each
    pair in a level per aspect; Fellegi-Sunter weights (u from random pairs, m by EM) score
    it; pairs are merged / sent to review / kept distinct by the thresholds of ``settings``;
    hard safety rules override; clusters are connected components of merged pairs that never
    hold a cannot-link pair; every cluster of 3+ rows is re-checked pair by pair against
    the hard rules, so no chain A=B=C merges two people A and C.

    Example (two exports of the same woman, one NIK truncated by Excel, and her neighbour):

    >>> import datetime as dt
    >>> rows = pl.DataFrame({
    ...     "village": ["kapong", "blaban", "kapong"],
    ...     "source_file": ["kapong/a.csv", "blaban/b.csv", "kapong/a.csv"],
    ...     "source_sheet": ["", "", ""], "source_row": [2, 7, 3],
    ...     "nik": ["3528114506890001", "3528114506890000", "3528115203910002"],
    ...     "nik_is_valid": [True, False, True], "nik_possibly_truncated": [False, True, False],
    ...     "nama_key": ["SITI AMINAH", "SITI AMINAH", "SITI ROMLAH"],
    ...     "tanggal_lahir": [dt.date(1989, 6, 5), dt.date(1989, 6, 5), dt.date(1991, 3, 12)],
    ...     "nama_ibu_key": ["MARYAM", "MARYAM", "HALIMAH"]})
    >>> result = find_duplicates(rows)
    >>> result.clusters["cluster_size"].to_list()
    [2, 2, 1]
    """
    settings = settings or MatchSettings()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    meaning = read_iddtks_meaning(clean)
    # the matcher's `iddtks` is the person-level one; a family id is co-residence evidence only
    clean = meaning.rows.with_columns(
        pl.col("iddtks").alias("iddtks_raw"), pl.col(IDDTKS_PERSON).alias("iddtks")
    )
    features = build_features(mark_shared_niks(clean))
    lap("features_s")
    candidates, reports = candidate_pairs(features, settings.blocking_rules)
    decided = (
        decision_row_pairs(decisions if decisions is not None else pl.DataFrame(), features)
        if decisions is not None and decisions.height
        else pl.DataFrame(
            schema={PAIR_L: pl.UInt32, PAIR_R: pl.UInt32, "review_decision": pl.String}
        )
    )
    extra = decided.join(candidates, on=[PAIR_L, PAIR_R], how="anti").select(
        PAIR_L, PAIR_R, pl.lit("review_decision").alias("blocking_rule")
    )
    voided = voided_decisions(
        decisions, features, lambda: legacy_record_keys(clean["iddtks_raw"], clean["iddtks"])
    )
    requeue = (
        voided.pairs.join(
            pl.concat([candidates, extra]).select(PAIR_L, PAIR_R), on=[PAIR_L, PAIR_R], how="anti"
        )
        .join(decided.select(PAIR_L, PAIR_R), on=[PAIR_L, PAIR_R], how="anti")
        .with_columns(pl.lit(VOIDED_DECISION).alias("blocking_rule"))
    )
    pair_ids = pl.concat([candidates, extra, requeue]).join(
        decided, on=[PAIR_L, PAIR_R], how="left"
    )
    pair_ids, conflicts = _sure_nik_conflicts(features, pair_ids)
    lap("blocking_s")
    compared = compare_pairs(features, pair_ids, settings.comparisons, settings.workers)
    lap("comparisons_s")
    params = train(features, settings)
    params, weights = calibrate(params, compared, features.height, settings)
    lap("training_s")
    scored = requeued(
        score_pairs(compared, params, settings, weights), voided.pairs.select(PAIR_L, PAIR_R)
    )
    del weights
    del compared
    scored, queue = rank_and_limit(
        scored,
        features,
        queue_limit(
            features.height, settings.review_pairs_per_100_rows, settings.review_queue_min_pairs
        ),
        settings.queue_full_merge_probability,
    )
    lap("scoring_s")
    labels = _cluster(features.height, scored, conflicts)
    recheck_ids = _unchecked_cluster_pairs(labels, scored, settings.cluster_check_max_size)
    count_rechecked = recheck_ids.height
    if recheck_ids.height:
        recheck = recheck_ids.with_columns(
            pl.lit("cluster_check").alias("blocking_rule"),
            pl.lit(None, dtype=pl.String).alias("review_decision"),
        )
        rechecked = score_pairs(
            compare_pairs(features, recheck, settings.comparisons, settings.workers),
            params,
            settings,
        ).filter(pl.col("is_cannot_link"))
        if rechecked.height:
            rechecked = rechecked.with_columns(
                pl.lit(DISTINCT).alias("decision"), pl.lit(None, pl.UInt32).alias(REVIEW_RANK)
            )
            scored = pl.concat([scored, rechecked], how="vertical_relaxed")
            labels = _cluster(features.height, scored, conflicts)
    big_crossings = _safety_line_in_big_clusters(features, labels, scored, settings)
    if big_crossings.height:
        labels = _cluster(
            features.height, scored, pl.concat([conflicts, big_crossings], how="vertical_relaxed")
        )
    lap("clustering_s")
    clusters = _cluster_ids(features, labels)
    pairs = _output_pairs(features, scored.rename({PAIR_L: f"{ROW_ID}_l", PAIR_R: f"{ROW_ID}_r"}))
    lap("output_s")
    stats = _stats(features, pairs, clusters, reports, params, timings, count_rechecked, decided)
    stats["count_safety_line_pairs_in_big_clusters"] = big_crossings.height
    stats["iddtks"] = meaning.summary()
    stats["count_voided_decisions"] = voided.count
    stats["count_requeued_pairs"] = voided.pairs.height
    stats["review_queue"] = queue.as_dict()
    stats["count_nik_conflict_pairs_not_scored"] = conflicts.height
    return MatchResult(
        pairs=pairs,
        clusters=clusters,
        levels=params.to_table(settings.comparisons),
        stats=stats,
        iddtks_files=meaning.files,
    )


def _stats(
    features: pl.DataFrame,
    pairs: pl.DataFrame,
    clusters: pl.DataFrame,
    reports: list[Any],
    params: Parameters,
    timings: dict[str, float],
    count_rechecked: int,
    decided: pl.DataFrame,
) -> dict[str, Any]:
    """Counts for run metadata: no personal data, only numbers and rule names."""
    decisions = dict(pairs.group_by("decision").len().iter_rows())
    rules_fired = dict(pairs.drop_nulls("hard_rule").group_by("hard_rule").len().iter_rows())
    sizes = clusters.group_by(CLUSTER_ID).len()
    return {
        "count_rows": features.height,
        "count_pairs": pairs.height,
        "blocking": [asdict(r) for r in reports],
        "capped_blocks": {r.rule: r.count_capped_blocks for r in reports if r.count_capped_blocks},
        "decisions": {k: decisions.get(k, 0) for k in (MERGED, REVIEW, DISTINCT)},
        "hard_rules_fired": rules_fired,
        "count_needs_confirmation": int(pairs["needs_confirmation"].sum()),
        "count_review_decisions": decided.height,
        "count_cluster_check_pairs": count_rechecked,
        "count_clusters": sizes.height,
        "count_clusters_multi_row": int((sizes["len"] > 1).sum()),
        "largest_cluster": int(sizes["len"].max() or 0),
        "em": {
            "prior": params.prior,
            "candidate_match_share": params.candidate_match_share,
            "iterations": params.em_iterations,
            "training_blocks": params.training,
            "contexts": sorted(params.u_context),
        },
        "timings": {**timings, "total_s": round(sum(timings.values()), 3)},
    }
