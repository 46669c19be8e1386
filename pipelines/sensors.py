"""Sensors: a changed village export (or desil list in `_kecamatan/`) starts a run for it; a
failed run raises an alert (`pipelines.failed_runs` says what failed, `pipelines.alerts`
delivers it)."""

# No `from __future__ import annotations`: Dagster reads the resource parameters' types.

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.partitions import village_partitions
from assets.resources import DtksSettings
from dtks.ingest import KECAMATAN_FOLDER, RECOMMENDED_MIN_AGE_SECONDS, survey_village_folder
from pipelines.alerts import (
    ALERTS_FOLDER,
    AlertSettings,
    alert_payload,
    call_alert_command,
    post_alert_webhook,
    tag_failed_run,
    write_alert,
)
from pipelines.failed_runs import FAILED_RUN_LOCK_WAIT_S, describe_failed_run, record_failed_run
from pipelines.jobs import reconcile_kecamatan, villages_covering_tags, villages_in_run
from pipelines.schedules import automation_default_status

SENSOR_INTERVAL_SECONDS = 30
CHANGED_VILLAGES_TAG = "dtks/villages_changed"

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


# --- failed runs ----------------------------------------------------------------------------


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
    tag_failed_run(context.instance, failure, alert_file, context.log)
    call_alert_command(alert.command, alert_file, context.log)
    post_alert_webhook(alert.webhook, payload, context.log)
    record_failed_run(
        settings.work_store(FAILED_RUN_LOCK_WAIT_S), context.instance, failure, context.log
    )
