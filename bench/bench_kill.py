"""Kill `make run` at random moments and check the published file and the next run survive.

    .venv/bin/python bench/bench_kill.py --kills 20              # generated 800 people
    .venv/bin/python bench/bench_kill.py --kills 20 --people 0   # a copy of data/raw
    .venv/bin/python bench/bench_kill.py --kills 5 --seed 3 --people 2000
    .venv/bin/python bench/bench_kill.py --kills 20 --during ingest --people 5000

A raw folder (generated with dtks.synth, or copied from data/raw) goes to a temporary
folder; one good run of `python -m pipelines.cli run` publishes and a second one measures
the duration of a normal (warm) run. Then, `--kills` times: the run is started in its own
process group, the whole group is SIGKILLed at a moment drawn uniformly over that duration
(seeded RNG, seed printed), the stage it reached is read from the Dagster event log, and
kecamatan.duckdb must open read-only and be complete: every table of the good publish, row
accounting holding in `runs` and `village_status`, persons counted as the last run says.
The next run (not killed) must then succeed and leave a complete file and no half-built
leftovers. Exit code 0 when every kill passed. Not run by CI (tests/faults does a few).

`--during ingest` aims every kill at the ingest of changed exports, the window a random
kill over the whole run almost never hits: before each kill every CSV export loses a
different data row (so each one changed), the run is started, and the group is SIGKILLed at
a moment drawn uniformly over the ingest step (its duration measured on a changed-export
run first), counted from the step's start in the event log. Besides the checks above, the
next run must then publish exactly what the folder holds: for every export file, the
published hash is the file's own, its `rows_read` is what reading the file again gives, and
`person_sources` plus `rejected_rows` hold exactly that many of its rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
from benchlib import PROJECT, generate, run_env, scratch_dirs

from dtks.ingest import file_sha256, read_export
from dtks.publish.paths import published_paths

PUBLISHED = "kecamatan.duckdb"  # the path analysts know: a link into penuh/
RUN_TIMEOUT_S = 1800
INGEST_STEP = "village_exports"


@dataclass
class KillOutcome:
    number: int
    kill_at_s: float
    stage: str  # the step running (or last started) when the group was killed
    file_state: str  # unchanged / replaced / missing
    file_ok: bool
    file_problem: str
    next_ok: bool
    next_problem: str


def prepare_raw(scratch: Path, people: int, seed: int) -> Path:
    """A generated kecamatan of `people` people, or a copy of data/raw when `people` is 0."""
    if people <= 0:
        return Path(shutil.copytree(PROJECT / "data" / "raw", scratch / "raw"))
    raw, _ = generate(people, seed, scratch)
    return raw


def start_run(dirs: dict[str, Path], log: Path) -> subprocess.Popen[bytes]:
    """`python -m pipelines.cli run` (what `make run` runs) in its own process group."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run"],
            cwd=PROJECT,
            env=run_env(dirs),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def normal_run(dirs: dict[str, Path], log: Path) -> tuple[int, float]:
    """Exit code and wall seconds of a run left to finish."""
    started = time.monotonic()
    run = start_run(dirs, log)
    code = run.wait(timeout=RUN_TIMEOUT_S)
    return code, time.monotonic() - started


def killed_run(dirs: dict[str, Path], log: Path, kill_at_s: float) -> bool:
    """Start a run and SIGKILL its whole process group after `kill_at_s`; False when the run
    ended by itself first."""
    run = start_run(dirs, log)
    try:
        run.wait(timeout=kill_at_s)
        return False
    except subprocess.TimeoutExpired:
        pass
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    return True


def run_ids(dirs: dict[str, Path]) -> set[str]:
    """Ids of the runs recorded in the Dagster instance under the work folder."""
    index_path = dirs["work"] / "dagster_home" / "history" / "runs.db"
    try:
        index = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        try:
            return {r for (r,) in index.execute("SELECT run_id FROM runs").fetchall()}
        finally:
            index.close()
    except sqlite3.Error:
        return set()


