"""Schedules: the nightly reconciliation of every village, at 01:00 Asia/Jakarta."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.jobs import all_villages_tags, reconcile_kecamatan

NIGHTLY_CRON = "0 1 * * *"
NIGHTLY_TIMEZONE = "Asia/Jakarta"


def automation_default_status() -> dg.DefaultScheduleStatus:
    """RUNNING when DTKS_AUTOMATION=on (the service's env file), else STOPPED until switched on.

    Only the first status: a switch flipped in the UI is kept in DAGSTER_HOME and wins.
    """
    is_on = os.environ.get("DTKS_AUTOMATION", "").strip().lower() in {"on", "1", "true", "yes"}
    return dg.DefaultScheduleStatus.RUNNING if is_on else dg.DefaultScheduleStatus.STOPPED


@dg.schedule(
    name="nightly_reconciliation",
    job=reconcile_kecamatan,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=NIGHTLY_TIMEZONE,
    default_status=automation_default_status(),
    description=(
        "Setiap malam pukul 01:00 WIB: satu run yang membaca ulang semua desa, mencocokkan, "
        "dan menerbitkan kecamatan.duckdb. Every night at 01:00 Asia/Jakarta, one run over "
        "all villages."
    ),
)
def nightly_reconciliation(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """One run over the whole village partition range (not one run per village)."""
    return dg.RunRequest(tags=all_villages_tags())
