"""A full disk or a folder the service may not write is explained in Bahasa Indonesia, naming
the folder and what to do; every other error passes through untouched."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from dtks.storage_errors import StorageError, StorageProblem, explain_storage_errors

FOLDER = Path("/srv/dtks/curated")
WHAT = "file terbitan kecamatan.duckdb"
WRITTEN = str(FOLDER / ".kecamatan.abc.building")

EXPLAINED = [
    # (behaviour, error raised by the write, problem, words the operator must read)
    (
        "a full disk",
        OSError(errno.ENOSPC, "No space left on device", WRITTEN),
        StorageProblem.DISK_FULL,
        ["Disk penuh", "Kosongkan ruang disk"],
    ),
    (
        "a full quota",
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        StorageProblem.DISK_FULL,
        ["Disk penuh", "Kosongkan ruang disk"],
    ),
    (
        "a file-size limit",
        OSError(errno.EFBIG, "File too large"),
        StorageProblem.DISK_FULL,
        ["Disk penuh"],
    ),
    (
        "a folder the service may not write",
        PermissionError(errno.EACCES, "Permission denied", WRITTEN),
        StorageProblem.NO_PERMISSION,
        ["Tidak ada izin menulis", "Periksa izin folder", "pengguna layanan dtks"],
    ),
    (
        "an operation not permitted",
        PermissionError(errno.EPERM, "Operation not permitted", WRITTEN),
        StorageProblem.NO_PERMISSION,
        ["Periksa izin folder"],
    ),
    (
        "a disk mounted read-only",
        OSError(errno.EROFS, "Read-only file system", WRITTEN),
        StorageProblem.READ_ONLY,
        ["Disk hanya-baca", "Pasang ulang"],
    ),
    (
        "DuckDB out of disk space",
        duckdb.IOException(f'IO Error: Could not write file "{WRITTEN}": No space left on device'),
        StorageProblem.DISK_FULL,
        ["Disk penuh"],
    ),
    (
        "DuckDB hitting a file-size limit",
        duckdb.IOException(f'IO Error: Could not write all bytes to "{WRITTEN}": File too large'),
        StorageProblem.DISK_FULL,
        ["Disk penuh"],
    ),
    (
        "DuckDB refused the folder",
        duckdb.IOException(f'IO Error: Cannot open file "{WRITTEN}": Permission denied'),
        StorageProblem.NO_PERMISSION,
        ["Periksa izin folder"],
    ),
    (
        "DuckDB on a read-only disk",
        duckdb.IOException(f'IO Error: Cannot open file "{WRITTEN}": Read-only file system'),
        StorageProblem.READ_ONLY,
        ["Disk hanya-baca"],
    ),
]


@pytest.mark.parametrize(
    ("behaviour", "error", "problem", "words"), EXPLAINED, ids=[c[0] for c in EXPLAINED]
)
def test_a_storage_error_is_explained_in_bahasa_naming_the_folder(
    behaviour: str, error: Exception, problem: StorageProblem, words: list[str]
) -> None:
    with pytest.raises(StorageError) as raised, explain_storage_errors(FOLDER, WHAT):
        raise error
    message = str(raised.value)
    for word in [*words, str(FOLDER), WHAT, "Tidak ada data yang hilang", "jalankan ulang"]:
        assert word in message, (behaviour, word, message)
    assert raised.value.problem is problem
    assert raised.value.folder == FOLDER
    assert raised.value.__cause__ is error  # the original stays for the technical log
    assert type(error).__name__ in message  # a short English technical tail


PASSED_THROUGH = [
    # (behaviour, error that is not about this folder's storage)
    ("a missing file", FileNotFoundError(errno.ENOENT, "No such file or directory", WRITTEN)),
    ("an input file outside the folder", PermissionError(errno.EACCES, "denied", "/srv/raw/x.csv")),
    ("a DuckDB error of another kind", duckdb.CatalogException("Table with name x does not exist")),
    ("a programming error", ValueError("not a pipeline identifier")),
    (
        "an inner write point's own explanation",
        StorageError("Disk penuh: ...", Path("/srv/dtks/work"), "x", StorageProblem.DISK_FULL),
    ),
]


@pytest.mark.parametrize(("behaviour", "error"), PASSED_THROUGH, ids=[c[0] for c in PASSED_THROUGH])
def test_other_errors_pass_through_unchanged(behaviour: str, error: Exception) -> None:
    with pytest.raises(type(error)) as raised, explain_storage_errors(FOLDER, WHAT):
        raise error
    assert raised.value is error, behaviour


def test_the_caller_says_what_was_kept() -> None:
    kept = "Tidak ada data yang hilang: folder submission/ yang lama tetap utuh."
    expected = "folder submission/ yang lama tetap utuh"
    with (
        pytest.raises(StorageError, match=expected),
        explain_storage_errors(FOLDER, "folder submission/", kept),
    ):
        raise OSError(errno.ENOSPC, "No space left on device")


class WrappedByALibrary(Exception):
    """Like xlsxwriter's FileCreateError: raised while the OS error is being handled."""


def test_an_os_error_a_library_wrapped_is_explained_too() -> None:
    with pytest.raises(StorageError) as raised, explain_storage_errors(FOLDER, WHAT):
        try:
            raise OSError(errno.EFBIG, "File too large")
        except OSError as error:
            raise WrappedByALibrary(error)  # noqa: B904 - what the library does
    assert raised.value.problem is StorageProblem.DISK_FULL
    assert str(raised.value).startswith(f"Disk penuh: {WHAT} tidak bisa ditulis ke folder {FOLDER}")
