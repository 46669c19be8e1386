"""A run stopped after any store statement (or file swap) of any stage, while a changed export
waits in the raw folder, loses nothing: the next run reads the changed file again when its
ingest was not committed, and publishes exactly what an uninterrupted run publishes.

Random kills almost never hit the moment between two statements of one unit of work (a
file's hash and its rows); this test stops at every such moment in turn, through the store's
fault hook (`dtks.store.stop_after`). The stages run in-process, each in its own work-store
session as the Dagster assets do, over one small village sending two files (62 rows), so
that its 50-odd boundaries take a few minutes on two busy cores.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster_runs import FOLDERS, copy_folders

from dtks.ingest import file_sha256
from dtks.publish.paths import published_paths
from dtks.publish.run_history import RunInfo
from dtks.region import load_kecamatan
from dtks.stages import STORE_LAYOUT
from dtks.stages.clean import clean_village
from dtks.stages.ingest import INGEST_TABLES, VillageIngest, ingest_village
from dtks.stages.match import match_kecamatan
from dtks.stages.publish import publish_kecamatan
from dtks.stages.reconcile import reconcile_kecamatan
from dtks.store import InjectedStop, WorkStore, stop_after

# One village sending its export in two files: one changes, the other is left alone.
VILLAGES = ("ponjanan-barat",)
CHANGED = "ponjanan-barat/ponjanan-barat_verivali_202611_2.csv"
STAGES = ("ingest", "clean", "match", "reconcile", "publish")
# Published tables compared with the uninterrupted run (change_log and runs differ by
# design: a stop after the id commit makes the next run a re-run with nothing new).
COMPARED = ("persons", "households", "person_sources", "rejected_rows", "source_files")
# Columns that say when or in which run, not what was published.
RUN_COLUMNS = ("run_id",)


def run_stages(
    dirs: dict[str, Path], run_id: str, stages: tuple[str, ...] = STAGES
) -> list[VillageIngest]:
    """The given stages (default all) in order, each in its own session, as the assets
    call them; returns what the ingest did (empty when it did not run)."""
    store = WorkStore(dirs["work"] / "store.duckdb", layout=STORE_LAYOUT)
    kecamatan = load_kecamatan("35.28.11")
    ingests = []
    for stage in stages:
        with store.session() as con:
            if stage == "ingest":
                ingests = [ingest_village(con, dirs["raw"], village) for village in VILLAGES]
            elif stage == "clean":
                for village in VILLAGES:
                    clean_village(con, kecamatan, village)
            elif stage == "match":
                match_kecamatan(con, dirs["review"])
            elif stage == "reconcile":
                reconcile_kecamatan(con, run_id)
            else:
                run = RunInfo(run_id, "manual", datetime.now(UTC))
                publish_kecamatan(con, kecamatan, dirs["curated"], run)
    return ingests


def change_export(raw: Path) -> None:
    """The operator corrects a name and deletes a person, then exports again."""
    path = raw / CHANGED
    lines = path.read_bytes().split(b"\n")
    header = next(i for i, line in enumerate(lines) if b"NAMA" in line.upper())
    first, second = header + 1, header + 2
    lines[first] = lines[first].replace(b",", b",X", 1)  # IDDTKS, the 2nd column, changes
    del lines[second]
    path.write_bytes(b"\n".join(lines))


def published_rows(dirs: dict[str, Path]) -> dict[str, pl.DataFrame]:
    """The compared tables of the full file and the persons of the masked file, sorted."""
    full, masked = published_paths(dirs["curated"])
    tables = {}
    for path, names in ((full, COMPARED), (masked, ("persons",))):
        con = duckdb.connect(str(path), read_only=True)
        try:
            for name in names:
                frame = con.sql(f'SELECT * FROM "{name}"').pl()  # noqa: S608 - our names
                frame = frame.drop([c for c in frame.columns if c in RUN_COLUMNS])
                tables[f"{path.name}:{name}"] = frame.sort(frame.columns)
        finally:
            con.close()
    return tables


def assert_accounted(dirs: dict[str, Path]) -> None:
    full, _ = published_paths(dirs["curated"])
    con = duckdb.connect(str(full), read_only=True)
    try:
        ((outcome, read, accepted, rejected),) = con.execute(
            "SELECT outcome, rows_read, rows_accepted, rows_rejected FROM runs "
            "ORDER BY started_at DESC LIMIT 1"
        ).fetchall()
        gaps = con.execute(
            "SELECT village FROM village_status WHERE rows_read <> rows_accepted + rows_rejected"
        ).fetchall()
        ((hash_published,),) = con.execute(
            "SELECT file_hash FROM source_files WHERE source_file = ?", [CHANGED]
        ).fetchall()
    finally:
        con.close()
    assert outcome == "published"
    assert read == accepted + rejected > 0
    assert gaps == []
    assert hash_published == file_sha256(dirs["raw"] / CHANGED, dirs["raw"])


@pytest.fixture(scope="module")
def scenario(
    tmp_path_factory: pytest.TempPathFactory, synthetic_exports: tuple[Path, Path]
) -> dict[str, object]:
    """Two villages published once (the base), the changed export, the publish of an
    uninterrupted run over it (the reference), and each stage's number of boundaries."""
    root = tmp_path_factory.mktemp("boundaries")
    base = {name: root / "base" / name for name in FOLDERS}
    for village in VILLAGES:
        shutil.copytree(synthetic_exports[0] / village, base["raw"] / village)
    run_stages(base, "base")
    changed_raw = root / "changed_raw"
    shutil.copytree(base["raw"], changed_raw)
    change_export(changed_raw)

    reference = copy_folders(base, root / "reference")
    shutil.rmtree(reference["raw"])
    shutil.copytree(changed_raw, reference["raw"])
    with stop_after("", 0) as passed:
        ingests = run_stages(reference, "changed")
        boundaries = dict(passed)
    assert [i.files_changed for i in ingests] == [[CHANGED]]
    assert len(ingests[0].files_unchanged) == 1
    assert_accounted(reference)
    return {
        "root": root,
        "base": base,
        "changed_raw": changed_raw,
        "expected": published_rows(reference),
        "boundaries": boundaries,
    }


