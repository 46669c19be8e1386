"""One review round: read what clerks decided, match with it, write the next queue.

    review = read_review_folder(review_dir)                     # workbooks -> ledger -> decisions
    result = find_duplicates(clean, decisions=review.decisions)
    written = write_review_queue(review_dir, result, clean, review)

Both take the review folder as a plain path (``$DTKS_REVIEW_DIR`` in the pipeline).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from xlsxwriter.exceptions import FileCreateError

from dtks.match import MatchResult
from dtks.review import ledger as ledger_file
from dtks.review.layout import KIND_CONFIRM, KIND_REVIEW, QUEUE_FILE
from dtks.review.queue import build_review_queue
from dtks.review.readback import PROBLEM_SCHEMA, read_review_workbooks
from dtks.review.workbook import write_review_workbook
from dtks.storage_errors import StorageError


@dataclass(frozen=True)
class ReviewInput:
    """What the review folder holds before matching.

    ``decisions`` (record_key_l, record_key_r, decision) go to `find_duplicates`; ``ledger``
    is the durable record; ``problems`` lists what could not be read (file, sheet, row).
    """

    decisions: pl.DataFrame
    ledger: pl.DataFrame
    problems: pl.DataFrame
    workbooks_read: list[str] = field(default_factory=list)
    count_rows_read: int = 0

    @property
    def count_must_link(self) -> int:
        return int((self.decisions["decision"] == "must_link").sum())

    @property
    def count_cannot_link(self) -> int:
        return int((self.decisions["decision"] == "cannot_link").sum())


@dataclass(frozen=True)
class QueueWritten:
    """Where the queue went and how many pairs each sheet holds."""

    path: Path | None
    count_review: int
    count_confirm: int
    count_problems: int
    error: str | None = None


def read_review_folder(review_dir: Path, now: datetime | None = None) -> ReviewInput:
    """Read every workbook in ``review_dir``, update the ledger file there, and return the decisions."""
    review_dir = Path(review_dir)
    read = read_review_workbooks(review_dir)
    ledger = ledger_file.merge_entries(ledger_file.load_ledger(review_dir), read.entries, now)
    if read.entries.height or ledger_file.ledger_path(review_dir).exists():
        ledger_file.save_ledger(review_dir, ledger)
    problems = pl.concat([read.problems, ledger_file.conflicts(ledger)], how="vertical_relaxed")
    return ReviewInput(
        decisions=ledger_file.decisions(ledger),
        ledger=ledger,
        problems=problems.select([pl.col(n).cast(t) for n, t in PROBLEM_SCHEMA.items()]),
        workbooks_read=read.workbooks_read,
        count_rows_read=read.entries.height,
    )


def write_review_queue(
    review_dir: Path,
    result: MatchResult,
    clean: pl.DataFrame,
    review: ReviewInput | None = None,
    rule_labels: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> QueueWritten:
    """Write ``review_queue.xlsx`` for ``result``: undecided pairs only, earlier notes carried over.

    ``clean`` is the frame `find_duplicates` was given. A workbook that cannot be written (a
    full disk, a folder without permission) is reported in ``error``, not raised: the match
    itself stands, and the next run writes the queue again.
    """
    notes = ledger_file.undecided_notes(review.ledger) if review is not None else None
    queue = build_review_queue(result, clean, rule_labels, notes)
    problems = review.problems if review is not None else pl.DataFrame(schema=PROBLEM_SCHEMA)
    counts = dict(queue.group_by("jenis").len().iter_rows()) if queue.height else {}
    path = Path(review_dir) / QUEUE_FILE
    try:
        write_review_workbook(path, queue, problems, now or datetime.now(UTC))
    except (StorageError, OSError, FileCreateError) as error:  # the match stands
        return QueueWritten(
            None,
            counts.get(KIND_REVIEW, 0),
            counts.get(KIND_CONFIRM, 0),
            problems.height,
            str(error) if isinstance(error, StorageError) else f"{type(error).__name__}: {error}",
        )
    return QueueWritten(
        path, counts.get(KIND_REVIEW, 0), counts.get(KIND_CONFIRM, 0), problems.height
    )
