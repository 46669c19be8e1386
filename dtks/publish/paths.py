"""The two published files and where they live: each in a folder of its own under the
curated folder, so that each can be given to its own group of readers (README, "Who may
read what"), with a relative link at the path analysts know."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from dtks.files import private_dir


@dataclass(frozen=True)
class PublishedFile:
    """One published DuckDB file: `folder/name` under the curated folder, linked as `name`."""

    key: str  # how a table declaration names it
    folder: str
    name: str

    def path(self, curated_dir: Path) -> Path:
        return curated_dir / self.folder / self.name

    def link(self, curated_dir: Path) -> Path:
        """The path analysts know: a relative symlink to `path` (it opens only for those
        who may read the folder)."""
        return curated_dir / self.name


FULL = PublishedFile("full", "penuh", "kecamatan.duckdb")
MASKED = PublishedFile("masked", "tersamar", "kecamatan_masked.duckdb")
PUBLISHED_FILES = (FULL, MASKED)


def published_paths(curated_dir: Path) -> tuple[Path, Path]:
    """Where the full file and the masked file are published (each in its own folder)."""
    return FULL.path(curated_dir), MASKED.path(curated_dir)


def move_legacy_archive(curated_dir: Path) -> None:
    """Copies archived before the full and masked files had folders of their own
    (`curated/archive/`) move into `penuh/archive/` and `tersamar/archive/`."""
    legacy = curated_dir / "archive"
    if not legacy.is_dir():
        return
    for published in PUBLISHED_FILES:
        stem, suffix = Path(published.name).stem, Path(published.name).suffix
        for copy in sorted(legacy.glob(f"{stem}.*{suffix}")):
            os.replace(copy, private_dir(curated_dir / published.folder / "archive") / copy.name)
    with contextlib.suppress(OSError):  # not empty: someone keeps other files there
        legacy.rmdir()
