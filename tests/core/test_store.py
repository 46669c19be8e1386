"""The work store serialises its users: a second process waits instead of failing on a lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from dtks.store import StoreLockTimeout, WorkStore, append_rows, quoted, read_table

HOLDER = textwrap.dedent("""
    import sys, time
    import polars as pl
    from dtks.store import WorkStore, append_rows
    store = WorkStore(sys.argv[1])
    with store.session() as con:
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        append_rows(con, "events", pl.DataFrame({"who": [sys.argv[3]]}))
""")


def _hold(path: Path, seconds: float, who: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds), who],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_waits_for_the_first_and_both_write(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    first = _hold(path, 1.5, "first")
    started = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-c", HOLDER, str(path), "0", "second"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    waited = time.monotonic() - started
    assert first.wait(timeout=60) == 0
    assert second.returncode == 0, second.stderr
    assert waited >= 1.0
    with WorkStore(path).session() as con:
        events = read_table(con, "events")
    assert events is not None and events["who"].to_list() == ["first", "second"]


def test_lock_wait_has_a_limit_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    holder = _hold(path, 3, "holder")
    with (
        pytest.raises(StoreLockTimeout, match="locked by another run"),
        WorkStore(path, lock_timeout_s=0.5).session(),
    ):
        pass
    assert holder.wait(timeout=60) == 0


def test_cache_tables_are_rebuilt_when_their_layout_changes_but_history_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "store.duckdb"
    with WorkStore(path, layout="v1").session() as con:
        append_rows(con, "raw_rows", pl.DataFrame({"x": [1]}))
        append_rows(con, "run_history", pl.DataFrame({"run_id": ["r1"]}))
    with WorkStore(path, layout="v1").session() as con:
        assert read_table(con, "raw_rows") is not None
    with WorkStore(path, layout="v2").session() as con:
        assert read_table(con, "raw_rows") is None
        history = read_table(con, "run_history")
        assert history is not None and history["run_id"].to_list() == ["r1"]


def test_data_values_never_become_identifiers() -> None:
    with pytest.raises(ValueError, match="not a pipeline identifier"):
        quoted('persons"; DROP TABLE persons; --')
