"""Disk-full and permission errors at the write points, explained in Bahasa Indonesia.

    >>> try:
    ...     with explain_storage_errors(Path("/srv/dtks/curated"), "file kecamatan.duckdb"):
    ...         raise OSError(errno.ENOSPC, "No space left on device")  # what a full disk says
    ... except StorageError as error:
    ...     print(error.problem, str(error).split(". ")[0])
    disk_full Disk penuh: file kecamatan.duckdb tidak bisa ditulis ke folder /srv/dtks/curated

An `OSError` with errno ENOSPC, EDQUOT, EFBIG, EACCES, EPERM or EROFS, or a DuckDB error
whose text says the same ("No space left on device", "Permission denied", ...), raised in
the block becomes a `StorageError`: it names the folder, what was being written, says that
nothing was lost and what to do, and ends with a short English technical tail. The original
error stays as `__cause__`. Other errors, and a `StorageError` raised by an inner write
point, pass through unchanged.
"""

from __future__ import annotations

import errno
import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import duckdb

NOTHING_LOST = "Tidak ada data yang hilang: file terbitan yang lama tetap utuh."


class StorageProblem(StrEnum):
    """Why a write failed, as far as the operator can act on it."""

    DISK_FULL = "disk_full"
    NO_PERMISSION = "no_permission"
    READ_ONLY = "read_only"


_PROBLEM_BY_ERRNO = {
    errno.ENOSPC: StorageProblem.DISK_FULL,
    errno.EDQUOT: StorageProblem.DISK_FULL,
    errno.EFBIG: StorageProblem.DISK_FULL,  # a file-size limit: as full as a full disk
    errno.EACCES: StorageProblem.NO_PERMISSION,
    errno.EPERM: StorageProblem.NO_PERMISSION,
    errno.EROFS: StorageProblem.READ_ONLY,
}

# DuckDB reports the OS error only in its message text.
_PROBLEM_BY_TEXT = (
    ("no space left on device", StorageProblem.DISK_FULL),
    ("disk quota exceeded", StorageProblem.DISK_FULL),
    ("file too large", StorageProblem.DISK_FULL),
    ("permission denied", StorageProblem.NO_PERMISSION),
    ("operation not permitted", StorageProblem.NO_PERMISSION),
    ("read-only file system", StorageProblem.READ_ONLY),
)


class StorageError(RuntimeError):
    """A write to `folder` failed for lack of space or permission; the message is for operators.

    Not an `OSError`, so that code which treats an unreadable input file as a reportable
    problem (`except OSError`) never swallows it.
    """

    def __init__(self, message: str, folder: Path, what: str, problem: StorageProblem) -> None:
        super().__init__(message)
        self.folder = folder
        self.what = what
        self.problem = problem


def storage_problem(error: BaseException) -> StorageProblem | None:
    """The storage problem behind `error`, or None when it is some other failure."""
    found = _storage_cause(error)
    return found[1] if found is not None else None


def _storage_cause(error: BaseException) -> tuple[BaseException, StorageProblem] | None:
    """The OS or DuckDB error in `error`'s chain that is a storage problem, with the problem.

    Libraries wrap the OS error (xlsxwriter raises `FileCreateError` while handling it), so
    the causes and contexts are looked at too.
    """
    seen: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and all(link is not s for s in seen):
        seen.append(link)
        if isinstance(link, OSError) and link.errno in _PROBLEM_BY_ERRNO:
            return link, _PROBLEM_BY_ERRNO[link.errno]
        if isinstance(link, duckdb.Error):
            text = str(link).lower()
            for needle, problem in _PROBLEM_BY_TEXT:
                if needle in text:
                    return link, problem
        link = link.__cause__ or link.__context__
    return None


def storage_message(
    problem: StorageProblem, folder: Path, what: str, error: BaseException, kept: str = NOTHING_LOST
) -> str:
    """The operator's message: what failed where, that nothing was lost, what to do."""
    if problem is StorageProblem.DISK_FULL:
        cause = f"Disk penuh: {what} tidak bisa ditulis ke folder {folder}."
        action = (
            f"Kosongkan ruang disk tempat folder {folder} berada (misalnya hapus salinan lama "
            "di folder archive/ atau file yang tidak diperlukan), lalu jalankan ulang."
        )
    elif problem is StorageProblem.READ_ONLY:
        cause = f"Disk hanya-baca: {what} tidak bisa ditulis ke folder {folder}."
        action = (
            f"Pasang ulang (mount) disk folder {folder} dengan hak tulis, atau pindahkan "
            "folder ke disk yang bisa ditulis, lalu jalankan ulang."
        )
    else:
        cause = f"Tidak ada izin menulis: {what} tidak bisa ditulis ke folder {folder}."
        action = (
            f"Periksa izin folder {folder} untuk pengguna layanan dtks (saat ini: "
            f"{_current_user()}): pengguna itu harus bisa menulis di folder ini, lalu "
            "jalankan ulang."
        )
    return f"{cause} {kept} {action} [{_technical_tail(error)}]"


@contextmanager
def explain_storage_errors(folder: Path, what: str, kept: str = NOTHING_LOST) -> Iterator[None]:
    """Turn a disk-full or permission error raised in the block into a `StorageError`.

    An `OSError` that names a file outside `folder` is someone else's (an input file, a
    report) and passes through, as does every error that is not about storage.
    """
    try:
        yield
    except StorageError:
        raise  # an inner write point said it already
    except Exception as error:
        found = _storage_cause(error)
        if found is None or not _concerns(found[0], folder):
            raise
        cause, problem = found
        message = storage_message(problem, folder, what, cause, kept)
        raise StorageError(message, folder, what, problem) from error


def _concerns(error: BaseException, folder: Path) -> bool:
    """False only for an OSError naming a path outside `folder`."""
    names = [getattr(error, "filename", None), getattr(error, "filename2", None)]
    paths = [Path(os.fsdecode(name)) for name in names if isinstance(name, str | bytes)]
    if not paths:
        return True
    root = folder.absolute()
    return any(path.absolute().is_relative_to(root) for path in paths)


def _technical_tail(error: BaseException) -> str:
    """A short English line for whoever reads the logs: the error class and its text."""
    text = " ".join(str(error).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(error).__name__}: {text}"


def _current_user() -> str:
    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
