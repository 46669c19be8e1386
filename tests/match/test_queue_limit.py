"""The review queue a clerk can finish: ranked by what the answer changes, limited, the rest decided by the score and marked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from dtks.match.blocking import PAIR_L, PAIR_R
from dtks.match.decisions import VOIDED_DECISION
from dtks.match.queue_limit import (
    QUEUE_LIMIT,
    REVIEW_RANK,
    queue_limit,
    rank_and_limit,
    workload_text,
)
from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA
from dtks.region import load_kecamatan
from dtks.reports import write_reports

# Rows: 0 and 1 on one KK; 2 on another KK; 3 a head of family; 4, 5 without KK.
FEATURES = pl.DataFrame(
    {
        "no_kk": ["K1", "K1", "K2", "K3", None, None],
        "is_head": [False, False, False, True, False, False],
    }
)

# (description, left, right, blocking rule, hard rule, decision, probability, weight, confirm)
PAIRS = [
    ("same KK, least certain", 0, 1, "r", None, "review", 0.5, 0.0, False),
    ("same KK, more certain", 0, 1, "r", None, "review", 0.95, 4.2, False),
    ("moves a person to another KK", 1, 2, "r", None, "review", 0.8, 2.0, False),
    ("a head of family", 3, 4, "r", None, "review", 0.97, 5.0, False),
    ("a rule sent it", 4, 5, "r", "two_heads_different_households", "review", 0.6, 0.6, False),
    ("a voided clerk's decision", 2, 5, VOIDED_DECISION, None, "review", 0.7, 1.2, False),
    ("merged, to confirm", 0, 4, "r", "nik_one_digit", "merged", 0.999, 10.0, True),
    ("merged by the score", 1, 5, "r", None, "merged", 0.999, 10.0, False),
]


def _pairs() -> pl.DataFrame:
    columns = [
        "description",
        PAIR_L,
        PAIR_R,
        "blocking_rule",
        "hard_rule",
        "decision",
        "match_probability",
        "match_weight",
        "needs_confirmation",
    ]
    frame = pl.DataFrame(PAIRS, schema=columns, orient="row").with_columns(
        pl.col(PAIR_L).cast(pl.UInt32),
        pl.col(PAIR_R).cast(pl.UInt32),
        pl.lit("score").alias("decided_by"),
        # the rule that sends heads of two families to review keeps them apart
        (pl.col("hard_rule") == "two_heads_different_households").alias("is_cannot_link"),
    )
    return frame


def test_queue_is_ranked_by_what_the_answer_changes() -> None:
    ranked, outcome = rank_and_limit(_pairs(), FEATURES, limit=100, merge_probability=0.9)
    order = ranked.drop_nulls(REVIEW_RANK).sort(REVIEW_RANK)["description"].to_list()
    assert order == [
        "a voided clerk's decision",
        "a rule sent it",
        "merged, to confirm",  # a rule (nik_one_digit) flagged it
        "moves a person to another KK",
        "a head of family",
        "same KK, least certain",
        "same KK, more certain",
    ]
    assert ranked.filter(pl.col("description") == "merged by the score")[REVIEW_RANK].item() is None
    assert outcome.count_in_queue == 7
    assert ranked["decided_by"].to_list() == ["score"] * len(PAIRS), "under the limit: untouched"


@pytest.mark.parametrize(
    ("description", "decision", "needs_confirmation"),
    [
        ("same KK, least certain", "distinct", False),  # 0.5 < 0.9: kept apart
        ("same KK, more certain", "merged", False),  # 0.95 >= 0.9: merged
        ("a head of family", "merged", False),
        ("merged, to confirm", "merged", False),  # stays merged, no longer waits
    ],
)
def test_pairs_beyond_the_limit_are_decided_by_the_score_and_marked(
    description: str, decision: str, needs_confirmation: bool
) -> None:
    ranked, outcome = rank_and_limit(_pairs(), FEATURES, limit=2, merge_probability=0.9)
    row = ranked.filter(pl.col("description") == description).row(0, named=True)
    assert (row["decision"], row["needs_confirmation"]) == (decision, needs_confirmation)
    assert row["decided_by"] == QUEUE_LIMIT
    assert row[REVIEW_RANK] is None
    assert outcome.count_in_queue == 2
    assert (outcome.count_over_limit_merged, outcome.count_over_limit_distinct) == (2, 2)
    assert outcome.count_over_limit_confirm == 1


def test_a_rule_that_keeps_two_apart_is_never_merged_over_the_limit() -> None:
    pairs = _pairs().with_columns(
        pl.when(pl.col("description") == "a rule sent it")
        .then(0.99)
        .otherwise(pl.col("match_probability"))
        .alias("match_probability")
    )
    ranked, _ = rank_and_limit(pairs, FEATURES, limit=0, merge_probability=0.9)
    row = ranked.filter(pl.col("description") == "a rule sent it").row(0, named=True)
    assert (row["decision"], row["decided_by"]) == ("distinct", QUEUE_LIMIT)


@pytest.mark.parametrize(
    ("rows", "per_100", "minimum", "expected"),
    [(40_000, 1.0, 10, 400), (999, 1.0, 10, 10), (0, 1.0, 10, 10), (10_000, 0.5, 10, 50)],
)
def test_queue_limit(rows: int, per_100: float, minimum: int, expected: int) -> None:
    assert queue_limit(rows, per_100, minimum) == expected


def test_workload_is_told_in_pairs_and_minutes() -> None:
    assert "1.500 pasangan, perkiraan 3.000 menit" in workload_text(1500)


def test_the_camats_summary_tells_the_queue_and_its_workload(tmp_path: Path) -> None:
    accounting = pl.DataFrame(
        {"village": ["kapong"], "rows_read": [80], "rows_accepted": [80], "rows_rejected": [0]}
    )
    written = write_reports(
        tmp_path,
        load_kecamatan("35.28.11"),
        pl.DataFrame(schema=VALIDATION_ISSUE_SCHEMA),
        accounting,
        datetime(2026, 12, 3, tzinfo=UTC),
        review_note=workload_text(7),
    )
    sheet = openpyxl.load_workbook(written.summary)["Ringkasan"]
    texts = [str(c.value) for row in sheet.iter_rows(max_row=3) for c in row if c.value]
    assert "Antrian pemeriksaan petugas (review_queue.xlsx): 7 pasangan, perkiraan 14 menit" in (
        " ".join(texts)
    )
