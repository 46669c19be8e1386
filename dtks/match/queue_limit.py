"""A review queue a clerk can finish: at most one pair per 100 rows, the pairs whose answer changes most first.

A clerk decides a pair in about `MINUTES_PER_PAIR` minutes; a queue of thousands is a backlog,
not a safety net. So the queue is limited (`MatchSettings.review_pairs_per_100_rows`, never
below `MatchSettings.review_queue_min_pairs`) and ranked (``review_rank``, 0 first):

1. pairs of a clerk's earlier decision that had to be voided (`dtks.match.decisions`);
2. pairs a hard rule sent to review (two heads of different families: whether a family keeps
   its head);
3. pairs whose answer moves a person between households: both KK numbers known and different,
   or either row the head of a family;
4. the rest: the answer only says whether one record is deactivated as a duplicate.

Within a class the least certain pair (match weight nearest 0 bits, i.e. 50 %) goes first.
Pairs beyond the limit are decided by the score, never dropped in silence: a pair to review is
merged when its probability is at least `MatchSettings.queue_full_merge_probability` and no
rule keeps it apart, else kept apart; a merge to confirm stays merged. Both get
``decided_by = "queue_limit"`` (`QUEUE_LIMIT`) and are counted in the match stats; the grid
report (bench/grid_eval.py) measures their precision.

>>> queue_limit(40_000, 1.0, 10), queue_limit(500, 1.0, 10)
(400, 10)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from dtks.match.blocking import PAIR_L, PAIR_R
from dtks.match.decisions import VOIDED_DECISION
from dtks.match.rules import DISTINCT, MERGED, REVIEW

QUEUE_LIMIT = "queue_limit"  # decided_by of a pair decided by the score because the queue was full
REVIEW_RANK = "review_rank"  # place in the review queue, 0 first; null for pairs not in it
MINUTES_PER_PAIR = 2.0  # a clerk's time per pair: read both records, check, write sama / beda


@dataclass(frozen=True)
class QueueOutcome:
    """What limiting the queue did (counts only)."""

    limit: int
    count_in_queue: int  # pairs left for a clerk (to review and to confirm)
    count_over_limit_merged: int  # review pairs merged by the score
    count_over_limit_distinct: int  # review pairs kept apart by the score
    count_over_limit_confirm: int  # merges to confirm left merged unconfirmed

    @property
    def minutes(self) -> float:
        return self.count_in_queue * MINUTES_PER_PAIR

    def as_dict(self) -> dict[str, float | int]:
        return {
            "limit": self.limit,
            "count_in_queue": self.count_in_queue,
            "minutes_of_work": self.minutes,
            "minutes_per_pair": MINUTES_PER_PAIR,
            "count_over_limit_merged": self.count_over_limit_merged,
            "count_over_limit_distinct": self.count_over_limit_distinct,
            "count_over_limit_confirm": self.count_over_limit_confirm,
        }


def workload_text(count_pairs: int) -> str:
    """The queue's size and a clerk's expected work, in Bahasa Indonesia (for the camat's summary).

    >>> workload_text(12)
    'Antrian pemeriksaan petugas (review_queue.xlsx): 12 pasangan, perkiraan 24 menit kerja (2 menit per pasangan).'
    """
    minutes = f"{count_pairs * MINUTES_PER_PAIR:,.0f}".replace(",", ".")
    pairs = f"{count_pairs:,}".replace(",", ".")
    return (
        f"Antrian pemeriksaan petugas (review_queue.xlsx): {pairs} pasangan, perkiraan "
        f"{minutes} menit kerja ({MINUTES_PER_PAIR:g} menit per pasangan)."
    )


def queue_limit(count_rows: int, per_100_rows: float, minimum: int) -> int:
    """Most pairs the queue may hold for ``count_rows`` rows."""
    return max(minimum, math.floor(count_rows * per_100_rows / 100))


def in_queue_expr() -> pl.Expr:
    """Pairs a clerk must see: to review, or merged and to confirm; not decided by a clerk."""
    to_review = pl.col("decision") == REVIEW
    to_confirm = (pl.col("decision") == MERGED) & pl.col("needs_confirmation")
    return (to_review | to_confirm) & (pl.col("decided_by") != "review")


def rank_and_limit(
    pairs: pl.DataFrame,
    features: pl.DataFrame,
    limit: int,
    merge_probability: float,
) -> tuple[pl.DataFrame, QueueOutcome]:
    """``pairs`` (scored, decided) with ``review_rank`` and the pairs beyond ``limit`` decided.

    ``features`` are the matcher's row features (``no_kk``, ``is_head``; row ``row_id`` i is
    row i).
    """
    queued = in_queue_expr()
    index = np.flatnonzero(pairs.select(queued.fill_null(False)).to_series().to_numpy())
    rows = features.select("no_kk", pl.col("is_head").fill_null(False))  # row i is row_id i
    waiting = pairs[index]  # only the pairs in the queue are ranked (a few per 100 rows)
    sides = [
        rows.select(pl.all().gather(waiting[side]).name.suffix(suffix))
        for side, suffix in ((PAIR_L, "_l"), (PAIR_R, "_r"))
    ]
    keyed = pl.concat([waiting, *sides], how="horizontal").with_columns(pl.Series("_index", index))
    moves_household = (
        (pl.col("no_kk_l") != pl.col("no_kk_r")).fill_null(False)
        | pl.col("is_head_l")
        | pl.col("is_head_r")
    )
    consequence = (
        pl.when(pl.col("blocking_rule") == VOIDED_DECISION)
        .then(0)
        .when(pl.col("hard_rule").is_not_null())
        .then(1)
        .when(moves_household)
        .then(2)
        .otherwise(3)
    )
    order = keyed.sort(consequence, pl.col("match_weight").abs(), PAIR_L, PAIR_R)["_index"]
    rank = np.full(pairs.height, -1, dtype=np.int64)
    rank[order.to_numpy()] = np.arange(len(order))
    ranked = pairs.with_columns(
        pl.when(pl.lit(rank) >= 0).then(pl.lit(rank)).cast(pl.UInt32).alias(REVIEW_RANK)
    )
    over = (queued & (pl.col(REVIEW_RANK) >= limit)).fill_null(False)
    review_over = over & (pl.col("decision") == REVIEW)
    merge_over = (
        review_over
        & (pl.col("match_probability") >= merge_probability)
        & ~pl.col("is_cannot_link").fill_null(False)
    )
    counts = ranked.select(
        (queued & ~over).sum().alias("in_queue"),
        merge_over.sum().alias("merged"),
        (review_over & ~merge_over).sum().alias("distinct"),
        (over & (pl.col("decision") == MERGED)).sum().alias("confirm"),
    ).row(0, named=True)
    decided = ranked.with_columns(
        pl.when(merge_over)
        .then(pl.lit(MERGED))
        .when(review_over)
        .then(pl.lit(DISTINCT))
        .otherwise(pl.col("decision"))
        .alias("decision"),
        pl.when(over).then(pl.lit(QUEUE_LIMIT)).otherwise(pl.col("decided_by")).alias("decided_by"),
        pl.when(over)
        .then(False)
        .otherwise(pl.col("needs_confirmation"))
        .alias("needs_confirmation"),
        pl.when(over).then(None).otherwise(pl.col(REVIEW_RANK)).alias(REVIEW_RANK),
    )
    outcome = QueueOutcome(
        limit,
        int(counts["in_queue"]),
        int(counts["merged"]),
        int(counts["distinct"]),
        int(counts["confirm"]),
    )
    return decided, outcome
