"""The publish guard (row accounting, row drop) belongs to kecamatan_dataset: materializing
that asset alone runs it, on the store it is about to publish, and a failure stops the step
before the published file is swapped."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import duckdb
from dagster_runs import run_reconciliation, settings_for

from assets.publish import kecamatan_dataset

GUARD = {"rows_are_accounted_for", "village_row_count_did_not_drop"}


def publish_alone(dirs: dict[str, Path]) -> dg.ExecuteInProcessResult:
    """`dagster asset materialize --select kecamatan_dataset`, in process."""
    return dg.materialize(
        [kecamatan_dataset],
        resources={"settings": settings_for(dirs)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kecamatan_dataset_alone_runs_its_guard_and_a_failure_keeps_the_file(dtks_dirs) -> None:
    assert run_reconciliation(dtks_dirs).success
    published = dtks_dirs["curated"] / "kecamatan.duckdb"

    alone = publish_alone(dtks_dirs)
    assert alone.success
    checks = {e.check_name: e for e in alone.get_asset_check_evaluations()}
    assert set(checks) == GUARD
    assert all(e.passed and e.asset_key == kecamatan_dataset.key for e in checks.values())

    # one village's accepted rows vanish from the store (as after a truncated export)
    store = duckdb.connect(str(dtks_dirs["work"] / "store.duckdb"))
    try:
        store.execute("DELETE FROM reconciled_sources WHERE village = 'kapong'")
    finally:
        store.close()
    before = digest(published)

    blocked = publish_alone(dtks_dirs)
    assert not blocked.success
    checks = {e.check_name: e for e in blocked.get_asset_check_evaluations()}
    assert not checks["village_row_count_did_not_drop"].passed
    assert "kapong" in checks["village_row_count_did_not_drop"].description
    assert not checks["rows_are_accounted_for"].passed
    assert blocked.asset_materializations_for_node("kecamatan_dataset") == []
    failures = [e for e in blocked.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["kecamatan_dataset"]
    assert (
        "publish stopped before swapping the files" in failures[0].step_failure_data.error.message
    )
    assert digest(published) == before
