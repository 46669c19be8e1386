"""Command line behind `make run` and `make ui`.

Every command first sets umask 027 and moves temporary files under the work folder
(`keep_files_private`). `python -m pipelines.cli run` reconciles every village in one Dagster run (recorded in the
same instance the UI shows) and prints a per-village summary; `... ui` starts `dagster dev`
bound to loopback; `... prepare` only creates DAGSTER_HOME (the service units call it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from assets.settings import PROJECT_ROOT, Settings
from dtks.files import private_dir
from pipelines.instance import (
    cli_run_tags,
    open_instance,
    prepare_dagster_home,
    release_dead_cli_runs,
)

# The code location `dtks` (pipelines.definitions), as the UI and the deploy units load it.
WORKSPACE = PROJECT_ROOT / "workspace.yaml"
# The full event log (with tracebacks) stays in the Dagster instance, visible in the UI;
# the terminal gets the summary below, or the root cause of a failure.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
# What every entry point creates is 0640 / 0750 at most: readable by the service's group,
# never by other users (the systemd units say the same with UMask=0027).
PRIVATE_UMASK = 0o027


def keep_files_private(settings: Settings) -> Path:
    """Set up an entry point (`make run`, `make ui`, the units' `prepare`) so that what this
    process and its children write about people stays private: umask 027, and temporary
    files (Python's, Polars') under `<work dir>/tmp/` instead of a world-readable /tmp.
    Returns the temporary folder."""
    os.umask(PRIVATE_UMASK)
    tmp = private_dir(settings.work_dir / "tmp")
    os.environ["TMPDIR"] = str(tmp)
    os.environ["POLARS_TEMP_DIR"] = str(tmp)
    tempfile.tempdir = None  # computed again from TMPDIR on next use
    return tmp


def run_all() -> int:
    """Run the whole reconciliation once; 0 when published, 1 when the run failed."""
    settings = Settings.from_env()
    started = time.monotonic()
    instance = open_instance(settings)

    from pipelines.definitions import defs
    from pipelines.jobs import all_villages_tags

    job = defs.resolve_job_def("reconcile_kecamatan")
    release_dead_cli_runs(instance)
    result = job.execute_in_process(
        instance=instance,
        tags={**all_villages_tags(), **cli_run_tags()},
        run_config=QUIET_LOGS,
        raise_on_error=False,
    )
    if not result.success:
        _report_failure(instance, result.run_id)
        return 1
    _print_summary(settings, time.monotonic() - started)
    return 0


def _report_failure(instance, run_id: str) -> None:  # noqa: ANN001 - dg.DagsterInstance
    """Say why the run failed, and keep it in the run history (`runs` after the next publish)."""
    import logging

    from assets.resources import DtksSettings
    from pipelines.failed_runs import FAILED_RUN_LOCK_WAIT_S, describe_failed_run, record_failed_run

    failure = describe_failed_run(instance, run_id)
    print("Rekonsiliasi GAGAL; file terbitan sebelumnya tidak diubah.", file=sys.stderr)
    for step in failure.failed_steps:
        details = "".join(f" [{k}: {v}]" for k, v in step.details.items())
        print(f"  langkah {step.step}: {step.message}{details}", file=sys.stderr)
    for warning in failure.warnings:
        print(f"  peringatan: {warning}", file=sys.stderr)
    print(f"  run id {run_id}: lihat run ini di Dagster UI (make ui)", file=sys.stderr)
    store = DtksSettings.from_env().work_store(FAILED_RUN_LOCK_WAIT_S)
    record_failed_run(store, instance, failure, logging.getLogger("dtks"))


def _print_summary(settings: Settings, seconds: float) -> None:
    import duckdb

    from dtks.publish.paths import published_paths

    published, masked = published_paths(settings.curated_dir)
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.execute(
            "SELECT village, count_files, count_files_failed, rows_read, rows_accepted, "
            "rows_rejected, count_errors, count_warnings FROM village_status ORDER BY desa_kode"
        ).fetchall()
        (persons,) = con.execute("SELECT count(*) FROM persons").fetchall()[0]
    finally:
        con.close()
    header = f"{'village':<16}{'files':>6}{'failed':>7}{'read':>8}{'accepted':>9}{'rejected':>9}{'errors':>8}{'warnings':>9}"
    print(header)
    for village, files, failed, read, accepted, rejected, errors, warnings in rows:
        print(
            f"{village:<16}{files:>6}{failed:>7}{read:>8}{accepted:>9}{rejected:>9}{errors:>8}{warnings:>9}"
        )
    total = [sum(r[i] for r in rows) for i in range(1, 8)]
    print(
        f"{'TOTAL':<16}"
        + "".join(f"{v:>{w}}" for v, w in zip(total, (6, 7, 8, 9, 9, 8, 9), strict=True))
    )
    print(f"{persons} persons reconciled in {seconds:.1f} s")
    print(f"published: {published}  (also {settings.curated_dir / published.name})")
    print(f"masked:    {masked}")


def run_ui(port: int) -> int:
    """`dagster dev` (webserver and daemon) on loopback; see README for exposing it safely."""
    settings = Settings.from_env()
    prepare_dagster_home(settings)
    dagster = Path(sys.executable).with_name("dagster")
    argv = [str(dagster), "dev", "-w", str(WORKSPACE), "-h", "127.0.0.1", "-p", str(port)]
    os.chdir(PROJECT_ROOT)
    os.execv(argv[0], argv)
    return 0  # not reached


def prepare() -> int:
    """Create DAGSTER_HOME and its dagster.yaml; the service units run this before starting."""
    print(prepare_dagster_home(Settings.from_env()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="reconcile every village and publish")
    ui = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=int(os.environ.get("DTKS_UI_PORT", "3000")))
    commands.add_parser("prepare", help="create DAGSTER_HOME (for the service units)")
    args = parser.parse_args(argv)
    keep_files_private(Settings.from_env())  # before anything is written
    if args.command == "run":
        return run_all()
    if args.command == "prepare":
        return prepare()
    return run_ui(args.port)


if __name__ == "__main__":
    sys.exit(main())
