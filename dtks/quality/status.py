"""Issue status against the previous published run: new, still open, or fixed.

An issue is recognised across runs by a key that survives a re-export: village, code,
column and the row's stable `record_key` (IDDTKS, else NIK + name + birth date; see
`dtks.match.keys`), never the file row number. Rows without a record key (rejected rows)
fall back to their file, sheet and row.

    >>> def issues(*codes: str) -> pl.DataFrame:  # problems on one record (key D-1)
    ...     n = len(codes)
    ...     return pl.DataFrame({"village": ["kapong"] * n, "code": list(codes),
    ...         "column": ["nik"] * n, "record_key": ["D-1"] * n,
    ...         "source_file": ["kapong/a.csv"] * n, "source_sheet": [""] * n, "source_row": [2] * n})
    >>> last = with_status(with_issue_keys(issues("nik_missing", "nik_bad_date")), None)
    >>> now = with_status(with_issue_keys(issues("nik_missing", "nik_serial_zero")), last)
    >>> now.select("code", "status").rows()
    [('nik_missing', 'still_open'), ('nik_serial_zero', 'new'), ('nik_bad_date', 'fixed')]
"""

from __future__ import annotations

import polars as pl

STATUS_NEW = "new"
STATUS_STILL_OPEN = "still_open"
STATUS_FIXED = "fixed"
STATUSES = (STATUS_NEW, STATUS_STILL_OPEN, STATUS_FIXED)


def issue_key_expr() -> pl.Expr:
    """village|code|column|identity, identity = record_key or the row's place in its file."""
    by_place = pl.concat_str(
        [
            pl.lit("row:"),
            pl.col("source_file").fill_null(""),
            pl.lit("#"),
            pl.col("source_sheet").fill_null(""),
            pl.lit("#"),
            pl.col("source_row").cast(pl.String).fill_null(""),
        ]
    )
    identity = pl.coalesce(pl.col("record_key"), by_place)
    return pl.concat_str(
        [
            pl.col("village").fill_null(""),
            pl.col("code"),
            pl.col("column").fill_null(""),
            identity,
        ],
        separator="|",
    )


def with_issue_keys(issues: pl.DataFrame) -> pl.DataFrame:
    """`issues` (with a `record_key` column, null allowed) plus a unique `issue_key`.

    The same problem found twice on one record (e.g. a record listed twice with one
    IDDTKS) gets a running number, so keys stay unique.
    """
    if "record_key" not in issues.columns:
        issues = issues.with_columns(pl.lit(None, pl.String).alias("record_key"))
    base = issue_key_expr()
    return issues.with_columns(base.alias("issue_key")).with_columns(
        (
            pl.col("issue_key")
            + pl.lit("|")
            + pl.int_range(1, pl.len() + 1).over("issue_key").cast(pl.String)
        ).alias("issue_key")
    )


def with_status(current: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """Current issues marked new or still_open, followed by the previous run's open issues
    that are gone now, marked fixed (with the location and message they had then).

    `current` needs `issue_key`; `previous` is the last published frame (any statuses) or None.
    """
    open_before = _open_issues(previous)
    seen = open_before.select("issue_key").unique() if open_before is not None else None
    if seen is None or seen.is_empty():
        marked = current.with_columns(pl.lit(STATUS_NEW).alias("status"))
        return marked
    marked = (
        current.join(seen.with_columns(pl.lit(True).alias("_seen")), on="issue_key", how="left")
        .with_columns(
            pl.when(pl.col("_seen"))
            .then(pl.lit(STATUS_STILL_OPEN))
            .otherwise(pl.lit(STATUS_NEW))
            .alias("status")
        )
        .drop("_seen")
    )
    fixed = open_before.join(current.select("issue_key"), on="issue_key", how="anti")
    if fixed.is_empty():
        return marked
    fixed = fixed.select(
        *[
            pl.col(c).cast(dtype) if c in fixed.columns else pl.lit(None, dtype).alias(c)
            for c, dtype in marked.schema.items()
            if c != "status"
        ],
        pl.lit(STATUS_FIXED).alias("status"),
    )
    return pl.concat([marked, fixed], how="vertical")


def _open_issues(previous: pl.DataFrame | None) -> pl.DataFrame | None:
    if previous is None or previous.is_empty() or "issue_key" not in previous.columns:
        return None
    if "status" in previous.columns:
        previous = previous.filter(pl.col("status") != STATUS_FIXED)
    return previous


def count_by_status(issues: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Counts of new / still_open / fixed issues per `by` group, one column per status."""
    counts = issues.group_by(*by).agg(
        *[(pl.col("status") == s).sum().cast(pl.Int64).alias(f"count_{s}") for s in STATUSES]
    )
    return counts.sort(by)
