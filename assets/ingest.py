"""Ingest: each village's export files into the work store (partitioned by village)."""

import time

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.metadata import markdown_table, run_trigger
from assets.partitions import village_partitions
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.ingest import (
    MANUAL_SETTLE_SECONDS,
    RECOMMENDED_MIN_AGE_SECONDS,
    RECOMMENDED_SETTLE_SECONDS,
)
from dtks.ingest.errors import display_text
from dtks.stages.ingest import VillageIngest, ingest_villages


@dg.asset(
    partitions_def=village_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="ingest",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.ingest", "dtks.ingest"),
    description=(
        "Reads every CSV and XLSX export in data/raw/<village>/ (not arsip/) into the work "
        "store. Unchanged files (same content hash) are skipped; changed files replace their "
        "rows; removed files are dropped. Files that cannot be read are reported, not fatal."
    ),
)
def village_exports(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    # Unattended runs may start while an operator is still copying a file: only read files
    # that have not changed for a while. A person pressing the button means "now", but
    # still not a file that is being copied this very moment.
    unattended = run_trigger(context.run.tags) != "manual"
    with settings.work_store().session() as con:
        results = ingest_villages(
            con,
            settings.raw_path,
            context.partition_keys,
            min_age_seconds=RECOMMENDED_MIN_AGE_SECONDS if unattended else 0.0,
            settle_seconds=RECOMMENDED_SETTLE_SECONDS if unattended else MANUAL_SETTLE_SECONDS,
        )
        for result in results:
            _log_problems(context, result)
        table = table_metadata(con, "raw_rows")
    rows = [
        {
            "village": r.village,
            "files": r.files_present,
            "new": len(r.files_new),
            "changed": len(r.files_changed),
            "unchanged": len(r.files_unchanged),
            "removed": len(r.files_removed),
            "failed": len(r.files_failed),
            "unsupported": len(r.files_unsupported),
            "still_copying": len(r.files_still_writing),
            "rows_read": r.rows_read,
        }
        for r in results
    ]
    return dg.MaterializeResult(
        metadata={
            **table,
            "rows_read": sum(r.rows_read for r in results),
            "files": sum(r.files_present for r in results),
            "files_new": sum(len(r.files_new) for r in results),
            "files_changed": sum(len(r.files_changed) for r in results),
            "files_unchanged": sum(len(r.files_unchanged) for r in results),
            "files_removed": sum(len(r.files_removed) for r in results),
            "files_failed": sum(len(r.files_failed) for r in results),
            "villages": dg.MetadataValue.md(markdown_table(rows, list(rows[0]) if rows else [])),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )


def _log_problems(context: dg.AssetExecutionContext, result: VillageIngest) -> None:
    """Name every file that was not read, so a failed or partial run says which file."""
    for source_file, message in result.files_failed.items():
        context.log.warning(f"{result.village}: {display_text(source_file)}: {message}")
    for source_file, reason in result.files_unsupported.items():
        context.log.warning(f"{result.village}: {display_text(source_file)} not read: {reason}")
    for source_file in result.files_still_writing:
        context.log.info(
            f"{result.village}: {display_text(source_file)} is still being copied; "
            "it will be read on the next run"
        )
