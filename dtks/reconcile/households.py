"""Households (KK families) rebuilt after matching: a person belongs to the KK on their golden record.

A KK number that came through an Excel number cell may have lost its 16th digit. When exactly
one sound KK number shares its first 15 digits (in the person's village, else in the
kecamatan), the person joins that family (``no_kk_repaired``); otherwise the household keeps
the doubtful number and is flagged ``is_kk_malformed``. Persons without a usable KK number belong to no household.

The head is the member whose relationship is KEPALA KELUARGA (the living one, the one listed
most often, the oldest, when there are several); the household's village and address are the
head's, or the oldest member's when the family has no head.
"""

from __future__ import annotations

import polars as pl

from dtks.reconcile.golden import ADDRESS_COLUMNS

HEAD = "KEPALA KELUARGA"
HOUSEHOLD_KEY = "household_key"

HOUSEHOLD_COLUMNS = (
    "household_id",
    "no_kk",
    "head_person_id",
    "head_nama",
    "count_members",
    "count_heads",
    "count_deceased_members",
    *ADDRESS_COLUMNS,
    "count_villages",
    "villages",
    "is_without_head",
    "has_two_heads",
    "head_is_deceased",
    "is_spread_over_villages",
    "is_kk_malformed",
    "no_kk_repaired",
)


def household_keys(persons: pl.DataFrame) -> pl.DataFrame:
    """``person_id`` -> ``household_key`` (the KK number the family is grouped by) and whether
    a truncated KK number was completed; persons without a KK number are left out.

    A truncated number is completed from the one sound number with the same first 15 digits
    in the person's village, else in the whole kecamatan (KK numbers issued the same day
    share those digits, so several candidates mean no repair).
    """
    truncated = pl.col("no_kk_possibly_truncated").fill_null(False)
    sound = pl.col("no_kk_is_valid").fill_null(False) & ~truncated
    with_kk = persons.filter(pl.col("no_kk").is_not_null()).with_columns(
        pl.col("no_kk").str.slice(0, 15).alias("_prefix")
    )
    sound_numbers = with_kk.filter(sound).select("_prefix", "village", "no_kk").unique()
    in_village = _only_candidate(sound_numbers, ["_prefix", "village"], "_in_village")
    anywhere = _only_candidate(sound_numbers, ["_prefix"], "_anywhere")
    completed = pl.coalesce("_in_village", "_anywhere")
    return (
        with_kk.join(in_village, on=["_prefix", "village"], how="left", maintain_order="left")
        .join(anywhere, on="_prefix", how="left", maintain_order="left")
        .with_columns((truncated & completed.is_not_null()).alias("no_kk_repaired"))
        .select(
            "person_id",
            pl.when(pl.col("no_kk_repaired"))
            .then(completed)
            .otherwise(pl.col("no_kk"))
            .alias(HOUSEHOLD_KEY),
            "no_kk_repaired",
        )
    )


def _only_candidate(numbers: pl.DataFrame, by: list[str], name: str) -> pl.DataFrame:
    """Per ``by`` group the KK number when it is the only one, else nothing."""
    return (
        numbers.group_by(by)
        .agg(pl.col("no_kk").unique().alias("_numbers"))
        .filter(pl.col("_numbers").list.len() == 1)
        .select(*by, pl.col("_numbers").list.first().alias(name))
    )


def build_households(persons: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """One row per household key with its head, members, place and flags (no ids yet).

    ``persons``: golden records; ``keys``: `household_keys` of them.
    """
    is_head = pl.col("hubungan_keluarga") == HEAD
    members = persons.join(keys, on="person_id", how="inner").with_columns(
        is_head.fill_null(False).alias("_is_head"),
        pl.col("is_deceased").fill_null(False).alias("_deceased"),
        pl.col("no_kk_is_valid").fill_null(False).alias("_kk_valid"),
        pl.col("no_kk_possibly_truncated").fill_null(False).alias("_kk_truncated"),
    )
    anchor_order = ["_is_head", "_deceased", "count_sources", "tanggal_lahir", "person_id"]
    anchors = (
        members.sort(
            [HOUSEHOLD_KEY, *anchor_order],
            descending=[False, True, False, True, False, False],
            nulls_last=True,
        )
        .unique(HOUSEHOLD_KEY, keep="first", maintain_order=True)
        .select(
            HOUSEHOLD_KEY,
            pl.when(pl.col("_is_head")).then(pl.col("person_id")).alias("head_person_id"),
            pl.when(pl.col("_is_head")).then(pl.col("nama")).alias("head_nama"),
            (pl.col("_is_head") & pl.col("_deceased")).alias("head_is_deceased"),
            *ADDRESS_COLUMNS,
        )
    )
    facts = members.group_by(HOUSEHOLD_KEY).agg(
        pl.len().cast(pl.Int64).alias("count_members"),
        pl.col("_is_head").sum().cast(pl.Int64).alias("count_heads"),
        pl.col("_deceased").sum().cast(pl.Int64).alias("count_deceased_members"),
        pl.col("village").n_unique().cast(pl.Int64).alias("count_villages"),
        pl.col("village").unique().sort().str.join(", ").alias("villages"),
        # the family's number is doubtful when no member's own number is sound
        (~(pl.col("_kk_valid") & ~pl.col("_kk_truncated")).any()).alias("is_kk_malformed"),
        pl.col("no_kk_repaired").any(),
    )
    return (
        facts.join(anchors, on=HOUSEHOLD_KEY)
        .with_columns(
            pl.col(HOUSEHOLD_KEY).alias("no_kk"),
            pl.lit(None, dtype=pl.String).alias("household_id"),
            (pl.col("count_heads") == 0).alias("is_without_head"),
            (pl.col("count_heads") > 1).alias("has_two_heads"),
            (pl.col("count_villages") > 1).alias("is_spread_over_villages"),
        )
        .select(HOUSEHOLD_KEY, *HOUSEHOLD_COLUMNS)
        .sort(HOUSEHOLD_KEY)
    )
