"""Clerks' review decisions as must-link / cannot-link constraints keyed by stable record keys.

The review workbook (read elsewhere) yields one row per decided pair:
``record_key_l``, ``record_key_r`` (see `dtks.match.keys`) and ``decision``: ``must_link``
or ``cannot_link`` (the workbook's ``sama`` / ``beda`` and ``same`` / ``different`` are
accepted too). Keys survive a re-export, so last week's decisions apply to this week's rows.
A key that no longer exists is ignored (and counted); a key shared by several rows (the same
record listed twice) applies to each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from dtks.match.features import ROW_ID
from dtks.match.keys import RECORD_KEY

MUST_LINK = "must_link"
CANNOT_LINK = "cannot_link"

_SYNONYMS = {
    "must_link": MUST_LINK,
    "must-link": MUST_LINK,
    "sama": MUST_LINK,
    "same": MUST_LINK,
    "merged": MUST_LINK,
    "cannot_link": CANNOT_LINK,
    "cannot-link": CANNOT_LINK,
    "beda": CANNOT_LINK,
    "different": CANNOT_LINK,
    "distinct": CANNOT_LINK,
}

DECISIONS_SCHEMA = {"record_key_l": pl.String, "record_key_r": pl.String, "decision": pl.String}


def empty_decisions() -> pl.DataFrame:
    """A decisions frame with no rows."""
    return pl.DataFrame(schema=DECISIONS_SCHEMA)


def normalise_decisions(decisions: pl.DataFrame | None) -> pl.DataFrame:
    """Decisions with ``decision`` in {must_link, cannot_link}; blanks and self-pairs dropped.

    When the same pair is decided both ways, cannot-link wins (a false merge costs more).

    >>> normalise_decisions(pl.DataFrame({"record_key_l": ["N-b"], "record_key_r": ["N-a"],
    ...                                   "decision": ["Sama"]})).rows()
    [('N-a', 'N-b', 'must_link')]
    """
    if decisions is None or decisions.height == 0:
        return empty_decisions()
    missing = set(DECISIONS_SCHEMA) - set(decisions.columns)
    if missing:
        raise ValueError(
            f"review decisions need columns {sorted(DECISIONS_SCHEMA)}; missing {sorted(missing)}"
        )
    frame = decisions.select(
        pl.col("record_key_l").cast(pl.String).str.strip_chars(),
        pl.col("record_key_r").cast(pl.String).str.strip_chars(),
        pl.col("decision")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(_SYNONYMS, default=None),
    ).drop_nulls()
    frame = frame.filter(pl.col("record_key_l") != pl.col("record_key_r")).select(
        pl.min_horizontal("record_key_l", "record_key_r").alias("record_key_l"),
        pl.max_horizontal("record_key_l", "record_key_r").alias("record_key_r"),
        "decision",
    )
    return (
        frame.group_by("record_key_l", "record_key_r")
        .agg(
            pl.when((pl.col("decision") == CANNOT_LINK).any())
            .then(pl.lit(CANNOT_LINK))
            .otherwise(pl.lit(MUST_LINK))
            .alias("decision")
        )
        .sort("record_key_l", "record_key_r")
    )


def decision_row_pairs(decisions: pl.DataFrame, features: pl.DataFrame) -> pl.DataFrame:
    """Decided pairs as row pairs: ``row_id_l < row_id_r``, ``review_decision``.

    ``features`` needs ``row_id`` and ``record_key``.
    """
    keys = features.select(ROW_ID, RECORD_KEY)
    pairs = (
        normalise_decisions(decisions)
        .join(keys.rename({ROW_ID: "a", RECORD_KEY: "record_key_l"}), on="record_key_l")
        .join(keys.rename({ROW_ID: "b", RECORD_KEY: "record_key_r"}), on="record_key_r")
        .filter(pl.col("a") != pl.col("b"))
    )
    return (
        pairs.select(
            pl.min_horizontal("a", "b").alias("row_id_l"),
            pl.max_horizontal("a", "b").alias("row_id_r"),
            pl.col("decision").alias("review_decision"),
        )
        .group_by("row_id_l", "row_id_r")
        .agg(pl.col("review_decision").sort().first())  # "cannot_link" < "must_link"
        .sort("row_id_l", "row_id_r")
    )


# Blocking rule of the pairs behind a voided decision: compared again and sent back to review.
VOIDED_DECISION = "voided_decision"


@dataclass(frozen=True)
class VoidedDecisions:
    """Clerks' decisions keyed on a family-level IDDTKS: ``count`` of them and the row pairs
    they covered (``row_id_l < row_id_r``), which go back to the review queue."""

    count: int
    pairs: pl.DataFrame


def voided_decisions(
    decisions: pl.DataFrame | None,
    features: pl.DataFrame,
    legacy_keys: Callable[[], pl.Series],
) -> VoidedDecisions:
    """Decisions naming a record key that was made of a family-level IDDTKS.

    Such a key named a whole family, so the decision cannot say which of its members the
    clerk meant: it is voided (not applied), and the pairs of rows it covered are compared
    again and queued for review. ``legacy_keys``: gives, per feature row, the key its IDDTKS
    made when it was taken for a person's (`dtks.match.keys.legacy_record_keys`); only
    called when there are decisions.
    """
    empty = pl.DataFrame(schema={ROW_ID + "_l": pl.UInt32, ROW_ID + "_r": pl.UInt32})
    if decisions is None or decisions.is_empty():
        return VoidedDecisions(0, empty)
    legacy_keys = legacy_keys()
    if legacy_keys.null_count() == legacy_keys.len():
        return VoidedDecisions(0, empty)
    current = set(features[RECORD_KEY].to_list())
    legacy = features.select(ROW_ID).with_columns(legacy_keys.alias("_key")).drop_nulls("_key")
    family_keys = set(legacy["_key"].to_list()) - current
    normal = normalise_decisions(decisions)
    voided = normal.filter(
        pl.col("record_key_l").is_in(list(family_keys))
        | pl.col("record_key_r").is_in(list(family_keys))
    )
    if voided.is_empty():
        return VoidedDecisions(0, empty)
    rows = pl.concat([legacy, features.select(ROW_ID, pl.col(RECORD_KEY).alias("_key"))]).unique()
    pairs = (
        voided.join(rows.rename({ROW_ID: "a", "_key": "record_key_l"}), on="record_key_l")
        .join(rows.rename({ROW_ID: "b", "_key": "record_key_r"}), on="record_key_r")
        .filter(pl.col("a") != pl.col("b"))
        .select(
            pl.min_horizontal("a", "b").cast(pl.UInt32).alias(ROW_ID + "_l"),
            pl.max_horizontal("a", "b").cast(pl.UInt32).alias(ROW_ID + "_r"),
        )
        .unique()
        .sort(ROW_ID + "_l", ROW_ID + "_r")
    )
    return VoidedDecisions(voided.height, pairs)


def requeued(scored: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """``scored`` with the pairs of voided decisions sent to review, unless a hard rule keeps
    them apart (a cannot-link): a clerk decides them again, on the members' own keys."""
    if pairs.is_empty():
        return scored
    marked = pairs.with_columns(pl.lit(True).alias("_requeue"))
    back = (
        pl.col("_requeue").fill_null(False)
        & ~pl.col("is_cannot_link")
        & pl.col("review_decision").is_null()
    )
    return (
        scored.join(marked, on=[ROW_ID + "_l", ROW_ID + "_r"], how="left", maintain_order="left")
        .with_columns(
            pl.when(back).then(pl.lit("review")).otherwise(pl.col("decision")).alias("decision")
        )
        .drop("_requeue")
    )
