"""After `make run` started with umask 022, nothing it wrote about people is readable by other
users of the machine, and the full and masked files can be given to different groups."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

from dagster_runs import FOLDERS, cli_env

from dtks.publish.paths import published_paths

PROJECT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 600
# Permission bits a file holding personal data may not have: group write, anything for others.
FILE_FORBIDDEN = 0o037
# For a folder: group write, anything for others (0750 or stricter).
DIR_FORBIDDEN = 0o027


def _make_run(dirs: dict[str, Path]) -> subprocess.CompletedProcess[str]:
    """`make run` as a user with the common umask 022 would start it."""
    make = shutil.which("make")
    assert make is not None, "make is needed: `make run` is the product's entry point"
    return subprocess.run(
        [make, "--no-print-directory", "run"],
        cwd=PROJECT,
        env=cli_env(dirs),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        preexec_fn=lambda: os.umask(0o022),  # noqa: PLW1509 - only sets the umask
    )


def _too_open(root: Path) -> list[str]:
    """Every file or folder under `root` (itself included) with more permissions than allowed."""
    found = []
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue  # a link's own mode means nothing; its target is walked itself
        forbidden = DIR_FORBIDDEN if stat.S_ISDIR(info.st_mode) else FILE_FORBIDDEN
        if info.st_mode & forbidden:
            found.append(f"{path.relative_to(root.parent)} {stat.S_IMODE(info.st_mode):04o}")
    return found


def test_a_run_under_umask_022_writes_nothing_other_users_can_read(
    tmp_path: Path, synthetic_exports: tuple[Path, Path]
) -> None:
    """Two runs (the second archives the first publish): every file under the curated, work
    and review folders is 0640 or stricter and every folder 0750 or stricter, including the
    work store, Dagster's run history and logs, the submission, fix lists, data docs and the
    review workbook; temporary files stay under the work folder; the full and the masked
    file, and their archived copies, never share a folder."""
    dirs = {name: tmp_path / name for name in FOLDERS}
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    for run in ("first", "second"):
        result = _make_run(dirs)
        assert result.returncode == 0, (run, result.stderr[-3000:])

    written = {name: sorted(p.name for p in dirs[name].rglob("*")) for name in FOLDERS}
    # what must be there for the walk to mean something
    for name, expected in {
        "work": ["store.duckdb", "runs.db", "tmp"],
        "curated": ["submission", "reports", "data_docs", "archive"],
        "review": ["review_queue.xlsx"],
    }.items():
        assert set(expected) <= set(written[name]), (name, written[name])
    too_open = [entry for name in ("work", "curated", "review") for entry in _too_open(dirs[name])]
    assert too_open == []

    full, masked = published_paths(dirs["curated"])
    assert full.parent != masked.parent
    assert sorted(p.name.split(".")[0] for p in (full.parent / "archive").iterdir()) == [
        "kecamatan"
    ]
    assert sorted(p.name.split(".")[0] for p in (masked.parent / "archive").iterdir()) == [
        "kecamatan_masked"
    ]
    assert (dirs["curated"] / "kecamatan.duckdb").resolve() == full.resolve()
