"""The Dagster code location: wires assets, jobs and resources together, nothing more."""

from __future__ import annotations

import warnings

import dagster as dg

# BackfillPolicy is marked beta in Dagster 1.13; it is what lets one run cover all villages.
warnings.filterwarnings("ignore", category=dg.BetaWarning)

from assets.checks import ASSET_CHECKS  # noqa: E402
from assets.clean import village_clean_rows  # noqa: E402
from assets.desil import desil_families  # noqa: E402
from assets.ingest import village_exports  # noqa: E402
from assets.match import person_matches  # noqa: E402
from assets.musdes import deliberation_items  # noqa: E402
from assets.publish import kecamatan_dataset  # noqa: E402
from assets.reconcile import reconciled_persons  # noqa: E402
from assets.reports import village_fix_lists  # noqa: E402
from assets.resources import DtksSettings  # noqa: E402
from pipelines.jobs import reconcile_kecamatan  # noqa: E402
from pipelines.schedules import nightly_reconciliation  # noqa: E402
from pipelines.sensors import run_failure_alert, village_exports_changed  # noqa: E402

ASSETS = [
    village_exports,
    village_clean_rows,
    person_matches,
    reconciled_persons,
    desil_families,
    deliberation_items,
    kecamatan_dataset,
    village_fix_lists,
]


def build_definitions(settings: DtksSettings) -> dg.Definitions:
    """The code location for the given settings (tests pass their own folders)."""
    return dg.Definitions(
        assets=ASSETS,
        asset_checks=ASSET_CHECKS,
        jobs=[reconcile_kecamatan],
        schedules=[nightly_reconciliation],
        sensors=[village_exports_changed, run_failure_alert],
        resources={"settings": settings},
        # Every stage holds the work-store lock anyway: one process per run is faster than
        # one per step, also for the UI's implicit "materialize all" job.
        executor=dg.in_process_executor,
    )


defs = build_definitions(DtksSettings.from_env())
