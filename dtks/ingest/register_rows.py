"""The "Register rows" frame: a village population register's rows as read, with the same
lineage, row kinds and canonical columns as Raw rows, plus the register's own status column.

A register lists residents, not DTKS records: its rows never go to `raw_rows`. They are
cleaned and matched by the deliberation stage (`dtks.musdes`), which accounts for each one.
"""

from __future__ import annotations

import polars as pl

from dtks.ingest.header import ColumnPlan
from dtks.ingest.raw_rows import RAW_ROWS_SCHEMA, build_raw_rows, cell_name

REGISTER_ROWS_SCHEMA: dict[str, pl.DataType] = {
    **RAW_ROWS_SCHEMA,
    "status_dasar_text": pl.String(),  # the STATUS DASAR cell as written (HIDUP, MATI, 2, ...)
}


def empty_register_rows() -> pl.DataFrame:
    """A Register rows frame with no rows."""
    return pl.DataFrame(schema=REGISTER_ROWS_SCHEMA)


def build_register_rows(
    grid: pl.DataFrame, plan: ColumnPlan, source_file: str, source_sheet: str
) -> tuple[pl.DataFrame, int]:
    """Like `build_raw_rows` (same row kinds and counting), plus `status_dasar_text`."""
    rows, rows_read = build_raw_rows(grid, plan, source_file, source_sheet)
    fields = {name: j for j, name in plan.register_fields.items()}
    status = (
        pl.col(cell_name(fields["status_dasar"]))
        if "status_dasar" in fields
        else pl.lit(None, pl.String)
    )
    extra = grid.select(pl.col("source_row"), status.alias("status_dasar_text"))
    rows = rows.join(extra, on="source_row", how="left")
    return rows.select(REGISTER_ROWS_SCHEMA.keys()).cast(REGISTER_ROWS_SCHEMA), rows_read  # type: ignore[arg-type]
