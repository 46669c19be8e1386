"""Dagster's own instance storage under the work dir, so run history survives restarts."""

from __future__ import annotations

import os
from pathlib import Path

from pipelines.settings import Settings

# Written once into DAGSTER_HOME: no telemetry (the machine has no internet), and a run
# queue that starts one run at a time (the work store lock covers runs outside the queue).
DAGSTER_YAML = """\
telemetry:
  enabled: false
run_queue:
  max_concurrent_runs: 1
"""


def prepare_dagster_home(settings: Settings) -> Path:
    """Create DAGSTER_HOME (unless the environment names one) and export it for Dagster."""
    home = Path(os.environ.get("DAGSTER_HOME") or settings.dagster_home)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    return home
