"""Pair frames: both rows' features side by side (``*_l`` / ``*_r``), compared into levels."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dtks.match.blocking import PAIR_L, PAIR_R
from dtks.match.comparisons import (
    Comparison,
    all_similarities,
    comparison_levels,
    compute_similarities,
)
from dtks.match.features import PAIR_FEATURES, ROW_ID

# Pair features still needed after the levels: by the hard rules and the TF weights.
RULE_FEATURES = (
    ROW_ID,
    "iddtks",
    "nik",
    "nik_ok",
    "nik_agrees_dob",
    "no_kk",
    "desa_kode",
    "generation",
    "is_head",
    "tf_nama",
    "tf_tgl",
    "tf_ibu",
    "tf_tempat",
    "dob_typed",
    "dob_typed_placeholder",
    "sex_typed",
)


def needed_features(comparisons: Sequence[Comparison]) -> list[str]:
    """The features (without ``_l``/``_r``) the comparisons' levels and similarities read."""
    names = {sim.column for c in comparisons for sim in c.similarities}
    for comparison in comparisons:
        for level in comparison.levels:
            if level.condition is None:
                continue
            for root in level.condition.meta.root_names():
                if root.endswith(("_l", "_r")):
                    names.add(root[:-2])
    return [f for f in PAIR_FEATURES if f in names]


def pair_frame(
    features: pl.DataFrame, pair_ids: pl.DataFrame, columns: Sequence[str] = PAIR_FEATURES
) -> pl.DataFrame:
    """The pair ids with ``columns`` of the features gathered for both sides (``*_l``, ``*_r``)."""
    feats = features.select(columns)
    left = feats.select(pl.all().gather(pair_ids[PAIR_L]).name.suffix("_l"))
    right = feats.select(pl.all().gather(pair_ids[PAIR_R]).name.suffix("_r"))
    extra = pair_ids.drop(PAIR_L, PAIR_R)
    return pl.concat([left, right, extra], how="horizontal")


COMPARE_CHUNK_PAIRS = 500_000  # pairs compared at once: bounds the memory of the string columns


def compare_pairs(
    features: pl.DataFrame,
    pair_ids: pl.DataFrame,
    comparisons: Sequence[Comparison],
    workers: int,
    keep_all: bool = False,
) -> pl.DataFrame:
    """Pair frame with one ``level_<comparison>`` column per comparison.

    Only the features the comparisons read are gathered, in chunks of `COMPARE_CHUNK_PAIRS`
    pairs; once levels are known, what the hard rules and term-frequency weights read is kept
    (``RULE_FEATURES``), or every pair feature with ``keep_all``.
    """
    extra = [c for c in pair_ids.columns if c not in (PAIR_L, PAIR_R)]
    kept = list(PAIR_FEATURES) if keep_all else list(RULE_FEATURES)
    gathered = list(dict.fromkeys([*needed_features(comparisons), *kept]))
    similarities = all_similarities(comparisons)
    chunks = []
    for start in range(0, max(pair_ids.height, 1), COMPARE_CHUNK_PAIRS):
        ids = pair_ids.slice(start, COMPARE_CHUNK_PAIRS)
        pairs = pair_frame(features, ids, [f for f in PAIR_FEATURES if f in gathered])
        pairs = compute_similarities(pairs, similarities, workers=workers)
        levels = comparison_levels(pairs, comparisons).select(pl.all().name.prefix("level_"))
        sides = [f"{f}_{side}" for f in kept for side in ("l", "r")]
        chunks.append(pairs.select(*sides, *extra).with_columns(levels))
    return pl.concat(chunks) if len(chunks) > 1 else chunks[0]


def levels_only(pairs: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.DataFrame:
    """The level columns of ``pairs`` renamed to the comparison names."""
    return pairs.select([pl.col(f"level_{c.name}").alias(c.name) for c in comparisons])
