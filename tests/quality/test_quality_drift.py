"""Drift against the last published run: a village that lost many rows most likely sent a
truncated export; with no earlier run there is no baseline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from dtks.quality.drift import (
    DEFAULT_MAX_DROP_SHARE,
    baseline_counts,
    has_baseline,
    village_drift,
    villages_that_dropped,
)
from dtks.quality.facts import village_counts


def history_row(run_id: str, outcome: str, day: int, accepted: dict[str, int]) -> dict:
    published = datetime(2026, 11, day, tzinfo=UTC) if outcome == "published" else None
    accounting = [
        {"village": v, "rows_read": n, "rows_accepted": n, "rows_rejected": 0}
        for v, n in accepted.items()
    ]
    return {
        "run_id": run_id,
        "published_at": published,
        "outcome": outcome,
        "accounting": json.dumps(accounting),
    }


def test_baseline_is_the_last_published_run_not_a_failed_one() -> None:
    history = pl.DataFrame(
        [
            history_row("r1", "published", 1, {"kapong": 100}),
            history_row("r2", "published", 2, {"kapong": 90, "blaban": 40}),
            history_row("r3", "failed: row accounting", 3, {"kapong": 10}),
        ]
    )
    baseline = baseline_counts(history)
    assert baseline.sort("village").rows() == [("blaban", 40), ("kapong", 90)]


@pytest.mark.parametrize("history", [None, pl.DataFrame()])
def test_no_history_means_no_baseline(history: pl.DataFrame | None) -> None:
    drift = village_drift(
        pl.DataFrame({"village": ["kapong"], "rows_accepted": [10]}), baseline_counts(history)
    )
    assert not has_baseline(drift)
    assert drift["drop_share"].to_list() == [None]


@pytest.mark.parametrize(
    ("now", "before", "drop_share"),
    [
        (100, 100, 0.0),
        (80, 100, 0.2),
        (79, 100, 0.21),
        (120, 100, 0.0),  # growth is not a drop
        (None, 100, 1.0),  # the village sent nothing this time
        (50, None, None),  # a village without a baseline
    ],
)
def test_drop_share_per_village(
    now: int | None, before: int | None, drop_share: float | None
) -> None:
    current = pl.DataFrame(
        {
            "village": ["kapong"] if now is not None else [],
            "rows_accepted": [now] if now is not None else [],
        },
        schema={"village": pl.String, "rows_accepted": pl.Int64},
    )
    baseline = pl.DataFrame(
        {
            "village": ["kapong"] if before is not None else [],
            "rows_accepted_before": [before] if before is not None else [],
        },
        schema={"village": pl.String, "rows_accepted_before": pl.Int64},
    )
    drift = village_drift(current, baseline)
    assert drift["drop_share"].to_list() == [
        pytest.approx(drop_share) if drop_share is not None else None
    ]


def test_only_drops_beyond_the_share_are_flagged() -> None:
    drift = pl.DataFrame({"village": ["a", "b", "c"], "drop_share": [0.2, 0.21, None]})
    assert villages_that_dropped(drift, DEFAULT_MAX_DROP_SHARE)["village"].to_list() == ["b"]
    assert villages_that_dropped(drift, 0.5).is_empty()


def test_village_counts_account_rows_and_compare_with_the_baseline() -> None:
    files = pl.DataFrame({"village": ["kapong", "kapong", "blaban"], "rows_read": [3, 2, 2]})
    accepted = pl.DataFrame({"village": ["kapong"] * 4 + ["blaban"]})
    rejected = pl.DataFrame({"village": ["kapong"]})
    baseline = pl.DataFrame({"village": ["kapong", "tamberu"], "rows_accepted_before": [4, 10]})
    counts = village_counts(files, accepted, rejected, baseline)
    assert counts.select("village", "rows_read", "rows_accounted_for", "drop_share").rows() == [
        ("blaban", 2, 1, None),  # one row lost
        ("kapong", 5, 5, 0.0),
        ("tamberu", 0, 0, 1.0),  # sent rows last time, nothing now
    ]
