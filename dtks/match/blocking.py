"""Blocking: small named rules that each propose candidate pairs by equal keys, with caps on huge blocks.

A rule is a list of key expressions over the feature frame (`dtks.match.features`); two rows
are a candidate pair when every key is non-null and equal. A key may be list-valued
(``explode=True``): then rows are paired when they share any element (used for the NIK
one-digit and transposition neighbourhoods). Blocks larger than the rule's cap (e.g. the
placeholder date 01-01-1970 with names starting "SIT") are skipped and reported, never compared
all-pairs; the finer rules that follow still catch the true duplicates inside them.

>>> rule = block_on("nama_key", pl.col("tgl").dt.year(), name="name_year", cap=100)
>>> rule.name
'name_year'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from dtks.match.features import ROW_ID

PAIR_L = "row_id_l"
PAIR_R = "row_id_r"


@dataclass(frozen=True)
class BlockingRule:
    """Rows with equal, non-null ``keys`` are candidate pairs; blocks above ``cap`` rows are skipped."""

    name: str
    keys: tuple[pl.Expr, ...]
    description: str = ""
    cap: int = 100
    explode: bool = False


def block_on(
    *keys: str | pl.Expr,
    name: str | None = None,
    cap: int = 100,
    description: str = "",
    explode: bool = False,
) -> BlockingRule:
    """A rule pairing rows that agree on every key: ``block_on("tgl", "nama3")``."""
    exprs = tuple(pl.col(k) if isinstance(k, str) else k for k in keys)
    label = name or "+".join(k if isinstance(k, str) else str(k) for k in keys)
    return BlockingRule(label, exprs, description or f"same {label}", cap, explode)


@dataclass(frozen=True)
class BlockingReport:
    """What one rule did: rows keyed, pairs found, new pairs, and the blocks it skipped."""

    rule: str
    count_pairs: int
    count_new_pairs: int
    count_capped_blocks: int
    count_rows_in_capped_blocks: int
    largest_capped_block: int


def _nik_digit(position: int) -> pl.Expr:
    """Digit at 0-based ``position`` of the 16-digit NIK, as UInt64."""
    return (pl.col("nik_int") // (10 ** (15 - position))) % 10


def nik_one_digit_keys() -> pl.Expr:
    """List of 16 keys per NIK, each with one position blanked: equal keys = at most one digit differs.

    Key = (NIK with the digit at p set to 0) * 16 + p, so keys of different positions never collide.
    """
    variants = [(pl.col("nik_int") - _nik_digit(p) * (10 ** (15 - p))) * 16 + p for p in range(16)]
    return pl.concat_list(variants)


def nik_transposition_keys() -> pl.Expr:
    """List of 15 keys per NIK, each with digits p and p+1 put in ascending order.

    Two NIKs that differ by swapping two adjacent digits share the key of that position.
    """
    variants = []
    for p in range(15):
        hi_scale, lo_scale = 10 ** (15 - p), 10 ** (14 - p)
        a, b = _nik_digit(p), _nik_digit(p + 1)
        low = pl.min_horizontal(a, b)
        high = pl.max_horizontal(a, b)
        rest = pl.col("nik_int") - a * hi_scale - b * lo_scale
        variants.append((rest + low * hi_scale + high * lo_scale) * 16 + p)
    return pl.concat_list(variants)


def default_rules() -> list[BlockingRule]:
    """The blocking rules of the matcher, strongest first (a pair is labelled by the first that finds it).

    NIK typos (one digit, two adjacent digits swapped) are found by two cheap rules: same birth
    date, sex and NIK region (a typo in the NIK's date or serial), or same birth date, NIK
    date+serial and name start (a typo in the region). (`nik_one_digit_keys` /
    `nik_transposition_keys` give exact one-edit neighbourhoods without the birth date, at 31
    keys per row: too costly for a kabupaten.) Excel truncation keeps the first 15 digits, so
    the truncated and the full NIK meet on those plus the name start.
    """
    return [
        block_on("iddtks", name="same_iddtks", cap=20, description="same IDDTKS"),
        block_on("nik", name="same_nik", cap=30, description="same NIK"),
        block_on(
            "nik15",
            "nama3",
            name="nik_first_15",
            cap=30,
            description="NIK equal on the first 15 digits (Excel truncation), same name start",
        ),
        block_on(
            "tgl",
            pl.col("nik").str.slice(0, 6),
            "sex",
            name="nik_typo_after_region",
            cap=20,
            description="same birth date, sex and NIK region: a typo in the NIK's date or serial",
        ),
        block_on(
            "tgl",
            pl.col("nik").str.slice(6, 10),
            "nama3",
            name="nik_typo_in_region",
            cap=20,
            description="same birth date, NIK date+serial and name start: a typo in the region",
        ),
        block_on(
            "no_kk",
            "tgl_year",
            name="same_kk_birth_year",
            cap=20,
            description="same KK number and birth year",
        ),
        block_on(
            "tgl",
            "nama3",
            name="birth_date_name_prefix",
            cap=40,
            description="same birth date and name starting with the same 3 letters",
        ),
        block_on(
            "tgl",
            "nama_ibu_key",
            name="birth_date_mother",
            cap=30,
            description="same birth date and same mother's name",
        ),
        block_on(
            "nama_key",
            "tgl_year",
            name="name_birth_year",
            cap=25,
            description="same name and birth year",
        ),
        block_on(
            "nama_key",
            "nama_ibu_key",
            name="name_mother",
            cap=25,
            description="same name and same mother's name",
        ),
        block_on(
            "nama_key",
            "desa_kode",
            name="name_village",
            cap=12,
            description="same name in the same village",
        ),
    ]


def _keyed_rows(features: pl.DataFrame, rule: BlockingRule) -> pl.DataFrame:
    """``row_id`` with the rule's keys ``k0..kn``; rows with a null key dropped."""
    names = [f"k{i}" for i in range(len(rule.keys))]
    keyed = features.select(
        pl.col(ROW_ID), *[e.alias(n) for e, n in zip(rule.keys, names, strict=True)]
    )
    if rule.explode:
        keyed = keyed.explode(names)
    return keyed.drop_nulls(names)


def rule_pairs(features: pl.DataFrame, rule: BlockingRule) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs of one rule (``row_id_l < row_id_r``, unique) and the sizes of the skipped blocks."""
    keyed = _keyed_rows(features, rule)
    names = [c for c in keyed.columns if c != ROW_ID]
    sizes = keyed.group_by(names).len("block_size")
    big = sizes.filter(pl.col("block_size") > rule.cap)
    keyed = keyed.join(sizes.filter(pl.col("block_size") > 1).drop("block_size"), on=names)
    if big.height:
        keyed = keyed.join(big.select(names), on=names, how="anti")
    pairs = (
        keyed.join(keyed, on=names, suffix="_r")
        .filter(pl.col(ROW_ID) < pl.col(f"{ROW_ID}_r"))
        .select(pl.col(ROW_ID).alias(PAIR_L), pl.col(f"{ROW_ID}_r").alias(PAIR_R))
    )
    if rule.explode:
        pairs = pairs.unique()
    return pairs, big.select("block_size")


def candidate_pairs(
    features: pl.DataFrame, rules: Sequence[BlockingRule]
) -> tuple[pl.DataFrame, list[BlockingReport]]:
    """Union of the rules' pairs, each labelled ``blocking_rule`` with the first rule that found it."""
    found: list[pl.DataFrame] = []
    reports: list[BlockingReport] = []
    seen = pl.DataFrame(schema={PAIR_L: pl.UInt32, PAIR_R: pl.UInt32})
    for rule in rules:
        pairs, capped = rule_pairs(features, rule)
        new = pairs.join(seen, on=[PAIR_L, PAIR_R], how="anti") if seen.height else pairs
        seen = pl.concat([seen, new.select(PAIR_L, PAIR_R)])
        found.append(new.with_columns(pl.lit(rule.name).alias("blocking_rule")))
        reports.append(
            BlockingReport(
                rule=rule.name,
                count_pairs=pairs.height,
                count_new_pairs=new.height,
                count_capped_blocks=capped.height,
                count_rows_in_capped_blocks=int(capped["block_size"].sum() or 0),
                largest_capped_block=int(capped["block_size"].max() or 0),
            )
        )
    return pl.concat(found), reports