def stage_reached(dirs: dict[str, Path], known_runs: set[str]) -> str:
    """The step the killed run was in (from its SQLite event log), or `start-up` when it had
    not registered with Dagster yet."""
    history = dirs["work"] / "dagster_home" / "history"
    new_runs = run_ids(dirs) - known_runs
    if not new_runs:
        return "start-up"
    try:
        log = sqlite3.connect(
            f"file:{history / 'runs' / (new_runs.pop() + '.db')}?mode=ro", uri=True
        )
        try:
            events = log.execute(
                "SELECT dagster_event_type, step_key FROM event_logs "
                "WHERE dagster_event_type IN ('STEP_START', 'STEP_SUCCESS', 'RUN_SUCCESS') "
                "ORDER BY id"
            ).fetchall()
        finally:
            log.close()
    except sqlite3.Error:
        return "start-up"
    if not events:
        return "start-up"
    kind, step = events[-1]
    if kind == "RUN_SUCCESS":
        return "finished"
    return step if kind == "STEP_START" else f"after {step}"


def published_tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()
    finally:
        con.close()
    return {name for (name,) in rows}


def check_published(path: Path, tables: set[str]) -> str:
    """'' when the file opens read-only and is one complete publish, else what is wrong."""
    if not path.exists():
        return "file missing"
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        return f"does not open: {error}"
    try:
        found = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT internal"
            ).fetchall()
        }
        if found != tables:
            return (
                f"tables differ: missing {sorted(tables - found)}, extra {sorted(found - tables)}"
            )
        for table in sorted(tables):
            con.execute(f'SELECT count(*) FROM "{table}"').fetchall()  # noqa: S608 - our names
        last = con.execute(
            "SELECT outcome, rows_read, rows_accepted, rows_rejected, count_persons FROM runs "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        if not last or last[0][0] != "published":
            return f"last run row is not a publish: {last}"
        _, read, accepted, rejected, persons = last[0]
        if read != accepted + rejected:
            return f"runs: rows_read {read} != accepted {accepted} + rejected {rejected}"
        gaps = con.execute(
            "SELECT village FROM village_status WHERE rows_read <> rows_accepted + rows_rejected"
        ).fetchall()
        if gaps:
            return f"village_status: rows not accounted for in {[v for (v,) in gaps]}"
        (status_read,) = con.execute("SELECT sum(rows_read) FROM village_status").fetchall()[0]
        if status_read != read:
            return f"village_status reads {status_read} rows, runs says {read}"
        (count_persons,) = con.execute("SELECT count(*) FROM persons").fetchall()[0]
        if count_persons != persons or persons == 0:
            return f"persons holds {count_persons} rows, runs says {persons}"
    except duckdb.Error as error:
        return f"query failed: {error}"
    finally:
        con.close()
    return ""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


def leftovers(curated: Path) -> list[str]:
    folders = [curated, *(p.parent for p in published_paths(curated))]
    return sorted(p.name for folder in folders for p in folder.glob(".kecamatan*.building*"))


def one_kill(
    number: int, dirs: dict[str, Path], tables: set[str], kill_at_s: float, log: Path
) -> KillOutcome:
    target = dirs["curated"] / PUBLISHED
    before = digest(target)
    known_runs = run_ids(dirs)
    killed = killed_run(dirs, log, kill_at_s)
    return judge(number, kill_at_s, killed, before, known_runs, dirs, tables, log)


def judge(
    number: int,
    kill_at_s: float,
    killed: bool,
    before: str,
    known_runs: set[str],
    dirs: dict[str, Path],
    tables: set[str],
    log: Path,
    exact: bool = False,
    note: str = "",
) -> KillOutcome:
    """After a kill: the published file as the kill left it, then a normal run and what it
    published (`exact`: also that every export file is published as the folder holds it)."""
    target = dirs["curated"] / PUBLISHED
    stage = (stage_reached(dirs, known_runs) if killed else "ended before kill") + note
    after = digest(target)
    state = "missing" if not after else ("unchanged" if after == before else "replaced")
    file_problem = check_published(target, tables)
    code, _ = normal_run(dirs, log)
    next_problem = "" if code == 0 else f"exit {code} (see {log})"
    if not next_problem:
        next_problem = check_published(target, tables)
    if not next_problem and exact:
        next_problem = check_exact(dirs)
    if not next_problem and leftovers(dirs["curated"]):
        next_problem = f"leftovers {leftovers(dirs['curated'])}"
    return KillOutcome(
        number,
        kill_at_s,
        stage,
        state,
        not file_problem,
        file_problem,
        not next_problem,
        next_problem,
    )


class ChangedExports:
    """The CSV exports of the raw folder, each written again without one data row per round."""

    def __init__(self, raw: Path) -> None:
        self.originals = {p: p.read_bytes() for p in sorted(raw.rglob("*.csv"))}

    def change(self, rng: random.Random) -> None:
        """Every CSV loses one data row (a different one each round), as a re-export does."""
        for path, original in self.originals.items():
            lines = original.split(b"\n")
            # rows in the lower four fifths: never the title or header lines at the top
            drop = rng.randrange(len(lines) // 5 + 1, max(len(lines) - 1, len(lines) // 5 + 2))
            path.write_bytes(b"\n".join(lines[:drop] + lines[drop + 1 :]))

    def stored(self, dirs: dict[str, Path]) -> int:
        """How many of the changed exports the work store holds already (hash and rows were
        committed before the kill); the others wait for the next run."""
        con = duckdb.connect(str(dirs["work"] / "store.duckdb"), read_only=True)
        try:
            hashes = dict(con.execute("SELECT source_file, file_hash FROM source_files").fetchall())
        finally:
            con.close()
        raw = dirs["raw"]
        return sum(
            hashes.get(path.relative_to(raw).as_posix()) == file_sha256(path, raw)
            for path in self.originals
        )


def step_events(dirs: dict[str, Path], run_id: str, step: str) -> dict[str, float]:
    """{event type: timestamp} of `step`'s start and success in a run's event log."""
    log_path = dirs["work"] / "dagster_home" / "history" / "runs" / f"{run_id}.db"
    log = sqlite3.connect(f"file:{log_path}?mode=ro", uri=True)
    try:
        rows = log.execute(
            "SELECT dagster_event_type, timestamp FROM event_logs WHERE step_key = ? "
            "AND dagster_event_type IN ('STEP_START', 'STEP_SUCCESS')",
            [step],
        ).fetchall()
    finally:
        log.close()
    return {kind: _seconds(stamp) for kind, stamp in rows}


def _seconds(stamp: object) -> float:
    """An event-log timestamp (text or datetime) as seconds since the epoch."""
    from datetime import datetime

    if isinstance(stamp, str):
        return datetime.fromisoformat(stamp).timestamp()
    return float(stamp.timestamp())  # type: ignore[attr-defined]


def ingest_seconds(dirs: dict[str, Path], known_runs: set[str]) -> float:
    """How long the ingest step of the run started after `known_runs` took."""
    (run_id,) = run_ids(dirs) - known_runs
    events = step_events(dirs, run_id, INGEST_STEP)
    return events["STEP_SUCCESS"] - events["STEP_START"]


def killed_during_step(
    dirs: dict[str, Path], log: Path, step: str, delay_s: float, known_runs: set[str]
) -> bool:
    """Start a run, SIGKILL its group `delay_s` after `step` started; False when the run
    ended (or left the step's start unseen) before."""
    run = start_run(dirs, log)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    try:
        while run.poll() is None and time.monotonic() < deadline:
            new = run_ids(dirs) - known_runs
            if new and "STEP_START" in _safe_step_events(dirs, new, step):
                time.sleep(delay_s)
                break
            time.sleep(0.005)
        return run.poll() is None
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)


def _safe_step_events(dirs: dict[str, Path], runs: set[str], step: str) -> dict[str, float]:
    try:
        return step_events(dirs, next(iter(runs)), step)
    except sqlite3.Error:
        return {}  # not created yet, or busy: poll again


def check_exact(dirs: dict[str, Path]) -> str:
    """'' when every export file is published exactly as the folder holds it now."""
    raw, full = dirs["raw"], published_paths(dirs["curated"])[0]
    con = duckdb.connect(str(full), read_only=True)
    try:
        published = {
            f: (h, n)
            for f, h, n in con.execute(
                "SELECT source_file, file_hash, rows_read FROM source_files"
            ).fetchall()
        }
        accounted = dict(
            con.execute(
                "SELECT source_file, count(*) FROM (SELECT source_file FROM person_sources "
                "UNION ALL SELECT source_file FROM rejected_rows) GROUP BY source_file"
            ).fetchall()
        )
    finally:
        con.close()
    problems = []
    for path in sorted(p for p in raw.rglob("*.*") if p.is_file() and "arsip" not in p.parts):
        if path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        name = path.relative_to(raw).as_posix()
        rows = read_export(path, raw).rows_read
        if name not in published:
            problems.append(f"{name}: not published")
        elif published[name] != (file_sha256(path, raw), rows):
            problems.append(f"{name}: published {published[name]}, the file holds {rows} rows")
        elif accounted.get(name, 0) != rows:
            problems.append(f"{name}: {accounted.get(name, 0)} rows published, {rows} read")
    return "; ".join(problems[:3])


def one_kill_during_ingest(
    number: int,
    dirs: dict[str, Path],
    tables: set[str],
    exports: ChangedExports,
    rng: random.Random,
    ingest_s: float,
    log: Path,
) -> KillOutcome:
    """Change every CSV export, kill the run during its ingest, then check as `one_kill`
    does and that the next run publishes the folder exactly."""
    target = dirs["curated"] / PUBLISHED
    exports.change(rng)
    before = digest(target)
    known_runs = run_ids(dirs)
    delay_s = rng.uniform(0.0, ingest_s)
    killed = killed_during_step(dirs, log, INGEST_STEP, delay_s, known_runs)
    note = f" {exports.stored(dirs)}/{len(exports.originals)} in"
    return judge(
        number, delay_s, killed, before, known_runs, dirs, tables, log, exact=True, note=note
    )


def report(outcomes: list[KillOutcome]) -> None:
    print(
        f"\n{'#':>3} {'kill at s':>9}  {'stage reached':<26}{'file':<11}{'file ok':<9}next run ok"
    )
    for o in outcomes:
        print(
            f"{o.number:>3} {o.kill_at_s:>9.2f}  {o.stage:<26}{o.file_state:<11}"
            f"{'yes' if o.file_ok else 'NO':<9}{'yes' if o.next_ok else 'NO'}"
        )
        for problem in (o.file_problem, o.next_problem):
            if problem:
                print(f"      {problem}")
    failed = sum(not (o.file_ok and o.next_ok) for o in outcomes)
    print(f"\n{len(outcomes)} kills, {failed} failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="RNG seed (random when omitted)")
    parser.add_argument(
        "--people", type=int, default=800, help="generated people (0: copy data/raw)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--during",
        choices=("run", "ingest"),
        default="run",
        help="kill anywhere in the run, or during the ingest of changed exports",
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    print(f"seed {seed} (repeat with --seed {seed})", flush=True)
    rng = random.Random(seed)
    scratch = Path(tempfile.mkdtemp(prefix="bench_kill_"))
    log = scratch / "runs.log"
    try:
        dirs = scratch_dirs(scratch, prepare_raw(scratch, args.people, seed))
        code, first_s = normal_run(dirs, log)
        if code != 0:
            print(f"the good run failed (exit {code}); see {log}", file=sys.stderr)
            return 2
        code, normal_s = normal_run(dirs, log)
        if code != 0:
            print(f"the second good run failed (exit {code}); see {log}", file=sys.stderr)
            return 2
        tables = published_tables(dirs["curated"] / PUBLISHED)
        print(
            f"data: {dirs['raw']} ({'data/raw' if args.people <= 0 else f'{args.people} people'}); "
            f"first run {first_s:.1f} s, normal run {normal_s:.1f} s; "
            f"{len(tables)} published tables",
            flush=True,
        )
        outcomes = []
        exports, ingest_s = None, 0.0
        if args.during == "ingest":
            exports = ChangedExports(dirs["raw"])
            exports.change(rng)
            known = run_ids(dirs)
            code, _ = normal_run(dirs, log)
            ingest_s = ingest_seconds(dirs, known)
            print(
                f"{len(exports.originals)} CSV exports change before every kill; "
                f"their ingest took {ingest_s:.2f} s (kills are drawn over it, from its start)",
                flush=True,
            )
        for number in range(1, args.kills + 1):
            if exports is not None:
                outcome = one_kill_during_ingest(number, dirs, tables, exports, rng, ingest_s, log)
            else:
                outcome = one_kill(number, dirs, tables, rng.uniform(0.0, normal_s), log)
            print(
                f"kill {number}: {outcome.kill_at_s:.2f} s, {outcome.stage}, "
                f"file {outcome.file_state} ok={outcome.file_ok}, next ok={outcome.next_ok}",
                flush=True,
            )
            outcomes.append(outcome)
        report(outcomes)
        return 0 if all(o.file_ok and o.next_ok for o in outcomes) else 1
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
