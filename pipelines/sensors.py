"""Sensors: a changed village export (or desil list in `_kecamatan/`) starts a run for it; a
failed run raises an alert."""

# No `from __future__ import annotations`: Dagster reads the resource parameters' types.

import json
import logging
import os
import re
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from assets.metadata import run_trigger
from dtks.files import write_text_atomically
from dtks.ingest import RECOMMENDED_MIN_AGE_SECONDS, survey_village_folder
from dtks.privacy import mask_number
from dtks.stages.desil import KECAMATAN_FOLDER
from dtks.stages.publish import RunInfo, record_unpublished_run
from dtks.store import WorkStore
from pipelines.jobs import reconcile_kecamatan, villages_covering_tags, villages_in_run
from pipelines.partitions import village_partitions
from pipelines.resources import DtksSettings
from pipelines.schedules import automation_default_status

SENSOR_INTERVAL_SECONDS = 30
CHANGED_VILLAGES_TAG = "dtks/villages_changed"
ALERTS_FOLDER = "alerts"
ALERT_FILE_TAG = "dtks/alert_file"
FAILED_STEP_TAG = "dtks/failed_step"
ALERT_COMMAND_TIMEOUT_S = 60.0
ALERT_WEBHOOK_TIMEOUT_S = 10.0
ALERT_MAX_WARNINGS = 50  # the rest stay in the run's log

# village -> export file (relative to the raw dir) -> [size in bytes, mtime in ns]
ExportsState = dict[str, dict[str, list[int]]]


# --- village exports sensor -------------------------------------------------------------


@dataclass(frozen=True)
class ExportsScan:
    """The raw folder now: villages whose exports have settled, and those still being copied."""

    settled: ExportsState
    settling: dict[str, list[str]] = field(default_factory=dict)


def scan_exports(
    raw_dir: Path, villages: list[str], min_age_seconds: float, now: float | None = None
) -> ExportsScan:
    """Size and mtime of every export, per village; a village with a file touched less than
    `min_age_seconds` ago (mtime or ctime, so a copy that keeps the old mtime counts too) is
    still being copied and is left for a later tick.
    """
    clock = time.time() if now is None else now
    settled: ExportsState = {}
    settling: dict[str, list[str]] = {}
    for village in villages:
        files: dict[str, list[int]] = {}
        fresh: list[str] = []
        for path in survey_village_folder(raw_dir, village).exports:
            try:
                stat = path.stat()
            except OSError:
                continue  # moved to arsip/ between listing and stat
            source_file = path.relative_to(raw_dir).as_posix()
            files[source_file] = [stat.st_size, stat.st_mtime_ns]
            if clock - max(stat.st_mtime, stat.st_ctime) < min_age_seconds:
                fresh.append(source_file)
        if fresh:
            settling[village] = fresh
        else:
            settled[village] = files
    return ExportsScan(settled, settling)


def changed_villages(previous: ExportsState, scan: ExportsScan) -> list[str]:
    """Settled villages whose exports differ from the last run's: new, changed or removed."""
    return [v for v, files in scan.settled.items() if previous.get(v, {}) != files]


def next_state(previous: ExportsState, scan: ExportsScan) -> ExportsState:
    """What the next tick compares with: settled villages as now, settling ones as before."""
    state = {v: previous[v] for v in scan.settling if v in previous}
    state.update({v: files for v, files in scan.settled.items() if files})
    return dict(sorted(state.items()))


def villages_of_queued_runs(instance: dg.DagsterInstance) -> set[str]:
    """Villages that runs of the reconciliation job still waiting in the queue will read; every
    run reads `_kecamatan/` (the desil step), so it is among them when any run waits."""
    queued = instance.get_runs(
        filters=dg.RunsFilter(
            job_name=reconcile_kecamatan.name,
            statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED],
        )
    )
    villages = {village for run in queued for village in villages_in_run(dict(run.tags))}
    return villages | {KECAMATAN_FOLDER} if queued else villages


