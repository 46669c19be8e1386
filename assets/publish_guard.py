"""The checks that guard the publish: the villages suite (every row read is accepted or
rejected; no village lost more than its share of rows since the last published run).

They are checks of `kecamatan_dataset` itself, evaluated inside the asset on the work store
it is about to publish, before any file is swapped: materializing `kecamatan_dataset` alone
runs them too, the UI shows them on that asset, and a failed one fails the step, so the
published files stay as they were.
"""

from __future__ import annotations

import dagster as dg
import duckdb

from assets.checks import DATA_DOCS_DIR, evaluate_suite, suite_check_specs, villages_input
from assets.resources import DtksSettings

GUARD_SUITE = "villages"
GUARDED_ASSET = dg.AssetKey("kecamatan_dataset")


def guard_check_specs() -> list[dg.AssetCheckSpec]:
    """The guard's checks, declared on `kecamatan_dataset`."""
    return suite_check_specs(GUARD_SUITE, GUARDED_ASSET.to_user_string())


def guard_publish(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, settings: DtksSettings
) -> list[dg.AssetCheckResult]:
    """Evaluate the guard on what the store holds now. The results are to be yielded; when
    a blocking one failed, the caller raises `publish_blocked(results)` before publishing."""
    given = villages_input(con, None)
    docs_dir = settings.curated_path / DATA_DOCS_DIR
    return evaluate_suite(GUARD_SUITE, given, GUARDED_ASSET, docs_dir, context.log)


def blocking_failures(results: list[dg.AssetCheckResult]) -> list[dg.AssetCheckResult]:
    return [r for r in results if not r.passed and r.severity == dg.AssetCheckSeverity.ERROR]


def publish_blocked(failed: list[dg.AssetCheckResult]) -> dg.Failure:
    """The step failure that stops the publish, naming each failed check and why."""
    reasons = "; ".join(f"{r.check_name}: {r.description}" for r in failed)
    return dg.Failure(
        description=f"publish stopped before swapping the files: {reasons}",
        metadata={"failed_checks": [r.check_name for r in failed]},
    )
