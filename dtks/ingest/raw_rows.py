"""The "Raw rows" frame (docs/architecture.md): its schema and how one sheet's cells become it."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dtks.columns import CANONICAL_COLUMNS
from dtks.ingest.header import ColumnPlan
from dtks.ingest.row_kinds import classify_rows

RAW_ROWS_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "row_kind": pl.String(),
    **{column: pl.String() for column in CANONICAL_COLUMNS},
    "nik_was_numeric": pl.Boolean(),
    "no_kk_was_numeric": pl.Boolean(),
    "extras": pl.String(),
}

NUMERIC_FLAG_COLUMNS = {"nik": "nik_was_numeric", "no_kk": "no_kk_was_numeric"}


def empty_raw_rows() -> pl.DataFrame:
    """A Raw rows frame with no rows (what a refused file contributes)."""
    return pl.DataFrame(schema=RAW_ROWS_SCHEMA)


def cell_name(position: int) -> str:
    """Name of the grid column holding the cells at 0-based `position`."""
    return f"c{position}"


def grid_width(grid: pl.DataFrame) -> int:
    """Number of cell columns (`c0..`) in a grid."""
    return sum(1 for name in grid.columns if name.startswith("c"))


def trim_cells(grid: pl.DataFrame) -> pl.DataFrame:
    """Cells trimmed of surrounding whitespace, "" turned into null; nothing else is touched.

    An apostrophe in front of a NIK stays: cleaning decides what it means.
    """
    names = [cell_name(j) for j in range(grid_width(grid))]
    trimmed = grid.with_columns(pl.col(names).str.strip_chars())
    return trimmed.with_columns([pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names])


def cell_grid(
    columns: Sequence[Sequence[str | None]],
    row_numbers: Sequence[int],
    numeric: dict[int, Sequence[bool]] | None = None,
) -> pl.DataFrame:
    """A sheet's cells below the header as a trimmed grid: `c0..`, `source_row`, numeric flags `n{j}`.

    `numeric[j]` marks, for the NIK/KK positions, the cells that were numbers in the spreadsheet.
    """
    data: dict[str, pl.Series] = {
        cell_name(j): pl.Series(values=column, dtype=pl.String) for j, column in enumerate(columns)
    }
    data["source_row"] = pl.Series(values=list(row_numbers), dtype=pl.Int64)
    for j, flags in (numeric or {}).items():
        data[f"n{j}"] = pl.Series(values=flags, dtype=pl.Boolean)
    return trim_cells(pl.DataFrame(data))


def positions_with_data(grid: pl.DataFrame, positions: Sequence[int]) -> set[int]:
    """Which of `positions` hold at least one non-empty cell."""
    if not positions or grid.height == 0:
        return set()
    found = grid.select([pl.col(cell_name(j)).is_not_null().any() for j in positions]).row(0)
    return {j for j, has_data in zip(positions, found, strict=True) if has_data}


def build_raw_rows(
    grid: pl.DataFrame, plan: ColumnPlan, source_file: str, source_sheet: str
) -> tuple[pl.DataFrame, int]:
    """Drop entirely empty rows, classify, and lay the cells out in the Raw rows schema.

    Returns the frame and `rows_read`, the count of non-empty rows taken from the grid before
    any classification; the caller checks that both agree.
    """
    width = grid_width(grid)
    if width == 0:
        return empty_raw_rows(), 0
    non_empty = grid.select(
        pl.any_horizontal([pl.col(cell_name(j)).is_not_null() for j in range(width)])
    ).to_series()
    rows_read = int(non_empty.sum())
    numeric_positions = {int(name[1:]) for name in grid.columns if name.startswith("n")}
    classified = classify_rows(grid.filter(non_empty), width, plan.headers, plan.canonical)
    rows = classified.select(_raw_rows_columns(plan, source_file, source_sheet, numeric_positions))
    return rows, rows_read


def _raw_rows_columns(
    plan: ColumnPlan, source_file: str, source_sheet: str, numeric_positions: set[int]
) -> list[pl.Expr]:
    position = {name: j for j, name in plan.canonical.items()}
    columns: list[pl.Expr] = [
        pl.lit(source_file, pl.String).alias("source_file"),
        pl.lit(source_sheet, pl.String).alias("source_sheet"),
        pl.col("source_row"),
        pl.col("row_kind"),
    ]
    for name in CANONICAL_COLUMNS:
        if name in position:
            columns.append(pl.col(f"c{position[name]}").alias(name))
        else:
            columns.append(pl.lit(None, pl.String).alias(name))
    for name, flag in NUMERIC_FLAG_COLUMNS.items():
        j = position.get(name)
        if j is not None and j in numeric_positions:
            columns.append(pl.col(f"n{j}").fill_null(False).alias(flag))
        else:
            columns.append(pl.lit(False).alias(flag))
    columns.append(_extras_json(plan.extras).alias("extras"))
    return columns


def _extras_json(extras: dict[int, str]) -> pl.Expr:
    """`{"header": "text", ...}` of the non-empty extra cells of each row; null when there are none.

    Each pair is JSON-encoded by Polars (so quotes and backslashes are escaped), then the pairs
    are joined; no Python per row.
    """
    if not extras:
        return pl.lit(None, pl.String)
    pairs = [
        pl.when(pl.col(f"c{j}").is_not_null()).then(
            pl.struct(pl.col(f"c{j}").alias(key))
            .struct.json_encode()
            .str.slice(1)
            .str.strip_suffix("}")
        )
        for j, key in extras.items()
    ]
    body = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))


FORMULA_LIKE_PATTERN = r"^(?:[=@]|[+\-][^\d\s.,\-+])"


def cut_long_cells(
    grid: pl.DataFrame, max_chars: int
) -> tuple[pl.DataFrame, list[tuple[int, int]]]:
    """Cells longer than `max_chars` cut to that length, and (source_row, position) of each cut cell."""
    names = [cell_name(j) for j in range(grid_width(grid))]
    if not names or grid.height == 0:
        return grid, []
    longest = grid.select(pl.col(names).str.len_chars().max()).row(0)
    long_positions = [j for j, n in enumerate(longest) if n is not None and n > max_chars]
    if not long_positions:
        return grid, []
    cut: list[tuple[int, int]] = []
    for j in long_positions:
        rows = grid.filter(pl.col(cell_name(j)).str.len_chars() > max_chars)["source_row"]
        cut.extend((int(row), j) for row in rows)
    grid = grid.with_columns(pl.col(cell_name(j)).str.slice(0, max_chars) for j in long_positions)
    return grid, sorted(cut)


def formula_like_cells(grid: pl.DataFrame) -> list[tuple[int, int]]:
    """(source_row, position) of text cells that start like an Excel formula (= + - @).

    They stay text: nothing here, or downstream, evaluates them.
    """
    names = [cell_name(j) for j in range(grid_width(grid))]
    if not names or grid.height == 0:
        return []
    hits = grid.select(pl.col(names).str.contains(FORMULA_LIKE_PATTERN).fill_null(False).any())
    found: list[tuple[int, int]] = []
    for j, has_hit in enumerate(hits.row(0)):
        if has_hit:
            rows = grid.filter(pl.col(cell_name(j)).str.contains(FORMULA_LIKE_PATTERN))
            found.extend((int(row), j) for row in rows["source_row"])
    return sorted(found)
