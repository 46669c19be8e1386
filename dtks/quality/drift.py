"""Drift against the previous published run: a village whose row count drops sharply most
likely sent a truncated export.

The baseline is the row accounting of the last *published* run, kept by the publish stage
in the work store's `run_history` (a run stopped by a check publishes nothing, so it never
becomes a baseline).

    >>> import json
    >>> history = pl.DataFrame({"outcome": ["published"], "accounting": [json.dumps([
    ...     {"village": "kapong", "rows_accepted": 1000},
    ...     {"village": "blaban", "rows_accepted": 800}])]})
    >>> current = pl.DataFrame({"village": ["kapong", "blaban"], "rows_accepted": [400, 790]})
    >>> drift = village_drift(current, baseline_counts(history))
    >>> villages_that_dropped(drift, DEFAULT_MAX_DROP_SHARE).rows()  # kapong lost 60 %
    [('kapong', 400, 1000, 0.6)]
"""

from __future__ import annotations

import json

import polars as pl

DEFAULT_MAX_DROP_SHARE = 0.2  # a village losing more than 20 % of its rows stops the publish

BASELINE_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "rows_accepted_before": pl.Int64(),
}


def baseline_counts(run_history: pl.DataFrame | None) -> pl.DataFrame:
    """Rows accepted per village in the last published run; empty when there is none."""
    if run_history is None or run_history.is_empty() or "accounting" not in run_history.columns:
        return pl.DataFrame(schema=BASELINE_SCHEMA)
    published = run_history
    if "outcome" in published.columns:
        published = published.filter(pl.col("outcome") == "published")
    if published.is_empty():
        return pl.DataFrame(schema=BASELINE_SCHEMA)
    order = "published_at" if "published_at" in published.columns else None
    last = published.sort(order).tail(1) if order else published.tail(1)
    rows = json.loads(last["accounting"][0] or "[]")
    return pl.DataFrame(
        [(r["village"], int(r.get("rows_accepted") or 0)) for r in rows],
        schema=BASELINE_SCHEMA,
        orient="row",
    )


def village_drift(current: pl.DataFrame, baseline: pl.DataFrame) -> pl.DataFrame:
    """Per village: rows accepted now and before, and the share lost (`drop_share`).

    `drop_share` = (before - now) / before, clipped at 0 for villages that grew; null when
    the village has no baseline (first run, or a village that never sent rows before).
    A village in the baseline that sent nothing now counts 0 rows now (drop 1.0).
    """
    joined = current.select("village", pl.col("rows_accepted").cast(pl.Int64)).join(
        baseline, on="village", how="full", coalesce=True
    )
    before = pl.col("rows_accepted_before")
    lost = (before - pl.col("rows_accepted")).clip(lower_bound=0)
    return (
        joined.with_columns(pl.col("rows_accepted").fill_null(0))
        .with_columns(pl.when(before > 0).then(lost / before.cast(pl.Float64)).alias("drop_share"))
        .sort("village")
    )


def has_baseline(drift: pl.DataFrame) -> bool:
    """Whether any village had a baseline to compare with ("no baseline" otherwise)."""
    return bool(drift["rows_accepted_before"].is_not_null().any()) if drift.height else False


def villages_that_dropped(drift: pl.DataFrame, max_drop_share: float) -> pl.DataFrame:
    """The villages whose rows fell by more than `max_drop_share` since the baseline."""
    return drift.filter(pl.col("drop_share") > max_drop_share)