@pytest.fixture(scope="module")
def prefixes(scenario) -> Callable[[str], dict[str, Path]]:
    """The base with the changed export in its folder and the stages before a stage done,
    prepared once per stage (the parts of a stage start from the same folders, copied)."""
    prepared: dict[str, dict[str, Path]] = {}

    def prefix(stage: str) -> dict[str, Path]:
        if stage not in prepared:
            dirs = copy_folders(scenario["base"], scenario["root"] / f"prefix-{stage}")
            shutil.rmtree(dirs["raw"])
            shutil.copytree(scenario["changed_raw"], dirs["raw"])
            run_stages(dirs, "stopped", STAGES[: STAGES.index(stage)])
            prepared[stage] = dirs
        return prepared[stage]

    return prefix


def test_every_stage_has_boundaries_and_a_changed_file_is_one_transaction(scenario) -> None:
    """The counting pass saw every stage; the changed file's ingest is BEGIN, a delete and an
    insert for each of the file's tables (rows, sheets, desil rows, the file itself), COMMIT."""
    boundaries = scenario["boundaries"]
    assert set(STAGES) <= set(boundaries), boundaries
    assert boundaries["ingest"] == 1 + 2 * len(INGEST_TABLES) + 1


# The stages with the most boundaries are tested in parts (every `parts`-th boundary), so that
# pytest-xdist can run the parts side by side; together they cover every boundary.
PARTS = {"reconcile": 2, "publish": 3}
STAGE_PARTS = [
    pytest.param(stage, part, PARTS.get(stage, 1), id=f"{stage}-{part + 1}of{PARTS.get(stage, 1)}")
    for stage in STAGES
    for part in range(PARTS.get(stage, 1))
]


@pytest.mark.parametrize(("stage", "part", "parts"), STAGE_PARTS)
def test_a_run_stopped_after_any_boundary_of_a_stage_recovers_exactly(
    scenario, prefixes, stage: str, part: int, parts: int, tmp_path: Path
) -> None:
    """For every boundary of `stage` in turn (of this part: every `parts`-th, from the
    `part`-th): from the base with the changed export in its folder and the stages before
    `stage` done (prepared once), run `stage` and the rest and stop right after that
    boundary, then run normally; the publish equals the uninterrupted one, every row is
    accounted for, and the changed file was read again unless its ingest had been committed."""
    count = scenario["boundaries"][stage]
    assert count >= parts, (stage, count)
    commit_of_changed_file = scenario["boundaries"]["ingest"]  # the only file that changed
    rest = STAGES[STAGES.index(stage) :]
    prefix = prefixes(stage)
    for boundary in range(1 + part, count + 1, parts):
        dirs = copy_folders(prefix, tmp_path / f"{stage}-{boundary}")

        with pytest.raises(InjectedStop), stop_after(stage, boundary):
            run_stages(dirs, "stopped", rest)
        ingests = run_stages(dirs, "next")

        where = f"stopped after boundary {boundary} of {stage}"
        read_again = CHANGED in ingests[0].files_changed
        expect_read_again = stage == "ingest" and boundary < commit_of_changed_file
        assert read_again == expect_read_again, where
        assert_accounted(dirs)
        found = published_rows(dirs)
        for table, expected in scenario["expected"].items():
            assert found[table].equals(expected), (where, table)
        shutil.rmtree(dirs["work"].parent)
