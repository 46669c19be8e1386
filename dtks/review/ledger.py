"""The durable record of clerks' decisions (``keputusan_petugas.csv`` in the review folder).

Workbooks come and go: the pipeline rewrites ``review_queue.xlsx`` on every run (without the
pairs already decided), and clerks delete their old copies. So every decision and every note
read from a workbook is kept here, one line per pair and the workbook sheet it was written in:

- a pair seen again in the same workbook sheet takes its new value (a clerk changed their mind);
- a pair seen there with an empty decision and no note is removed (a clerk took it back);
- a pair not seen at all (the workbook was regenerated or deleted) keeps what it had.

The file holds record keys (hashes), the clerk's words and notes, and where they were written:
no NIK or name. It is plain CSV so that an administrator can read it and, if need be, remove a
line to cancel a decision whose workbook is gone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dtks.files import replaced_atomically
from dtks.match import CANNOT_LINK
from dtks.review.layout import LEDGER_FILE
from dtks.review.readback import ENTRY_SCHEMA, PROBLEM_SCHEMA

PAIR = ["record_key_l", "record_key_r"]
WHERE = ["workbook", "sheet"]
LEDGER_SCHEMA: dict[str, pl.DataType] = {
    **ENTRY_SCHEMA,
    "first_read_at": pl.String(),  # ISO 8601, UTC
    "last_read_at": pl.String(),
}


def ledger_path(review_dir: Path) -> Path:
    return Path(review_dir) / LEDGER_FILE


def empty_ledger() -> pl.DataFrame:
    return pl.DataFrame(schema=LEDGER_SCHEMA)


class LedgerError(ValueError):
    """The ledger file exists but cannot be read: matching stops rather than forget decisions."""


REQUIRED = ("record_key_l", "record_key_r", "decision", "workbook", "sheet")


def load_ledger(review_dir: Path) -> pl.DataFrame:
    """The stored ledger, or an empty one when there is none yet.

    A ledger saved again by a spreadsheet program with semicolons is read too. One that has
    lost its columns raises `LedgerError`: its decisions (cannot-links among them) must not be
    silently dropped and the file then overwritten.
    """
    path = ledger_path(review_dir)
    if not path.exists():
        return empty_ledger()
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        first_line = handle.readline()
    separator = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        frame = pl.read_csv(path, separator=separator, infer_schema=False, encoding="utf8-lossy")
    except pl.exceptions.PolarsError as error:
        raise LedgerError(_unreadable(path, str(error))) from error
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    missing = [name for name in REQUIRED if name not in frame.columns]
    if missing:
        raise LedgerError(_unreadable(path, f"kolom hilang: {', '.join(missing)}"))
    absent = [
        pl.lit(None, dtype).alias(name)
        for name, dtype in LEDGER_SCHEMA.items()
        if name not in frame.columns
    ]
    return frame.with_columns(absent).select([pl.col(n).cast(t) for n, t in LEDGER_SCHEMA.items()])


def _unreadable(path: Path, reason: str) -> str:
    return (
        f"catatan keputusan petugas {path} tidak bisa dibaca ({reason}). Pencocokan dihentikan "
        "agar keputusan 'beda' tidak hilang: kembalikan file dari cadangan atau perbaiki "
        "kolomnya, lalu jalankan ulang."
    )


def save_ledger(review_dir: Path, ledger: pl.DataFrame) -> Path:
    """Write the ledger atomically (`dtks.files.replaced_atomically`: mode 0640, fsynced)."""
    path = ledger_path(review_dir)
    with replaced_atomically(path) as partial:
        ledger.select(*LEDGER_SCHEMA).sort(*PAIR, *WHERE).write_csv(partial)
    return path


def merge_entries(
    ledger: pl.DataFrame, entries: pl.DataFrame, now: datetime | None = None
) -> pl.DataFrame:
    """The ledger updated with what the workbooks say now (see the module docstring)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    seen = entries.unique([*PAIR, *WHERE], keep="last")
    kept = ledger.join(seen.select(*PAIR, *WHERE), on=[*PAIR, *WHERE], how="anti")
    said = seen.filter(pl.col("keputusan").is_not_null() | pl.col("catatan").is_not_null())
    first = ledger.select(*PAIR, *WHERE, "first_read_at")
    updated = (
        said.join(first, on=[*PAIR, *WHERE], how="left")
        .with_columns(
            pl.col("first_read_at").fill_null(stamp),
            pl.lit(stamp).alias("last_read_at"),
        )
        .select(*LEDGER_SCHEMA)
    )
    return pl.concat([kept.select(*LEDGER_SCHEMA), updated]).sort(*PAIR, *WHERE)


def decisions(ledger: pl.DataFrame) -> pl.DataFrame:
    """One decision per pair for `dtks.match.find_duplicates`: a cannot-link anywhere wins."""
    decided = ledger.filter(pl.col("decision").is_not_null())
    return (
        decided.group_by(PAIR)
        .agg(
            pl.when((pl.col("decision") == CANNOT_LINK).any())
            .then(pl.lit(CANNOT_LINK))
            .otherwise(pl.col("decision").first())
            .alias("decision")
        )
        .sort(PAIR)
    )


def conflicts(ledger: pl.DataFrame) -> pl.DataFrame:
    """Pairs decided both ways in different places, as problems (`PROBLEM_SCHEMA`)."""
    decided = ledger.filter(pl.col("decision").is_not_null())
    both = decided.filter(pl.col("decision").n_unique().over(PAIR) > 1)
    if both.is_empty():
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    places = (
        both.with_columns(
            pl.format(
                "{} di {} ({}, baris {})",
                "keputusan",
                "workbook",
                "sheet",
                pl.col("row").cast(pl.String),
            ).alias("place")
        )
        .group_by(PAIR)
        .agg(
            pl.col("workbook").first(),
            pl.col("sheet").first(),
            pl.col("row").first(),
            pl.col("place").sort().str.join("; ").alias("places"),
        )
        .sort(PAIR)
    )
    return places.select(
        "workbook",
        "sheet",
        "row",
        pl.lit("Keputusan").alias("column"),
        pl.lit(None, pl.String).alias("value"),
        pl.format(
            "pasangan ini diputuskan sama dan beda di tempat berbeda ({}); yang dipakai: beda. "
            "Perbaiki isian yang salah bila pasangan ini memang orang yang sama",
            "places",
        ).alias("message"),
    )


def undecided_notes(ledger: pl.DataFrame) -> pl.DataFrame:
    """Per pair without a decision, the latest note and unreadable decision, to show again."""
    undecided = ledger.filter(pl.col("decision").is_null())
    decided_pairs = ledger.filter(pl.col("decision").is_not_null()).select(PAIR).unique()
    latest = (
        undecided.join(decided_pairs, on=PAIR, how="anti")
        .sort("last_read_at", "workbook", "sheet", "row")
        .group_by(PAIR, maintain_order=True)
        .last()
    )
    return latest.select(
        *PAIR,
        "keputusan",
        "catatan",
        pl.when(pl.col("keputusan").is_not_null())
        .then(
            pl.format(
                "isian Keputusan '{}' ({} baris {}) tidak dikenali: tulis sama atau beda",
                "keputusan",
                "workbook",
                pl.col("row").cast(pl.String),
            )
        )
        .otherwise(None)
        .alias("pesan"),
    )
