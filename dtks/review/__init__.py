"""Clerks' review round trip: the review workbook out, their sama / beda decisions back in.

Library API (Polars and plain paths, no Dagster):

- `read_review_folder(review_dir) -> ReviewInput`: reads every ``*.xlsx`` in the folder (the
  last ``review_queue.xlsx`` and copies clerks saved under other names), records decisions and
  notes in ``keputusan_petugas.csv`` there (so they outlive the workbooks), and returns
  ``decisions`` for `dtks.match.find_duplicates` plus the ``problems`` it could not read.
- `write_review_queue(review_dir, result, clean, review) -> QueueWritten`: writes
  ``review_queue.xlsx``: PETUNJUK, PERIKSA (pairs between the thresholds), KONFIRMASI (merged
  pairs flagged for confirmation), MASALAH ISIAN; pairs already decided are left out, notes on
  undecided pairs are carried over.
- `build_review_queue`, `write_review_workbook`, `read_review_workbooks`: the steps, separately.

Rows are keyed by record keys (`dtks.match.keys`), which survive a re-export with other file
names and row numbers. Example::

    review = read_review_folder(Path("data/review"))
    result = find_duplicates(clean, decisions=review.decisions)
    write_review_queue(Path("data/review"), result, clean, review)
"""

from dtks.review.layout import LEDGER_FILE, QUEUE_FILE
from dtks.review.ledger import LedgerError
from dtks.review.queue import build_review_queue
from dtks.review.readback import ReadBack, read_review_workbooks
from dtks.review.round_trip import (
    QueueWritten,
    ReviewInput,
    read_review_folder,
    write_review_queue,
)
from dtks.review.workbook import write_review_workbook

__all__ = [
    "LEDGER_FILE",
    "QUEUE_FILE",
    "LedgerError",
    "QueueWritten",
    "ReadBack",
    "ReviewInput",
    "build_review_queue",
    "read_review_folder",
    "read_review_workbooks",
    "write_review_queue",
    "write_review_workbook",
]
