"""Files and folders that hold personal data: private modes, and write-then-rename.

Everything the product writes about people (the work store, the published files, the
submission, fix lists, the review workbook and decisions, alerts, data docs) is created
with mode 0640 or stricter, in folders created 0750: readable by the service's group,
never by other users of the machine. Folders that exist already keep the mode and group
an administrator gave them (see deploy/README.md).

A file is replaced by writing it beside its final name and renaming it over:

    >>> with replaced_atomically(review_dir / "keputusan_petugas.csv") as temp:
    ...     frame.write_csv(temp)

The temporary file lies in the same folder (a rename never crosses file systems), is
created 0600 before anything is written into it, is fsynced, given its final mode, renamed
over the target, and the folder is fsynced, so after a crash or power cut a reader sees the
old file or the new one, never half of one.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PRIVATE_FILE_MODE = 0o640
PRIVATE_DIR_MODE = 0o750
# Temporary files of a writer killed mid-way are removed by a later write of the same file
# once they are this old (a younger one may belong to a writer still at work).
STALE_TEMP_SECONDS = 3600


def private_dir(path: Path) -> Path:
    """`mkdir -p` where every folder created gets mode 0750 (or stricter, under the umask).

    Existing folders are left as they are, and a new folder still inherits the group of a
    set-group-id parent, so an administrator's group layout holds.
    """
    missing = []
    for folder in [path, *path.parents]:
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
    return path


def restrict_file(path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Take away every permission beyond `mode` from an existing file (never adds any)."""
    try:
        current = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)


def temp_beside(path: Path, suffix: str = "") -> Path:
    """A new, empty file (mode 0600) beside `path`, named `.<name>.<token>.tmp<suffix>`."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{uuid.uuid4().hex[:8]}.tmp{suffix}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    return temp


@contextmanager
def replaced_atomically(path: Path, mode: int = PRIVATE_FILE_MODE) -> Iterator[Path]:
    """A temporary path to write `path`'s new content to; renamed over `path` when the block
    ends without error, removed when it fails. The temporary file keeps `path`'s suffix
    (writers that look at it, such as spreadsheet libraries, see what they expect)."""
    private_dir(path.parent)
    _sweep_stale_temps(path)
    temp = temp_beside(path, path.suffix)
    try:
        yield temp
        os.chmod(temp, mode)
        fsync_file(temp)
        os.replace(temp, path)
        fsync_dir(path.parent)
    finally:
        temp.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str, mode: int = PRIVATE_FILE_MODE) -> Path:
    """Replace `path` with `text` (UTF-8) through `replaced_atomically`."""
    with replaced_atomically(path, mode) as temp:
        temp.write_text(text, encoding="utf-8")
    return path


def fsync_file(path: Path) -> None:
    """Flush a file's content to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sweep_stale_temps(path: Path) -> None:
    cutoff = time.time() - STALE_TEMP_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp*"):
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:
            continue
