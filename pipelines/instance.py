"""Dagster's own instance storage under the work dir, so run history survives restarts."""

from __future__ import annotations

import fcntl
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from assets.settings import Settings
from dtks.files import PRIVATE_FILE_MODE, private_dir, write_text_atomically

if TYPE_CHECKING:
    import dagster as dg

# Written into DAGSTER_HOME when missing (or as written by an earlier release; any other
# file is left alone): no telemetry (the
# machine has no internet); a run queue that starts one run at a time (it only holds runs
# launched through the daemon: UI, schedule, sensor; `make run` bypasses it, and the work
# store lock in dtks.store is what keeps every run off the others' DuckDB file); a limit of 1
# on every concurrency pool, so the steps that open the work store (pool
# assets.conventions.WORK_STORE_POOL) wait for a slot, shown as waiting in the UI, across all
# runs of this instance, `make run` included; and run
# monitoring, so a run whose worker never started or hangs is ended instead of holding the
# queue forever (6 h, the same as the work store lock timeout).
DAGSTER_YAML = """\
telemetry:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 1
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_runtime_seconds: 21600
"""
# What earlier releases wrote: such a file is replaced by DAGSTER_YAML (it was ours, never
# edited), so an existing installation gets the pool limit; any other file is left alone.
EARLIER_DAGSTER_YAML = (
    DAGSTER_YAML.replace(
        "concurrency:\n  runs:\n    max_concurrent_runs: 1\n  pools:\n    default_limit: 1\n",
        "run_queue:\n  max_concurrent_runs: 1\n",
    ),
)
INIT_LOCK = ".init.lock"


def dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if the environment names one, else DTKS_WORK_DIR/dagster_home."""
    return Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)


def prepare_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME and its dagster.yaml (unless present) and export it for Dagster."""
    home = dagster_home(settings)
    private_dir(home)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() in EARLIER_DAGSTER_YAML:
        # written beside and renamed, so a process starting at the same moment never reads
        # a half-written file
        write_text_atomically(config, DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    return home


@contextmanager
def _init_lock(home: Path) -> Iterator[None]:
    """Held while the instance's SQLite files are created, so two first runs do not race."""
    fd = os.open(home / INIT_LOCK, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def open_instance(settings: Settings) -> dg.DagsterInstance:
    """The persistent Dagster instance the UI shows, created safely when two runs start at once."""
    home = prepare_dagster_home(settings)
    import dagster as dg  # imported after DAGSTER_HOME is set

    with _init_lock(home):
        return dg.DagsterInstance.get()


# Tags on a run started by `make run` (in process, outside the daemon): which process runs
# it, so a later `make run` can tell a run that is still going from one whose process was
# killed.
CLI_PROCESS_TAG = "dtks/cli_process"


def cli_run_tags() -> dict[str, str]:
    """Tags naming this process (`host:pid`) for a run executed in it."""
    return {CLI_PROCESS_TAG: f"{socket.gethostname()}:{os.getpid()}"}


def release_dead_cli_runs(instance: dg.DagsterInstance) -> list[str]:
    """Runs started by `make run` on this machine whose process is gone (killed, power cut):
    marked failed and their concurrency-pool slots freed. Returns their run ids.

    Such a run never ends by itself; without this it would hold the work store's pool slot
    and every later run would wait for it for ever. Runs of a live process, of another
    machine, or launched through the daemon are left alone (run monitoring watches those).
    """
    import dagster as dg

    host = socket.gethostname()
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
        )
    )
    released = []
    for record in records:
        run = record.dagster_run
        owner = run.tags.get(CLI_PROCESS_TAG, "")
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or _process_alive(int(pid)):
            continue
        instance.report_run_failed(run, "the `make run` process of this run is gone (killed)")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
