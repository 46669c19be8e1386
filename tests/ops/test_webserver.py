"""End to end through the UI: `make ui` serves the code location `dtks`, and a run launched over
its GraphQL API (as the UI's "Materialize all" does) waits while another run holds the work
store, then completes and publishes; the catalog shows what Dagster users expect (code
versions, pools, row counts and column schemas, the publish guard as kecamatan_dataset's
checks), with aggregates only in the metadata."""

from __future__ import annotations

import json
import os
import re
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

import dagster as dg
from dagster_runs import cli_env, published

from assets.conventions import WORK_STORE_POOL
from pipelines.jobs import all_villages_tags

PROJECT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 120

WORKSPACE = """
{ workspaceOrError { __typename ... on PythonError { message }
  ... on Workspace { locationEntries { name loadStatus locationOrLoadError { __typename
    ... on PythonError { message stack }
    ... on RepositoryLocation { repositories { name
        assetNodes { assetKey { path } description partitionKeys opVersion pools } } } } } } } }
"""
POOL = """
query($pool: String!) { instance { poolConfig { defaultPoolLimit }
  concurrencyLimit(concurrencyKey: $pool) { limit claimedSlots { runId } } } }
"""
METADATA_ENTRIES = """
metadataEntries { label __typename
  ... on IntMetadataEntry { intValue }
  ... on TextMetadataEntry { text }
  ... on MarkdownMetadataEntry { mdStr }
  ... on JsonMetadataEntry { jsonString }
  ... on TableSchemaMetadataEntry { schema { columns { name type description } } } }
"""
CATALOG = (
    """
{ assetNodes { assetKey { path }
    assetMaterializations(limit: 1) { runId """
    + METADATA_ENTRIES
    + """ }
    assetChecksOrError { __typename ... on AssetChecks { checks { name blocking
      executionForLatestMaterialization { status runId } } } } } }
"""
)
LAUNCH_RUN = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) { __typename
  ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } }
  ... on InvalidSubsetError { message } } }
"""
RUN_STATUS = "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"
DAEMONS = "{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } } }"
SIXTEEN_DIGITS = re.compile(r"\d{16}")
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


def hold_work_store_slot(dirs: dict[str, Path], run_id: str) -> dg.DagsterInstance:
    """Take the work store's pool slot in the UI's instance, as a run busy in the store does."""
    instance = dg.DagsterInstance.from_config(str(dirs["work"] / "dagster_home"))
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WORK_STORE_POOL)
    claim = storage.claim_concurrency_slot(WORK_STORE_POOL, run_id, "kecamatan_dataset")
    assert claim.is_claimed, claim
    return instance


def queue_daemon_is_healthy(ui: DagsterUi) -> bool:
    daemons = ui.graphql(DAEMONS)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return any(d["daemonType"] == "QUEUED_RUN_COORDINATOR" and d["healthy"] for d in daemons)


def stays(check: Callable[[], bool], seconds: float) -> bool:
    """`check` holds on every poll for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not check():
            return False
        time.sleep(0.5)
    return True


def metadata(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The metadata entries of an asset's latest materialization, by label."""
    (materialization,) = node["assetMaterializations"]
    return {e["label"]: e for e in materialization["metadataEntries"]}


def test_ui_loads_the_graph_and_a_run_launched_through_it_publishes(dtks_dirs, tmp_path) -> None:
    ui = DagsterUi(cli_env(dtks_dirs), tmp_path / "dagster-dev.log")
    try:
        wait_for(ui.answers, START_TIMEOUT_S, "the webserver's /server_info")
        location = wait_for(lambda: loaded_location(ui), START_TIMEOUT_S, "the code location")
        assert location["name"] == "dtks"
        (repository,) = location["repositories"]
        nodes = {"/".join(n["assetKey"]["path"]): n for n in repository["assetNodes"]}
        assert len(nodes["village_exports"]["partitionKeys"]) == 13
        assert all(node["description"] for node in nodes.values())
        # every asset has a code version, and opens the work store through its pool of 1
        versions = {node["opVersion"] for node in nodes.values()}
        assert None not in versions and len(versions) == len(nodes)
        assert all(node["pools"] == [WORK_STORE_POOL] for node in nodes.values())
        pool = ui.graphql(POOL, {"pool": WORK_STORE_POOL})["instance"]
        assert pool["poolConfig"]["defaultPoolLimit"] == 1

        # another run is busy in the work store: the run launched now waits, as queued, while
        # the daemon that starts queued runs is up (so the run would otherwise start)
        wait_for(lambda: queue_daemon_is_healthy(ui), START_TIMEOUT_S, "the run queue daemon")
        holder = hold_work_store_slot(dtks_dirs, "another-run")
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

        def status() -> str:
            return ui.graphql(RUN_STATUS, {"id": run_id})["runOrError"]["status"]

        assert stays(lambda: status() == "QUEUED", 10), status()
        claimed = ui.graphql(POOL, {"pool": WORK_STORE_POOL})["instance"]["concurrencyLimit"]
        assert claimed["limit"] == 1
        assert [slot["runId"] for slot in claimed["claimedSlots"]] == ["another-run"]
        holder.event_log_storage.free_concurrency_slots_for_run("another-run")

        finished = wait_for(lambda: status() in FINISHED, RUN_TIMEOUT_S, f"run {run_id}")
        assert finished and status() == "SUCCESS", ui.log_tail()
        catalog = {"/".join(n["assetKey"]["path"]): n for n in ui.graphql(CATALOG)["assetNodes"]}
    finally:
        ui.stop()

    # row counts and column schemas in the catalog, for every table an asset writes
    for asset, table in {
        "village_exports": "store.main.raw_rows",
        "village_clean_rows": "store.main.clean_rows",
        "person_matches": "store.main.match_pairs",
        "reconciled_persons": "store.main.reconciled_persons",
        "kecamatan_dataset": "kecamatan.main.persons",
    }.items():
        entries = metadata(catalog[asset])
        assert entries["dagster/table_name"]["text"] == table
        assert entries["dagster/row_count"]["intValue"] > 0
        assert entries["dagster/column_schema"]["schema"]["columns"]
    dataset = metadata(catalog["kecamatan_dataset"])
    assert (
        dataset["dagster/row_count"]["intValue"]
        == published(dtks_dirs, "SELECT count(*) FROM persons")[0][0]
    )
    columns = {c["name"]: c for c in dataset["dagster/column_schema"]["schema"]["columns"]}
    assert list(columns) == [
        name
        for (name,) in published(
            dtks_dirs,
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'persons' "
            "ORDER BY column_index",
        )
    ]
    assert columns["person_id"]["description"] and columns["nik"]["type"] == "VARCHAR"
    # the publish guard shows as kecamatan_dataset's blocking checks, run by this run
    checks = catalog["kecamatan_dataset"]["assetChecksOrError"]["checks"]
    assert {c["name"] for c in checks} == {
        "rows_are_accounted_for",
        "village_row_count_did_not_drop",
    }
    for check in checks:
        assert check["blocking"]
        assert check["executionForLatestMaterialization"] == {
            "status": "SUCCEEDED",
            "runId": run_id,
        }
    # metadata holds counts, names and types: no NIK or KK number anywhere in the catalog
    assert not SIXTEEN_DIGITS.search(json.dumps(catalog))

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
