"""Accuracy of the published values against a generator's ground truth (for tests and bench/)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

ROW_KEY = ["source_file", "source_sheet", "source_row"]


@dataclass(frozen=True)
class FieldAccuracy:
    """Share of rows whose published value equals the true value, among rows that determine it."""

    field: str
    rows_determined: int
    rows_right: int

    @property
    def accuracy(self) -> float:
        return self.rows_right / self.rows_determined if self.rows_determined else 1.0


def cleaning_accuracy(truth: pl.DataFrame, person_sources: pl.DataFrame) -> list[FieldAccuracy]:
    """NIK, birth date and sex accuracy as issue 3 defines them.

    - NIK: among rows whose NIK as written still determines the true NIK (its digits are
      the true NIK, not in scientific notation);
    - birth date: among rows whose NIK as written determines it, or whose written date was
      neither impossible nor written with day and month swapped;
    - sex: among rows whose written sex or NIK determines it.
    """
    data = truth.filter(pl.col("row_kind") == "data").join(
        person_sources.select(
            *ROW_KEY,
            pl.col("nik").alias("nik_got"),
            pl.col("tanggal_lahir").alias("tanggal_lahir_got"),
            pl.col("jenis_kelamin").alias("jenis_kelamin_got"),
        ),
        on=ROW_KEY,
        how="left",
    )
    digits = pl.col("nik_written").str.replace_all(r"[^0-9]", "")
    nik_determined = (digits == pl.col("nik")) & ~pl.col("nik_written").str.contains("[Ee]")
    undetermined_date = pl.col("defects").list.set_intersection(["date_impossible", "date_swapped"])
    date_determined = nik_determined | (undetermined_date.list.len() == 0)
    sex_determined = nik_determined | pl.col("jenis_kelamin_written").is_not_null()
    data = data.with_columns(
        nik_determined.fill_null(False).alias("_nik"),
        date_determined.fill_null(False).alias("_date"),
        sex_determined.fill_null(False).alias("_sex"),
    )
    return [
        _accuracy(data, "nik", "_nik"),
        _accuracy(data, "tanggal_lahir", "_date"),
        _accuracy(data, "jenis_kelamin", "_sex"),
    ]


def _accuracy(data: pl.DataFrame, field: str, determined: str) -> FieldAccuracy:
    rows = data.filter(pl.col(determined) & pl.col(field).is_not_null())
    right = rows.filter(pl.col(f"{field}_got") == pl.col(field)).height
    return FieldAccuracy(field, rows.height, right)


def wrong_rows(truth: pl.DataFrame, person_sources: pl.DataFrame, field: str) -> pl.DataFrame:
    """Rows whose published `field` differs from the truth, with what was written (for bench)."""
    joined = truth.filter(pl.col("row_kind") == "data").join(
        person_sources.select(*ROW_KEY, pl.col(field).alias(f"{field}_got")), on=ROW_KEY
    )
    written = f"{field}_written"
    shown = [*ROW_KEY, field, f"{field}_got", "defects"]
    if written in joined.columns:
        shown.insert(3, written)
    return joined.filter(pl.col(f"{field}_got").ne_missing(pl.col(field))).select(*shown)
