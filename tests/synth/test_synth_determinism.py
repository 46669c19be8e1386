"""Same seed and arguments give byte-identical exports and truth; another seed gives other data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dtks.synth import generate


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run(root: Path, seed: int) -> dict[str, str]:
    generate(1500, seed=seed, out_dir=root / "raw", truth_path=root / "truth.parquet")
    return digests(root)


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = run(tmp_path / "a", 5)
    second = run(tmp_path / "b", 5)
    assert any(name.endswith(".xlsx") for name in first)
    assert any(name.endswith(".csv") for name in first)
    assert first == second


def test_rerun_into_the_same_folder_replaces_the_previous_output(tmp_path: Path) -> None:
    run(tmp_path, 5)
    again = run(tmp_path, 6)
    assert again == digests(tmp_path)
    assert again != run(tmp_path / "other", 5)


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    assert run(tmp_path / "a", 5)["truth.parquet"] != run(tmp_path / "b", 6)["truth.parquet"]


def test_refuses_to_overwrite_exports_it_did_not_write(tmp_path: Path) -> None:
    stranger = tmp_path / "raw" / "kapong" / "real_export.csv"
    stranger.parent.mkdir(parents=True)
    stranger.write_text("NIK,NAMA\n", "utf-8")
    with pytest.raises(FileExistsError):
        generate(100, seed=1, out_dir=tmp_path / "raw", truth_path=tmp_path / "t.parquet")
    assert stranger.exists()


def test_truth_must_lie_outside_the_raw_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside"):
        generate(100, seed=1, out_dir=tmp_path, truth_path=tmp_path / "truth.parquet")
