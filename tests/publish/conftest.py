"""One real Dagster run over the generated kecamatan, shared by the tests of what it publishes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dagster_runs import run_reconciliation


@pytest.fixture(scope="session")
def published_run(
    tmp_path_factory: pytest.TempPathFactory, synthetic_exports: tuple[Path, Path]
) -> dict[str, Path]:
    """Folders of a kecamatan published once by the whole graph (treat them as read-only:
    tests that run again copy them first, see `copy_of_published_run`)."""
    root = tmp_path_factory.mktemp("published")
    dirs = {
        "raw": root / "raw",
        "work": root / "work",
        "curated": root / "curated",
        "review": root / "review",
        "truth": synthetic_exports[1],
    }
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    result = run_reconciliation(dirs)
    assert result.success, "the shared run failed: see the first failing pipeline test"
    return dirs


@pytest.fixture
def copy_of_published_run(tmp_path: Path, published_run: dict[str, Path]) -> dict[str, Path]:
    """A private copy of the published run's folders (raw, work store, curated files)."""
    dirs = dict(published_run)
    for name in ("raw", "work", "curated", "review"):
        if published_run[name].exists():
            shutil.copytree(published_run[name], tmp_path / name, symlinks=True)
        dirs[name] = tmp_path / name
    return dirs
