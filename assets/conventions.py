"""What every asset declares to Dagster besides its function: the concurrency pool of the
work store, and a code version that changes when the code computing the asset changes.

The work store is one DuckDB file that one process may open at a time. Every asset and
check that opens it is in the pool `WORK_STORE_POOL`, whose limit is 1 in the instance's
`dagster.yaml` (`pipelines.instance`): a run that has to wait for another run's work shows
in the UI as waiting for a concurrency slot (or stays queued), not as a step running for an
hour. The file lock in `dtks.store.WorkStore` stays as the safety net for processes that
do not go through this Dagster instance (`dagster asset materialize` with another
DAGSTER_HOME, a test's ephemeral instance).
"""

from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

WORK_STORE_POOL = "dtks_work_store"


def _source_files(module_name: str) -> list[Path]:
    """The Python files of a module, or of every module of a package."""
    module = importlib.import_module(module_name)
    path = Path(module.__file__ or "")
    if path.name == "__init__.py":
        return sorted(path.parent.rglob("*.py"))
    return [path]


def code_version(*module_names: str) -> str:
    """A short hash of the source of the modules (and packages) that compute an asset.

    Dagster shows it on the asset and marks the asset's materialization as stale when it
    changes, so a new release of the cleaning rules says which assets to rebuild.

    >>> version = code_version("dtks.region")
    >>> len(version), version == code_version("dtks.region")
    (12, True)
    >>> version != code_version("dtks.region", "dtks.columns")
    True
    """
    digest = hashlib.sha256()
    for name in module_names:
        for path in _source_files(name):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
