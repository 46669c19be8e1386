"""Files holding personal data are written whole (temporary file, fsync, rename) and private
(0640 files, 0750 folders), whatever the caller's umask; the contract path is a link."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from dtks.files import private_dir, replaced_atomically, write_text_atomically
from dtks.publish.atomic import link_published
from dtks.publish.paths import move_legacy_archive, published_paths


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common default umask, under which new files would be readable by everyone."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_a_replaced_file_is_private_and_leaves_no_temporary_file(
    tmp_path: Path, umask_022: None
) -> None:
    target = tmp_path / "review" / "nested" / "keputusan_petugas.csv"
    write_text_atomically(target, "NIK\n3528110101010001\n")
    assert target.read_text() == "NIK\n3528110101010001\n"
    assert _mode(target) == 0o640
    assert _mode(target.parent) == 0o750 and _mode(target.parent.parent) == 0o750
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "alert.json"
    write_text_atomically(target, "old")
    with pytest.raises(RuntimeError), replaced_atomically(target) as temp:
        temp.write_text("half")
        assert oct(_mode(temp)) == oct(0o600)  # private while it is being written
        raise RuntimeError("disk went away")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alert.json"]


def test_existing_folders_keep_the_mode_an_administrator_gave_them(tmp_path: Path) -> None:
    shared = tmp_path / "curated"
    shared.mkdir()
    shared.chmod(0o2751)
    private_dir(shared / "tersamar" / "archive")
    assert _mode(shared) == 0o2751
    assert _mode(shared / "tersamar") & 0o777 == 0o750
    assert _mode(shared / "tersamar") & stat.S_ISGID  # the group is inherited from above


def test_the_contract_path_is_a_relative_link_that_replaces_an_old_file(tmp_path: Path) -> None:
    full = tmp_path / "penuh" / "kecamatan.duckdb"
    full.parent.mkdir()
    full.write_text("new")
    old = tmp_path / "kecamatan.duckdb"
    old.write_text("published by an older version")
    link_published(old, full)
    assert old.is_symlink() and os.readlink(old) == "penuh/kecamatan.duckdb"
    assert old.read_text() == "new"
    link_published(old, full)  # again: nothing changes, no leftovers
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kecamatan.duckdb", "penuh"]


def test_copies_archived_by_an_older_layout_move_into_each_files_folder(tmp_path: Path) -> None:
    """Before the two folders, both files' copies shared curated/archive/: the full ones go to
    penuh/archive/, the masked ones to tersamar/archive/, and the shared folder goes away."""
    legacy = tmp_path / "archive"
    legacy.mkdir()
    for name in ("kecamatan.20261101T010000Z.duckdb", "kecamatan_masked.20261101T010000Z.duckdb"):
        (legacy / name).write_text(name)
    move_legacy_archive(tmp_path)
    full, masked = published_paths(tmp_path)
    assert [p.name for p in (full.parent / "archive").iterdir()] == [
        "kecamatan.20261101T010000Z.duckdb"
    ]
    assert [p.name for p in (masked.parent / "archive").iterdir()] == [
        "kecamatan_masked.20261101T010000Z.duckdb"
    ]
    assert not legacy.exists()
