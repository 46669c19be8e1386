"""Masking keeps NIK, KK and mothers' names out of logs and reports."""

from __future__ import annotations

import polars as pl
import pytest

from dtks.privacy import mask_name, mask_name_expr, mask_number, mask_number_expr


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
