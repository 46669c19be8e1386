"""Reconcile: clusters become persons and households with stable ids, ready to publish."""

import time

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.match import person_matches
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.stages.reconcile import reconcile_kecamatan


@dg.asset(
    deps=[person_matches],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="reconcile",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.reconcile", "dtks.reconcile"),
    description=(
        "Turns each cluster of matched rows into one person (golden record, every value "
        "chosen by the survivorship rules) with a person_id that stays the same across runs, "
        "rebuilds households (KK families), lists the rows to deactivate upward and what "
        "changed since the last publish. The new ids are committed only when the publish "
        "succeeds."
    ),
)
def reconciled_persons(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        summary = reconcile_kecamatan(con, run_id=context.run.run_id)
        table = table_metadata(con, "reconciled_persons", described_as="persons")
    persons = summary.changes.get("person", {})
    return dg.MaterializeResult(
        metadata={
            **table,
            "rows": summary.rows,
            "persons": summary.persons,
            "households": summary.households,
            "rows_to_deactivate": summary.deactivations,
            "persons_new": persons.get("new", 0),
            "persons_updated": persons.get("updated", 0),
            "persons_merged": persons.get("merged", 0),
            "persons_split": persons.get("split", 0),
            "persons_removed": persons.get("removed", 0),
            "changes": dg.MetadataValue.json(summary.changes),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
