"""Row accounting: every row read is accepted into a person or rejected with a reason."""

from __future__ import annotations

import duckdb
import polars as pl

from dtks.store import table_or_empty


class RowAccountingError(RuntimeError):
    """Rows read from a village's files differ from rows accepted plus rows rejected."""


def row_accounting(
    source_files: pl.DataFrame, person_sources: pl.DataFrame, rejected_rows: pl.DataFrame
) -> pl.DataFrame:
    """Per village: rows read (counted by the readers), accepted, rejected, and the gap.

    `rows_read` comes from `source_files.rows_read`, counted from the files themselves,
    independently of what was accepted; a gap other than 0 means rows were lost or counted
    twice.
    """
    read = _or_empty(source_files, {"village": pl.String, "rows_read": pl.Int64})
    read = read.group_by("village").agg(pl.col("rows_read").sum().cast(pl.Int64))
    accepted = (
        _or_empty(person_sources, {"village": pl.String})
        .group_by("village")
        .agg(pl.len().cast(pl.Int64).alias("rows_accepted"))
    )
    rejected = (
        _or_empty(rejected_rows, {"village": pl.String})
        .group_by("village")
        .agg(pl.len().cast(pl.Int64).alias("rows_rejected"))
    )
    return (
        read.join(accepted, on="village", how="full", coalesce=True)
        .join(rejected, on="village", how="full", coalesce=True)
        .with_columns(pl.col("rows_read", "rows_accepted", "rows_rejected").fill_null(0))
        .with_columns(
            (pl.col("rows_read") - pl.col("rows_accepted") - pl.col("rows_rejected")).alias("gap")
        )
        .sort("village")
    )


def _or_empty(frame: pl.DataFrame, schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    """`frame`, or an empty frame of `schema` when the store had no such table yet."""
    return frame if set(schema) <= set(frame.columns) else pl.DataFrame(schema=schema)


def assert_rows_accounted(accounting: pl.DataFrame) -> None:
    """Raise RowAccountingError naming every village whose rows do not add up."""
    broken = accounting.filter(pl.col("gap") != 0)
    if broken.height:
        lines = [
            f"{r['village']}: read {r['rows_read']}, accepted {r['rows_accepted']}, "
            f"rejected {r['rows_rejected']} (gap {r['gap']})"
            for r in broken.iter_rows(named=True)
        ]
        raise RowAccountingError(
            "row accounting failed, nothing was published: " + "; ".join(lines)
        )


def store_row_accounting(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """`row_accounting` of what the work store holds now, reading only the columns it counts."""
    return row_accounting(
        table_or_empty(con, "source_files"),
        table_or_empty(con, "reconciled_sources", "village"),
        table_or_empty(con, "clean_rejected", "village"),
    )
