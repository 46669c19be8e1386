"""Publish stage: the order of a publish over the work store; what each step does lives in
`dtks.publish`.

1. Read what the tables are computed from; nothing accepted anywhere: publish nothing.
2. Compute the validation issues, the row accounting and each village's status.
3. Check the row accounting: a gap publishes nothing and is recorded in the run history.
4. Build the full file and the masked file side by side (`dtks.publish.tables` declares
   what goes into each), then swap in the full file, then the masked file, each with its link.
5. Write the submission folder.
6. Commit the id state staged by the reconcile stage, the run history and the issue history
   in one transaction. A failure anywhere before this leaves the id registry of the last
   publish untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.files import private_dir
from dtks.publish.atomic import build_databases, link_published, swap_in
from dtks.publish.computed import review_queue, village_status
from dtks.publish.paths import FULL, MASKED, move_legacy_archive
from dtks.publish.run_history import RunCounts, RunInfo, history_with, record_run, run_row
from dtks.publish.submission import SubmissionSummary, write_submission
from dtks.publish.tables import published_tables
from dtks.publish.views import VIEWS
from dtks.quality import ISSUE_HISTORY_TABLE, open_issues, validation_issues
from dtks.quality.accounting import RowAccountingError, assert_rows_accounted, row_accounting
from dtks.region import Kecamatan
from dtks.stages.desil import ensure_desil_tables
from dtks.stages.musdes import ensure_musdes_tables
from dtks.stages.reconcile import change_counts, commit_published_state
from dtks.store import mark_boundary, read_table, row_count, statements_of, table_or_empty


class NothingToPublishError(RuntimeError):
    """No accepted row in any village: publishing would replace the dataset with nothing."""


@dataclass(frozen=True)
class PublishSummary:
    path: Path
    masked_path: Path
    accounting: pl.DataFrame
    village_status: pl.DataFrame
    count_persons: int
    count_households: int = 0
    changes: dict[str, dict[str, int]] = field(default_factory=dict)
    submission: SubmissionSummary | None = None
    state_committed: bool = False


@statements_of("publish")
def publish_kecamatan(
    con: duckdb.DuckDBPyConnection,
    kecamatan: Kecamatan,
    curated_dir: Path,
    run: RunInfo,
    stale_after_days: int = 45,
) -> PublishSummary:
    """Build every published table from the store, check the row accounting, publish both
    files and the submission, then commit the staged id state.

    Raises RowAccountingError (and publishes nothing) when any village's rows do not add up;
    the failed run is recorded in the run history.
    """
    source_files = table_or_empty(con, "source_files")
    person_sources = table_or_empty(con, "reconciled_sources")
    ensure_desil_tables(con)  # a store where the desil stage has not run publishes no desil
    ensure_musdes_tables(con)  # likewise no deliberation items
    if person_sources.is_empty():
        raise NothingToPublishError(
            "nothing to publish: no village folder under the raw folder holds a readable "
            "export yet (files still being copied are read on the next run); the previously "
            "published file, if any, was left as it was"
        )
    persons = table_or_empty(con, "reconciled_persons")
    deactivations = table_or_empty(con, "reconciled_deactivations")
    pairs = table_or_empty(con, "match_pairs")
    issues = validation_issues(
        read_table(con, "clean_issues"),
        person_sources,
        persons,
        pairs,
        previous=read_table(con, ISSUE_HISTORY_TABLE),
    )
    still_open = open_issues(issues)
    accounting = row_accounting(
        source_files, person_sources, table_or_empty(con, "clean_rejected", "village")
    )
    status = village_status(
        kecamatan, source_files, accounting, still_open, run.started_at, stale_after_days
    )
    changes = table_or_empty(con, "reconciled_changes", "entity", "change_type", "entity_id")
    counts = RunCounts.of(
        persons.height,
        row_count(con, "reconciled_households"),
        change_counts(changes) if changes.height else {},
        pairs,
        deactivations.height,
        still_open,
        status,
    )
    try:
        assert_rows_accounted(accounting)
    except RowAccountingError as error:
        record_run(con, run_row(run, "failed: " + str(error), accounting, source_files, counts))
        raise

    history = history_with(con, run_row(run, "published", accounting, source_files, counts))
    computed = {
        "validation_issues": issues,
        "review_queue": review_queue(pairs, person_sources),
        "village_status": status,
        "runs": history,
    }
    private_dir(curated_dir)
    move_legacy_archive(curated_dir)
    files = (FULL, MASKED)
    staged = build_databases(
        [(file.path(curated_dir), published_tables(con, file, computed)) for file in files],
        list(VIEWS),
        con,
    )
    paths = {}
    try:
        for file, built in zip(files, staged, strict=True):
            paths[file] = swap_in(built)
            link_published(file.link(curated_dir), paths[file])
            mark_boundary()
    finally:
        for built in staged:
            built.discard()
    submission = write_submission(curated_dir, persons, deactivations, kecamatan, run.run_id)
    mark_boundary()
    committed = commit_published_state(con, run_history=history, also={ISSUE_HISTORY_TABLE: issues})
    return PublishSummary(
        path=paths[FULL],
        masked_path=paths[MASKED],
        accounting=accounting,
        village_status=status,
        count_persons=persons.height,
        count_households=counts.households,
        changes=counts.changes,
        submission=submission,
        state_committed=committed,
    )
