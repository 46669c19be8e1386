"""Shared fixtures: a small synthetic kecamatan and settings pointing into a temp folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dtks.synth import generate

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def synthetic_exports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Raw exports of ~800 people over the 13 villages, and their ground-truth parquet."""
    root = tmp_path_factory.mktemp("synthetic")
    raw, truth = root / "raw", root / "truth.parquet"
    generate(800, seed=7, out_dir=raw, truth_path=truth)
    return raw, truth


@pytest.fixture
def dtks_dirs(tmp_path: Path, synthetic_exports: tuple[Path, Path]) -> dict[str, Path]:
    """A private copy of the synthetic raw folder plus empty work/curated/review folders."""
    raw = tmp_path / "raw"
    shutil.copytree(synthetic_exports[0], raw)
    return {
        "raw": raw,
        "work": tmp_path / "work",
        "curated": tmp_path / "curated",
        "review": tmp_path / "review",
        "truth": synthetic_exports[1],
    }
