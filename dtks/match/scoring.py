"""Fellegi-Sunter scoring: u from random pairs, m by EM on training blocks, term frequencies, contexts.

For each comparison level, m = P(level | same person) and u = P(level | different people).
A pair's match weight is log2(prior odds) + the sum of log2(m/u) over its comparisons; for
exact levels with a term-frequency column the u of the level is replaced by how common the
value is, so two "SITI AMINAH" or two 01-01-1970 birth dates count for less than a rare name
or date. Null levels weigh 0.

- u is estimated from uniformly random pairs of rows (almost all are different people).
- m is estimated by expectation-maximisation, u held fixed, on several training blocks
  (pairs with the same NIK; the same birth date and name; ...); a block never estimates the
  m of the comparisons it was built on (they agree by construction), as in Splink.
- Context: within one family card (KK) people share mother, address and birth place without
  being one person (siblings, spouses), so for pairs with the same KK the u of the other
  comparisons is estimated among random pairs of the same KK (`Parameters.u_context`).
- The prior (chance that two random rows are one person) is the fixed point of
  expected matches among the candidates = prior x all pairs (`estimate_prior`).

EM runs on the distinct level patterns with their counts, so it costs nothing at a million rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from dtks.match.comparisons import Comparison


@dataclass(frozen=True)
class Parameters:
    """Trained parameters: per comparison, m and u of each level; the prior among candidates."""

    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # probability that two random rows are the same person
    em_iterations: int
    candidate_match_share: float = 0.0  # share of matches among the candidate pairs
    # u of some comparisons in a context (e.g. "same_kk": pairs of one family card)
    u_context: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    training: list[dict[str, Any]] = field(default_factory=list)  # per training block

    def weights(self, comparison: Comparison, context: str | None = None) -> list[float]:
        """log2(m/u) of each level of ``comparison`` (0 for null levels), capped to be monotone.

        Levels are ordered strongest first, so a weaker level never weighs more than a stronger
        one (thin data can make e.g. a fuzzy name look rarer than an exact one). With
        ``context``, the u of that context is used when it has one for this comparison.
        """
        m = self.m[comparison.name]
        u = self.u_context.get(context or "", {}).get(comparison.name) or self.u[comparison.name]
        weights, ceiling = [], float("inf")
        for i, level in enumerate(comparison.levels):
            if level.is_null or level.neutral:
                weights.append(0.0)
                continue
            raw = float(np.log2(m[i] / u[i]))
            if not level.monotone:
                weights.append(raw)
                continue
            weight = min(raw, ceiling)
            ceiling = weight
            weights.append(weight)
        return weights

    def to_table(self, comparisons: Sequence[Comparison]) -> pl.DataFrame:
        """One row per comparison level: name, code, labels, m, u, weight (for reports).

        Per context (e.g. ``same_kk``) a column ``match_weight_<context>`` gives the weight of
        the level for pairs in that context (null where the context does not change it).
        """
        rows = []
        for comparison in comparisons:
            contexts = {
                name: self.weights(comparison, name) if comparison.name in u else None
                for name, u in self.u_context.items()
            }
            for i, (level, weight) in enumerate(
                zip(comparison.levels, self.weights(comparison), strict=True)
            ):
                row = {
                    "comparison": comparison.name,
                    "level": i,
                    "code": level.code,
                    "label": level.label,
                    "label_id": level.label_id or level.label,
                    "m": self.m[comparison.name][i],
                    "u": self.u[comparison.name][i],
                    "match_weight": weight,
                    "tf_adjusted": level.tf_column is not None,
                }
                for name, weights in contexts.items():
                    row[f"match_weight_{name}"] = None if weights is None else weights[i]
                rows.append(row)
        return pl.DataFrame(rows, infer_schema_length=None)


def random_pairs(count_rows: int, count_pairs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count_pairs`` uniformly random pairs of distinct rows (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, count_rows, size=count_pairs, dtype=np.int64)
    offset = rng.integers(1, count_rows, size=count_pairs, dtype=np.int64)
    right = (left + offset) % count_rows
    return left.astype(np.uint32), right.astype(np.uint32)


# Prior u of a level by its code, for small inputs (a village of a few hundred rows cannot
# estimate them); at kecamatan scale the random-pair counts outweigh these pseudo-counts.
PRIOR_U_BY_CODE: dict[str, float] = {
    "exact": 0.005,
    "exact_placeholder": 0.002,
    "first_15_truncated": 1e-5,
    "one_edit": 1e-5,
    "one_edit_serial": 1e-4,
    "sounds_alike": 0.001,
    "differs_hajji": 0.03,
    "jaro_winkler>=0.95": 0.003,
    "jaro_winkler>=0.9": 0.005,
    "jaro_winkler>=0.88": 0.01,
    "words_contained": 0.01,
    "jaro_winkler>=0.75": 0.05,
    "day_month_swapped": 0.0003,
    "nik_date": 0.0003,
    "one_digit": 0.002,
    "same_year_placeholder": 0.005,
    "within_1_year": 0.03,
    "same_rt": 0.01,
    "same_dusun": 0.03,
}
PRIOR_U_BY_COMPARISON: dict[tuple[str, str], float] = {
    ("nik", "exact"): 1e-6,
    ("iddtks", "exact"): 1e-6,
    ("no_kk", "exact"): 5e-4,
    ("jenis_kelamin", "exact"): 0.5,
    ("desa", "exact"): 0.08,
    ("tempat_lahir", "exact"): 0.2,
}


def prior_u(comparison: Comparison) -> list[float]:
    """Prior u per level (null levels 1.0); the else level takes what the others leave."""
    values = [
        PRIOR_U_BY_COMPARISON.get((comparison.name, lv.code), PRIOR_U_BY_CODE.get(lv.code, 0.01))
        for lv in comparison.levels
    ]
    non_null = [i for i, lv in enumerate(comparison.levels) if not lv.is_null]
    last = non_null[-1]
    rest = sum(values[i] for i in non_null if i != last)
    values[last] = max(1.0 - rest, 0.05)
    total = sum(values[i] for i in non_null)
    return [1.0 if lv.is_null else values[i] / total for i, lv in enumerate(comparison.levels)]


def random_pairs_within(
    groups: np.ndarray, rounds: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random pairs of distinct rows sharing a group label (nulls excluded: label < 0).

    Each row of a group with 2+ rows is paired ``rounds`` times with a random other member.
    """
    rng = np.random.default_rng(seed)
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    keep = sorted_groups >= 0
    order, sorted_groups = order[keep], sorted_groups[keep]
    if len(order) < 2:
        return np.zeros(0, np.uint32), np.zeros(0, np.uint32)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    start_of = np.repeat(starts, sizes)
    size_of = np.repeat(sizes, sizes)
    multi = size_of > 1
    pos = np.arange(len(order))[multi]
    start_of, size_of = start_of[multi], size_of[multi]
    lefts, rights = [], []
    for _ in range(rounds):
        offset = rng.integers(1, size_of)
        partner = start_of + (pos - start_of + offset) % size_of
        lefts.append(order[pos])
        rights.append(order[partner])
    return np.concatenate(lefts).astype(np.uint32), np.concatenate(rights).astype(np.uint32)


