"""Publish: the reconciled kecamatan dataset, swapped in atomically for analysts."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.desil import desil_families
from assets.metadata import chart_metadata, markdown_table, run_trigger
from assets.musdes import deliberation_items
from assets.publish_guard import (
    blocking_failures,
    guard_check_specs,
    guard_publish,
    publish_blocked,
)
from assets.reconcile import reconciled_persons
from assets.resources import DtksSettings
from assets.table_metadata import published_table_metadata
from dtks.charts import (
    duplicates_over_time_png,
    issues_per_village_png,
    published_run_counts,
    village_issue_counts,
)
from dtks.publish.computed import VILLAGE_COUNTS
from dtks.publish.run_history import RUN_HISTORY, RunInfo
from dtks.stages.publish import publish_kecamatan
from dtks.store import read_table


@dg.asset(
    deps=[reconciled_persons, desil_families, deliberation_items],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    check_specs=guard_check_specs(),
    code_version=code_version(
        __name__,
        "dtks.stages.publish",
        "dtks.publish",
        "dtks.privacy",
        "dtks.quality",
    ),
    description=(
        "Builds penuh/kecamatan.duckdb (and tersamar/kecamatan_masked.duckdb without "
        "identifiers, in a folder of its own) in DTKS_CURATED_DIR from all villages, checks "
        "that every row read is accepted or rejected, and swaps the files in atomically; the "
        "previous files go to each folder's archive/. "
        "Then writes submission/ (DTKS layout per village and for the kecamatan, and the "
        "deactivation lists) and commits the stable ids of this run. Metadata: a table and a "
        "chart of the villages' rows and open issues, and a chart of duplicates over the "
        "published runs."
    ),
)
def kecamatan_dataset(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    started = time.monotonic()
    run = RunInfo(
        run_id=context.run.run_id,
        trigger=run_trigger(context.run.tags),
        started_at=datetime.now(UTC),
    )
    with settings.work_store().session() as con:
        guard = guard_publish(context, con, settings)
        yield from guard
        if failed := blocking_failures(guard):
            raise publish_blocked(failed)
        summary = publish_kecamatan(con, settings.kecamatan(), settings.curated_path, run)
        table = published_table_metadata(str(summary.path), "persons")
        charts = chart_metadata(
            context.log,
            {
                "issues_per_village_chart": lambda: issues_per_village_png(
                    village_issue_counts(summary.village_status)
                ),
                "duplicates_over_time_chart": lambda: duplicates_over_time_png(
                    published_run_counts(read_table(con, RUN_HISTORY))
                ),
            },
        )
    villages = summary.village_status.select("village", *VILLAGE_COUNTS, "is_missing").to_dicts()
    yield dg.MaterializeResult(
        metadata={
            **table,
            "path": dg.MetadataValue.path(str(summary.path)),
            "masked_path": dg.MetadataValue.path(str(summary.masked_path)),
            "submission_path": dg.MetadataValue.path(
                str(summary.submission.path if summary.submission else "")
            ),
            "persons": summary.count_persons,
            "households": summary.count_households,
            "changes": dg.MetadataValue.json(summary.changes),
            "ids_committed": summary.state_committed,
            "rows_read": int(summary.accounting["rows_read"].sum()),
            "villages": dg.MetadataValue.md(
                markdown_table(villages, list(villages[0]) if villages else [])
            ),
            **charts,
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
