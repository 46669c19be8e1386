"""Two `make run`s started together both finish: they wait on the work store lock, not fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dagster_runs import cli_env, published

PROJECT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 240


def test_two_runs_started_together_both_publish_a_consistent_file(dtks_dirs) -> None:
    env = cli_env(dtks_dirs)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=RUN_TIMEOUT_S) for run in runs]
    for run, (stdout, stderr) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, stdout + stderr
        assert "published:" in stdout

    # the file both runs published accounts for every row of every village
    accounting = published(
        dtks_dirs,
        "SELECT village, rows_read, rows_accepted + rows_rejected FROM village_status "
        "WHERE rows_read <> rows_accepted + rows_rejected OR is_missing",
    )
    assert accounting == []
    (runs_recorded,) = published(dtks_dirs, "SELECT count(*) FROM runs")[0]
    assert runs_recorded >= 1
    # Dagster's run history is kept under the work dir, and both runs are in it
    history = dtks_dirs["work"] / "dagster_home" / "history" / "runs.db"
    assert history.exists()
