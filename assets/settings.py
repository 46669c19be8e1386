"""One settings object for every command and the UI, fed by DTKS_* environment variables.

`DTKS_KECAMATAN` names the kecamatan; `assets.partitions.KECAMATAN` loads it once, and
the partitions, the resource and every asset take it from there.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dtks.region import DEFAULT_KECAMATAN_KODE

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _dir_setting(name: str, default: str) -> Path:
    """A folder from the environment; relative paths are taken from the project root."""
    path = Path(os.environ.get(name) or default)
    return path if path.is_absolute() else (PROJECT_ROOT / path)


@dataclass(frozen=True)
class Settings:
    """Where exports are read from and where results go; see README "Settings"."""

    raw_dir: Path
    curated_dir: Path
    work_dir: Path
    review_dir: Path
    kecamatan_kode: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            raw_dir=_dir_setting("DTKS_RAW_DIR", "data/raw"),
            curated_dir=_dir_setting("DTKS_CURATED_DIR", "data/curated"),
            work_dir=_dir_setting("DTKS_WORK_DIR", "data/work"),
            review_dir=_dir_setting("DTKS_REVIEW_DIR", "data/review"),
            kecamatan_kode=os.environ.get("DTKS_KECAMATAN") or DEFAULT_KECAMATAN_KODE,
        )

    @property
    def dagster_home(self) -> Path:
        """Dagster's instance storage (run history, schedule state), kept with the work dir."""
        return self.work_dir / "dagster_home"
