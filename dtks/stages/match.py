"""Match stage: find the same person across and within villages over all clean rows, with clerks' review."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from dtks.match import MatchSettings, find_duplicates, normalise_decisions
from dtks.match.identifiers import FILE_SCHEMA
from dtks.match.queue_limit import REVIEW_RANK
from dtks.match.rules import DISTINCT, REVIEW
from dtks.review import read_review_folder, write_review_queue
from dtks.review.readback import PROBLEM_SCHEMA
from dtks.store import read_table, replace_table, statements_of, transaction

# Per source file: what its IDDTKS column identifies, with the evidence (dtks.match.identifiers);
# published as extra columns of `source_files`.
IDDTKS_FILES = "iddtks_files"
MATCH_TABLES = ("match_pairs", "match_clusters", "match_levels", "review_problems", IDDTKS_FILES)
# Who decided a pair: the score, a hard rule, or a clerk's review (see dtks.match.dedupe).
DECIDED_BY_CLERK = "review"


@dataclass(frozen=True)
class ReviewSummary:
    """The review round of one run: decisions read, problems, the queue written (counts only)."""

    workbooks_read: list[str] = field(default_factory=list)
    count_rows_read: int = 0
    count_must_link: int = 0
    count_cannot_link: int = 0
    count_problems: int = 0
    queue_path: str | None = None
    count_queue_review: int = 0
    count_queue_confirm: int = 0
    queue_error: str | None = None


@dataclass(frozen=True)
class MatchSummary:
    """Counts for metadata: rows, pairs by decision, clusters, capped blocks, review round."""

    rows: int
    pairs_by_decision: dict[str, int]  # every candidate pair compared, by decision
    persons: int
    persons_with_duplicates: int
    needs_confirmation: int
    capped_blocks: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    review: ReviewSummary = field(default_factory=ReviewSummary)
    iddtks: dict[str, Any] = field(default_factory=dict)  # files by kind, rows with a family id
    # clerks' decisions keyed on a family-level IDDTKS: voided, their pairs queued again
    count_voided_decisions: int = 0
    count_requeued_pairs: int = 0
    iddtks_files: list[dict[str, Any]] = field(default_factory=list)  # per file: kind, evidence
    # the queue's limit, size, a clerk's minutes, pairs decided by the score beyond the limit
    # (`dtks.match.queue_limit.QueueOutcome.as_dict`)
    review_queue: dict[str, Any] = field(default_factory=dict)


@statements_of("match")
def match_kecamatan(
    con: duckdb.DuckDBPyConnection,
    review_dir: Path | None = None,
    decisions: pl.DataFrame | None = None,
    settings: MatchSettings | None = None,
) -> MatchSummary:
    """Match every clean row of every village and replace the match tables of the store.

    With ``review_dir``: first read the clerks' workbooks there (their sama / beda become
    must-link / cannot-link decisions, kept in the folder's ledger), then, after matching, write
    the next ``review_queue.xlsx`` there. ``decisions`` adds decisions from elsewhere (tests,
    scripts); a cannot-link from either side wins. Problems reading the workbooks are stored
    in ``review_problems`` (file, sheet, row, message; no personal data).

    The match tables are replaced in one transaction.
    """
    settings = settings or MatchSettings()
    review = read_review_folder(review_dir) if review_dir is not None else None
    all_decisions = _combined(decisions, review.decisions if review is not None else None)
    problems = review.problems if review is not None else pl.DataFrame(schema=PROBLEM_SCHEMA)
    clean = read_table(con, "clean_rows")
    if clean is None or clean.is_empty():
        with transaction(con):
            replace_table(con, "review_problems", problems)
            for table in ("match_pairs", "match_clusters", "match_levels"):
                replace_table(con, table, pl.DataFrame())
            replace_table(con, IDDTKS_FILES, pl.DataFrame(schema=FILE_SCHEMA))
        return MatchSummary(0, {}, 0, 0, 0, review=_review_summary(review, None))
    result = find_duplicates(clean, decisions=all_decisions, settings=settings)
    with transaction(con):
        replace_table(con, "review_problems", problems)
        replace_table(con, "match_pairs", published_pairs(kept_pairs(result.pairs, settings)))
        replace_table(con, "match_clusters", result.clusters.drop("row_id"))
        replace_table(con, "match_levels", result.levels)
        replace_table(con, IDDTKS_FILES, result.iddtks_files)
    written = None
    if review_dir is not None:
        labels = {rule.name: rule.label_id for rule in settings.rules() if rule.label_id}
        written = write_review_queue(review_dir, result, clean, review, labels)
    decisions_count = result.pairs["decision"].value_counts()
    clusters = result.clusters.select("cluster_id", "cluster_size").unique()
    return MatchSummary(
        rows=clean.height,
        pairs_by_decision=dict(
            zip(decisions_count["decision"], decisions_count["count"], strict=True)
        ),
        persons=clusters.height,
        persons_with_duplicates=clusters.filter(pl.col("cluster_size") > 1).height,
        needs_confirmation=int(result.pairs["needs_confirmation"].sum()),
        capped_blocks=dict(result.stats.get("capped_blocks", {})),
        timings=dict(result.stats.get("timings", {})),
        review=_review_summary(review, written),
        iddtks=dict(result.stats.get("iddtks", {})),
        count_voided_decisions=int(result.stats.get("count_voided_decisions", 0)),
        count_requeued_pairs=int(result.stats.get("count_requeued_pairs", 0)),
        iddtks_files=result.iddtks_files.to_dicts(),
        review_queue=dict(result.stats.get("review_queue", {})),
    )


def _combined(*frames: pl.DataFrame | None) -> pl.DataFrame | None:
    present = [normalise_decisions(f) for f in frames if f is not None and f.height]
    if not present:
        return None
    return normalise_decisions(pl.concat(present))


def _review_summary(review: Any, written: Any) -> ReviewSummary:
    if review is None:
        return ReviewSummary()
    return ReviewSummary(
        workbooks_read=list(review.workbooks_read),
        count_rows_read=review.count_rows_read,
        count_must_link=review.count_must_link,
        count_cannot_link=review.count_cannot_link,
        count_problems=review.problems.height,
        queue_path=str(written.path) if written is not None and written.path else None,
        count_queue_review=written.count_review if written is not None else 0,
        count_queue_confirm=written.count_confirm if written is not None else 0,
        queue_error=written.error if written is not None else None,
    )


def kept_pairs(pairs: pl.DataFrame, settings: MatchSettings) -> pl.DataFrame:
    """The pairs worth keeping: merged, to review or to confirm, decided by a clerk, or
    scored at least as likely as a review pair but kept apart by a safety rule.

    The rest are candidate pairs the model scored as different people: at 1M rows about
    10M of them (99 % of all pairs), which no later stage or analyst reads; the match
    stage's metadata still counts them.
    """
    return pairs.filter(
        (pl.col("decision") != DISTINCT)
        | pl.col("needs_confirmation")
        | (pl.col("decided_by") == DECIDED_BY_CLERK)
        | (pl.col("match_probability") >= settings.review_probability)
    )


def published_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Pairs with their evidence as plain text (enum structs do not travel well to old clients)."""
    evidence = pairs.get_column("evidence").struct.unnest()
    weights = pairs.get_column("evidence_weights").struct.unnest()
    return pairs.drop(
        "row_id_l", "row_id_r", "evidence", "evidence_weights", REVIEW_RANK, strict=False
    ).with_columns(
        *[evidence[c].cast(pl.Utf8).alias(f"level_{c}") for c in evidence.columns],
        *[weights[c].cast(pl.Float64).alias(f"weight_{c}") for c in weights.columns],
    )


def review_queue_size(con: duckdb.DuckDBPyConnection) -> int:
    """Pairs in the review queue of the last match (to review, or merged and to confirm)."""
    pairs = read_table(con, "match_pairs")
    if pairs is None or pairs.is_empty() or "decision" not in pairs.columns:
        return 0
    return pairs.filter(
        (pl.col("decision") == REVIEW) | pl.col("needs_confirmation").fill_null(False)
    ).height
