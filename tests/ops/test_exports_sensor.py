"""The sensor on DTKS_RAW_DIR: one run per batch of new, changed or removed village exports."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import dagster as dg
from dagster_runs import published, settings_for

from assets.partitions import village_partitions
from dtks.ingest import KECAMATAN_FOLDER
from pipelines.definitions import build_definitions
from pipelines.jobs import villages_in_run, villages_range_tags
from pipelines.sensors import (
    CHANGED_VILLAGES_TAG,
    build_exports_sensor,
    changed_villages,
    next_state,
    scan_exports,
)

VILLAGES = village_partitions.get_partition_keys()
# Tests drop files and look at once; the real sensor waits RECOMMENDED_MIN_AGE_SECONDS.
settled_sensor = build_exports_sensor(min_age_seconds=0)


def tick(
    dirs: dict[str, Path],
    cursor: str | None,
    sensor: dg.SensorDefinition = settled_sensor,
    instance: dg.DagsterInstance | None = None,
) -> tuple[list[dg.RunRequest], str | None]:
    context = dg.build_sensor_context(
        instance=instance or dg.DagsterInstance.ephemeral(),
        cursor=cursor,
        resources={"settings": settings_for(dirs)},
    )
    result = sensor.evaluate_tick(context)
    return list(result.run_requests or []), result.cursor


def settled_cursor(dirs: dict[str, Path]) -> str | None:
    """The cursor after the first tick has seen (and run) the folder as it is."""
    _, cursor = tick(dirs, None)
    return cursor


def drop_copy(raw: Path, village: str, name: str) -> Path:
    """A new export in `village`: a copy of one of its files under another name."""
    source = sorted((raw / village).glob("*.csv")) or sorted((raw / village).glob("*.xlsx"))
    target = raw / village / f"{name}{source[0].suffix}"
    shutil.copyfile(source[0], target)
    return target


def test_first_tick_starts_one_run_over_every_village_with_exports(dtks_dirs) -> None:
    requests, cursor = tick(dtks_dirs, None)
    assert len(requests) == 1
    assert villages_in_run(dict(requests[0].tags)) == VILLAGES
    assert cursor


def test_same_files_seen_again_start_nothing(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    requests, again = tick(dtks_dirs, cursor)
    assert requests == []
    assert again == cursor


def test_a_file_dropped_into_a_village_starts_exactly_one_run_for_that_village(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    drop_copy(dtks_dirs["raw"], "kapong", "tambahan")
    requests, cursor = tick(dtks_dirs, cursor)
    assert len(requests) == 1
    assert villages_in_run(dict(requests[0].tags)) == ["kapong"]
    assert requests[0].tags[CHANGED_VILLAGES_TAG] == "kapong"
    assert tick(dtks_dirs, cursor)[0] == []  # and only once


def test_files_dropped_together_start_one_run(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    raw = dtks_dirs["raw"]
    drop_copy(raw, "pangereman", "bagian-2")
    drop_copy(raw, "pangereman", "bagian-3")
    drop_copy(raw, "blaban", "susulan")
    requests, _ = tick(dtks_dirs, cursor)
    assert len(requests) == 1
    covered = villages_in_run(dict(requests[0].tags))
    assert {"pangereman", "blaban"} <= set(covered)
    assert requests[0].tags[CHANGED_VILLAGES_TAG] == "pangereman,blaban"


def drop_desil_list(raw: Path) -> Path:
    """A kecamatan-wide desil ranking list in `_kecamatan/`."""
    folder = raw / KECAMATAN_FOLDER
    folder.mkdir(exist_ok=True)
    path = folder / "Pemeringkatan Desil Batumarmar 2026-07.csv"
    path.write_text(
        "NOMOR KK|NIK KEPALA KELUARGA|NAMA KEPALA KELUARGA|DESIL\n"
        "3528110101100001|3528110101800001|SUPARDI|3\n",
        encoding="utf-8",
    )
    return path


def test_a_desil_list_dropped_into_the_kecamatan_folder_starts_one_run(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    listed = drop_desil_list(dtks_dirs["raw"])
    (request,), cursor = tick(dtks_dirs, cursor)
    assert request.tags[CHANGED_VILLAGES_TAG] == KECAMATAN_FOLDER
    # every run reads _kecamatan/ in its desil step; the cheapest one reads a single village
    assert villages_in_run(dict(request.tags)) == VILLAGES[:1]
    assert tick(dtks_dirs, cursor)[0] == []  # and only once
    _append_line(listed)  # a corrected list
    (request,), cursor = tick(dtks_dirs, cursor)
    assert request.tags[CHANGED_VILLAGES_TAG] == KECAMATAN_FOLDER
    listed.unlink()  # removed: the desil it gave must go too
    (request,), _ = tick(dtks_dirs, cursor)
    assert request.tags[CHANGED_VILLAGES_TAG] == KECAMATAN_FOLDER


def test_a_desil_list_dropped_with_a_village_export_starts_one_run_for_the_village(
    dtks_dirs,
) -> None:
    cursor = settled_cursor(dtks_dirs)
    drop_desil_list(dtks_dirs["raw"])
    drop_copy(dtks_dirs["raw"], "tamberu", "tambahan")
    (request,), _ = tick(dtks_dirs, cursor)
    assert villages_in_run(dict(request.tags)) == ["tamberu"]
    assert request.tags[CHANGED_VILLAGES_TAG] == f"tamberu,{KECAMATAN_FOLDER}"


def test_a_change_a_queued_run_will_read_anyway_starts_no_second_run(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    instance = dg.DagsterInstance.ephemeral()
    waiting = dg.DagsterRun(  # created, not started (QUEUED needs a code location origin)
        job_name="reconcile_kecamatan",
        status=dg.DagsterRunStatus.NOT_STARTED,
        tags=villages_range_tags("ponjanan-barat", "kapong"),
    )
    instance.add_run(waiting)
    drop_copy(dtks_dirs["raw"], "kapong", "tambahan")
    drop_desil_list(dtks_dirs["raw"])  # every run reads _kecamatan/
    requests, cursor = tick(dtks_dirs, cursor, instance=instance)
    assert requests == []
    drop_copy(dtks_dirs["raw"], "tamberu", "tambahan")  # not covered by the queued run
    requests, _ = tick(dtks_dirs, cursor, instance=instance)
    assert [villages_in_run(dict(r.tags)) for r in requests] == [["tamberu"]]


def test_changed_and_removed_exports_start_a_run_and_archived_ones_do_not(dtks_dirs) -> None:
    raw: Path = dtks_dirs["raw"]
    cursor = settled_cursor(dtks_dirs)
    cases = [
        ("changed", "tamberu", lambda: _append_line(next((raw / "tamberu").glob("*.*")))),
        ("removed", "kapong", lambda: next((raw / "kapong").glob("*.*")).unlink()),
        ("archived", None, lambda: drop_copy(raw, "blaban", "arsip/versi-lama")),
    ]
    for behaviour, village, change in cases:
        (raw / "blaban" / "arsip").mkdir(exist_ok=True)
        change()
        requests, cursor = tick(dtks_dirs, cursor)
        expected = [[village]] if village else []
        assert [villages_in_run(dict(r.tags)) for r in requests] == expected, behaviour


def _append_line(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"\n")


def test_a_file_still_being_copied_waits_until_it_settles(dtks_dirs) -> None:
    raw: Path = dtks_dirs["raw"]
    min_age_s = 2.0  # RECOMMENDED_MIN_AGE_SECONDS in production; short to keep the test fast
    cursor = settled_cursor(dtks_dirs)
    time.sleep(min_age_s + 0.2)  # the fixture's files have settled by now
    drop_copy(raw, "lesong-daja", "sedang-disalin")
    requests, after = tick(dtks_dirs, cursor, build_exports_sensor(min_age_seconds=min_age_s))
    assert requests == []
    assert after == cursor  # the village keeps its old state until the file settles

    now = time.time()
    scan = scan_exports(raw, VILLAGES, min_age_seconds=min_age_s, now=now)
    assert list(scan.settling) == ["lesong-daja"]
    later = scan_exports(raw, VILLAGES, min_age_seconds=min_age_s, now=now + 60)
    assert later.settling == {}
    assert changed_villages(next_state({}, scan), later) == ["lesong-daja"]


def test_the_run_a_village_tick_requests_reads_that_village_and_publishes(dtks_dirs) -> None:
    cursor = settled_cursor(dtks_dirs)
    drop_copy(dtks_dirs["raw"], "kapong", "tambahan")
    (request,), _ = tick(dtks_dirs, cursor)
    # a sensor-started run only reads files older than RECOMMENDED_MIN_AGE_SECONDS, as the
    # files the real sensor reports are; these were written a moment ago
    an_hour_ago = time.time() - 3600
    for path in dtks_dirs["raw"].rglob("*.*"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    job = build_definitions(settings_for(dtks_dirs)).resolve_job_def("reconcile_kecamatan")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=request.tags, raise_on_error=False
    )
    assert result.success
    ingested = result.asset_materializations_for_node("village_exports")
    assert [m.partition for m in ingested] == ["kapong"]
    assert len(result.asset_materializations_for_node("kecamatan_dataset")) == 1
    assert published(
        dtks_dirs, "SELECT is_missing FROM village_status WHERE village = ?", ["kapong"]
    ) == [(False,)]
