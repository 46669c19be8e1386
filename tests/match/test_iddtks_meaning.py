"""What an IDDTKS column means is read from each file's rows, and a family id never merges
a family: hand-built CSV exports through the real stages (ingest, clean, match, reconcile,
publish) on a real work store."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from family_exports import EXPORTS, exports_truth, write_exports

from dtks.match.safety import crossing_pairs
from dtks.publish.run_history import RunInfo
from dtks.region import load_kecamatan
from dtks.stages import STORE_LAYOUT
from dtks.stages.clean import clean_village
from dtks.stages.ingest import ingest_village
from dtks.stages.match import match_kecamatan
from dtks.stages.publish import publish_kecamatan
from dtks.stages.reconcile import reconcile_kecamatan
from dtks.store import WorkStore, read_table

KECAMATAN = load_kecamatan("35.28.11")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("iddtks")
    dirs = {name: root / name for name in ("raw", "work", "curated")}
    write_exports(dirs["raw"])
    with WorkStore(dirs["work"] / "store.duckdb", layout=STORE_LAYOUT).session() as con:
        for village in KECAMATAN.desa:
            ingest_village(con, dirs["raw"], village.slug)
            clean_village(con, KECAMATAN, village.slug)
        match_kecamatan(con)
        reconcile_kecamatan(con, run_id="r1")
        publish_kecamatan(
            con, KECAMATAN, dirs["curated"], RunInfo("r1", "manual", datetime.now(UTC))
        )
    return dirs


def _published(dirs: dict[str, Path], sql: str) -> pl.DataFrame:
    with duckdb.connect(str(dirs["curated"] / "kecamatan.duckdb"), read_only=True) as con:
        return con.sql(sql).pl()


@pytest.mark.parametrize(
    ("description", "source_file", "kind"),
    [(e.description, e.source_file, e.kind) for e in EXPORTS],
)
def test_each_file_says_what_its_iddtks_identifies(
    run: dict[str, Path], description: str, source_file: str, kind: str
) -> None:
    files = _published(run, "SELECT source_file, iddtks_kind FROM source_files")
    assert dict(files.iter_rows())[source_file] == kind, description


def test_every_true_person_is_one_published_person(run: dict[str, Path]) -> None:
    sources = _published(
        run,
        "SELECT source_file, source_row, person_id FROM person_sources",
    )
    truth = exports_truth()
    person_of = {(v, r): p for v, r, p in sources.iter_rows()}
    assert set(person_of) == set(truth)
    for a, b in itertools.combinations(sorted(truth), 2):
        assert (person_of[a] == person_of[b]) == (truth[a] == truth[b]), (a, b)


def test_no_published_person_crosses_the_safety_line(run: dict[str, Path]) -> None:
    with WorkStore(run["work"] / "store.duckdb", layout=STORE_LAYOUT).session() as con:
        sources = read_table(con, "reconciled_sources")
    assert sources is not None and crossing_pairs(sources, "person_id").is_empty()


def test_a_family_id_is_no_person_key(run: dict[str, Path]) -> None:
    with WorkStore(run["work"] / "store.duckdb", layout=STORE_LAYOUT).session() as con:
        registry = read_table(con, "id_registry")
        clusters = read_table(con, "match_clusters")
    assert registry is not None and clusters is not None
    family_ids = set(clusters.filter(pl.col("village") == "kapong")["iddtks_family"].drop_nulls())
    assert family_ids
    registered = set(registry.filter(pl.col("key_kind") == "iddtks")["key_value"])
    assert not family_ids & registered
    assert all(
        not k.startswith("D-") for k in clusters.filter(pl.col("village") == "kapong")["record_key"]
    )