def remove_matches_from_u(
    u: dict[str, list[float]], m: dict[str, list[float]], prior: float, floor: float
) -> dict[str, list[float]]:
    """Random pairs are a mixture (a few are the same person): u = (u_random - prior*m) / (1 - prior)."""
    result = {}
    for name, u_levels in u.items():
        corrected = [
            1.0 if uv == 1.0 and mv == 1.0 else max((uv - prior * mv) / (1 - prior), floor * uv)
            for uv, mv in zip(u_levels, m[name], strict=True)
        ]
        result[name] = corrected
    return result


def estimate_u(
    levels: pl.DataFrame, comparisons: Sequence[Comparison], prior_pairs: float = 2000.0
) -> dict[str, list[float]]:
    """u of each level from the levels of random pairs, with `prior_u` worth ``prior_pairs`` pairs.

    Null levels are excluded from the denominator (u is conditional on both values present).
    """
    result: dict[str, list[float]] = {}
    for comparison in comparisons:
        counts = np.bincount(
            levels[comparison.name].to_numpy(), minlength=len(comparison.levels)
        ).astype(np.float64)
        prior = np.asarray(prior_u(comparison)) * prior_pairs
        non_null = [i for i, lv in enumerate(comparison.levels) if not lv.is_null]
        total = counts[non_null].sum() + prior[non_null].sum()
        u = [
            1.0 if level.is_null else (counts[i] + prior[i]) / total
            for i, level in enumerate(comparison.levels)
        ]
        result[comparison.name] = u
    return result


