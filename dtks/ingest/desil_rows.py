"""The "Desil rows" frame: a desil ranking list's rows as read, with the same lineage and row
kinds as Raw rows, but kept apart from them (a ranked family is not a person row).

Cells stay text as written: the desil ("3", "Desil 3", "3.0"), the period and NIK/KK with
their ".0" or apostrophe are interpreted by `dtks.desil`, not here.
"""

from __future__ import annotations

import polars as pl

from dtks.ingest.header import ColumnPlan
from dtks.ingest.raw_rows import build_raw_rows, cell_name

# registry columns a desil list may carry, kept as read
DESIL_LIST_COLUMNS = (
    "iddtks",
    "desa",
    "dusun",
    "alamat",
    "no_kk",
    "nik",
    "nama",
    "hubungan_keluarga",
)

DESIL_ROWS_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "row_kind": pl.String(),
    "row_unit": pl.String(),  # keluarga (one row per family) or anggota (one row per member)
    **{column: pl.String() for column in DESIL_LIST_COLUMNS},
    "desil_text": pl.String(),
    "periode_text": pl.String(),
    "nik_was_numeric": pl.Boolean(),
    "no_kk_was_numeric": pl.Boolean(),
    "extras": pl.String(),
}


def empty_desil_rows() -> pl.DataFrame:
    """A Desil rows frame with no rows."""
    return pl.DataFrame(schema=DESIL_ROWS_SCHEMA)


def build_desil_rows(
    grid: pl.DataFrame, plan: ColumnPlan, source_file: str, source_sheet: str, row_unit: str
) -> tuple[pl.DataFrame, int]:
    """Like `build_raw_rows` (same row kinds and counting), laid out as Desil rows."""
    rows, rows_read = build_raw_rows(grid, plan, source_file, source_sheet)
    fields = {name: j for j, name in plan.desil_fields.items()}
    extra = grid.select(
        pl.col("source_row"),
        *(
            (pl.col(cell_name(fields[name])) if name in fields else pl.lit(None, pl.String)).alias(
                f"{name}_text"
            )
            for name in ("desil", "periode")
        ),
    )
    rows = rows.join(extra, on="source_row", how="left").with_columns(
        pl.lit(row_unit, pl.String).alias("row_unit")
    )
    return rows.select(DESIL_ROWS_SCHEMA.keys()).cast(DESIL_ROWS_SCHEMA), rows_read  # type: ignore[arg-type]
