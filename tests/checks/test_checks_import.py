"""Loading the code location (every run process and UI reload does) never imports Great
Expectations: it takes seconds, so only the check functions import it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def test_definitions_load_without_importing_great_expectations(tmp_path: Path) -> None:
    code = "import sys, pipelines.definitions; print('great_expectations' in sys.modules)"
    env = {**os.environ, "DTKS_WORK_DIR": str(tmp_path / "work")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"