def run_tags(changed: list[str]) -> dict[str, str]:
    """Tags of the run for these changed folders. `_kecamatan/` is no partition: every run
    reads it, so a change there alone starts a run over the first village (whose unchanged
    files are not read again)."""
    villages = [v for v in changed if v != KECAMATAN_FOLDER]
    scope = villages or village_partitions.get_partition_keys()[:1]
    return {**villages_covering_tags(scope), CHANGED_VILLAGES_TAG: ",".join(changed)}


def decode_cursor(cursor: str | None) -> ExportsState:
    return json.loads(cursor) if cursor else {}


def encode_cursor(state: ExportsState) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"))


def build_exports_sensor(
    min_age_seconds: float = RECOMMENDED_MIN_AGE_SECONDS,
) -> dg.SensorDefinition:
    """The sensor on DTKS_RAW_DIR (tests build one that does not wait for files to settle)."""

    @dg.sensor(
        name="village_exports_changed",
        job=reconcile_kecamatan,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus(automation_default_status().value),
        description=(
            "Memantau folder data/raw: file ekspor desa (atau daftar desil di _kecamatan/) yang "
            "baru, berubah atau dihapus memulai satu run untuk desa itu, lalu pencocokan dan "
            "penerbitan tingkat kecamatan. Starts one run per batch of changed village exports "
            "or kecamatan-wide desil lists, once the files have settled."
        ),
    )
    def village_exports_changed(
        context: dg.SensorEvaluationContext, settings: DtksSettings
    ) -> dg.SensorResult:
        previous = decode_cursor(context.cursor)
        folders = [*village_partitions.get_partition_keys(), KECAMATAN_FOLDER]
        scan = scan_exports(settings.raw_path, folders, min_age_seconds)
        for village, files in scan.settling.items():
            context.log.info(f"{village}: menunggu file selesai disalin: {', '.join(files)}")
        changed = changed_villages(previous, scan)
        cursor = encode_cursor(next_state(previous, scan))
        if not changed:
            return dg.SensorResult(
                skip_reason=dg.SkipReason("tidak ada file ekspor baru atau berubah"),
                cursor=cursor,
            )
        if set(changed) <= villages_of_queued_runs(context.instance):
            # a run that has not started yet reads these villages' files as they are then
            return dg.SensorResult(
                skip_reason=dg.SkipReason(
                    f"sudah ada run dalam antrean untuk {', '.join(changed)}"
                ),
                cursor=cursor,
            )
        return dg.SensorResult(run_requests=[dg.RunRequest(tags=run_tags(changed))], cursor=cursor)

    return village_exports_changed


village_exports_changed = build_exports_sensor()


# --- what a failed run says ---------------------------------------------------------------

# How long the failure sensor waits for another run's lock on the work store before it
# leaves the failed run out of the run history (the alert is out already).
FAILED_RUN_LOCK_WAIT_S = 20.0

_LONG_NUMBER = re.compile(r"\d{9,}")


def mask_text(text: str) -> str:
    """Free text with every run of 9+ digits (a NIK, a KK number) masked."""
    return _LONG_NUMBER.sub(lambda m: mask_number(m.group()) or "", text)


@dataclass(frozen=True)
class FailedStep:
    step: str
    error: str  # the exception class of the root cause
    message: str  # masked
    details: dict[str, str] = field(default_factory=dict)  # dg.Failure metadata: village, file


@dataclass(frozen=True)
class RunFailure:
    """Why a run failed, in words an operator can act on; every text masked."""

    run_id: str
    job: str
    villages: list[str]
    failed_steps: list[FailedStep]
    warnings: list[str]  # e.g. "kapong: kapong/x.xlsx could not be read: ..."

    def summary(self) -> str:
        """One line in Bahasa Indonesia: which step failed and why, and which files were not read."""
        if self.failed_steps:
            first = self.failed_steps[0]
            line = f"Run {self.job} gagal pada langkah {first.step}: {first.message}"
        else:
            line = f"Run {self.job} gagal sebelum langkah mana pun berjalan"
        if self.warnings:
            line += f" | peringatan: {'; '.join(self.warnings[:3])}"
        return line


