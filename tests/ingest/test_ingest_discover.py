"""Finding a village's exports: arsip/, lock files, hidden files, unsupported and half-written files."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from dtks.ingest import discover, discover_exports, survey_village_folder, survey_village_folders


def _touch(path: Path, data: bytes = b"NIK,NAMA\n1,A\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_exports_are_found_recursively_sorted_and_case_insensitive(tmp_path: Path) -> None:
    for name in ("b.XLSX", "a.csv", "bagian 2/c.Csv", "bagian 1/d.xlsx"):
        _touch(tmp_path / "kapong" / name)
    found = [p.relative_to(tmp_path).as_posix() for p in discover_exports(tmp_path, "kapong")]
    assert found == [
        "kapong/a.csv",
        "kapong/b.XLSX",
        "kapong/bagian 1/d.xlsx",
        "kapong/bagian 2/c.Csv",
    ]


def test_arsip_folders_lock_files_and_hidden_files_are_skipped(tmp_path: Path) -> None:
    village = tmp_path / "kapong"
    _touch(village / "dtks_kapong.xlsx")
    _touch(village / "arsip" / "dtks_lama.xlsx")
    _touch(village / "ARSIP" / "2025" / "lebih_lama.csv")
    _touch(village / "bagian" / "Arsip" / "x.csv")
    _touch(village / "~$dtks_kapong.xlsx")  # Excel's lock file while the workbook is open
    _touch(village / ".~lock.dtks_kapong.xlsx#")  # LibreOffice's
    _touch(village / ".tersembunyi.csv")
    _touch(village / "Thumbs.db")
    folder = survey_village_folder(tmp_path, "kapong")
    assert folder.exports == [village / "dtks_kapong.xlsx"]
    assert folder.unsupported == []
    ignored = {f.path.relative_to(village).as_posix() for f in folder.ignored}
    assert {
        "arsip",
        "ARSIP",
        "bagian/Arsip",
        "~$dtks_kapong.xlsx",
        ".tersembunyi.csv",
        "Thumbs.db",
    } <= ignored


def test_other_files_are_reported_as_unsupported(tmp_path: Path) -> None:
    village = tmp_path / "kapong"
    for name in ("dtks.xlsx", "berita_acara.pdf", "kiriman.zip", "data.txt"):
        _touch(village / name)
    folder = survey_village_folder(tmp_path, "kapong")
    assert [p.name for p in folder.exports] == ["dtks.xlsx"]
    reasons = {f.path.name: f.reason for f in folder.unsupported}
    assert set(reasons) == {"berita_acara.pdf", "kiriman.zip", "data.txt"}
    assert "ekstrak" in reasons["kiriman.zip"]


def test_spreadsheet_files_of_other_formats_are_read_so_their_refusal_is_recorded(
    tmp_path: Path,
) -> None:
    village = tmp_path / "kapong"
    names = ["a.xls", "b.xlsm", "c.xlsb", "d.ods", "e.CSV"]
    for name in names:
        _touch(village / name)
    assert [p.name for p in discover_exports(tmp_path, "kapong")] == names


def test_a_missing_village_folder_gives_no_exports(tmp_path: Path) -> None:
    folder = survey_village_folder(tmp_path, "kapong")
    assert folder.folder is None
    assert folder.exports == []
    assert discover_exports(tmp_path / "tidak-ada", "kapong") == []


def test_a_folder_named_like_the_village_is_found(tmp_path: Path) -> None:
    _touch(tmp_path / "Lesong Laok" / "dtks.csv")
    assert [p.name for p in discover_exports(tmp_path, "lesong-laok")] == ["dtks.csv"]


def test_a_recently_modified_file_is_still_being_written(tmp_path: Path) -> None:
    village = tmp_path / "kapong"
    old = _touch(village / "lama.csv")
    fresh = _touch(village / "baru.csv")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    folder = survey_village_folder(tmp_path, "kapong", min_age_seconds=60)
    assert folder.exports == [old]
    assert [f.path for f in folder.still_writing] == [fresh]
    assert discover_exports(tmp_path, "kapong", min_age_seconds=0) == [fresh, old]


def test_a_file_growing_between_two_looks_is_still_being_written(tmp_path: Path) -> None:
    growing = _touch(tmp_path / "kapong" / "disalin.csv")

    def keep_writing() -> None:
        with growing.open("ab") as f:
            for _ in range(10):
                f.write(b"3528114506890001,SITI\n")
                f.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        folder = survey_village_folder(tmp_path, "kapong", settle_seconds=0.1)
    finally:
        writer.join()
    assert folder.exports == []
    assert [f.path for f in folder.still_writing] == [growing]


def test_settled_folders_are_read_without_waiting(tmp_path: Path) -> None:
    """The settle wait only happens when a file was written lately: a nightly run over
    folders nobody touched does not wait once per village."""
    settled = _touch(tmp_path / "kapong" / "lama.csv")
    os.utime(settled, (time.time() - 3600, time.time() - 3600))
    started = time.monotonic()
    folder = survey_village_folder(tmp_path, "kapong", settle_seconds=5)
    assert time.monotonic() - started < 5
    assert folder.exports == [settled]


def test_villages_are_watched_for_copies_over_one_wait(tmp_path: Path, monkeypatch) -> None:
    """Staff copied exports of several villages a moment ago: the run waits once, not once
    per village, and still sees the copy that goes on in one of them during that wait."""
    done = _touch(tmp_path / "kapong" / "selesai.csv")
    quiet = _touch(tmp_path / "blaban" / "selesai.csv")
    growing = _touch(tmp_path / "tamberu" / "disalin.csv")
    waits: list[float] = []

    def copy_goes_on(seconds: float) -> None:  # the settle wait, while a copy writes on
        waits.append(seconds)
        with growing.open("ab") as f:
            f.write(b"3528114506890001,SITI\n")

    monkeypatch.setattr(discover.time, "sleep", copy_goes_on)
    folders = survey_village_folders(tmp_path, ["kapong", "blaban", "tamberu"], settle_seconds=1)
    assert waits == [1]
    assert [f.exports for f in folders] == [[done], [quiet], []]
    assert [f.path for f in folders[2].still_writing] == [growing]
