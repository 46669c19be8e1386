"""Finding a village's exports in its folder: what to read, what to skip, what to tell the operator.

Only regular files inside the raw folder are exports. A symlink whose target lies outside
the raw folder, a FIFO, socket or device, and a folder named like an export are `refused`
without being opened (a FIFO would block the read forever; a link could pull in any file
of the machine); symlinked folders are not walked.

Files still being written (copied over the network, saved by Excel) must not be read half
done: a file modified less than `min_age_seconds` ago, or whose size or mtime changes across
`settle_seconds`, is reported as still being written and left for the next run. Both default
to 0 (for tests and one-off reads); a scheduled or sensor-triggered run should pass
`RECOMMENDED_MIN_AGE_SECONDS` and `RECOMMENDED_SETTLE_SECONDS`.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dtks.ingest.errors import ErrorCode
from dtks.ingest.file_checks import file_kind
from dtks.region import slugify

# Read by content: .xlsx/.xlsm/.csv are read; .xls/.xlsb/.ods are refused with a reason in
# `source_files` (an ".xls" that is really a CSV or an XLSX is read, with a warning).
SUPPORTED_SUFFIXES = frozenset({".csv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
ARCHIVE_FOLDER = "arsip"
# Lists covering every village (desil ranking lists) go in `<raw>/_kecamatan/`.
KECAMATAN_FOLDER = "_kecamatan"
RECOMMENDED_MIN_AGE_SECONDS = 10.0
RECOMMENDED_SETTLE_SECONDS = 1.0
# A run started by hand reads what is there now, but still not a file being written this
# very moment: those are watched this long (only when one was written in the last
# `FRESH_SECONDS`, so a run over settled folders never waits).
MANUAL_SETTLE_SECONDS = 0.5
FRESH_SECONDS = 30.0
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class FoundFile:
    """A file seen in a village folder that is not read, with the reason (Bahasa Indonesia).

    `code` is set for files refused as unsafe or unreadable (see `refused_export`).
    """

    path: Path
    reason: str
    code: ErrorCode | None = None


@dataclass
class VillageFolder:
    """Everything found under `raw_dir/<village>/`."""

    village_slug: str
    folder: Path | None  # None when the village has no folder at all
    exports: list[Path] = field(default_factory=list)  # to read, sorted
    # .xls, .pdf, .zip, ...: not read, but the operator must be told
    unsupported: list[FoundFile] = field(default_factory=list)
    still_writing: list[FoundFile] = field(default_factory=list)  # retry on the next run
    ignored: list[FoundFile] = field(default_factory=list)  # arsip/, lock files, hidden files
    # named like an export but unsafe or not a file: symlink out of raw, FIFO, folder; has `code`
    refused: list[FoundFile] = field(default_factory=list)


def find_village_folder(raw_dir: Path, village_slug: str) -> Path | None:
    """`raw_dir/<slug>`, or a folder whose name slugifies to it ("Lesong Laok" for lesong-laok)."""
    exact = raw_dir / village_slug
    if exact.is_dir():
        return exact
    if not raw_dir.is_dir():
        return None
    for child in sorted(raw_dir.iterdir()):
        if child.is_dir() and slugify(child.name) == village_slug:
            return child
    return None


def survey_village_folder(
    raw_dir: Path,
    village_slug: str,
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
    now: float | None = None,
) -> VillageFolder:
    """Sort every file under the village folder into exports, unsupported, still writing, ignored."""
    (folder,) = survey_village_folders(
        raw_dir,
        [village_slug],
        min_age_seconds=min_age_seconds,
        settle_seconds=settle_seconds,
        now=now,
    )
    return folder


def survey_village_folders(
    raw_dir: Path,
    village_slugs: Iterable[str],
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
    now: float | None = None,
) -> list[VillageFolder]:
    """`survey_village_folder` of every village, watched for files still being written over
    one `settle_seconds` together (not one wait per village: 13 villages, 13 waits)."""
    surveys: list[tuple[VillageFolder, list[Path]]] = []
    for slug in village_slugs:
        folder = find_village_folder(raw_dir, slug)
        result = VillageFolder(slug, folder)
        candidates: list[Path] = []
        for path in _walk_files(folder, raw_dir, result) if folder is not None else []:
            suffix = path.suffix.lower()
            if suffix in SUPPORTED_SUFFIXES:
                candidates.append(path)
            else:
                result.unsupported.append(FoundFile(path, _unsupported_reason(suffix)))
        surveys.append((result, candidates))
    every = [path for _, candidates in surveys for path in candidates]
    ready, writing = _split_still_writing(every, min_age_seconds, settle_seconds, now)
    is_ready, still_writing = set(ready), {found.path: found for found in writing}
    for result, candidates in surveys:
        result.exports = sorted(
            (p for p in candidates if p in is_ready),
            key=lambda p: p.relative_to(raw_dir).as_posix(),
        )
        result.still_writing = [still_writing[p] for p in candidates if p in still_writing]
        result.unsupported.sort(key=lambda f: f.path.as_posix())
        result.refused.sort(key=lambda f: f.path.as_posix())
    return [result for result, _ in surveys]


def discover_exports(
    raw_dir: Path,
    village_slug: str,
    *,
    min_age_seconds: float = 0.0,
    settle_seconds: float = 0.0,
) -> list[Path]:
    """The CSV/XLSX exports to read for one village, sorted; see `survey_village_folder` for the rest."""
    return survey_village_folder(
        raw_dir, village_slug, min_age_seconds=min_age_seconds, settle_seconds=settle_seconds
    ).exports


def _walk_files(folder: Path, raw_dir: Path, result: VillageFolder) -> list[Path]:
    """Regular files under `folder` (symlinks to regular files inside `raw_dir` included)."""
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):  # never follows symlinked folders
        root_path = Path(root)
        for name in list(dirs):
            path = root_path / name
            if name.lower() == ARCHIVE_FOLDER:
                result.ignored.append(FoundFile(path, "folder arsip (versi lama)"))
                dirs.remove(name)
            elif name.startswith("."):
                result.ignored.append(FoundFile(path, "folder tersembunyi"))
                dirs.remove(name)
            elif path.is_symlink():
                result.ignored.append(
                    FoundFile(path, "tautan (symlink) ke folder lain: tidak diikuti")
                )
            elif Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                result.refused.append(
                    FoundFile(
                        path,
                        "folder bernama seperti file ekspor; isinya tidak dibaca",
                        ErrorCode.NOT_A_REGULAR_FILE,
                    )
                )
                dirs.remove(name)
        dirs.sort()
        for name in sorted(names):
            path = root_path / name
            if name.startswith("~$"):
                result.ignored.append(FoundFile(path, "file kunci Excel (file sedang dibuka)"))
            elif name.startswith("."):
                result.ignored.append(FoundFile(path, "file tersembunyi"))
            elif name.lower() in _SYSTEM_FILES:
                result.ignored.append(FoundFile(path, "file sistem Windows"))
            else:
                refusal = _refusal(path, raw_dir)
                if refusal is None:
                    files.append(path)
                else:
                    result.refused.append(refusal)
    return files


def _refusal(path: Path, raw_dir: Path) -> FoundFile | None:
    """Why `path` must not be opened, or None for a regular file inside the raw folder."""
    try:
        real = path.resolve()
        info = path.stat()  # follows a symlink to its target
    except RuntimeError:
        return FoundFile(path, "tautan berputar", ErrorCode.FILE_UNREADABLE)
    except OSError as exc:
        reason = "tautan rusak (tujuannya tidak ada)" if path.is_symlink() else exc.strerror
        return FoundFile(path, reason or "tidak bisa dibuka", ErrorCode.FILE_UNREADABLE)
    if not real.is_relative_to(raw_dir.resolve()):
        return FoundFile(path, f"menunjuk ke {real}", ErrorCode.OUTSIDE_RAW_FOLDER)
    if not stat.S_ISREG(info.st_mode):
        return FoundFile(path, file_kind(info.st_mode), ErrorCode.NOT_A_REGULAR_FILE)
    return None


def _unsupported_reason(suffix: str) -> str:
    if suffix in {".zip", ".rar", ".7z"}:
        return "file arsip terkompresi: ekstrak dulu, simpan file .xlsx/.csv di folder desa"
    if suffix in {".crdownload", ".part", ".tmp"}:
        return "unduhan/penyimpanan belum selesai"
    return f"jenis file {suffix or '(tanpa ekstensi)'} tidak dibaca: simpan data sebagai .xlsx atau .csv"


def _split_still_writing(
    paths: list[Path], min_age_seconds: float, settle_seconds: float, now: float | None
) -> tuple[list[Path], list[FoundFile]]:
    """Files too fresh, or changing across `settle_seconds`, are still being written.

    The settle wait only happens when some file was written in the last `FRESH_SECONDS`: a
    copy in progress keeps touching its file, so an older one cannot be changing now.
    """
    first = {p: _signature(p) for p in paths}
    if settle_seconds > 0 and any(_written_lately(s) for s in first.values()):
        time.sleep(settle_seconds)
    clock = time.time() if now is None else now
    ready: list[Path] = []
    writing: list[FoundFile] = []
    for path in paths:
        before = first[path]
        after = _signature(path) if settle_seconds > 0 else before
        if before is None or after is None:
            continue  # vanished between listing and stat: moved to arsip/ meanwhile
        if after != before:
            writing.append(FoundFile(path, "ukuran file masih berubah (sedang disalin)"))
        elif clock - after[1] < min_age_seconds:
            writing.append(FoundFile(path, f"baru diubah (< {min_age_seconds:g} detik)"))
        else:
            ready.append(path)
    return ready, writing


def _signature(path: Path) -> tuple[int, float] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime


def _written_lately(signature: tuple[int, float] | None) -> bool:
    """Every write of a copy in progress sets the mtime to now (`cp -p` sets the old one
    back only once the data is complete)."""
    return signature is not None and time.time() - signature[1] < FRESH_SECONDS
