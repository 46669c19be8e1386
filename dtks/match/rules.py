"""Hard safety rules that override the score: they keep two real people from being merged.

Each rule is a named predicate over a scored pair (features ``*_l``/``*_r`` and the level
columns ``level_<comparison>``) and the decision it forces:

- ``safety_line`` -> distinct, cannot-link: the two rows differ in two of sex, birth date and
  name (`dtks.match.safety`), whatever identifiers they share. It outranks every other rule
  and clerks' decisions too: no published person may cross it.
- ``nik_conflict`` -> distinct: both rows carry a well-formed NIK (valid, not truncated by
  Excel) that agrees with its own typed birth date, and the NIKs differ.
- ``nik_one_digit`` -> merged, needs confirmation: the exception to ``nik_conflict`` when the
  NIKs differ by one digit or one adjacent swap and everything else agrees: sex, mother's name,
  birth date and name, and KK, village or IDDTKS (or, for someone who moved, the evidence
  without the NIK is enough to merge on its own). A typo in the serial (last 4 digits), where
  twins' NIKs differ too, needs the same name up to spelling and a real birth date (not a
  placeholder such as 01-01) unless the KK or IDDTKS is the same; a typo in the region or
  date part allows a respelled name, or a new name after the hajj within one KK or IDDTKS.
- ``parent_child_same_household`` -> distinct: same KK, relationships of different generations
  (a father and a son who share a name are two people), unless the two rows carry the same
  well-formed NIK or IDDTKS or the same real birth date: then the relationship column is wrong
  (a second "KEPALA KELUARGA" in one KK), not the person.
- ``two_heads_different_households`` -> review: both are heads of families with different KK
  numbers at the same time. When the same well-formed NIK or IDDTKS, or the same name, real
  birth date and mother's name, confirm it is one person listed twice (moved and
  re-registered), the merge stands but is flagged for confirmation, so a clerk still
  reviews it.

Clerks' decisions (must-link / cannot-link) outrank every rule but the safety line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dtks.match.comparisons import HOUSEHOLD, Comparison
from dtks.match.safety import crosses_expr

MERGED = "merged"
# Column the scorer adds: the evidence without the NIK comparison alone reaches the merge threshold.
DECISIVE_WITHOUT_NIK = "is_decisive_without_nik"
REVIEW = "review"
DISTINCT = "distinct"
# The first rule, which nothing overrides, not even a clerk's "sama" (see `dtks.match.safety`).
SAFETY_LINE = "safety_line"


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
    label_id: str = ""  # the rule for clerks, in Bahasa Indonesia (review workbook)


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
    same_kk = level_is(comparisons, HOUSEHOLD, "same_kk_same_rt", "same_kk")
    kk_or_village = (
        same_kk
        | (_l("desa_kode") == _r("desa_kode")).fill_null(False)
        | level_is(comparisons, "iddtks", "exact")
    )
    # One person beyond doubt, whatever the relationship column says: name, a real (not
    # placeholder) birth date and mother's name all agree. A father and son who share a name
    # differ in birth date and mother.
    mother = level_is(comparisons, "nama_ibu", "exact", "sounds_alike", "jaro_winkler>=0.9")
    real_date = level_is(comparisons, "tanggal_lahir", "exact")
    any_date = level_is(comparisons, "tanggal_lahir", "exact", "exact_placeholder")
    same_identity = (
        level_is(comparisons, "nama", "exact", "sounds_alike", "jaro_winkler>=0.95")
        & real_date
        & mother
    )
    # A NIK typo: one digit or one swap apart. Two people born the same day in one region
    # (twins above all: AHMAD and AHMADI) have NIKs that differ only in the serial, so a
    # serial typo needs the same name (up to spelling) and a real birth date (or the same KK).
    # A typo in the region or date part cannot tell two such people apart, so there the name
    # may be respelled, or changed after the hajj within one family card or registry record.
    # The sex must agree: women's NIKs add 40 to the day, so a husband and wife born the same
    # day can be one digit apart.
    same_sex = ~level_is(comparisons, "jenis_kelamin", "else")
    same_iddtks = level_is(comparisons, "iddtks", "exact")
    same_family_record = same_kk | same_iddtks
    region_typo_name = level_is(
        comparisons, "nama", "exact", "sounds_alike", "jaro_winkler>=0.95", "jaro_winkler>=0.88"
    ) | (level_is(comparisons, "nama", "differs_hajji") & same_family_record)
    region_typo = level_is(comparisons, "nik", "one_edit") & region_typo_name & any_date & mother
    # The same IDDTKS (one registry record) vouches for a respelled name in the serial case too.
    serial_typo = (
        level_is(comparisons, "nik", "one_edit_serial")
        & mother
        & (
            (
                level_is(comparisons, "nama", "exact", "sounds_alike")
                & (real_date | (any_date & same_kk))
            )
            | (same_iddtks & region_typo_name & any_date)
        )
    )
    nik_typo = same_sex & (region_typo | serial_typo)
    # "Everything else" is the same person on its own: same KK, village or IDDTKS, or the
    # evidence without the NIK already clears the merge threshold (moved and re-registered).
    everything_else_agrees = nik_typo & (kk_or_village | pl.col(DECISIVE_WITHOUT_NIK))
    kk_known = _l("no_kk").is_not_null() & _r("no_kk").is_not_null()
    two_heads = _l("is_head") & _r("is_head") & kk_known & ~same_kk
    same_record = (_l("nik_ok") & _r("nik_ok") & (_l("nik") == _r("nik"))) | (
        _l("iddtks") == _r("iddtks")
    )
    not_parent_and_child = same_record.fill_null(False) | level_is(
        comparisons, "tanggal_lahir", "exact"
    )
    return [
        HardRule(
            SAFETY_LINE,
            DISTINCT,
            "differ in two of sex, birth date (beyond a day/month swap or one digit) and name "
            "(beyond spelling, abbreviation, titles), or in one with none agreeing: two people, "
            "whatever identifiers they share",
            crosses_expr(comparisons),
            cannot_link=True,
            label_id="berbeda di dua dari jenis kelamin, tanggal lahir dan nama: dua orang, "
            "walaupun IDDTKS/NIK/KK sama",
        ),
        HardRule(
            "nik_one_digit",
            MERGED,
            "NIKs differ by one digit or one swap; name, birth date, mother and KK/village/IDDTKS agree",
            niks_differ & everything_else_agrees,
            needs_confirmation=True,
            label_id="NIK berbeda satu angka (atau dua angka tertukar), data lain sama: "
            "pastikan salah ketik NIK",
        ),
        HardRule(
            "nik_conflict",
            DISTINCT,
            "two different well-formed NIKs, each agreeing with its birth date",
            niks_differ,
            cannot_link=True,
            label_id="dua NIK lengkap yang berbeda, masing-masing cocok dengan tanggal lahirnya",
        ),
        HardRule(
            "parent_child_same_household",
            DISTINCT,
            "same KK, relationships of different generations (parent and child)",
            same_kk & (_l("generation") != _r("generation")) & ~not_parent_and_child,
            cannot_link=True,
            label_id="satu KK, hubungan keluarga beda generasi (orang tua dan anak)",
        ),
        HardRule(
            "two_heads_same_record",
            MERGED,
            "heads of two families with different KK numbers, same well-formed NIK or IDDTKS, "
            "or same name, birth date and mother: confirm",
            two_heads & (same_record.fill_null(False) | same_identity),
            only_if_merged=True,
            needs_confirmation=True,
            label_id="kepala keluarga di dua KK berbeda dengan NIK/IDDTKS sama, atau nama, "
            "tanggal lahir dan ibu kandung sama: pastikan orang yang sama (pindah?)",
        ),
        HardRule(
            "two_heads_different_households",
            REVIEW,
            "both heads of families with different KK numbers",
            two_heads,
            only_if_merged=True,
            cannot_link=True,
            label_id="keduanya kepala keluarga di KK yang berbeda: orang yang sama yang pindah, "
            "atau dua orang?",
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
