"""A run killed mid-stage, a full disk and a read-only curated folder lose nothing, and the
next run recovers without manual cleanup."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from dagster_runs import FOLDERS, cli_env, copy_folders, full_file, masked_file

from dtks.publish.paths import published_paths
from dtks.store import FAULT_ENV

PROJECT = Path(__file__).resolve().parents[2]
PUBLISHED = "kecamatan.duckdb"
NOBODY = 65534
SETPRIV = shutil.which("setpriv")
RUN_TIMEOUT_S = 300


def _cli(
    dirs: dict[str, Path],
    prefix: list[str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m pipelines.cli run` (what `make run` runs), left to finish; `env` is added
    to its environment."""
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "pipelines.cli", "run"],
        cwd=PROJECT,
        env={**cli_env(dirs), **(env or {})},
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        preexec_fn=preexec_fn,  # noqa: PLW1509 - only sets a limit and a signal disposition
    )


def _published_tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()
    finally:
        con.close()
    return {name for (name,) in rows}


def _assert_complete(path: Path, tables: set[str]) -> None:
    """The file opens read-only and is one whole publish: every table, rows accounted for."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert _published_tables(path) == tables
        ((outcome, read, accepted, rejected, persons),) = con.execute(
            "SELECT outcome, rows_read, rows_accepted, rows_rejected, count_persons FROM runs "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        gaps = con.execute(
            "SELECT village FROM village_status WHERE rows_read <> rows_accepted + rows_rejected"
        ).fetchall()
        ((status_read,),) = con.execute("SELECT sum(rows_read) FROM village_status").fetchall()
        ((count_persons,),) = con.execute("SELECT count(*) FROM persons").fetchall()
    finally:
        con.close()
    assert outcome == "published"
    assert read == accepted + rejected == status_read
    assert gaps == []
    assert count_persons == persons > 0


def _leftovers(curated: Path) -> list[str]:
    folders = [curated, *(p.parent for p in published_paths(curated))]
    return sorted(p.name for folder in folders for p in folder.glob(".kecamatan*.building*"))


def _steps_started(dirs: dict[str, Path], known_runs: set[str]) -> set[str]:
    """Steps started by the run the CLI is doing now (read from Dagster's SQLite event log)."""
    history = dirs["work"] / "dagster_home" / "history"
    try:
        index = sqlite3.connect(f"file:{history / 'runs.db'}?mode=ro", uri=True, timeout=0.1)
        try:
            runs = {r for (r,) in index.execute("SELECT run_id FROM runs").fetchall()}
        finally:
            index.close()
        started: set[str] = set()
        for run_id in runs - known_runs:
            log = sqlite3.connect(
                f"file:{history / 'runs' / (run_id + '.db')}?mode=ro", uri=True, timeout=0.1
            )
            try:
                rows = log.execute(
                    "SELECT step_key FROM event_logs WHERE dagster_event_type = 'STEP_START'"
                ).fetchall()
            finally:
                log.close()
            started |= {step for (step,) in rows}
    except sqlite3.Error:
        return set()  # not created yet, or busy: poll again
    return started


def _known_runs(dirs: dict[str, Path]) -> set[str]:
    index = sqlite3.connect(dirs["work"] / "dagster_home" / "history" / "runs.db")
    try:
        return {r for (r,) in index.execute("SELECT run_id FROM runs").fetchall()}
    finally:
        index.close()


def _kill_when(dirs: dict[str, Path], reached: Callable[[set[str]], bool], delay_s: float) -> None:
    """Start the CLI in its own process group and SIGKILL the whole group `delay_s` after
    `reached(steps started so far)` first holds."""
    known = _known_runs(dirs)
    run = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "run"],
        cwd=PROJECT,
        env=cli_env(dirs),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while run.poll() is None and time.monotonic() < deadline:
            if reached(_steps_started(dirs, known)):
                time.sleep(delay_s)
                break
            time.sleep(0.01)
        assert run.poll() is None, "the run ended before the kill moment; nothing was tested"
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)


@pytest.fixture(scope="module")
def published_once(synthetic_exports: tuple[Path, Path]) -> Iterator[dict[str, Path]]:
    """The synthetic kecamatan published once by the CLI, in a folder other users can enter
    (the read-only case runs a child as `nobody`)."""
    root = Path(tempfile.mkdtemp(prefix="dtks_faults_"))
    root.chmod(0o755)
    dirs = {name: root / name for name in FOLDERS}
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    result = _cli(dirs)
    assert result.returncode == 0, result.stderr
    yield dirs
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fresh_copy(published_once: dict[str, Path]) -> Iterator[dict[str, Path]]:
    """A private copy of the published folders, under a folder other users can enter."""
    root = Path(tempfile.mkdtemp(prefix="dtks_faults_case_"))
    root.chmod(0o755)
    yield copy_folders(published_once, root)
    shutil.rmtree(root, ignore_errors=True)


