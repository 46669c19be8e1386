"""Training the Fellegi-Sunter parameters: u from random pairs, m by EM on training blocks, u in context.

The recipe a careful Splink user follows, with two additions the data need:

1. u of every comparison from uniformly random pairs (almost all are two people).
2. The NIK embeds the birth date, so its u is estimated among random pairs born the same day
   (`MatchSettings.u_given_same_birth_date`): agreement on the date is not counted twice.
3. m by EM (u held fixed) on each training block: pairs with the same well-formed NIK, the same
   IDDTKS, the same birth date and name, the same name and mother. A block says nothing about
   the comparisons it was built on (they agree by construction), so each comparison's m is
   the match-weighted mean over the blocks that do not involve it. One EM over all candidates
   would instead learn "born the same day with a similar name", a class far larger than the
   duplicates. An export without NIK, IDDTKS and mother's name leaves the name and the birth
   date untrained by these blocks: fallback blocks (the same birth date; the same name) then
   train each from the other, as a Splink user would.
4. Within one family card (KK) siblings and spouses share mother, address and birth place:
   for pairs with the same KK, the u of those comparisons is estimated among random pairs of
   one KK (`MatchSettings.u_given_same_kk`), so a household is not mistaken for a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from dtks.match.blocking import PAIR_L, PAIR_R, rule_pairs
from dtks.match.comparisons import HOUSEHOLD, Comparison
from dtks.match.pairs import compare_pairs, levels_only
from dtks.match.rules import level_is
from dtks.match.scoring import (
    estimate_m_em,
    estimate_u,
    initial_m,
    random_pairs,
    random_pairs_within,
)
from dtks.match.settings import MIN_EXPECTED_MATCHES, MatchSettings

SAME_KK = "same_kk"  # the context of pairs on one family card


def _sample(left: np.ndarray, right: np.ndarray, limit: int, seed: int) -> pl.DataFrame:
    if len(left) > limit:
        keep = np.random.default_rng(seed).choice(len(left), limit, replace=False)
        left, right = left[np.sort(keep)], right[np.sort(keep)]
    return pl.DataFrame({PAIR_L: left.astype(np.uint32), PAIR_R: right.astype(np.uint32)})


def estimate_u_all(
    features: pl.DataFrame, comparisons: Sequence[Comparison], settings: MatchSettings
) -> dict[str, list[float]]:
    """u of every comparison from random pairs; the NIK's among random pairs born the same day."""
    count_rows = features.height
    total_pairs = count_rows * (count_rows - 1) // 2
    sample = max(1, min(settings.u_sample_pairs, total_pairs))
    left, right = random_pairs(count_rows, sample, settings.seed)
    randoms = compare_pairs(
        features, pl.DataFrame({PAIR_L: left, PAIR_R: right}), comparisons, settings.workers
    )
    u = estimate_u(levels_only(randoms, comparisons), comparisons)
    conditional = [c for c in comparisons if c.name in settings.u_given_same_birth_date]
    if conditional:
        u.update(_u_given_same_birth_date(features, comparisons, conditional, settings))
    return u


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
    if len(left) == 0:
        return {}
    guards = [c for c in comparisons if c.name in ("nama", "nama_ibu")]
    same_day = compare_pairs(
        features,
        _sample(left, right, settings.u_sample_pairs, settings.seed + 2),
        [*conditional, *guards],
        settings.workers,
    )
    surely_two = pl.lit(True)
    for guard in guards:
        surely_two = surely_two & level_is(guards, guard.name, "else")
    same_day = same_day.filter(surely_two)
    if same_day.height == 0:
        return {}
    return estimate_u(levels_only(same_day, conditional), conditional)


def u_given_same_kk(
    features: pl.DataFrame, comparisons: Sequence[Comparison], settings: MatchSettings
) -> dict[str, list[float]]:
    """u of the comparisons in ``settings.u_given_same_kk`` among random pairs of one family card.

    Pairs that look like one person listed twice (same NIK or IDDTKS, or similar names with
    close birth dates) are left out, so what remains are relatives: parents, children,
    spouses, siblings.
    """
    conditional = [c for c in comparisons if c.name in settings.u_given_same_kk]
    if not conditional:
        return {}
    codes = features["no_kk"].cast(pl.Categorical).to_physical()
    groups = codes.fill_null(-1).cast(pl.Int64).to_numpy()
    left, right = random_pairs_within(groups, rounds=3, seed=settings.seed + 3)
    if len(left) == 0:
        return {}
    guards = [c for c in comparisons if c.name in ("nik", "iddtks", "nama", "tanggal_lahir")]
    wanted = {c.name: c for c in [*conditional, *guards]}
    family = compare_pairs(
        features,
        _sample(left, right, settings.u_sample_pairs, settings.seed + 4),
        list(wanted.values()),
        settings.workers,
    )
    checks = list(wanted.values())
    same_record = level_is(checks, "nik", "exact") | level_is(checks, "iddtks", "exact")
    similar_person = level_is(
        checks, "nama", "exact", "jaro_winkler>=0.95", "jaro_winkler>=0.88", "words_contained"
    ) & ~level_is(checks, "tanggal_lahir", "within_1_year", "else")
    relatives = family.filter(~(same_record | similar_person))
    if relatives.height < 50:  # too few families to say anything
        return {}
    return estimate_u(levels_only(relatives, conditional), conditional)


