"""An export still being copied when a run starts is not read half: the run publishes
everything else and says the file is still being copied; the next run, once the copy has
finished, reads the whole file. Both for the nightly run (a fresh file waits) and for a run
started by hand (a file that keeps changing waits)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import pytest
from dagster_runs import published, settings_for

from dtks.ingest import read_export
from pipelines.definitions import build_definitions
from pipelines.jobs import all_villages_tags

VILLAGE = "bangserreh"
SETTLED = "bangserreh/bangserreh_verivali_202611_bagian1.csv"
COPYING = "bangserreh/bangserreh_verivali_202611_bagian2.csv"


NIGHTLY = {"dagster/schedule_name": "nightly_reconciliation"}
BY_HAND: dict[str, str] = {}  # make run, or a click in the UI


def _run(
    dirs: dict[str, Path], trigger: dict[str, str]
) -> tuple[dg.ExecuteInProcessResult, list[str]]:
    """One run of the whole reconciliation as `trigger` starts it, and its log lines."""
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(settings_for(dirs)).resolve_job_def("reconcile_kecamatan")
    result = job.execute_in_process(
        instance=instance, tags={**all_villages_tags(), **trigger}, raise_on_error=False
    )
    return result, [entry.user_message for entry in instance.all_logs(result.run_id)]


@contextmanager
def _copy_in_progress(path: Path, head: bytes) -> Iterator[None]:
    """`path` holds `head` and keeps growing by a few bytes every 50 ms until the block ends."""
    path.write_bytes(head[:-1000])
    done = threading.Event()

    def keep_copying() -> None:
        with path.open("ab") as copy:
            for offset in range(len(head) - 1000, len(head), 10):
                if done.wait(0.05):
                    return
                copy.write(head[offset : offset + 10])
                copy.flush()

    writer = threading.Thread(target=keep_copying)
    writer.start()
    try:
        yield
    finally:
        done.set()
        writer.join()


def _settle(paths: list[Path]) -> None:
    """Make files look as if they were last written an hour ago (the copy finished long ago)."""
    an_hour_ago = time.time() - 3600
    for path in paths:
        os.utime(path, (an_hour_ago, an_hour_ago))


def _files_read(dirs: dict[str, Path], village: str) -> dict[str, int]:
    rows = published(
        dirs, "SELECT source_file, rows_read FROM source_files WHERE village = ?", [village]
    )
    return dict(rows)


@pytest.mark.parametrize("trigger", [NIGHTLY, BY_HAND], ids=["nightly", "by_hand"])
def test_a_half_copied_export_waits_for_the_next_run_and_is_then_read_whole(
    dtks_dirs, trigger: dict[str, str]
) -> None:
    raw: Path = dtks_dirs["raw"]
    _settle([p for p in raw.rglob("*") if p.is_file()])
    copying = raw / COPYING
    whole = copying.read_bytes()
    rows_whole = read_export(copying, raw).rows.height

    with _copy_in_progress(copying, whole[: len(whole) // 2]):  # cut mid-line
        first, logs = _run(dtks_dirs, trigger)

    assert first.success
    assert _files_read(dtks_dirs, VILLAGE).keys() == {SETTLED}  # not a row of the half file
    assert any(COPYING in line and "still being copied" in line for line in logs), logs
    missing = published(dtks_dirs, "SELECT village FROM village_status WHERE is_missing")
    assert missing == []  # every village published, this one with its settled file

    copying.write_bytes(whole)  # the copy finishes ...
    _settle([copying])  # ... and the file has not changed since

    second, _ = _run(dtks_dirs, trigger)

    assert second.success
    read = _files_read(dtks_dirs, VILLAGE)
    assert read.keys() == {SETTLED, COPYING}
    assert read[COPYING] == rows_whole > 0