def describe_failed_run(instance: dg.DagsterInstance, run_id: str) -> RunFailure:
    """The failed steps (root-cause messages), villages and warnings of a run, from its event log."""
    run = instance.get_run_by_id(run_id)
    failed_steps: list[FailedStep] = []
    warnings: list[str] = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.is_step_failure:
            failed_steps.append(_failed_step(event))
        elif event is None and entry.level >= logging.WARNING:  # logged by an asset
            warnings.append(mask_text(entry.user_message))
        elif event is not None and event.is_run_failure and not failed_steps and event.message:
            warnings.append(mask_text(event.message))  # failed before any step ran
    return RunFailure(
        run_id=run_id,
        job=run.job_name if run else "",
        villages=villages_in_run(dict(run.tags)) if run else [],
        failed_steps=failed_steps,
        warnings=warnings,
    )


def _failed_step(event: dg.DagsterEvent) -> FailedStep:
    data = event.step_failure_data
    error = data.error
    # The user code's exception, not Dagster's wrapper; a StorageError already says in
    # Bahasa Indonesia what its OS cause means.
    while error is not None and error.cause is not None and error.cls_name != "StorageError":
        error = error.cause
    details: dict[str, str] = {}
    if data.user_failure_data is not None:  # raised as dg.Failure(metadata={...})
        details = {k: mask_text(str(v.value)) for k, v in data.user_failure_data.metadata.items()}
    return FailedStep(
        step=event.step_key or "",
        error=(error.cls_name or "") if error else "",
        message=mask_text(error.message.strip()) if error else "unknown error",
        details=details,
    )


# --- alerts ---------------------------------------------------------------------------------


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


def _tag_failed_run(
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


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
    # also the runs of `make run`, which are recorded without a code location of origin
    monitor_all_code_locations=True,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    description=(
        "Saat sebuah run gagal: menulis file peringatan JSON di DTKS_WORK_DIR/alerts/ dan "
        "memanggil DTKS_ALERT_COMMAND / DTKS_ALERT_WEBHOOK bila diisi. Writes an alert file "
        "and calls the optional command or webhook when a run fails."
    ),
)
def run_failure_alert(context: dg.RunFailureSensorContext, settings: DtksSettings) -> None:
    run = context.dagster_run
    failure = describe_failed_run(context.instance, run.run_id)
    alert = AlertSettings.from_env()
    payload = alert_payload(failure, dict(run.tags), alert.ui_url)
    alert_file = write_alert(Path(settings.work_dir) / ALERTS_FOLDER, payload)
    context.log.info(f"peringatan ditulis: {alert_file}")
    _tag_failed_run(context.instance, failure, alert_file, context.log)
    call_alert_command(alert.command, alert_file, context.log)
    post_alert_webhook(alert.webhook, payload, context.log)
    record_failed_run(
        settings.work_store(FAILED_RUN_LOCK_WAIT_S), context.instance, failure, context.log
    )


def record_failed_run(
    store: WorkStore,
    instance: dg.DagsterInstance,
    failure: RunFailure,
    log: logging.Logger,
) -> bool:
    """Add a failed run to the work store's run history, so the next publish lists it in
    `runs` with why it failed; once per run (the publish stage may have recorded it).

    Never raises: a run history that cannot be written is logged, the failure itself is
    reported elsewhere (alert file, terminal).
    """
    run = instance.get_run_by_id(failure.run_id)
    stats = instance.get_run_stats(failure.run_id)
    started = (
        datetime.fromtimestamp(stats.start_time, UTC) if stats.start_time else datetime.now(UTC)
    )
    info = RunInfo(failure.run_id, run_trigger(dict(run.tags)) if run else "manual", started)
    try:
        with store.session() as con:
            return record_unpublished_run(con, info, "failed: " + failure.summary()[:1000])
    except Exception as error:  # the run failed already; say so, do not fail again
        log.warning(f"run {failure.run_id} tidak bisa dicatat di riwayat run: {error}")
        return False
