"""Builders of small raw frames (the "Raw rows" contract) and shortcuts for the cleaning tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from dtks.clean import CleanResult, clean_rows
from dtks.columns import CANONICAL_COLUMNS
from dtks.ingest.raw_rows import RAW_ROWS_SCHEMA
from dtks.region import Kecamatan, load_kecamatan

REFERENCE = date(2025, 6, 1)
VILLAGE = "kapong"
SOURCE_FILE = "kapong/dtks_kapong.xlsx"
SHEET = "Sheet1"
# A NIK of a woman born 05-08-1980, issued in the kecamatan (day 05 + 40 = 45).
NIK_WOMAN_1980 = "3528114508800001"
KK_OK = "3528110101100003"


def kecamatan() -> Kecamatan:
    return load_kecamatan()


def raw_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Raw rows with every contract column; each row defaults to an accepted data row."""
    records = []
    for i, fields in enumerate(rows):
        record: dict[str, Any] = dict.fromkeys(CANONICAL_COLUMNS)
        record.update(
            source_file=SOURCE_FILE,
            source_sheet=SHEET,
            source_row=i + 2,
            row_kind="data",
            nama="SITI AMINAH",
            nik_was_numeric=False,
            no_kk_was_numeric=False,
            extras=None,
        )
        record.update(fields)
        records.append(record)
    return pl.DataFrame(records, schema=RAW_ROWS_SCHEMA)


def clean(rows: list[dict[str, Any]]) -> CleanResult:
    return clean_rows(raw_frame(rows), kecamatan(), VILLAGE, reference_date=REFERENCE)


def clean_one(**fields: Any) -> tuple[dict[str, Any], CleanResult]:
    """Clean a single accepted row; returns its clean values and the whole result."""
    result = clean([fields])
    assert result.clean.height == 1, result.rejected
    return result.clean.row(0, named=True), result


def codes_of(result: CleanResult, column: str | None = None) -> set[str]:
    issues = result.issues
    if column is not None:
        issues = issues.filter(pl.col("column") == column)
    return set(issues.get_column("code").to_list())


def issue(result: CleanResult, code: str) -> dict[str, Any]:
    found = result.issues.filter(pl.col("code") == code)
    assert found.height == 1, f"{code}: {result.issues.get_column('code').to_list()}"
    return found.row(0, named=True)