def estimate_m_by_blocks(
    features: pl.DataFrame,
    comparisons: Sequence[Comparison],
    u: dict[str, list[float]],
    settings: MatchSettings,
) -> tuple[dict[str, list[float]], list[dict[str, Any]]]:
    """m of every comparison: EM with u fixed on each training block, match-weighted mean.

    Returns m and, per block, its pair count, EM's match share and the comparisons it trained.
    """
    sums: dict[str, np.ndarray] = {}
    weights: dict[str, float] = {}
    report = []
    blocks = sorted(enumerate(settings.training_blocks), key=lambda item: item[1].fallback)
    for index, block in blocks:
        trained = [c for c in comparisons if c.name not in block.excluded]
        if block.fallback:
            thin = {c.name for c in trained if weights.get(c.name, 0.0) < MIN_EXPECTED_MATCHES}
            if not thin:
                continue
        pairs, _ = rule_pairs(features, block.rule)
        if pairs.height == 0:
            continue
        pairs = _sample(
            pairs[PAIR_L].to_numpy(),
            pairs[PAIR_R].to_numpy(),
            settings.em_max_pairs,
            settings.seed + 10 + index,
        )
        compared = levels_only(compare_pairs(features, pairs, trained, settings.workers), trained)
        informative = _informative(compared, trained)
        if len(informative) < 2:
            # EM cannot tell matches from non-matches on one comparison (it would call the
            # pairs that agree on it matches): the block says nothing.
            report.append(
                {"block": block.rule.name, "count_pairs": pairs.height, "skipped": "one comparison"}
            )
            continue
        m, share, iterations = estimate_m_em(
            compared,
            trained,
            u,
            prior=0.5,
            max_iterations=settings.em_max_iterations,
            fix_u=True,
        )
        expected_matches = share * pairs.height
        if block.fallback:  # all comparisons in the model, only the thin ones learnt
            trained = [c for c in trained if c.name in thin]
        for comparison in trained:
            sums[comparison.name] = sums.get(
                comparison.name, np.zeros(len(comparison.levels))
            ) + expected_matches * np.asarray(m[comparison.name])
            weights[comparison.name] = weights.get(comparison.name, 0.0) + expected_matches
        report.append(
            {
                "block": block.rule.name,
                "count_pairs": pairs.height,
                "match_share": round(share, 4),
                "em_iterations": iterations,
                "trained": [c.name for c in trained],
            }
        )
    m_all = {}
    for comparison in comparisons:
        total = weights.get(comparison.name, 0.0)
        # a comparison no block could train keeps its starting m
        values = sums[comparison.name] / total if total > 0 else initial_m(comparison)
        m_all[comparison.name] = floor_m(comparison, values, settings.m_floor)
    return m_all, report


# A comparison informs EM in a block when at least this share of its pairs has both values.
MIN_KNOWN_SHARE = 0.05


def _informative(levels: pl.DataFrame, comparisons: Sequence[Comparison]) -> list[str]:
    """The comparisons with both values known on at least `MIN_KNOWN_SHARE` of the pairs."""
    names = []
    for comparison in comparisons:
        null = [i for i, level in enumerate(comparison.levels) if level.is_null]
        known = levels.height - int(levels[comparison.name].is_in(null).sum())
        if levels.height and known / levels.height >= MIN_KNOWN_SHARE:
            names.append(comparison.name)
    return names


def floor_m(comparison: Comparison, values: Sequence[float], floor: float) -> list[float]:
    """m with every non-null level at least ``floor``, renormalised.

    A sample that never shows a defect (no duplicate ever changed its birth date completely)
    would otherwise learn that the defect never happens and weigh it as near-proof of two
    people; real exports have defects our sample lacks. ``floor`` is the least share of
    duplicates we assume any level can hold.
    """
    non_null = [i for i, level in enumerate(comparison.levels) if not level.is_null]
    raised = np.asarray(values, dtype=np.float64).copy()
    raised[non_null] = np.maximum(raised[non_null], floor)
    raised[non_null] /= raised[non_null].sum()
    return [1.0 if level.is_null else float(raised[i]) for i, level in enumerate(comparison.levels)]


def household_context(comparisons: Sequence[Comparison], levels: pl.DataFrame) -> pl.Series:
    """Mask of the pairs (rows of ``levels``) on one family card: the context ``same_kk``."""
    if HOUSEHOLD not in levels.columns:
        return pl.Series(SAME_KK, [False] * levels.height)
    comparison = next(c for c in comparisons if c.name == HOUSEHOLD)
    indices = [
        i for i, code in enumerate(comparison.codes) if code in ("same_kk_same_rt", "same_kk")
    ]
    return levels[HOUSEHOLD].is_in(indices).alias(SAME_KK)
