"""Reading stays bounded: big files are refused by size before they cost memory or time, and
files that cannot or must not be opened (permission denied, FIFO, changing) never hang a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus_cases import (
    HEADER,
    PERSON,
    csv_text,
    fifo,
    formatted_million_rows_xlsx,
    long_line_csv,
    zip_bomb_xlsx,
)

from dtks.ingest import ErrorCode, read_export, survey_village_folder

PROJECT = Path(__file__).resolve().parents[2]
# Peak memory a read may add on top of the process (1 MiB blocks are read; Python and the
# libraries are already loaded before the baseline is taken).
MAX_EXTRA_RSS_MB = 48

_MEASURE = """
import json, resource, sys
from pathlib import Path
from dtks.ingest import read_export

raw = Path(sys.argv[1])
warm = read_export(raw / "kapong" / "baik.csv", raw)  # load every lazy import first
assert warm.status == "ok", warm.error_message
report = {}
for name in sys.argv[2:]:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read = read_export(raw / "kapong" / name, raw)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report[name] = {"code": read.error_code, "extra_kb": after - before, "hash": read.file_hash}
print(json.dumps(report))
"""


def _village(tmp_path: Path) -> Path:
    village = tmp_path / "raw" / "kapong"
    village.mkdir(parents=True)
    (village / "baik.csv").write_bytes(csv_text(HEADER, PERSON))
    return village


def test_a_200_mb_line_and_a_zip_bomb_are_refused_with_memory_bounded(tmp_path: Path) -> None:
    village = _village(tmp_path)
    long_line_csv(village / "baris_panjang.csv")
    zip_bomb_xlsx(village / "bom_zip.xlsx")
    assert (village / "baris_panjang.csv").stat().st_size > 200_000_000
    with zipfile.ZipFile(village / "bom_zip.xlsx") as archive:
        assert sum(m.file_size for m in archive.infolist()) > 3_900_000_000
    assert (village / "bom_zip.xlsx").stat().st_size < 10_000_000
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _MEASURE,
            str(tmp_path / "raw"),
            "bom_zip.xlsx",
            "baris_panjang.csv",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["bom_zip.xlsx"]["code"] == ErrorCode.ZIP_BOMB.value
    assert report["baris_panjang.csv"]["code"] == ErrorCode.LINE_TOO_LONG.value
    assert report["baris_panjang.csv"]["hash"]  # hashed to the end, in blocks
    for name, measured in report.items():
        assert measured["extra_kb"] < MAX_EXTRA_RSS_MB * 1024, (name, measured)
    assert time.monotonic() - started < 30


def test_a_million_empty_formatted_rows_do_not_take_forever(tmp_path: Path) -> None:
    village = _village(tmp_path)
    path = village / "sejuta_baris.xlsx"
    formatted_million_rows_xlsx(path)
    started = time.monotonic()
    read = read_export(path, tmp_path / "raw")
    assert time.monotonic() - started < 10
    assert read.status == "ok", read.error_message
    assert read.rows_read == 1


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A raw folder that a non-root user may enter (pytest's own temp folders are 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="dtks-hardening-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


_AS_NOBODY = """
import json, os, sys
from pathlib import Path
from dtks.ingest import read_export

raw = Path(sys.argv[1])
read_export(raw / "kapong" / "baik.csv", raw)  # every lazy import loaded while still root
os.setgroups([])
os.setgid(65534)
os.setuid(65534)  # from here on the process is 'nobody', as a data-office service user would be
read = read_export(raw / "kapong" / "terkunci.csv", raw)
print(json.dumps({"uid": os.getuid(), "code": read.error_code, "message": read.error_message}))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")
def test_a_file_the_service_user_may_not_read_is_reported_not_raised(shared_folder: Path) -> None:
    village = _village(shared_folder)
    village.parent.chmod(0o755)
    village.chmod(0o755)
    locked = village / "terkunci.csv"
    locked.write_bytes(csv_text(HEADER, PERSON))
    locked.chmod(0o000)  # root ignores this; the non-root process below does not
    proc = subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, str(shared_folder / "raw")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["uid"] == 65534
    assert report["code"] == ErrorCode.FILE_UNREADABLE.value
    assert "kapong/terkunci.csv" in report["message"]
    assert "akses ditolak" in report["message"]


def test_a_file_growing_while_it_is_read_is_refused_as_changing(tmp_path: Path) -> None:
    village = _village(tmp_path)
    path = village / "disalin.csv"
    path.write_bytes(csv_text(HEADER, *([PERSON] * 200_000)))  # ~13 MB: several read blocks
    stop = threading.Event()

    def keep_copying() -> None:
        with path.open("ab") as out:
            while not stop.is_set():
                out.write(csv_text(PERSON))
                out.flush()

    writer = threading.Thread(target=keep_copying)
    writer.start()
    try:
        time.sleep(0.05)
        read = read_export(path, tmp_path / "raw")
    finally:
        stop.set()
        writer.join()
    assert read.error_code == ErrorCode.FILE_CHANGING.value, read.error_message
    assert "kapong/disalin.csv" in (read.error_message or "")
    assert read.rows.height == 0  # nothing half-read goes on


def test_reading_a_fifo_never_blocks(tmp_path: Path) -> None:
    village = _village(tmp_path)
    fifo(village / "pipa.csv")
    results = []
    reader = threading.Thread(
        target=lambda: results.append(read_export(village / "pipa.csv", tmp_path / "raw")),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "read_export blocked on a FIFO"
    assert results[0].error_code == ErrorCode.NOT_A_REGULAR_FILE.value
    folder = survey_village_folder(tmp_path / "raw", "kapong")
    assert [f.path.name for f in folder.refused] == ["pipa.csv"]


def test_a_symlinked_folder_is_not_walked_and_a_link_out_is_never_read(tmp_path: Path) -> None:
    village = _village(tmp_path)
    outside = tmp_path / "rahasia"
    outside.mkdir()
    (outside / "dtks.csv").write_bytes(csv_text(HEADER, PERSON))
    (village / "folder_tautan").symlink_to(outside, target_is_directory=True)
    (village / "tautan.csv").symlink_to(outside / "dtks.csv")
    (village / "dalam.csv").symlink_to(village / "baik.csv")  # a link inside the raw folder
    folder = survey_village_folder(tmp_path / "raw", "kapong")
    assert [p.name for p in folder.exports] == ["baik.csv", "dalam.csv"]
    assert [(f.path.name, f.code) for f in folder.refused] == [
        ("tautan.csv", ErrorCode.OUTSIDE_RAW_FOLDER)
    ]
    assert [f.path.name for f in folder.ignored] == ["folder_tautan"]
    inside = read_export(village / "dalam.csv", tmp_path / "raw")
    assert (inside.status, inside.source_file) == ("ok", "kapong/dalam.csv")
    out = read_export(village / "tautan.csv", tmp_path / "raw")
    assert out.error_code == ErrorCode.OUTSIDE_RAW_FOLDER.value
    assert out.file_hash is None  # not even hashed