def initial_m(comparison: Comparison) -> list[float]:
    """Starting m: most mass on the first non-null level, halving down the levels."""
    raw = [0.0 if lv.is_null else 0.5**i for i, lv in enumerate(comparison.levels)]
    total = sum(raw)
    return [1.0 if lv.is_null else r / total for r, lv in zip(raw, comparison.levels, strict=True)]


def _patterns(levels: pl.DataFrame, names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct level combinations (rows of ``names``) and how many pairs have each."""
    grouped = levels.group_by(list(names)).len("count")
    return grouped.select(names).to_numpy().astype(np.int64), grouped["count"].to_numpy()


def estimate_m_em(
    levels: pl.DataFrame,
    comparisons: Sequence[Comparison],
    u: dict[str, list[float]],
    *,
    prior: float = 0.3,
    max_iterations: int = 50,
    tolerance: float = 1e-5,
    fixed_m: dict[str, list[float]] | None = None,
    prior_pairs: float = 20.0,
    fix_u: bool = False,
) -> tuple[dict[str, list[float]], float, int]:
    """m per level and the match share among ``levels`` (pairs) by EM.

    By default EM also fits the pairs' own non-match distribution, starting from ``u``; only m
    is returned: final weights use the random-pair u, the population's.
    The starting m (most mass on the best level) also acts as a prior worth ``prior_pairs``
    pairs, so a tiny input still gets sensible weights (maximum a posteriori EM).
    ``fixed_m`` pins the m of some comparisons. With ``fix_u`` the non-match distribution stays
    the given ``u`` (Splink's way, right when the pairs are a block that does not involve
    these comparisons). Returns (m, match share, iterations).
    """
    names = [c.name for c in comparisons]
    patterns, counts = _patterns(levels, names)
    m = {c.name: list((fixed_m or {}).get(c.name) or initial_m(c)) for c in comparisons}
    u_cand = {c.name: list(u[c.name]) for c in comparisons}
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for k, comparison in enumerate(comparisons):
            log_m += np.log(np.asarray(m[comparison.name])[patterns[:, k]])
            log_u += np.log(np.asarray(u_cand[comparison.name])[patterns[:, k]])
        log_odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))
        weighted = posterior * counts
        unweighted = (1.0 - posterior) * counts
        new_prior = float(weighted.sum() / counts.sum())
        change = abs(new_prior - prior)
        for k, comparison in enumerate(comparisons):
            if not (fixed_m and comparison.name in fixed_m):
                new_m = _level_shares(
                    patterns[:, k], weighted, comparison, initial_m(comparison), prior_pairs
                )
                change = max(
                    change, max(abs(a - b) for a, b in zip(new_m, m[comparison.name], strict=True))
                )
                m[comparison.name] = new_m
            if not fix_u:
                u_cand[comparison.name] = _level_shares(
                    patterns[:, k], unweighted, comparison, u[comparison.name], prior_pairs
                )
        prior = min(max(new_prior, 1e-6), 1 - 1e-6)
        if change < tolerance:
            break
    return m, prior, iteration


def _level_shares(
    level_index: np.ndarray,
    weights: np.ndarray,
    comparison: Comparison,
    pseudo: Sequence[float],
    pseudo_pairs: float,
) -> list[float]:
    """Share of each non-null level in the weighted patterns, with ``pseudo`` worth ``pseudo_pairs``."""
    per_level = np.bincount(level_index, weights=weights, minlength=len(comparison.levels))
    prior = np.asarray(pseudo) * pseudo_pairs
    non_null = [i for i, lv in enumerate(comparison.levels) if not lv.is_null]
    total = per_level[non_null].sum() + prior[non_null].sum()
    return [
        1.0 if lv.is_null else max((per_level[i] + prior[i]) / total, 1e-9)
        for i, lv in enumerate(comparison.levels)
    ]


def match_weights(
    levels: pl.DataFrame,
    comparisons: Sequence[Comparison],
    params: Parameters,
    tf_values: pl.DataFrame,
    contexts: dict[str, pl.Series] | None = None,
    tf_weight_cap: float = 1.0,
) -> pl.DataFrame:
    """Per comparison the weight of the level fired (``w_<name>``) and their sum ``bayes_factor_bits``.

    ``levels`` holds one level index column per comparison; ``tf_values`` the term-frequency
    columns the levels name (``tf_nama_l``...). ``contexts`` maps a context of
    ``params.u_context`` to a boolean mask of the pairs in it; the first context that holds
    for a pair decides the u of the comparisons it conditions.

    Term frequency: on a level with ``tf_column``, the weight becomes log2(m / tf) where tf is
    the share of rows with that value, but never more than ``tf_weight_cap`` bits above the
    level's average weight log2(m/u) (rare values are not over-trusted; common ones are damped).
    """
    columns = []
    active = {name: mask for name, mask in (contexts or {}).items() if name in params.u_context}
    for comparison in comparisons:
        index = levels[comparison.name].cast(pl.UInt32)
        plain = params.weights(comparison)
        weight = pl.Series(plain, dtype=pl.Float64).gather(index)
        level_weight = weight  # the weight of the level before term frequencies
        for name in reversed(list(active)):
            if comparison.name not in params.u_context[name]:
                continue
            in_context = pl.Series(params.weights(comparison, name), dtype=pl.Float64).gather(index)
            level_weight = in_context.zip_with(active[name], level_weight)
        weight = level_weight
        for i, level in enumerate(comparison.levels):
            if level.tf_column is None:
                continue
            m_level = params.m[comparison.name][i]
            tf = tf_values[f"{level.tf_column}_l"]
            tf_weight = (np.log2(m_level) - tf.log(2)).clip(upper_bound=None)
            capped = pl.select(
                pl.min_horizontal(pl.lit(tf_weight), pl.lit(level_weight) + tf_weight_cap)
            ).to_series()
            weight = capped.zip_with(index == i, weight)
        columns.append(weight.alias(f"w_{comparison.name}"))
    frame = pl.DataFrame(columns)
    return frame.with_columns(
        pl.sum_horizontal([f"w_{c.name}" for c in comparisons]).alias("bayes_factor_bits")
    )


def estimate_prior(
    bayes_factor_bits: np.ndarray, total_pairs: int, initial: float = 1e-6, iterations: int = 200
) -> tuple[float, float]:
    """The prior p solving p x total_pairs = sum over candidates of P(match | p, their evidence).

    Blocking finds (nearly) all matches, so the expected matches among the candidates are the
    expected matches among all pairs: the chance that two random rows are one person. Solved
    by fixed-point iteration (EM on the prior alone, m and u held). Returns (prior, share of
    matches among the candidates).
    """
    bits = np.asarray(bayes_factor_bits, dtype=np.float64)
    if total_pairs <= 0 or bits.size == 0:
        return initial, 0.0
    prior = initial
    for _ in range(iterations):
        log_odds = np.log2(prior / (1 - prior)) + bits
        expected = float((1.0 / (1.0 + np.exp2(-np.clip(log_odds, -60, 60)))).sum())
        updated = min(max(expected / total_pairs, 1e-12), 0.5)
        if abs(updated - prior) <= 1e-4 * prior:
            prior = updated
            break
        prior = updated
    return prior, expected / bits.size


def probability(bayes_factor_bits: pl.Expr, prior: float) -> tuple[pl.Expr, pl.Expr]:
    """``match_weight`` (bits, prior included) and ``match_probability`` from the evidence bits."""
    total = bayes_factor_bits + float(np.log2(prior / (1 - prior)))
    return total.alias("match_weight"), (1.0 / (1.0 + (2.0 ** (-total)))).alias("match_probability")
