"""Alert delivery for a failed run: the JSON alert file, the operator's command and webhook,
and the tags on the run; the command, the webhook and the tags never raise (the run failed
already: a delivery that fails is logged)."""

import json
import os
import shlex
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from dtks.files import write_text_atomically
from pipelines.failed_runs import RunFailure

ALERTS_FOLDER = "alerts"
ALERT_FILE_TAG = "dtks/alert_file"
FAILED_STEP_TAG = "dtks/failed_step"
ALERT_COMMAND_TIMEOUT_S = 60.0
ALERT_WEBHOOK_TIMEOUT_S = 10.0
ALERT_MAX_WARNINGS = 50  # the rest stay in the run's log


@dataclass(frozen=True)
class AlertSettings:
    """Who else hears of a failed run: DTKS_ALERT_COMMAND and DTKS_ALERT_WEBHOOK (both optional)."""

    command: list[str]  # argv, run without a shell; the alert file path is appended
    webhook: str | None
    ui_url: str | None  # DTKS_UI_URL: how staff reach the UI, to link the run

    @classmethod
    def from_env(cls) -> "AlertSettings":
        return cls(
            command=shlex.split(os.environ.get("DTKS_ALERT_COMMAND", "")),
            webhook=os.environ.get("DTKS_ALERT_WEBHOOK") or None,
            ui_url=(os.environ.get("DTKS_UI_URL") or "").rstrip("/") or None,
        )


def alert_payload(failure: RunFailure, tags: dict[str, str], ui_url: str | None) -> dict[str, Any]:
    """The alert as JSON-ready data: run, job, time, trigger, villages, failed steps, message."""
    return {
        "run_id": failure.run_id,
        "job": failure.job,
        "failed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trigger": _trigger(tags),
        "villages": failure.villages,
        "failed_step": failure.failed_steps[0].step if failure.failed_steps else None,
        "failed_steps": [vars(step) for step in failure.failed_steps],
        "warnings": failure.warnings[:ALERT_MAX_WARNINGS],
        "warnings_not_shown": max(0, len(failure.warnings) - ALERT_MAX_WARNINGS),
        "message": failure.summary(),
        "run_url": f"{ui_url}/runs/{failure.run_id}" if ui_url else None,
    }


def _trigger(tags: dict[str, str]) -> str:
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in tags:
        return f"sensor {tags['dagster/sensor_name']}"
    return "manual"


def write_alert(alerts_dir: Path, payload: dict[str, Any]) -> Path:
    """Write the alert JSON atomically as alerts/<time>_<run id>.json and return its path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = alerts_dir / f"{stamp}_{payload['run_id'][:8]}.json"
    text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return write_text_atomically(path, text)


def call_alert_command(command: list[str], alert_file: Path, log: Any) -> None:
    """Run the operator's command with the alert file as its last argument; never raises."""
    if not command:
        return
    try:
        done = subprocess.run(  # noqa: S603 - argv from the operator's own settings, no shell
            [*command, str(alert_file)],
            capture_output=True,
            text=True,
            timeout=ALERT_COMMAND_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning(f"DTKS_ALERT_COMMAND tidak bisa dijalankan: {exc}")
        return
    if done.returncode != 0:
        log.warning(
            f"DTKS_ALERT_COMMAND keluar dengan kode {done.returncode}: {done.stderr.strip()[:500]}"
        )


def post_alert_webhook(url: str | None, payload: dict[str, Any], log: Any) -> None:
    """POST the alert as JSON with a short timeout; a failure is logged, never raised."""
    if not url:
        return
    request = urllib.request.Request(  # noqa: S310 - the operator's own URL
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=ALERT_WEBHOOK_TIMEOUT_S) as response:  # noqa: S310
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.warning(f"DTKS_ALERT_WEBHOOK gagal dihubungi: {exc}")


def tag_failed_run(
    instance: dg.DagsterInstance, failure: RunFailure, alert_file: Path, log: Any
) -> None:
    """Put the failed step and the alert file on the run itself, where the UI shows its tags."""
    tags = {ALERT_FILE_TAG: alert_file.name}
    if failure.failed_steps:
        tags[FAILED_STEP_TAG] = failure.failed_steps[0].step
    try:
        instance.add_run_tags(failure.run_id, tags)
    except Exception as exc:  # noqa: BLE001 - an alert must not fail on a tag
        log.warning(f"tag run gagal ditambahkan: {exc}")
