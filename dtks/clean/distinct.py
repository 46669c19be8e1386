"""Derive columns once per distinct value of a source column and join them back onto every row."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

Derive = Callable[[pl.LazyFrame], pl.LazyFrame]


def with_distinct(
    frame: pl.DataFrame, column: str, derive: Derive, outputs: Sequence[str]
) -> pl.DataFrame:
    """`frame` with `outputs` computed by `derive` on the distinct values of `column`.

    Written values repeat a lot (dates, codes, names, places), so cleaning each distinct
    value once and joining back is much cheaper than cleaning every row. `derive` receives
    a frame holding only `column` (null included) and may overwrite it; row order is kept.
    """
    key = f"__key_{column}"
    values = frame.lazy().select(pl.col(column).unique()).with_columns(pl.col(column).alias(key))
    derived = derive(values).select(key, *outputs).collect()
    aligned = (
        frame.select(pl.col(column).alias(key))
        .join(derived, on=key, how="left", nulls_equal=True, maintain_order="left")
        .drop(key)
    )
    return frame.with_columns(aligned.get_columns())
