"""The matcher end to end: features -> blocking -> comparisons -> scoring -> rules -> clusters."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import polars as pl

from dtks.match.blocking import PAIR_L, PAIR_R, BlockingRule, candidate_pairs, default_rules
from dtks.match.clustering import cluster_labels
from dtks.match.comparisons import (
    Comparison,
    all_similarities,
    comparison_levels,
    compute_similarities,
    default_comparisons,
)
from dtks.match.decisions import CANNOT_LINK, MUST_LINK, decision_row_pairs
from dtks.match.features import LINEAGE, PAIR_FEATURES, ROW_ID, build_features
from dtks.match.keys import RECORD_KEY
from dtks.match.rules import (
    DISTINCT,
    MERGED,
    REVIEW,
    HardRule,
    apply_hard_rules,
    default_hard_rules,
    level_is,
)
from dtks.match.scoring import (
    Parameters,
    estimate_m_em,
    estimate_u,
    match_weights,
    random_pairs,
    random_pairs_within,
    remove_matches_from_u,
)

CLUSTER_ID = "cluster_id"


@dataclass(frozen=True)
class MatchSettings:
    """Every knob of the matcher in one place.

    A pair with match probability >= ``merge_probability`` is merged, >= ``review_probability``
    goes to review, else distinct; hard rules and clerks' decisions then override.
    """

    merge_probability: float = 0.995
    review_probability: float = 0.5
    blocking_rules: tuple[BlockingRule, ...] = field(default_factory=lambda: tuple(default_rules()))
    comparisons: tuple[Comparison, ...] = field(
        default_factory=lambda: tuple(default_comparisons())
    )
    hard_rules: tuple[HardRule, ...] | None = None  # None: `default_hard_rules(comparisons)`
    u_sample_pairs: int = 300_000
    em_max_iterations: int = 60
    em_initial_prior: float = 0.3
    # Pairs of these rules are mostly not duplicates: relatives (same KK), or people born on
    # nearby dates (NIKs are region + date + serial 0001.., so one digit apart is common).
    # EM on them learns "same household" or "born close" instead of "same person", so they are
    # scored but not trained on.
    em_exclude_rules: tuple[str, ...] = (
        "same_kk_birth_year",
        "nik_typo_after_region",
        "nik_typo_in_region",
    )
    u_given_same_birth_date: tuple[str, ...] = ("nik",)
    tf_weight_cap: float = 1.0
    cluster_check_max_size: int = 60
    seed: int = 20261130
    workers: int = -1

    def rules(self) -> tuple[HardRule, ...]:
        return (
            self.hard_rules
            if self.hard_rules is not None
            else tuple(default_hard_rules(self.comparisons))
        )


@dataclass
class MatchResult:
    """What `find_duplicates` returns.

    - ``pairs``: one row per scored pair: both rows' ids and lineage (``*_l``/``*_r``),
      ``blocking_rule``, ``match_weight``, ``match_probability``, ``evidence`` (struct: per
      comparison the level code fired, e.g. ``"jaro_winkler>=0.95"``), ``evidence_weights``
      (struct: the bits each added), ``decision`` (merged/review/distinct),
      ``decided_by`` (score/rule/review), ``hard_rule``, ``needs_confirmation``.
    - ``clusters``: every input row (lineage, ``record_key``) -> ``cluster_id`` (the smallest
      record key of its cluster, so stable across runs) and ``cluster_size``.
    - ``levels``: the comparison levels with label, m, u and weight: the legend of ``evidence``.
    - ``stats``: candidate counts per blocking rule, capped blocks, decisions, timings, EM.
    """

    pairs: pl.DataFrame
    clusters: pl.DataFrame
    levels: pl.DataFrame
    stats: dict[str, Any]


def _pair_frame(features: pl.DataFrame, pair_ids: pl.DataFrame) -> pl.DataFrame:
    """The pair ids with every pair feature gathered for both sides (``*_l``, ``*_r``)."""
    feats = features.select(PAIR_FEATURES)
    left = feats.select(pl.all().gather(pair_ids[PAIR_L]).name.suffix("_l"))
    right = feats.select(pl.all().gather(pair_ids[PAIR_R]).name.suffix("_r"))
    extra = pair_ids.drop(PAIR_L, PAIR_R)
    return pl.concat([left, right, extra], how="horizontal")


# Pair features still needed after the levels: by the hard rules and the TF weights.
RULE_FEATURES = (
    ROW_ID,
    "iddtks",
    "nik",
    "nik_ok",
    "nik_agrees_dob",
    "no_kk",
    "generation",
    "is_head",
    "tf_nama",
    "tf_tgl",
    "tf_ibu",
    "tf_tempat",
)


def compare_pairs(
    features: pl.DataFrame,
    pair_ids: pl.DataFrame,
    comparisons: Sequence[Comparison],
    workers: int,
    keep_all: bool = False,
) -> pl.DataFrame:
    """Pair frame with one ``level_<comparison>`` column per comparison.

    Once levels are known, the bulky inputs (names, similarities, address parts) are dropped
    unless ``keep_all``; what the hard rules and term-frequency weights read is kept
    (``RULE_FEATURES``).
    """
    pairs = _pair_frame(features, pair_ids)
    pairs = compute_similarities(pairs, all_similarities(comparisons), workers=workers)
    levels = comparison_levels(pairs, comparisons).select(pl.all().name.prefix("level_"))
    if not keep_all:
        extra = [c for c in pair_ids.columns if c not in (PAIR_L, PAIR_R)]
        kept = [f"{f}_{side}" for f in RULE_FEATURES for side in ("l", "r")]
        pairs = pairs.select(*kept, *extra)
    return pairs.with_columns(levels)


def _levels_only(pairs: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.DataFrame:
    return pairs.select([pl.col(f"level_{c.name}").alias(c.name) for c in comparisons])


def train(
    features: pl.DataFrame,
    candidates: pl.DataFrame,
    comparisons: Sequence[Comparison],
    settings: MatchSettings,
) -> Parameters:
    """u from random pairs of ``features``; m and the prior by EM over the compared ``candidates``.

    The NIK embeds the birth date, so its agreement says little more once the dates agree:
    the u of the comparisons in ``settings.u_given_same_birth_date`` is estimated on random
    pairs born the same day, so the evidence is not counted twice.
    """
    count_rows = features.height
    total_pairs = count_rows * (count_rows - 1) // 2
    sample = max(1, min(settings.u_sample_pairs, total_pairs))
    left, right = random_pairs(count_rows, sample, settings.seed)
    random_ids = pl.DataFrame({PAIR_L: left, PAIR_R: right})
    randoms = compare_pairs(features, random_ids, comparisons, settings.workers)
    u = estimate_u(_levels_only(randoms, comparisons), comparisons)
    conditional = [c for c in comparisons if c.name in settings.u_given_same_birth_date]
    if conditional:
        u.update(_u_given_same_birth_date(features, comparisons, conditional, settings))
    m, share, iterations = estimate_m_em(
        _levels_only(candidates, comparisons),
        comparisons,
        u,
        prior=settings.em_initial_prior,
        max_iterations=settings.em_max_iterations,
    )
    # Blocking finds (nearly) all matches, so expected matches / all pairs is the chance that
    # two random rows are one person: the prior of Fellegi-Sunter, as in Splink.
    expected_matches = max(share * candidates.height, 1.0)
    prior = min(expected_matches / max(total_pairs, 1), 0.5)
    u = remove_matches_from_u(u, m, prior, floor=0.05)
    return Parameters(m=m, u=u, prior=prior, em_iterations=iterations, candidate_match_share=share)


def _u_given_same_birth_date(
    features: pl.DataFrame,
    comparisons: Sequence[Comparison],
    conditional: Sequence[Comparison],
    settings: MatchSettings,
) -> dict[str, list[float]]:
    """u of ``conditional`` comparisons among random pairs born the same day that are surely two people.

    Pairs born the same day are often the same person, so only pairs whose names and mothers'
    names both disagree are kept (names disagree for some true duplicates too, but then the
    mother's name agrees, e.g. a new name after the hajj).
    """
    date_groups = features["tgl"].to_physical().fill_null(-1).to_numpy().astype(np.int64)
    date_groups = np.where(date_groups < 0, -1, date_groups + 1_000_000)
    left, right = random_pairs_within(date_groups, rounds=3, seed=settings.seed + 1)
    if len(left) > settings.u_sample_pairs:  # enough for u; keep the cost flat at any scale
        keep = np.random.default_rng(settings.seed + 2).choice(
            len(left), settings.u_sample_pairs, replace=False
        )
        left, right = left[keep], right[keep]
    if len(left) == 0:
        return {}
    guards = [c for c in comparisons if c.name in ("nama", "nama_ibu")]
    same_day = compare_pairs(
        features,
        pl.DataFrame({PAIR_L: left, PAIR_R: right}),
        [*conditional, *guards],
        settings.workers,
    )
    surely_two = pl.lit(True)
    for guard in guards:
        surely_two = surely_two & level_is(guards, guard.name, "else")
    same_day = same_day.filter(surely_two)
    if same_day.height == 0:
        return {}
    return estimate_u(_levels_only(same_day, conditional), conditional)


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
) -> pl.DataFrame:
    """Weighted and decided pairs (score, then hard rules, then clerks' decisions).

    ``pairs`` come from `compare_pairs` (features, similarities and levels) and carry
    ``blocking_rule`` and ``review_decision`` (null when no clerk decided).
    """
    comparisons = settings.comparisons
    weights = match_weights(
        pairs, _levels_only(pairs, comparisons), comparisons, params, settings.tf_weight_cap
    )
    pairs = pl.concat([pairs, weights], how="horizontal")
    probability = pl.col("match_probability")
    pairs = pairs.with_columns(
        pl.when(probability >= settings.merge_probability)
        .then(pl.lit(MERGED))
        .when(probability >= settings.review_probability)
        .then(pl.lit(REVIEW))
        .otherwise(pl.lit(DISTINCT))
        .alias("decision")
    )
    pairs = apply_hard_rules(pairs, settings.rules())
    one_edit_merge = (pl.col("decision") == MERGED) & level_is(comparisons, "nik", "one_edit")
    review = pl.col("review_decision")
    return pairs.with_columns(
        (pl.col("needs_confirmation") | one_edit_merge).alias("needs_confirmation"),
        pl.when(review.is_not_null())
        .then(pl.lit("review"))
        .when(pl.col("hard_rule").is_not_null())
        .then(pl.lit("rule"))
        .otherwise(pl.lit("score"))
        .alias("decided_by"),
        pl.when(review == MUST_LINK)
        .then(pl.lit(MERGED))
        .when(review == CANNOT_LINK)
        .then(pl.lit(DISTINCT))
        .otherwise(pl.col("decision"))
        .alias("decision"),
        *_evidence_exprs(comparisons),
    ).with_columns(
        (pl.col("is_cannot_link") & review.is_null() | (review == CANNOT_LINK)).alias(
            "is_cannot_link"
        ),
        pl.when(review.is_not_null())
        .then(False)
        .otherwise(pl.col("needs_confirmation"))
        .alias("needs_confirmation"),
    )


def _cluster(count_rows: int, pairs: pl.DataFrame) -> np.ndarray:
    """Cluster label per row from the decided pairs (merged = edge, must-link = +inf edge)."""
    merged = pairs.filter(pl.col("decision") == MERGED)
    weight = np.where(
        (merged["review_decision"] == MUST_LINK).fill_null(False).to_numpy(),
        np.inf,
        merged["match_weight"].to_numpy(),
    )
    cannot = pairs.filter(pl.col("is_cannot_link"))
    return cluster_labels(
        count_rows,
        merged[PAIR_L].to_numpy(),
        merged[PAIR_R].to_numpy(),
        weight,
        cannot[PAIR_L].to_numpy(),
        cannot[PAIR_R].to_numpy(),
    )


def _unchecked_cluster_pairs(
    labels: np.ndarray, scored: pl.DataFrame, max_size: int
) -> pl.DataFrame:
    """All pairs inside clusters of 3..max_size rows that were not scored yet."""
    members = pl.DataFrame({ROW_ID: np.arange(len(labels), dtype=np.uint32), "label": labels})
    members = members.filter(pl.len().over("label").is_between(3, max_size))
    if members.height == 0:
        return pl.DataFrame(schema={PAIR_L: pl.UInt32, PAIR_R: pl.UInt32})
    inside = (
        members.join(members, on="label", suffix="_r")
        .filter(pl.col(ROW_ID) < pl.col(f"{ROW_ID}_r"))
        .select(pl.col(ROW_ID).alias(PAIR_L), pl.col(f"{ROW_ID}_r").alias(PAIR_R))
    )
    return inside.join(scored.select(PAIR_L, PAIR_R), on=[PAIR_L, PAIR_R], how="anti")


def _cluster_ids(features: pl.DataFrame, labels: np.ndarray) -> pl.DataFrame:
    """Every row with ``cluster_id`` = smallest record key of its cluster (ties numbered)."""
    rows = features.select(ROW_ID, *LINEAGE, RECORD_KEY).with_columns(pl.Series("label", labels))
    per_cluster = (
        rows.group_by("label")
        .agg(
            pl.col(RECORD_KEY).min().alias("min_key"),
            pl.col(RECORD_KEY).sort().str.join("|").alias("all_keys"),
            pl.len().alias("cluster_size"),
        )
        .sort("min_key", "all_keys", "label")
        .with_columns(pl.int_range(pl.len()).over("min_key").alias("dup"))
        .with_columns(
            pl.when(pl.col("dup") == 0)
            .then(pl.col("min_key"))
            .otherwise(pl.format("{}~{}", "min_key", pl.col("dup") + 1))
            .alias(CLUSTER_ID)
        )
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

    features = build_features(clean)
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
    pair_ids = pl.concat([candidates, extra]).join(decided, on=[PAIR_L, PAIR_R], how="left")
    lap("blocking_s")
    compared = compare_pairs(features, pair_ids, settings.comparisons, settings.workers)
    lap("comparisons_s")
    training = compared.filter(~pl.col("blocking_rule").is_in(settings.em_exclude_rules))
    params = train(features, training, settings.comparisons, settings)
    del training
    lap("training_s")
    scored = score_pairs(compared, params, settings)
    del compared
    lap("scoring_s")
    labels = _cluster(features.height, scored)
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
            rechecked = rechecked.with_columns(pl.lit(DISTINCT).alias("decision"))
            scored = pl.concat([scored, rechecked], how="vertical_relaxed")
            labels = _cluster(features.height, scored)
    lap("clustering_s")
    clusters = _cluster_ids(features, labels)
    pairs = _output_pairs(features, scored.rename({PAIR_L: f"{ROW_ID}_l", PAIR_R: f"{ROW_ID}_r"}))
    lap("output_s")
    stats = _stats(features, pairs, clusters, reports, params, timings, count_rechecked, decided)
    return MatchResult(
        pairs=pairs, clusters=clusters, levels=params.to_table(settings.comparisons), stats=stats
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
        },
        "timings": {**timings, "total_s": round(sum(timings.values()), 3)},
    }
