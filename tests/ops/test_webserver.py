"""End to end through the UI: `make ui` serves the code location, and a run launched over its
GraphQL API (as the UI's "Materialize all" does) completes and publishes."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster_runs import cli_env, published

from pipelines.jobs import all_villages_tags

PROJECT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 120

WORKSPACE = """
{ workspaceOrError { __typename ... on PythonError { message }
  ... on Workspace { locationEntries { name loadStatus locationOrLoadError { __typename
    ... on PythonError { message stack }
    ... on RepositoryLocation { repositories { name
        assetNodes { assetKey { path } description partitionKeys } } } } } } } }
"""
LAUNCH_RUN = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on InvalidSubsetError { message } } }
"""
RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


class DagsterUi:
    """The UI started by `python -m pipelines.cli ui`, in its own process group."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "ui", "--port", str(self.port)],
            cwd=PROJECT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def answers(self) -> bool:
        assert self.process.poll() is None, self.log_tail()
        try:
            with urllib.request.urlopen(f"{self.base}/server_info", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            f"{self.base}/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.load(response)
        assert "errors" not in answer, answer
        return answer["data"]

    def log_tail(self) -> str:
        return self.log_path.read_text()[-4000:]

    def stop(self) -> None:
        """SIGTERM to the whole group (webserver, daemon, code servers, runs), then SIGKILL."""
        for sig, grace_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=grace_s)
                os.killpg(self.process.pid, 0)  # anything left in the group?
            except subprocess.TimeoutExpired:
                continue
            except ProcessLookupError:
                break
        self._log.close()


def loaded_location(ui: DagsterUi) -> dict[str, Any] | None:
    """The code location once loaded; fails on any load error."""
    workspace = ui.graphql(WORKSPACE)["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    (entry,) = workspace["locationEntries"]
    if entry["loadStatus"] != "LOADED":
        return None
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    return {"name": entry["name"], **location}


def test_ui_loads_the_graph_and_a_run_launched_through_it_publishes(dtks_dirs, tmp_path) -> None:
    ui = DagsterUi(cli_env(dtks_dirs), tmp_path / "dagster-dev.log")
    try:
        wait_for(ui.answers, START_TIMEOUT_S, "the webserver's /server_info")
        location = wait_for(lambda: loaded_location(ui), START_TIMEOUT_S, "the code location")
        (repository,) = location["repositories"]
        nodes = {"/".join(n["assetKey"]["path"]): n for n in repository["assetNodes"]}
        assert len(nodes["village_exports"]["partitionKeys"]) == 13
        assert all(node["description"] for node in nodes.values())

        params = {
            "selector": {
                "repositoryLocationName": location["name"],
                "repositoryName": repository["name"],
                "jobName": "reconcile_kecamatan",
            },
            "executionMetadata": {
                "tags": [{"key": k, "value": v} for k, v in all_villages_tags().items()]
            },
        }
        launched = ui.graphql(LAUNCH_RUN, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]

        def finished() -> str | None:
            status = ui.graphql(RUN_STATUS, {"id": run_id})["runOrError"]["status"]
            return status if status in FINISHED else None

        status = wait_for(finished, RUN_TIMEOUT_S, f"run {run_id}")
        assert status == "SUCCESS", ui.log_tail()
    finally:
        ui.stop()

    assert published(dtks_dirs, "SELECT count(*) FROM village_status WHERE NOT is_missing") == [
        (13,)
    ]
    broken = published(
        dtks_dirs,
        "SELECT village FROM village_status WHERE rows_read <> rows_accepted + rows_rejected",
    )
    assert broken == []
    # the run history lives under DTKS_WORK_DIR, where it survives a restart
    assert (dtks_dirs["work"] / "dagster_home" / "history" / "runs.db").exists()
