"""The arrows of docs/architecture.md hold: `lint-imports` checks the contracts of
pyproject.toml (pipelines -> assets -> dtks, no Dagster or GX in the core, no import cycles
inside a dtks package), and a reversed import breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("dtks", "assets", "pipelines")


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over the packages under `root`, with the contracts of its pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_contracts_hold() -> None:
    done = _lint_imports(PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(PROJECT / "pyproject.toml", root)
    for package in PACKAGES:
        shutil.copytree(
            PROJECT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


@pytest.mark.parametrize(
    ("description", "module", "added", "broken"),
    [
        ("the core imports an asset", "dtks/region.py", "import assets.metadata", "never back"),
        (
            "an asset imports the wiring",
            "assets/metadata.py",
            "import pipelines.jobs",
            "never back",
        ),
        ("the core imports Dagster", "dtks/files.py", "import dagster", "neither Dagster"),
    ],
)
def test_a_reversed_import_breaks_a_contract(
    tmp_path: Path, description: str, module: str, added: str, broken: str
) -> None:
    root = _copy(tmp_path)
    path = root / module
    path.write_text(path.read_text() + f"\n{added}  # {description}\n")
    done = _lint_imports(root)
    assert done.returncode == 1, description
    broken_section = done.stdout.split("Broken contracts", 1)[-1]
    assert broken in broken_section, done.stdout
    assert added.split()[-1] in broken_section, done.stdout
