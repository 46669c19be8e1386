"""The nightly schedule: 01:00 Asia/Jakarta, one run over every village."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets.partitions import village_partitions
from pipelines.definitions import defs
from pipelines.jobs import villages_in_run
from pipelines.schedules import automation_default_status, nightly_reconciliation


def test_schedule_fires_at_one_in_the_morning_jakarta_time_for_the_reconciliation_job() -> None:
    assert nightly_reconciliation.cron_schedule == "0 1 * * *"
    assert nightly_reconciliation.execution_timezone == "Asia/Jakarta"
    assert nightly_reconciliation.job_name == "reconcile_kecamatan"
    assert defs.resolve_schedule_def("nightly_reconciliation") is not None


def test_one_tick_requests_one_run_over_every_village() -> None:
    tick_at = datetime(2026, 12, 1, 1, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    context = dg.build_schedule_context(scheduled_execution_time=tick_at)
    requests = nightly_reconciliation.evaluate_tick(context).run_requests
    assert len(requests) == 1
    assert villages_in_run(dict(requests[0].tags)) == village_partitions.get_partition_keys()
    assert len(villages_in_run(dict(requests[0].tags))) == 13


@pytest.mark.parametrize(
    ("setting", "status"),
    [
        ("on", dg.DefaultScheduleStatus.RUNNING),
        ("1", dg.DefaultScheduleStatus.RUNNING),
        ("", dg.DefaultScheduleStatus.STOPPED),
        ("off", dg.DefaultScheduleStatus.STOPPED),
    ],
)
def test_dtks_automation_decides_whether_schedule_and_sensor_start_switched_on(
    monkeypatch: pytest.MonkeyPatch, setting: str, status: dg.DefaultScheduleStatus
) -> None:
    monkeypatch.setenv("DTKS_AUTOMATION", setting)
    assert automation_default_status() == status
