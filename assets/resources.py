"""Resources: the settings every asset receives, built from the DTKS_* environment."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from assets.partitions import KECAMATAN
from assets.settings import Settings
from dtks.region import Kecamatan
from dtks.stages import STORE_LAYOUT
from dtks.store import WorkStore


class DtksSettings(dg.ConfigurableResource):
    """The folders, as the README's "Settings" section describes them (the kecamatan is the
    partitions' own, `assets.partitions.KECAMATAN`, so the two cannot disagree)."""

    raw_dir: str
    curated_dir: str
    work_dir: str
    review_dir: str

    @classmethod
    def from_env(cls) -> DtksSettings:
        s = Settings.from_env()
        return cls(
            raw_dir=str(s.raw_dir),
            curated_dir=str(s.curated_dir),
            work_dir=str(s.work_dir),
            review_dir=str(s.review_dir),
        )

    @property
    def raw_path(self) -> Path:
        return Path(self.raw_dir)

    @property
    def curated_path(self) -> Path:
        return Path(self.curated_dir)

    def kecamatan(self) -> Kecamatan:
        return KECAMATAN

    def work_store(self, lock_timeout_s: float | None = None) -> WorkStore:
        """The work store; `lock_timeout_s` bounds the wait for another run's lock."""
        path = Path(self.work_dir) / "store.duckdb"
        if lock_timeout_s is None:
            return WorkStore(path, layout=STORE_LAYOUT)
        return WorkStore(path, layout=STORE_LAYOUT, lock_timeout_s=lock_timeout_s)
