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


# A key that is null for rows with a trusted NIK: rules holding it pair only rows without one.
WITHOUT_TRUSTED_NIK = pl.when(~pl.col("nik_ok").fill_null(False)).then(pl.lit(True))


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

    NIK typos (one digit, two adjacent digits swapped) are found by cheap rules: same birth
    date, sex and NIK region (a typo in the NIK's date or serial), or same birth date, NIK
    date+serial and name start (a typo in the region); and, when the typed birth date is wrong
    too, by either half of the NIK (a single typo leaves one half intact) with the name start.
    (`nik_one_digit_keys` / `nik_transposition_keys` give exact one-edit neighbourhoods at 31
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
            pl.col("nik").str.slice(0, 8),
            "nama_key",
            pl.col("nama_ibu_key").str.slice(0, 3),
            name="nik_first_half",
            cap=30,
            description="same NIK region and birth day, same name, mother's name starting "
            "alike: a typo in the NIK's second half, whatever the typed birth date says",
        ),
        block_on(
            pl.col("nik").str.slice(8, 8),
            "nama_key",
            name="nik_second_half",
            cap=30,
            description="same NIK birth month, year and serial, same name: a typo in the "
            "NIK's first half, whatever the typed birth date says",
        ),
        block_on(
            "no_kk",
            "tgl_year",
            name="same_kk_birth_year",
            cap=20,
            description="same KK number and birth year",
        ),
        block_on(
            "no_kk",
            "nama_key",
            name="same_kk_name",
            cap=20,
            description="same KK number and name (a birth date missing on one row)",
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
            "tgl",
            pl.col("nama_ibu_key").str.slice(0, 3),
            "sex",
            name="birth_date_mother_prefix",
            cap=30,
            description="same birth date and sex, mother's name starting with the same 3 letters "
            "(a new name after the hajj and a respelled mother)",
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
        # Without NIK, KK and mother (an export of names, dates and addresses), a duplicate
        # with a typo in both its name and its birth date is found by one name word and the
        # birth year, or by its address. Only rows without a trusted NIK are paired here (the
        # key `WITHOUT_TRUSTED_NIK` is null on the others): a row with one is found by the
        # NIK rules and the rules above.
        block_on(
            pl.col("nama_key").str.extract(r"^(\S+)"),
            "tgl_year",
            WITHOUT_TRUSTED_NIK,
            name="first_name_word_birth_year",
            cap=25,
            description="no trusted NIK; same first word of the name and birth year",
        ),
        block_on(
            pl.col("nama_key").str.extract(r"(\S+)$"),
            "tgl_year",
            WITHOUT_TRUSTED_NIK,
            name="last_name_word_birth_year",
            cap=25,
            description="no trusted NIK; same last word of the name and birth year",
        ),
        block_on(
            "nama_key",
            WITHOUT_TRUSTED_NIK,
            name="same_name",
            cap=12,
            description="no trusted NIK; same name, where few rows share it (birth dates "
            "missing, or far apart)",
        ),
        block_on(
            pl.col("alamat_key").str.extract(r"^(\S+ \S+)"),
            WITHOUT_TRUSTED_NIK,
            name="address_start",
            cap=10,
            description="no trusted NIK; same first two words of the address line (ALAMAT), "
            "where few rows share them",
        ),
        block_on(
            "alamat_key",
            WITHOUT_TRUSTED_NIK,
            name="same_address_text",
            cap=10,
            description="no trusted NIK; same address line (ALAMAT), where few rows share it",
        ),
        block_on(
            "tgl",
            WITHOUT_TRUSTED_NIK,
            name="same_birth_date",
            cap=10,
            description="no trusted NIK; same birth date, where rare",
        ),
    ]


def _keyed_rows(features: pl.DataFrame, rule: BlockingRule) -> pl.DataFrame:
    """``row_id`` with one 64-bit ``block`` hash of the rule's keys; rows with a null key dropped.

    Hashing makes grouping and joining a million rows cheap; two blocks that collide only
    yield extra candidate pairs, which the comparisons then score as different people.
    """
    names = [f"k{i}" for i in range(len(rule.keys))]
    keyed = features.select(
        pl.col(ROW_ID), *[e.alias(n) for e, n in zip(rule.keys, names, strict=True)]
    )
    if rule.explode:
        keyed = keyed.explode(names)
    return keyed.drop_nulls(names).select(
        ROW_ID, pl.struct(names).hash(seed=len(names)).alias("block")
    )


def rule_pairs(features: pl.DataFrame, rule: BlockingRule) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs of one rule (``row_id_l < row_id_r``, unique) and the sizes of the skipped blocks."""
    keyed = _keyed_rows(features, rule).with_columns(pl.len().over("block").alias("block_size"))
    big = (
        keyed.filter(pl.col("block_size") > rule.cap)
        .group_by("block")
        .agg(pl.col("block_size").first())
    )
    keyed = keyed.filter(pl.col("block_size").is_between(2, rule.cap)).drop("block_size")
    pairs = (
        keyed.join(keyed, on="block", suffix="_r")
        .filter(pl.col(ROW_ID) < pl.col(f"{ROW_ID}_r"))
        .select(pl.col(ROW_ID).alias(PAIR_L), pl.col(f"{ROW_ID}_r").alias(PAIR_R))
    )
    if rule.explode:
        pairs = pairs.unique()
    return pairs, big.select("block_size")


# Row ids of a pair packed into one unsigned 64-bit key: grouping and sorting one integer
# column is several times cheaper than two (1M rows: about 10M candidate pairs).
_ROW_SPAN = 1 << 28  # row ids below this fit; the rule index goes above both


def _first_rule_of_each_pair(every: pl.DataFrame) -> pl.DataFrame:
    """Each pair of ``every`` once, with the smallest ``rule_index`` that found it, ordered by
    rule, then left and right row id (the order does not depend on how the rules ran)."""
    if every.height and max(every[PAIR_L].max(), every[PAIR_R].max()) >= _ROW_SPAN:  # type: ignore[operator]
        raise ValueError(f"{_ROW_SPAN:,} rows or more: row ids do not fit the pair key")
    left, right = pl.col(PAIR_L).cast(pl.UInt64), pl.col(PAIR_R).cast(pl.UInt64)
    pair = pl.col("_pair")
    return (
        every.select((left * _ROW_SPAN + right).alias("_pair"), "rule_index")
        .group_by("_pair")
        .agg(pl.col("rule_index").min())
        .sort(pl.col("rule_index").cast(pl.UInt64) * (_ROW_SPAN * _ROW_SPAN) + pair)
        .select(
            (pair // _ROW_SPAN).cast(every.schema[PAIR_L]).alias(PAIR_L),
            (pair % _ROW_SPAN).cast(every.schema[PAIR_R]).alias(PAIR_R),
            "rule_index",
        )
    )


def candidate_pairs(
    features: pl.DataFrame, rules: Sequence[BlockingRule]
) -> tuple[pl.DataFrame, list[BlockingReport]]:
    """Union of the rules' pairs, each labelled ``blocking_rule`` with the first rule that found it."""
    found: list[pl.DataFrame] = []
    capped_blocks: list[pl.DataFrame] = []
    for index, rule in enumerate(rules):
        pairs, capped = rule_pairs(features, rule)
        found.append(pairs.with_columns(pl.lit(index, pl.UInt8).alias("rule_index")))
        capped_blocks.append(capped)
    every = pl.concat(found)
    counts = every.group_by("rule_index").len("count_pairs")
    first = _first_rule_of_each_pair(every)
    del every
    new_counts = dict(first.group_by("rule_index").len().iter_rows())
    all_counts = dict(counts.iter_rows())
    reports = [
        BlockingReport(
            rule=rule.name,
            count_pairs=all_counts.get(index, 0),
            count_new_pairs=new_counts.get(index, 0),
            count_capped_blocks=capped.height,
            count_rows_in_capped_blocks=int(capped["block_size"].sum() or 0),
            largest_capped_block=int(capped["block_size"].max() or 0),
        )
        for index, (rule, capped) in enumerate(zip(rules, capped_blocks, strict=True))
    ]
    names = pl.Series([rule.name for rule in rules], dtype=pl.String)
    labelled = first.with_columns(
        pl.lit(names).gather(pl.col("rule_index")).alias("blocking_rule")
    ).drop("rule_index")
    return labelled, reports
