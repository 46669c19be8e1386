"""Real Dagster runs of the whole graph over a small generated kecamatan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster_runs import full_file, published, run_reconciliation, settings_for

from pipelines.definitions import build_definitions

PROJECT = Path(__file__).resolve().parents[2]


def test_one_run_reconciles_all_villages_and_accounts_for_every_row(dtks_dirs) -> None:
    result = run_reconciliation(dtks_dirs)
    assert result.success
    truth = pl.read_parquet(dtks_dirs["truth"])
    outcomes = pl.DataFrame(
        published(
            dtks_dirs,
            "SELECT source_file, source_sheet, source_row, 'accepted' FROM person_sources "
            "UNION ALL SELECT source_file, source_sheet, source_row, 'rejected' FROM rejected_rows",
        ),
        schema=["source_file", "source_sheet", "source_row", "outcome"],
        orient="row",
    )
    # none lost, none counted twice: every written row appears exactly once
    assert outcomes.height == truth.height
    keys = ["source_file", "source_sheet", "source_row"]
    assert outcomes.select(*keys).unique().height == outcomes.height
    joined = truth.select(*keys, "row_kind").join(outcomes, on=keys, how="left")
    assert joined["outcome"].null_count() == 0
    assert joined.filter(pl.col("row_kind") != "data")["outcome"].unique().to_list() in (
        ["rejected"],
        [],
    )
    villages = published(dtks_dirs, "SELECT count(*) FROM village_status WHERE NOT is_missing")
    assert villages == [(13,)]


def test_rerun_on_same_input_changes_nothing(dtks_dirs) -> None:
    assert run_reconciliation(dtks_dirs).success
    query = "SELECT * FROM person_sources ORDER BY source_file, source_sheet, source_row"
    first = published(dtks_dirs, query)
    second_result = run_reconciliation(dtks_dirs)
    assert second_result.success
    ingest = second_result.asset_materializations_for_node("village_exports")[0].metadata
    assert ingest["files_new"].value == 0
    assert ingest["files_changed"].value == 0
    assert ingest["files_unchanged"].value == ingest["files"].value > 0
    assert published(dtks_dirs, query) == first
    # the pictures of issue 7: issues per village and duplicates over the published runs
    charts = {
        "kecamatan_dataset": ["issues_per_village_chart", "duplicates_over_time_chart"],
        "village_fix_lists": ["issues_per_village_chart"],
    }
    for node, keys in charts.items():
        metadata = second_result.asset_materializations_for_node(node)[0].metadata
        for key in keys:
            assert "](data:image/png;base64,iVBORw0KGgo" in metadata[key].value, (node, key)


def test_changed_and_removed_files_replace_their_rows(dtks_dirs, monkeypatch) -> None:
    # kapong loses most of its rows on purpose: tell the drift check that this is expected
    monkeypatch.setenv("DTKS_MAX_ROW_DROP_SHARE", "1")
    assert run_reconciliation(dtks_dirs).success
    raw: Path = dtks_dirs["raw"]
    kapong_files = sorted((raw / "kapong").glob("*.*"))
    removed = kapong_files[0]
    removed.unlink()
    assert run_reconciliation(dtks_dirs).success
    rel = removed.relative_to(raw).as_posix()
    count_rows = "SELECT count(*) FROM person_sources WHERE source_file = ?"
    assert published(dtks_dirs, count_rows, [rel]) == [(0,)]
    (kept,) = published(dtks_dirs, count_rows, [kapong_files[-1].relative_to(raw).as_posix()])
    assert kept[0] > 0 or len(kapong_files) == 1


def test_code_location_loads_without_errors(tmp_path: Path) -> None:
    env = {**os.environ, "DTKS_WORK_DIR": str(tmp_path / "work"), "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("dagster")),
            "definitions",
            "validate",
            "-m",
            "pipelines.definitions",
        ],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("village", ["kapong", "bujur-timur"])
def test_one_village_can_be_materialised_alone(dtks_dirs, village: str) -> None:
    defs = build_definitions(settings_for(dtks_dirs))
    result = defs.resolve_job_def("reconcile_kecamatan").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=village,
        asset_selection=[dg.AssetKey("village_exports"), dg.AssetKey("village_clean_rows")],
    )
    assert result.success
    mats = result.asset_materializations_for_node("village_exports")
    assert [m.partition for m in mats] == [village]


def test_a_changed_file_replaces_that_files_rows(dtks_dirs) -> None:
    assert run_reconciliation(dtks_dirs).success
    truth = pl.read_parquet(dtks_dirs["truth"])
    row = (
        truth.filter(
            pl.col("source_file").str.ends_with(".csv")
            & (pl.col("row_kind") == "data")
            & pl.col("nik_written").is_not_null()
        )
        .sort("source_file", "source_row")
        .row(0, named=True)
    )
    path = dtks_dirs["raw"] / row["source_file"]
    count_rows = "SELECT count(*) FROM person_sources WHERE source_file = ?"
    (before,) = published(dtks_dirs, count_rows, [row["source_file"]])[0]
    raw_bytes = path.read_bytes()
    lines = raw_bytes.split(b"\n")
    del lines[row["source_row"] - 1]  # the operator deleted one person from the export
    path.write_bytes(b"\n".join(lines))
    result = run_reconciliation(dtks_dirs)
    assert result.success
    ingest = result.asset_materializations_for_node("village_exports")[0].metadata
    assert ingest["files_changed"].value == 1
    (after,) = published(dtks_dirs, count_rows, [row["source_file"]])[0]
    assert after == before - 1


def test_an_empty_raw_folder_fails_clearly_and_publishes_nothing(tmp_path: Path) -> None:
    dirs = {name: tmp_path / name for name in ("raw", "work", "curated", "review")}
    dirs["raw"].mkdir()
    result = run_reconciliation(dirs)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "kecamatan_dataset"
    assert "nothing to publish" in str(failure.step_failure_data.error)
    assert not full_file(dirs).exists()
    assert not (dirs["curated"] / "kecamatan.duckdb").exists()
