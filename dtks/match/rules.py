"""Hard safety rules that override the score: they keep two real people from being merged.

Each rule is a named predicate over a scored pair (features ``*_l``/``*_r`` and the level
columns ``level_<comparison>``) and the decision it forces:

- ``nik_conflict`` -> distinct: both rows carry a well-formed NIK (valid, not truncated by
  Excel) that agrees with its own typed birth date, and the NIKs differ.
- ``nik_one_digit`` -> merged, needs confirmation: the exception to ``nik_conflict`` when the
  NIKs differ by one digit or one adjacent swap and everything else agrees: name, birth date,
  mother's name, and KK, village or IDDTKS.
- ``parent_child_same_household`` -> distinct: same KK, relationships of different generations
  (a father and a son who share a name are two people).
- ``two_heads_different_households`` -> review: both are heads of families with different KK
  numbers at the same time. When the same well-formed NIK confirms it is one person listed
  twice (moved and re-registered), or the same IDDTKS does, the merge stands but is flagged for confirmation, so a
  clerk still reviews it in the fix list.

Clerks' decisions (must-link / cannot-link) outrank every rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dtks.match.comparisons import Comparison

MERGED = "merged"
REVIEW = "review"
DISTINCT = "distinct"


@dataclass(frozen=True)
class HardRule:
    """A named safety rule: when ``condition`` holds, the pair's decision becomes ``decision``."""

    name: str
    decision: str
    description: str
    condition: pl.Expr
    only_if_merged: bool = False  # the rule demotes a merge, it does not touch other decisions
    needs_confirmation: bool = False
    cannot_link: bool = False  # the two rows must not end up in one cluster through others


def level_is(comparisons: Sequence[Comparison], name: str, *codes: str) -> pl.Expr:
    """True where comparison ``name`` fired one of the levels ``codes``."""
    comparison = next(c for c in comparisons if c.name == name)
    unknown = set(codes) - set(comparison.codes)
    if unknown:
        raise ValueError(f"comparison {name!r} has no level(s) {sorted(unknown)}")
    indices = [i for i, code in enumerate(comparison.codes) if code in codes]
    return pl.col(f"level_{name}").is_in(indices)


def _l(column: str) -> pl.Expr:
    return pl.col(f"{column}_l")


def _r(column: str) -> pl.Expr:
    return pl.col(f"{column}_r")


def default_hard_rules(comparisons: Sequence[Comparison]) -> list[HardRule]:
    """The safety rules, in precedence order (the first that holds decides)."""
    both_trusted = _l("nik_ok") & _r("nik_ok") & _l("nik_agrees_dob") & _r("nik_agrees_dob")
    niks_differ = both_trusted & (_l("nik") != _r("nik"))
    everything_else_agrees = (
        level_is(comparisons, "nik", "one_edit")
        & level_is(comparisons, "nama", "exact", "jaro_winkler>=0.95")
        & level_is(comparisons, "tanggal_lahir", "exact", "exact_placeholder")
        & level_is(comparisons, "nama_ibu", "exact", "jaro_winkler>=0.9")
        & (
            level_is(comparisons, "no_kk", "exact")
            | level_is(comparisons, "desa", "exact")
            | level_is(comparisons, "iddtks", "exact")
        )
    )
    same_kk = _l("no_kk") == _r("no_kk")
    two_heads = _l("is_head") & _r("is_head") & (_l("no_kk") != _r("no_kk"))
    same_record = (_l("nik_ok") & _r("nik_ok") & (_l("nik") == _r("nik"))) | (
        _l("iddtks") == _r("iddtks")
    )
    return [
        HardRule(
            "nik_one_digit",
            MERGED,
            "NIKs differ by one digit or one swap; name, birth date, mother and KK/village/IDDTKS agree",
            niks_differ & everything_else_agrees,
            needs_confirmation=True,
        ),
        HardRule(
            "nik_conflict",
            DISTINCT,
            "two different well-formed NIKs, each agreeing with its birth date",
            niks_differ,
            cannot_link=True,
        ),
        HardRule(
            "parent_child_same_household",
            DISTINCT,
            "same KK, relationships of different generations (parent and child)",
            same_kk & (_l("generation") != _r("generation")),
            cannot_link=True,
        ),
        HardRule(
            "two_heads_same_record",
            MERGED,
            "heads of two families with different KK numbers, same well-formed NIK or IDDTKS: confirm",
            two_heads & same_record.fill_null(False),
            only_if_merged=True,
            needs_confirmation=True,
        ),
        HardRule(
            "two_heads_different_households",
            REVIEW,
            "both heads of families with different KK numbers",
            two_heads,
            only_if_merged=True,
            cannot_link=True,
        ),
    ]


def apply_hard_rules(pairs: pl.DataFrame, rules: Sequence[HardRule]) -> pl.DataFrame:
    """``pairs`` (with ``decision`` from the score) with rules applied.

    Adds ``hard_rule`` (name of the rule that fired, null if none), ``needs_confirmation``
    and ``is_cannot_link`` (the rows must not share a cluster), and rewrites ``decision``.
    """
    fired: pl.Expr = pl.lit(None, dtype=pl.String)
    for rule in reversed(rules):
        applies = rule.condition.fill_null(False)
        if rule.only_if_merged:
            applies = applies & (pl.col("decision") == MERGED)
        fired = pl.when(applies).then(pl.lit(rule.name)).otherwise(fired)
    pairs = pairs.with_columns(fired.alias("hard_rule"))
    by_name = {rule.name: rule for rule in rules}
    decision_of = {name: rule.decision for name, rule in by_name.items()}
    confirm = [name for name, rule in by_name.items() if rule.needs_confirmation]
    cannot = [name for name, rule in by_name.items() if rule.cannot_link]
    return pairs.with_columns(
        pl.col("hard_rule")
        .replace_strict(decision_of, default=pl.col("decision"), return_dtype=pl.String)
        .alias("decision"),
        pl.col("hard_rule").is_in(confirm).fill_null(False).alias("needs_confirmation"),
        pl.col("hard_rule").is_in(cannot).fill_null(False).alias("is_cannot_link"),
    )
