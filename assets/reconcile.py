"""Reconcile: clusters become persons and households with stable ids, ready to publish."""

import time

import dagster as dg

from assets.match import person_matches
from dtks.stages.reconcile import reconcile_kecamatan
from pipelines.resources import DtksSettings


@dg.asset(
    deps=[person_matches],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="reconcile",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    description=(
        "Turns each cluster of matched rows into one person (golden record) with a "
        "person_id that stays the same across runs, and rebuilds households (KK families). "
        "Checked before anything is published."
    ),
)
def reconciled_persons(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        summary = reconcile_kecamatan(con)
    return dg.MaterializeResult(
        metadata={
            "rows": summary.rows,
            "persons": summary.persons,
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
