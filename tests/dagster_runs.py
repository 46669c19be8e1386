"""Helpers for tests that run the real Dagster job over temp folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from assets.resources import DtksSettings
from dtks.publish.paths import published_paths
from pipelines.definitions import build_definitions
from pipelines.jobs import all_villages_tags

FOLDERS = ("raw", "work", "curated", "review")


def settings_for(dirs: dict[str, Path]) -> DtksSettings:
    return DtksSettings(
        raw_dir=str(dirs["raw"]),
        curated_dir=str(dirs["curated"]),
        work_dir=str(dirs["work"]),
        review_dir=str(dirs["review"]),
    )


def cli_env(dirs: dict[str, Path]) -> dict[str, str]:
    """The environment of `make run` (or `make ui`) pointed at the test's folders; Dagster's
    instance goes to its default place under the work folder."""
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env.update({f"DTKS_{name.upper()}_DIR": str(dirs[name]) for name in FOLDERS})
    env["GX_ANALYTICS_ENABLED"] = "False"
    return env


def copy_folders(source: dict[str, Path], root: Path) -> dict[str, Path]:
    """A copy of the raw, work, curated and review folders of `source` under `root` (links
    kept as links), for a test that runs again without touching the original."""
    dirs = {}
    for name in FOLDERS:
        dirs[name] = root / name
        if source[name].exists():
            shutil.copytree(source[name], dirs[name], symlinks=True)
    return dirs


def run_reconciliation(dirs: dict[str, Path]) -> dg.ExecuteInProcessResult:
    """One run of the whole job over every village, as `make run` does."""
    defs = build_definitions(settings_for(dirs))
    job = defs.resolve_job_def("reconcile_kecamatan")
    return job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=all_villages_tags(), raise_on_error=False
    )


def full_file(dirs: dict[str, Path]) -> Path:
    """The published full file, `penuh/kecamatan.duckdb` under the curated folder."""
    return published_paths(dirs["curated"])[0]


def masked_file(dirs: dict[str, Path]) -> Path:
    """The published masked file, `tersamar/kecamatan_masked.duckdb` under the curated folder."""
    return published_paths(dirs["curated"])[1]


def published(dirs: dict[str, Path], sql: str, params: list | None = None) -> list[tuple]:
    """Rows of a query against the published kecamatan.duckdb (read-only)."""
    con = duckdb.connect(str(full_file(dirs)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
