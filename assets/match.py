"""Match: the same person found across and within villages, over all clean rows."""

import time
from pathlib import Path

import dagster as dg

from assets.clean import village_clean_rows
from assets.conventions import WORK_STORE_POOL, code_version
from assets.metadata import markdown_table
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.stages.match import match_kecamatan

# What the run metadata shows of each file's IDDTKS decision (file names, kinds and counts).
IDDTKS_FILE_COLUMNS = (
    "source_file",
    "iddtks_kind",
    "iddtks_count_rows",
    "iddtks_count_values_repeated",
    "iddtks_count_rows_on_different_people",
    "iddtks_count_rows_in_member_families",
)


@dg.asset(
    deps=[village_clean_rows],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="match",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.match", "dtks.match", "dtks.review"),
    description=(
        "Finds rows of the same person within and across villages: candidate pairs by "
        "blocking (NIK, truncated NIK, NIK typos, KK, names, birth dates), Fellegi-Sunter "
        "scores with the evidence of every comparison, safety rules that keep different "
        "people apart, and clusters. Clerks' sama/beda decisions from the workbooks in the "
        "review folder are applied first; pairs still to decide are written to "
        "review_queue.xlsx there."
    ),
)
def person_matches(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        summary = match_kecamatan(con, review_dir=Path(settings.review_dir))
        table = table_metadata(con, "match_pairs")
    review = summary.review
    if summary.capped_blocks:
        context.log.info(
            f"blocks capped (too common to compare all pairs): {summary.capped_blocks}"
        )
    if review.count_problems:
        context.log.warning(
            f"{review.count_problems} isian di file pemeriksaan tidak bisa dibaca: "
            "lihat sheet MASALAH ISIAN di review_queue.xlsx"
        )
    if review.queue_error:
        context.log.warning(f"review_queue.xlsx tidak bisa ditulis: {review.queue_error}")
    return dg.MaterializeResult(
        metadata={
            **table,
            "rows": summary.rows,
            "persons": summary.persons,
            "persons_with_duplicates": summary.persons_with_duplicates,
            "pairs_merged": summary.pairs_by_decision.get("merged", 0),
            "pairs_review": summary.pairs_by_decision.get("review", 0),
            "pairs_distinct": summary.pairs_by_decision.get("distinct", 0),
            "merges_to_confirm": summary.needs_confirmation,
            "capped_blocks": dg.MetadataValue.json(summary.capped_blocks),
            "review_workbooks_read": dg.MetadataValue.json(review.workbooks_read),
            "review_must_link": review.count_must_link,
            "review_cannot_link": review.count_cannot_link,
            "review_problems": review.count_problems,
            "review_queue_pairs_to_decide": review.count_queue_review,
            "review_queue_merges_to_confirm": review.count_queue_confirm,
            "review_queue": dg.MetadataValue.path(review.queue_path or ""),
            "iddtks_meaning": dg.MetadataValue.json(summary.iddtks),
            "review_decisions_voided": summary.count_voided_decisions,
            "review_pairs_requeued": summary.count_requeued_pairs,
            "review_queue_limit": summary.review_queue.get("limit", 0),
            "review_queue_minutes_of_work": summary.review_queue.get("minutes_of_work", 0.0),
            "review_queue_workload": dg.MetadataValue.json(summary.review_queue),
            "iddtks_files": dg.MetadataValue.md(
                markdown_table(summary.iddtks_files, IDDTKS_FILE_COLUMNS)
            ),
            "timings_s": dg.MetadataValue.json(summary.timings),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