def _during(step: str) -> Callable[[set[str]], bool]:
    return lambda started: step in started


# A kill while the files are built: tests/publish/test_publish_resilience.py; right after the
# full file is swapped in: `test_a_run_killed_between_the_two_files_recovers` below.
KILL_MOMENTS = [
    # (case, when to kill, seconds after that, the file must be byte-for-byte the old one)
    ("ingest", lambda dirs: _during("village_exports"), 0.05, True),
    ("matching", lambda dirs: _during("person_matches"), 0.3, True),
]


@pytest.mark.parametrize(
    ("case", "moment", "delay_s", "unchanged"), KILL_MOMENTS, ids=[c[0] for c in KILL_MOMENTS]
)
def test_a_run_killed_mid_stage_leaves_a_complete_file_and_the_next_run_recovers(
    fresh_copy: dict[str, Path], case: str, moment, delay_s: float, unchanged: bool
) -> None:
    dirs = fresh_copy
    target = full_file(dirs)
    before = target.read_bytes()
    tables = _published_tables(target)

    _kill_when(dirs, moment(dirs), delay_s)

    assert (target.read_bytes() == before) is unchanged, case
    _assert_complete(target, tables)
    result = _cli(dirs)  # no cleanup in between
    assert result.returncode == 0, result.stderr
    _assert_complete(target, tables)
    assert _leftovers(dirs["curated"]) == []


def test_a_run_killed_between_the_two_files_recovers(fresh_copy: dict[str, Path]) -> None:
    """SIGKILL right after the full file was swapped in (the first boundary of the publish
    stage), before the masked file: the new full file is out, the masked file is the old
    one, the submission and the run's id state are not committed; the next run recovers."""
    dirs = fresh_copy
    full, masked = full_file(dirs), masked_file(dirs)
    full_before, masked_before = full.read_bytes(), masked.read_bytes()
    tables = _published_tables(full)

    killed = _cli(dirs, env={FAULT_ENV: "publish:1"})

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert full.read_bytes() != full_before
    assert masked.read_bytes() == masked_before
    _assert_complete(full, tables)
    result = _cli(dirs)  # no cleanup in between
    assert result.returncode == 0, result.stderr
    _assert_complete(full, tables)
    assert masked.read_bytes() != masked_before
    assert _leftovers(dirs["curated"]) == []


def _full_disk() -> None:
    """In the child: any file written beyond 4 MB fails with EFBIG, as on a full disk. Above
    the size of one run's Dagster event log (about 1.2 MB for this data, each run its own
    file), below the work store's (about 7 MB), so the store is what fills the disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4_000_000, 4_000_000))


@contextmanager
def _reachable_by_nobody(*paths: Path) -> Iterator[None]:
    """Let `nobody` traverse the folders above the project, the venv and the temp data.

    A clone in a private folder (mktemp -d makes it 0700) would otherwise stop `nobody` from
    even importing the code; the modes are restored afterwards.
    """
    changed: dict[Path, int] = {}
    for path in paths:
        for folder in [path, *path.parents]:
            mode = folder.stat().st_mode
            if folder not in changed and not mode & 0o001:
                changed[folder] = mode
                folder.chmod(mode | 0o001)
    try:
        yield
    finally:
        for folder, mode in changed.items():
            folder.chmod(mode)


def _as_nobody_without_curated_write(dirs: dict[str, Path]) -> dict:
    """The run as `nobody`: it may write the work and review folders (and the data docs, so
    that the run reaches the publish step), not the curated folder itself."""
    # the curated folder is 0750 (private): `nobody` may pass through it, not write it
    dirs["curated"].chmod(dirs["curated"].stat().st_mode | 0o001)
    for folder in (dirs["work"], dirs["review"], dirs["curated"] / "data_docs"):
        folder.mkdir(exist_ok=True)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, NOBODY, NOBODY, follow_symlinks=False)
    return {"prefix": [SETPRIV, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]}


def _with_full_disk(dirs: dict[str, Path]) -> dict:
    return {"preexec_fn": _full_disk}


STORAGE_FAULTS = [
    # (case, how the run is started, what stderr must name besides the failed folder)
    ("read-only curated folder", _as_nobody_without_curated_write, "curated", "Permission denied"),
    ("full disk", _with_full_disk, "work", "File too large"),
]


@pytest.mark.skipif(SETPRIV is None, reason="setpriv (util-linux) is needed to drop root")
def test_a_read_only_curated_folder_or_a_full_disk_fails_clearly_and_loses_nothing(
    fresh_copy: dict[str, Path],
) -> None:
    """Each fault in turn: the run exits non-zero naming the cause and the folder, the
    published file stays byte-for-byte; then a normal run (as root, disk free) publishes with
    no cleanup in between. The full disk hits the work store first (it is larger than the
    published file); the publish step's own full disk is tested below."""
    dirs = fresh_copy
    target = full_file(dirs)
    before = target.read_bytes()
    tables = _published_tables(target)

    for case, start, folder, cause in STORAGE_FAULTS:
        with _reachable_by_nobody(PROJECT, Path(sys.executable).parent, dirs["raw"]):
            failed = _cli(dirs, **start(dirs))
        assert failed.returncode != 0, case
        assert "GAGAL" in failed.stderr, case
        assert cause in failed.stderr, (case, failed.stderr)
        assert str(dirs[folder]) in failed.stderr, (case, failed.stderr)
        report = failed.stderr[failed.stderr.index("GAGAL") :]
        explained = "Periksa izin folder" if folder == "curated" else "Disk penuh"
        for words in ("Tidak ada data yang hilang", f"folder {dirs[folder]}", explained):
            assert words in report, (case, words, failed.stderr)
        assert target.read_bytes() == before, case

    result = _cli(dirs)
    assert result.returncode == 0, result.stderr
    _assert_complete(target, tables)
    # both failed runs are in `runs`, saying where and why
    con = duckdb.connect(str(target), read_only=True)
    try:
        failed = con.execute(
            "SELECT outcome FROM runs WHERE outcome LIKE 'failed%' ORDER BY started_at"
        ).fetchall()
    finally:
        con.close()
    assert len(failed) == len(STORAGE_FAULTS), failed
    for (outcome,), words in zip(failed, ["Periksa izin folder", "Disk penuh"], strict=True):
        assert "gagal pada langkah" in outcome and words in outcome, outcome


