"""Two files of one village holding largely the same people are flagged as two versions."""

from __future__ import annotations

import csv
from pathlib import Path

from dtks.ingest import detect_overlapping_exports, read_export


def _export(tmp_path: Path, name: str, niks: list[str], iddtks: list[str] | None = None) -> Path:
    path = tmp_path / "kapong" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["IDDTKS", "NIK", "NAMA"])
        for i, nik in enumerate(niks):
            writer.writerow([iddtks[i] if iddtks else "", nik, f"ORANG {i}"])
        writer.writerow(["JUMLAH", "", ""])
    return path


def _niks(start: int, count: int) -> list[str]:
    return [f"3528114506{n:06d}" for n in range(start, start + count)]


def test_two_versions_of_one_export_are_flagged_with_their_overlap(tmp_path: Path) -> None:
    reads = [
        read_export(_export(tmp_path, "dtks_oktober.csv", _niks(0, 100)), tmp_path),
        read_export(_export(tmp_path, "dtks_november.csv", _niks(10, 100)), tmp_path),
        read_export(_export(tmp_path, "bagian_2.csv", _niks(500, 40)), tmp_path),
    ]
    overlaps = detect_overlapping_exports(reads)
    assert len(overlaps) == 1
    overlap = overlaps[0]
    assert (overlap.file_a, overlap.file_b) == (
        "kapong/dtks_november.csv",
        "kapong/dtks_oktober.csv",
    )
    assert overlap.key == "nik"
    assert (overlap.shared_count, overlap.smaller_count, overlap.overlap_share) == (90, 100, 0.9)


def test_parts_of_a_split_submission_are_not_flagged(tmp_path: Path) -> None:
    reads = [
        read_export(_export(tmp_path, "bagian_1.csv", _niks(0, 100)), tmp_path),
        read_export(_export(tmp_path, "bagian_2.csv", _niks(95, 100)), tmp_path),
    ]
    assert detect_overlapping_exports(reads) == []


def test_iddtks_overlap_counts_when_niks_were_retyped(tmp_path: Path) -> None:
    ids = [f"DTKS{i:06d}" for i in range(50)]
    reads = [
        read_export(_export(tmp_path, "a.csv", _niks(0, 50), ids), tmp_path),
        read_export(_export(tmp_path, "b.csv", _niks(1000, 50), ids), tmp_path),
    ]
    [overlap] = detect_overlapping_exports(reads)
    assert overlap.key == "iddtks"
    assert overlap.overlap_share == 1.0


def test_refused_files_are_left_out(tmp_path: Path) -> None:
    bad = tmp_path / "kapong" / "rusak.xlsx"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"bukan excel")
    reads = [
        read_export(bad, tmp_path),
        read_export(_export(tmp_path, "a.csv", _niks(0, 5)), tmp_path),
    ]
    assert detect_overlapping_exports(reads) == []
