"""The published file survives whatever happens to a run: readers holding it, a run killed
while it publishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
from dagster_runs import run_reconciliation

from dtks.publish.paths import published_paths

PROJECT = Path(__file__).resolve().parents[2]
HOLD_THE_FILE = textwrap.dedent("""
    import duckdb, sys
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(con.execute("SELECT count(*) FROM runs").fetchall()[0][0], flush=True)
    sys.stdin.readline()  # hold the connection until told
    print(con.execute("SELECT count(*) FROM runs").fetchall()[0][0], flush=True)
""")


def _runs(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM runs").fetchall()[0][0]
    finally:
        con.close()


def _building(curated: Path) -> bool:
    return any(published_paths(curated)[0].parent.glob(".kecamatan.*.building*"))


def test_a_reader_holding_the_file_and_a_run_killed_while_publishing_break_nothing(
    copy_of_published_run,
) -> None:
    """An analyst holds a read-only connection from before a run that is killed while it
    publishes until after the next run: the killed run leaves the previous file as it was,
    the next run is neither blocked nor failed by the reader and publishes, the reader keeps
    its complete old snapshot and a new connection sees the new publish."""
    dirs = copy_of_published_run
    target = published_paths(dirs["curated"])[0]
    before = target.read_bytes()
    reader = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FILE, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().strip() == "1"
        _run_and_kill_while_publishing(dirs)
        assert target.read_bytes() == before  # the previous file, untouched
        assert _runs(target) == 1

        assert run_reconciliation(dirs).success  # with the reader still holding on
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    assert out.strip() == "1"  # the open connection kept the old, complete snapshot
    assert _runs(target) == 2  # a new connection sees the new publish
    assert not _building(dirs["curated"])  # the killed run's half-built file was swept away


def _run_and_kill_while_publishing(dirs: dict[str, Path]) -> None:
    """`python -m pipelines.cli run` in its own process group, SIGKILLed once the new file is
    being built."""
    env = {
        **os.environ,
        "DTKS_RAW_DIR": str(dirs["raw"]),
        "DTKS_WORK_DIR": str(dirs["work"]),
        "DTKS_CURATED_DIR": str(dirs["curated"]),
        "DTKS_REVIEW_DIR": str(dirs["review"]),
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: kill the run and all its children
    )
    killed = False
    deadline = time.monotonic() + 300
    while run.poll() is None and time.monotonic() < deadline:
        if _building(dirs["curated"]):
            os.killpg(run.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.002)
    run.wait(timeout=60)
    assert killed, "the run ended before it started publishing; nothing was tested"
