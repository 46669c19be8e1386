"""The work store serialises its users, commits each unit of work whole, stops where a test
asks it to, and keeps its files private."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.store import (
    FAULT_ENV,
    InjectedStop,
    StoreLockTimeout,
    WorkStore,
    append_rows,
    quoted,
    read_table,
    replace_table,
    statements_of,
    stop_after,
    transaction,
)

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


UNITS = textwrap.dedent("""
    import sys
    import polars as pl
    from dtks.store import WorkStore, append_rows, statements_of, transaction
    with WorkStore(sys.argv[1]).session() as con, statements_of("units"):
        for unit in ("first", "second"):
            with transaction(con):
                append_rows(con, "events", pl.DataFrame({"who": [unit]}))
                append_rows(con, "events", pl.DataFrame({"who": [unit + " again"]}))
""")


def test_a_unit_of_store_work_is_committed_whole_or_not_at_all(tmp_path: Path) -> None:
    """Stopped after each boundary in turn (BEGIN, two statements, COMMIT per unit), the store
    holds the committed units only, never half of one."""
    expected_after = {
        1: [],
        2: [],
        3: [],
        4: ["first", "first again"],
        5: ["first", "first again"],
        7: ["first", "first again"],
    }
    for boundary, expected in expected_after.items():
        path = tmp_path / f"store{boundary}.duckdb"
        with (
            pytest.raises(InjectedStop),
            stop_after("units", boundary),
            WorkStore(path).session() as con,
            statements_of("units"),
        ):
            for unit in ("first", "second"):
                with transaction(con):
                    append_rows(con, "events", pl.DataFrame({"who": [unit]}))
                    append_rows(con, "events", pl.DataFrame({"who": [unit + " again"]}))
        with WorkStore(path).session() as con:
            events = read_table(con, "events")
        assert (events["who"].to_list() if events is not None else []) == expected, boundary


def test_an_error_in_a_unit_rolls_it_back(tmp_path: Path) -> None:
    with WorkStore(tmp_path / "store.duckdb").session() as con:
        append_rows(con, "events", pl.DataFrame({"who": ["kept"]}))
        with pytest.raises(ZeroDivisionError), transaction(con):
            replace_table(con, "events", pl.DataFrame({"who": ["half"]}))
            _ = 1 / 0
        assert read_table(con, "events")["who"].to_list() == ["kept"]


def test_the_environment_hook_kills_the_process_at_the_boundary(tmp_path: Path) -> None:
    """DTKS_FAULT_KILL_AFTER=units:7 SIGKILLs the process inside the second unit: the first
    is in the store, the second is not."""
    path = tmp_path / "store.duckdb"
    killed = subprocess.run(
        [sys.executable, "-c", UNITS, str(path)],
        env={**os.environ, FAULT_ENV: "units:7"},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=60,
    )
    assert killed.returncode == -signal.SIGKILL
    with WorkStore(path).session() as con:
        assert read_table(con, "events")["who"].to_list() == ["first", "first again"]


def test_the_store_its_lock_and_spill_folder_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with WorkStore(tmp_path / "work" / "store.duckdb").session() as con:
            append_rows(con, "events", pl.DataFrame({"who": ["x"]}))
            (spill,) = con.execute("SELECT current_setting('temp_directory')").fetchall()[0]
    finally:
        os.umask(old)
    work = tmp_path / "work"
    assert Path(spill) == work / "tmp"
    for path in (work / "store.duckdb", work / "store.lock"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o037 == 0, path
    for folder in (work, work / "tmp"):
        assert stat.S_IMODE(folder.stat().st_mode) & 0o027 == 0, folder


@pytest.mark.parametrize(
    ("description", "columns", "where", "expected"),
    [
        ("all columns", None, None, {"village": ["a", "b"], "nik": ["1", "2"], "n": [1, 2]}),
        ("the table's order", ["n", "village"], None, {"village": ["a", "b"], "n": [1, 2]}),
        ("absent ones skipped", ["nik", "not_there"], None, {"nik": ["1", "2"]}),
        ("with a filter", ["n"], {"village": "b"}, {"n": [2]}),
        ("none present", ["not_there"], None, {}),
    ],
)
def test_read_table_reads_only_the_columns_asked_for(
    tmp_path: Path,
    description: str,
    columns: list[str] | None,
    where: dict[str, str] | None,
    expected: dict[str, list[object]],
) -> None:
    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    append_rows(con, "t", pl.DataFrame({"village": ["a", "b"], "nik": ["1", "2"], "n": [1, 2]}))
    frame = read_table(con, "t", where, columns=columns)
    assert frame is not None
    assert frame.to_dict(as_series=False) == expected, description
