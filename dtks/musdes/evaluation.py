"""Measuring the deliberation items against the generator's truth (`dtks.synth.register`).

- families to propose: `usulan` items against the register's `new` families;
- deceased or moved persons still listed: `sanggah` MENINGGAL / PINDAH items against the listed
  persons the truth has deceased (`is_deceased`), moved (KETERANGAN PINDAH) or the register
  records as deceased or moved.

An item's true subject is read from its source rows: a proposal's register rows carry the true
family, a person's registry rows carry the true person (the most frequent one, should a person
have been merged wrongly).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import polars as pl

ROW = ["source_file", "source_sheet", "source_row"]


@dataclass(frozen=True)
class Score:
    predicted: int
    correct: int
    positives: int
    found: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "predicted": self.predicted,
            "correct": self.correct,
            "positives": self.positives,
            "found": self.found,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
        }


def _item_rows(items: pl.DataFrame) -> pl.DataFrame:
    """One row per (item, source row)."""
    records = [
        {"item_id": item_id, **row}
        for item_id, rows in zip(items["item_id"], items["source_rows"], strict=True)
        for row in json.loads(rows or "[]")
    ]
    return pl.DataFrame(
        records,
        schema={
            "item_id": pl.String,
            "source_file": pl.String,
            "source_sheet": pl.String,
            "source_row": pl.Int64,
        },
        orient="row",
    )


def score_proposals(items: pl.DataFrame, register_truth: pl.DataFrame) -> Score:
    """`usulan` items against the register's new families (`family_kind == "new"`)."""
    proposals = items.filter(pl.col("kind") == "usulan", pl.col("is_current").fill_null(True))
    villages = register_truth["village"].unique().to_list()
    positives = set(
        register_truth.filter(pl.col("family_kind") == "new", pl.col("village").is_in(villages))[
            "true_household_id"
        ]
    )
    truth = register_truth.select(*ROW, "true_household_id", "family_kind")
    found = (
        _item_rows(proposals)
        .join(truth, on=ROW, how="inner")
        .group_by("item_id")
        .agg(pl.col("true_household_id").mode().first(), pl.col("family_kind").mode().first())
    )
    correct = found.filter(pl.col("family_kind") == "new")
    hits = set(correct["true_household_id"])
    return Score(
        proposals.height,
        correct.unique("true_household_id").height,
        len(positives),
        len(hits & positives),
    )


def score_deceased_moved(
    items: pl.DataFrame,
    sources: pl.DataFrame,
    registry_truth: pl.DataFrame,
    register_truth: pl.DataFrame,
) -> Score:
    """MENINGGAL / PINDAH `sanggah` items against the listed persons who died or moved."""
    listed = registry_truth.filter(pl.col("row_kind") == "data")
    by_registry = listed.filter(
        pl.col("is_deceased").fill_null(False)
        | pl.col("keterangan_kode").is_in(["MENINGGAL", "PINDAH"])
    )["true_person_id"]
    by_register = register_truth.filter(
        pl.col("is_listed"), pl.col("status").is_in(["MENINGGAL", "PINDAH"])
    )["true_person_id"]
    positives = set(by_registry.drop_nulls()) | set(by_register.drop_nulls())
    true_of = (
        sources.select("person_id", *ROW)
        .join(listed.select(*ROW, "true_person_id"), on=ROW, how="inner")
        .group_by("person_id")
        .agg(pl.col("true_person_id").mode().first())
    )
    removals = items.filter(
        pl.col("kind") == "sanggah",
        pl.col("reason").is_in(["MENINGGAL", "PINDAH"]),
        pl.col("is_current").fill_null(True),
    )
    people = (
        removals.unique("person_id").select("person_id").join(true_of, on="person_id", how="left")
    )
    hits = set(people["true_person_id"].drop_nulls())
    correct = people.filter(pl.col("true_person_id").is_in(list(positives))).height
    return Score(people.height, correct, len(positives), len(hits & positives))


def fill_statuses(path: Path, statuses: list[str]) -> dict[str, str]:
    """What an operator does before the next run: open the village workbook, write `statuses`
    on the first lines of every item sheet, save. Returns {item_id: status} written."""
    book = openpyxl.load_workbook(path)
    given: dict[str, str] = {}
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[4]]
        key_col, status_col = header.index("kunci") + 1, header.index("Status") + 1
        for row, status in zip(range(5, sheet.max_row + 1), statuses, strict=False):
            key = sheet.cell(row, key_col).value
            if key:
                sheet.cell(row, status_col).value = status
                given[key] = status
    book.save(path)
    return given
