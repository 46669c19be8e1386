"""What a failed run says: its failed steps and warnings from the event log, in words an
operator can act on (every text masked), and its row in the work store's run history."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

import dagster as dg

from assets.metadata import run_trigger
from dtks.privacy import mask_text
from dtks.publish.run_history import RunInfo, record_unpublished_run
from dtks.store import WorkStore
from pipelines.jobs import villages_in_run

# How long the failure sensor waits for another run's lock on the work store before it
# leaves the failed run out of the run history (the alert is out already).
FAILED_RUN_LOCK_WAIT_S = 20.0


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