PUBLISH_BIG_FRAME = """
import sys
from pathlib import Path
import polars as pl
from dtks.publish.atomic import PublishedTable, publish_database
frame = pl.DataFrame({"nama": [f"WARGA {i:07d} " * 8 for i in range(int(sys.argv[2]))]})
publish_database(Path(sys.argv[1]), [PublishedTable("persons", frame, "penduduk")])
"""


def test_a_disk_filling_up_while_the_new_file_is_built_keeps_the_old_file(tmp_path: Path) -> None:
    """The publish step itself hits the full disk: the old file stays byte-for-byte, the
    half-built file is removed, and the error names the curated folder."""
    target = tmp_path / "curated" / PUBLISHED  # publish_database itself, no folders
    small = [sys.executable, "-c", PUBLISH_BIG_FRAME, str(target)]
    subprocess.run([*small, "100"], cwd=PROJECT, check=True, timeout=120)
    before = target.read_bytes()

    failed = subprocess.run(
        [*small, "200000"],  # ~20 MB of names, past the 2 MB limit
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_full_disk,  # noqa: PLW1509
    )

    assert failed.returncode != 0
    for word in [
        "Disk penuh",
        "Kosongkan ruang disk",
        f"folder {target.parent}",
        "yang lama tetap utuh",
    ]:
        assert word in failed.stderr, (word, failed.stderr)
    assert "File too large" in failed.stderr, failed.stderr  # the technical tail
    assert target.read_bytes() == before
    assert _leftovers(target.parent) == []
    subprocess.run([*small, "200"], cwd=PROJECT, check=True, timeout=120)
    assert _published_tables(target) == {"persons"}


def test_rows_lost_between_read_and_publish_stop_the_publish(fresh_copy: dict[str, Path]) -> None:
    """One accepted row vanishes from the work store before publishing: the publish fails
    naming the village and its gap, the published file stays as it was, and the failed run is
    recorded in the run history."""
    from datetime import UTC, datetime

    from dtks.publish.run_history import RunInfo
    from dtks.quality.accounting import RowAccountingError
    from dtks.region import load_kecamatan
    from dtks.stages.publish import publish_kecamatan

    dirs = fresh_copy
    target = full_file(dirs)
    before = target.read_bytes()
    con = duckdb.connect(str(dirs["work"] / "store.duckdb"))
    try:
        ((village, record_key),) = con.execute(
            "SELECT village, record_key FROM reconciled_sources ORDER BY record_key LIMIT 1"
        ).fetchall()
        con.execute("DELETE FROM reconciled_sources WHERE record_key = ?", [record_key]).fetchall()
        run = RunInfo("lost-row-run", "manual", datetime.now(UTC))
        with pytest.raises(RowAccountingError, match=rf"{village}: .*\(gap 1\)"):
            publish_kecamatan(con, load_kecamatan("35.28.11"), dirs["curated"], run)
        ((outcome,),) = con.execute(
            "SELECT outcome FROM run_history WHERE run_id = 'lost-row-run'"
        ).fetchall()
    finally:
        con.close()
    assert outcome.startswith("failed: row accounting failed")
    assert target.read_bytes() == before
    assert _leftovers(dirs["curated"]) == []
