"""Dagster's own instance storage under the work dir, so run history survives restarts."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from dtks.files import PRIVATE_FILE_MODE, private_dir, write_text_atomically
from pipelines.settings import Settings

if TYPE_CHECKING:
    import dagster as dg

# Written once into DAGSTER_HOME (an existing file is never overwritten): no telemetry (the
# machine has no internet); a run queue that starts one run at a time (it only holds runs
# launched through the daemon: UI, schedule, sensor; `make run` bypasses it, and the work
# store lock in dtks.store is what keeps every run off the others' DuckDB file); and run
# monitoring, so a run whose worker never started or hangs is ended instead of holding the
# queue forever (6 h, the same as the work store lock timeout).
DAGSTER_YAML = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_runtime_seconds: 21600
"""
INIT_LOCK = ".init.lock"


def dagster_home(settings: Settings) -> Path:
    """DAGSTER_HOME if the environment names one, else DTKS_WORK_DIR/dagster_home."""
    return Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)


def prepare_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME and its dagster.yaml (unless present) and export it for Dagster."""
    home = dagster_home(settings)
    private_dir(home)
    config = home / "dagster.yaml"
    if not config.exists():
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
