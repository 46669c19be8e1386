"""Clean: each village's raw rows into clean rows, issues and rejected rows."""

import time
from dataclasses import asdict

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.ingest import village_exports
from assets.metadata import markdown_table
from assets.partitions import village_partitions
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.stages.clean import clean_village


@dg.asset(
    deps=[village_exports],
    partitions_def=village_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="clean",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.clean", "dtks.clean", "dtks.columns"),
    description=(
        "Normalises NIK, KK, dates, sex, relationship, names and places of every raw row; "
        "rows that cannot describe a person are rejected with a reason; every problem becomes "
        "an issue with a message in Bahasa Indonesia."
    ),
)
def village_clean_rows(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    kecamatan = settings.kecamatan()
    with settings.work_store().session() as con:
        results = [clean_village(con, kecamatan, v) for v in context.partition_keys]
        table = table_metadata(con, "clean_rows", described_as="person_sources")
    rows = [asdict(r) for r in results]
    return dg.MaterializeResult(
        metadata={
            **table,
            "rows_accepted": sum(r.rows_accepted for r in results),
            "rows_rejected": sum(r.rows_rejected for r in results),
            "issues_error": sum(r.issues_error for r in results),
            "issues_warning": sum(r.issues_warning for r in results),
            "villages": dg.MetadataValue.md(markdown_table(rows, list(rows[0]) if rows else [])),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
