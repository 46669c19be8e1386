"""Households (KK families) rebuilt after matching: a person belongs to the KK on their golden record.

A KK number that came through an Excel number cell may have lost its 16th digit. It is completed
only from the export itself: when the row (or the block of rows carrying the same cut number)
sits next to a row whose sound KK number shares its first 15 digits, and only one such
neighbour does, the person joins that family (``no_kk_repaired``): a family is listed together.
A sound number elsewhere in the village is no evidence: KK numbers issued the same day share 15
digits, so a family whose every row was saved as a number would join a neighbour's. Otherwise
the household keeps the doubtful number and is flagged ``is_kk_malformed``. Persons without a
usable KK number belong to no household.

The head is the member whose relationship is KEPALA KELUARGA (the living one, the one listed
most often, the oldest, when there are several); the household's village and address are the
head's, or the oldest member's when the family has no head.
"""

from __future__ import annotations

import polars as pl

from dtks.reconcile.golden import ADDRESS_COLUMNS

HEAD = "KEPALA KELUARGA"
HOUSEHOLD_KEY = "household_key"
PERSON_ID = "person_id"

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


def household_keys(persons: pl.DataFrame, sources: pl.DataFrame | None = None) -> pl.DataFrame:
    """``person_id`` -> ``household_key`` (the KK number the family is grouped by) and whether
    a truncated KK number was completed; persons without a KK number are left out.

    ``sources``: the person's source rows (``person_id``, ``source_file``, ``source_sheet``,
    ``source_row``, ``no_kk``, ``no_kk_is_valid``, ``no_kk_possibly_truncated``); a truncated
    number is completed from the sound number listed next to it (`_completions`). Without
    them no number is completed.
    """
    truncated = pl.col("no_kk_possibly_truncated").fill_null(False)
    with_kk = persons.filter(pl.col("no_kk").is_not_null())
    completions = (
        _completions(sources)
        if sources is not None
        else pl.DataFrame(
            schema={PERSON_ID: pl.String, "no_kk": pl.String, "_completed": pl.String}
        )
    )
    return (
        with_kk.join(completions, on=[PERSON_ID, "no_kk"], how="left", maintain_order="left")
        .with_columns((truncated & pl.col("_completed").is_not_null()).alias("no_kk_repaired"))
        .select(
            PERSON_ID,
            pl.when(pl.col("no_kk_repaired"))
            .then(pl.col("_completed"))
            .otherwise(pl.col("no_kk"))
            .alias(HOUSEHOLD_KEY),
            "no_kk_repaired",
        )
    )


def _completions(sources: pl.DataFrame) -> pl.DataFrame:
    """(``person_id``, cut ``no_kk``) -> the one sound number sharing its first 15 digits that
    is written on the row just above or just below the block of rows carrying the cut number
    (same file and sheet); pairs with none, or with two different ones, are left out.
    """
    sheet = ["source_file", "source_sheet"]
    sound = pl.col("no_kk_is_valid").fill_null(False) & ~pl.col(
        "no_kk_possibly_truncated"
    ).fill_null(False)
    rows = (
        sources.select(PERSON_ID, *sheet, "source_row", "no_kk", sound.alias("_sound"))
        .sort(*sheet, "source_row")
        .with_columns(
            (pl.col("no_kk").ne_missing(pl.col("no_kk").shift(1)).over(sheet))
            .cum_sum()
            .alias("_block")
        )
    )
    blocks = (
        rows.group_by("_block", maintain_order=True)
        .agg(pl.first(*sheet, "no_kk"), pl.col("_sound").any())
        .with_columns(
            pl.when(pl.col("_sound")).then(pl.col("no_kk")).alias("_sound_kk"),
            pl.col("no_kk").str.slice(0, 15).alias("_prefix"),
        )
        .with_columns(
            pl.col("_sound_kk").shift(1).over(sheet).alias("_above"),
            pl.col("_sound_kk").shift(-1).over(sheet).alias("_below"),
        )
    )
    fits = [
        pl.when(
            (pl.col(side).str.slice(0, 15) == pl.col("_prefix")) & (pl.col(side) != pl.col("no_kk"))
        ).then(pl.col(side))
        for side in ("_above", "_below")
    ]
    candidates = blocks.filter(~pl.col("_sound") & pl.col("no_kk").is_not_null()).select(
        "_block", pl.concat_list(fits).list.drop_nulls().alias("_candidates")
    )
    return (
        rows.join(candidates, on="_block")
        .explode("_candidates")
        .drop_nulls("_candidates")
        .group_by(PERSON_ID, "no_kk")
        .agg(pl.col("_candidates").unique().alias("_all"))
        .filter(pl.col("_all").list.len() == 1)
        .select(PERSON_ID, "no_kk", pl.col("_all").list.first().alias("_completed"))
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
