"""A failed run is told: an alert file naming the step, villages and unread files, a command,
a webhook; and it stays in the run history."""

from __future__ import annotations

import json
import logging
import shlex
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import polars as pl
import pytest
from dagster_runs import settings_for

from assets.partitions import village_partitions
from dtks.privacy import mask_text
from dtks.store import read_table
from pipelines.alerts import ALERT_FILE_TAG, call_alert_command, post_alert_webhook
from pipelines.definitions import build_definitions
from pipelines.jobs import all_villages_tags
from pipelines.sensors import run_failure_alert

NOTIFY_SCRIPT = """\
import pathlib, sys
pathlib.Path(sys.argv[1]).write_text(sys.argv[2])
"""


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook_url():
    _Webhook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/dtks-alert"
    server.shutdown()
    server.server_close()


def run_that_fails_to_write(dirs: dict[str, Path]) -> tuple[dg.DagsterInstance, object]:
    """A real run over every village that fails where it writes to DTKS_CURATED_DIR (a file
    here, not a folder), with an unreadable export in blaban."""
    dirs["curated"].write_text("bukan folder")
    (dirs["raw"] / "blaban" / "rusak.xlsx").write_bytes(b"bukan excel\x00\x01")
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(settings_for(dirs)).resolve_job_def("reconcile_kecamatan")
    result = job.execute_in_process(
        instance=instance, tags=all_villages_tags(), raise_on_error=False
    )
    assert not result.success
    return instance, result


def test_failed_run_writes_an_alert_runs_the_command_and_posts_the_webhook(
    dtks_dirs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook_url: str
) -> None:
    script, marker = tmp_path / "notify.py", tmp_path / "marker.txt"
    script.write_text(NOTIFY_SCRIPT)
    monkeypatch.setenv("DTKS_ALERT_COMMAND", shlex.join([sys.executable, str(script), str(marker)]))
    monkeypatch.setenv("DTKS_ALERT_WEBHOOK", webhook_url)
    instance, result = run_that_fails_to_write(dtks_dirs)

    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        resources={"settings": settings_for(dtks_dirs)},
    ).for_run_failure()
    run_failure_alert(context)

    (alert_file,) = (dtks_dirs["work"] / "alerts").glob("*.json")
    alert = json.loads(alert_file.read_text())
    assert alert["run_id"] == result.run_id
    assert alert["job"] == "reconcile_kecamatan"
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    assert [step["step"] for step in alert["failed_steps"]] == failed
    assert alert["failed_step"] == failed[0]
    assert f"gagal pada langkah {failed[0]}" in alert["message"]
    assert alert["villages"] == village_partitions.get_partition_keys()
    assert any("blaban/rusak.xlsx" in w for w in alert["warnings"])  # which village and file
    assert marker.read_text() == str(alert_file)  # the command got the alert file's path
    assert [posted["run_id"] for posted in _Webhook.received] == [result.run_id]
    tags = instance.get_run_by_id(result.run_id).tags
    assert tags[ALERT_FILE_TAG] == alert_file.name
    with settings_for(dtks_dirs).work_store().session() as con:  # `runs` after the next publish
        history = read_table(con, "run_history")
    (outcome,) = history.filter(pl.col("run_id") == result.run_id)["outcome"]
    assert outcome.startswith(f"failed: Run reconcile_kecamatan gagal pada langkah {failed[0]}")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("behaviour", "notify"),
    [
        (
            "unreachable webhook",
            lambda path, log: post_alert_webhook(
                f"http://127.0.0.1:{_closed_port()}/", {"run_id": "x"}, log
            ),
        ),
        ("missing command", lambda path, log: call_alert_command(["/tidak/ada"], path, log)),
        (
            "command that fails",
            lambda path, log: call_alert_command(
                [sys.executable, "-c", "raise SystemExit(3)"], path, log
            ),
        ),
    ],
)
def test_a_notification_that_fails_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, behaviour: str, notify
) -> None:
    log = logging.getLogger("dtks.test")
    with caplog.at_level(logging.WARNING, logger="dtks.test"):
        notify(tmp_path / "alert.json", log)
    assert caplog.records, behaviour


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("NIK 3528114506890001 ganda", "NIK 352811********01 ganda"),
        ("KK 3528110101200003 dan 3528114506890001", "KK 352811********03 dan 352811********01"),
        ("baris 12345678 kolom 7", "baris 12345678 kolom 7"),  # short numbers are not identifiers
        ("tidak ada angka", "tidak ada angka"),
    ],
)
def test_alert_text_masks_nik_and_kk_numbers(text: str, masked: str) -> None:
    assert mask_text(text) == masked
