"""Masking keeps NIK, KK and mothers' names out of logs and reports."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from dtks.privacy import (
    mask_name,
    mask_name_expr,
    mask_name_sql,
    mask_number,
    mask_number_expr,
    mask_number_sql,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("3528114506890001", "352811********01"),
        ("35281145068900012345", "352811************45"),
        ("1234", "****"),
        (None, None),
    ],
)
def test_mask_number_keeps_region_and_last_two(value: str | None, masked: str | None) -> None:
    assert mask_number(value) == masked
    assert pl.select(mask_number_expr(pl.lit(value, dtype=pl.Utf8))).item() == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("SITI AMINAH", "S*** A*****"), ("HOLIFAH", "H******"), ("A", "A"), (None, None)],
)
def test_mask_name_keeps_initials(value: str | None, masked: str | None) -> None:
    assert mask_name(value) == masked
    assert pl.select(mask_name_expr(pl.lit(value, dtype=pl.Utf8))).item() == masked


ODD_NUMBERS = ["", "1", "12345678", "123456789", "9" * 40, "9" * 70, "3,5281E+15", "ab c"]
ODD_NAMES = ["", "  SITI   AMINAH ", "ŞİTİ Ñoño", "سارة علي", "😀😀 X", "D'ARCY O-NEIL"]


@pytest.mark.parametrize(
    ("mask_sql", "mask_expr", "values"),
    [
        (mask_number_sql, mask_number_expr, ODD_NUMBERS),
        (mask_name_sql, mask_name_expr, ODD_NAMES),
    ],
)
def test_masks_in_duckdb_equal_the_polars_masks(mask_sql, mask_expr, values) -> None:
    """The masked file is masked inside DuckDB: it must show exactly what Polars shows."""
    frame = pl.DataFrame({"value": [*values, None]}, schema={"value": pl.String})
    in_duckdb = duckdb.sql(f"SELECT {mask_sql('value')} AS value FROM frame").pl()  # noqa: S608
    in_polars = frame.select(mask_expr("value").alias("value"))
    assert in_duckdb["value"].to_list() == in_polars["value"].to_list()
