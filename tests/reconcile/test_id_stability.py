"""Stable ids over a sequence of real runs: edits, a blocked publish, a full re-export, merges, splits.

The runs call the stage runners directly (what the Dagster assets call), over a private copy
of the generated kecamatan, so the sequence stays fast; tests/pipeline runs the real graph
(and checks that a rerun on the same input publishes the same person_sources and ids).
"""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dtks.columns import CANONICAL_COLUMNS
from dtks.publish.paths import published_paths
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


@dataclass(frozen=True)
class Published:
    """What one publish left: the published tables we check and the store's id state."""

    persons: pl.DataFrame
    sources: pl.DataFrame
    changes: pl.DataFrame
    registry: pl.DataFrame
    merges: pl.DataFrame | None

    def id_of_key(self) -> dict[str, str]:
        return dict(zip(self.sources["record_key"], self.sources["person_id"], strict=True))

    def person_changes(self) -> set[tuple[str, str, str | None]]:
        frame = self.changes.filter(pl.col("entity") == "person")
        return set(frame.select("entity_id", "change_type", "field").iter_rows())


def _store(dirs: dict[str, Path]) -> WorkStore:
    return WorkStore(dirs["work"] / "store.duckdb", layout=STORE_LAYOUT)


def run_stages(
    dirs: dict[str, Path],
    run_id: str,
    decisions: pl.DataFrame | None = None,
    publish: bool = True,
) -> None:
    """One reconciliation, stage by stage, as the assets run them."""
    with _store(dirs).session() as con:
        for desa in KECAMATAN.desa:
            ingest_village(con, dirs["raw"], desa.slug)
        for desa in KECAMATAN.desa:
            clean_village(con, KECAMATAN, desa.slug)
        match_kecamatan(con, decisions=decisions)
        reconcile_kecamatan(con, run_id=run_id)
        if publish:
            run = RunInfo(run_id, "manual", datetime.now(UTC))
            publish_kecamatan(con, KECAMATAN, dirs["curated"], run)


def published(dirs: dict[str, Path]) -> Published:
    con = duckdb.connect(str(published_paths(dirs["curated"])[0]), read_only=True)
    try:
        persons = con.sql("SELECT * FROM persons").pl()
        sources = con.sql(
            "SELECT person_id, record_key, village, source_file, source_row, iddtks, nik, "
            "nik_is_valid, nik_possibly_truncated, keterangan_kode FROM person_sources"
        ).pl()
        changes = con.sql("SELECT * FROM change_log").pl()
    finally:
        con.close()
    with _store(dirs).session() as store:
        registry = read_table(store, "id_registry")
        merges = read_table(store, "id_merges")
    return Published(persons, sources, changes, registry, merges)


# ------------------------------------------------------------- editing the exports


def _csv_layout(dirs: dict[str, Path], source_file: str) -> tuple[str, str, int, dict[str, str]]:
    """encoding, delimiter, header row and {canonical column: header text} of a CSV export."""
    with _store(dirs).session() as con:
        files = read_table(con, "source_files", {"source_file": source_file})
        sheets = read_table(con, "source_sheets", {"source_file": source_file})
    mapping = json.loads(sheets["column_mapping"][0])
    return (
        files["encoding"][0],
        files["delimiter"][0],
        int(sheets["header_row"][0]),
        {canonical: header for header, canonical in mapping.items()},
    )


def edit_csv(
    dirs: dict[str, Path],
    source_file: str,
    changes: dict[int, dict[str, str]],
    delete: frozenset[int] = frozenset(),
    add: tuple[int, dict[str, str]] | None = None,
) -> None:
    """Change cells (by 1-based row and canonical column), delete rows, and add a copy of row
    ``add[0]`` with the values ``add[1]`` right below the header, as an operator would in a
    spreadsheet; the file keeps its encoding and delimiter."""
    encoding, delimiter, header_row, headers = _csv_layout(dirs, source_file)
    path = dirs["raw"] / source_file
    text = path.read_bytes().decode(encoding)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [cell.strip() for cell in rows[header_row - 1]]
    position = {canonical: header.index(text) for canonical, text in headers.items()}
    for number, cells in changes.items():
        for column, value in cells.items():
            rows[number - 1][position[column]] = value
    added = []
    if add is not None:
        copy = list(rows[add[0] - 1])
        for column, value in add[1].items():
            copy[position[column]] = value
        added.append(copy)
    kept = [row for i, row in enumerate(rows, start=1) if i not in delete]
    kept[header_row:header_row] = added
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(kept)
    path.write_bytes(out.getvalue().encode(encoding))


def reexport_village(dirs: dict[str, Path], village: str, seed: int = 3) -> None:
    """The village's whole list exported again: its families in another order (each family's
    rows stay together, from its head down, as SIKS-NG lists them), new file names, split in
    two parts at another place between two families, canonical headers, UTF-8 with
    semicolons."""
    lineage = ["source_file", "source_sheet", "source_row"]
    with _store(dirs).session() as con:
        raw = read_table(con, "raw_rows", {"village": village})
        roles = read_table(con, "clean_rows", {"village": village}).select(
            *lineage, "hubungan_keluarga"
        )
    data = (
        raw.filter(pl.col("row_kind") == "data")
        .join(roles, on=lineage, how="left", suffix="_clean")
        .sort(lineage)
        .with_columns(
            (
                (pl.col("hubungan_keluarga_clean") == "KEPALA KELUARGA").fill_null(False)
                | (pl.int_range(pl.len()) == 0).over("source_file", "source_sheet")
            )
            .cum_sum()
            .alias("_family")
        )
    )
    families = data["_family"].unique(maintain_order=True).to_list()
    random.Random(seed).shuffle(families)
    order = pl.DataFrame({"_family": families, "_order": range(len(families))})
    shuffled = (
        data.join(order, on="_family")
        .sort("_order", *lineage)
        .with_columns(pl.int_range(pl.len()).alias("_position"))
    )
    # the second part begins with the family in which the first third of the rows ends
    cut_family = shuffled.filter(pl.col("_position") == shuffled.height // 3)["_order"].item()
    parts = (
        shuffled.filter(pl.col("_order") < cut_family),
        shuffled.filter(pl.col("_order") >= cut_family),
    )
    folder = dirs["raw"] / village
    for old in folder.glob("*.*"):
        old.unlink()
    for part, frame in enumerate(parts, 1):
        frame.select(*CANONICAL_COLUMNS).write_csv(
            folder / f"EXPORT_ULANG_{village.upper()}_{part}.csv", separator=";"
        )


# ------------------------------------------------------------- the scenario


@dataclass
class Scenario:
    steps: dict[str, Published]
    edited_village: str
    reexported_village: str
    expected_edit_changes: set[tuple[str, str, str | None]]
    expected_blocked_changes: set[tuple[str, str, str | None]]
    merged_pair: tuple[str, str]  # person ids must-linked in step "merged"
    split_person: str  # person id of the 2-row cluster cannot-linked in step "split"
    split_keys: tuple[str, str]


def _csv_villages(dirs: dict[str, Path]) -> list[str]:
    """Villages whose export is CSV only, most data rows first."""
    with _store(dirs).session() as con:
        files = read_table(con, "source_files")
    per_village = files.group_by("village").agg(
        (pl.col("file_format") == "csv").all().alias("csv_only"), pl.col("rows_read").sum()
    )
    return per_village.filter("csv_only").sort("rows_read", descending=True)["village"].to_list()


def _single_row_persons(state: Published, village: str) -> pl.DataFrame:
    """Persons listed once, in `village`, without KETERANGAN, not a head, with their row."""
    persons = state.persons.filter(
        (pl.col("count_sources") == 1)
        & (pl.col("village") == village)
        & pl.col("is_active")
        & ~pl.col("is_moved")
        & ~pl.col("needs_review")
        & (pl.col("hubungan_keluarga") != "KEPALA KELUARGA")
    )
    return persons.join(
        state.sources.select("person_id", "record_key", "source_file", "source_row"),
        on="person_id",
    ).sort("person_id")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, synthetic_exports) -> Scenario:
    root = tmp_path_factory.mktemp("stability")
    dirs = {"raw": root / "raw", "work": root / "work", "curated": root / "curated"}
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    truth = pl.read_parquet(synthetic_exports[1])
    steps: dict[str, Published] = {}

    run_stages(dirs, "run-1")
    steps["first"] = published(dirs)

    # a handful of rows changed in one village, in place, by its operator
    edited, reexported = _csv_villages(dirs)[:2]
    base = steps["first"]
    candidates = _single_row_persons(base, edited)
    with_id = candidates.filter(pl.col("record_key").str.starts_with("D-"))
    without_id = candidates.filter(pl.col("record_key").str.starts_with("N-"))
    renamed, born_elsewhere, deleted = (
        with_id.row(0, named=True),
        with_id.row(1, named=True),
        with_id.row(2, named=True),
    )
    renamed_no_id = without_id.row(0, named=True)
    files = {p["source_file"] for p in (renamed, born_elsewhere, deleted, renamed_no_id)}
    male_adult = truth.filter(
        (pl.col("village") == edited)
        & (pl.col("row_kind") == "data")
        & (pl.col("jenis_kelamin") == "L")
        & (pl.col("defects").list.len() == 0)
        & pl.col("tanggal_lahir_written").str.contains(r"19[5-8]\d")
        & pl.col("source_file").is_in(list(files))
    ).row(0, named=True)
    newborn_file = male_adult["source_file"]
    written = male_adult["tanggal_lahir_written"]
    old_year = next(y for y in range(1950, 1990) if str(y) in written)
    newborn = {
        "iddtks": "ID3528999999777",
        "nik": male_adult["nik"][:10] + "190777",  # region, day, month, 2019, serial 0777
        "nama": "AHMAD FAUZAN",
        "tanggal_lahir": written.replace(str(old_year), "2019"),
        "hubungan_keluarga": "ANAK",
        "keterangan": "",
    }
    cells: dict[str, dict[int, dict[str, str]]] = {file: {} for file in files}
    cells[renamed["source_file"]][renamed["source_row"]] = {"nama": "ABDUL GHAFUR SUBAGIO"}
    cells[renamed_no_id["source_file"]][renamed_no_id["source_row"]] = {
        "nama": "MOH. ZAINURI SUBAGIO"
    }
    cells[born_elsewhere["source_file"]][born_elsewhere["source_row"]] = {
        "tempat_lahir": "BANYUWANGI"
    }
    for file, file_cells in cells.items():
        edit_csv(
            dirs,
            file,
            file_cells,
            delete=frozenset({deleted["source_row"]})
            if file == deleted["source_file"]
            else frozenset(),
            add=(male_adult["source_row"], newborn) if file == newborn_file else None,
        )
    run_stages(dirs, "run-3")
    steps["edited"] = published(dirs)
    new_ids = set(
        steps["edited"].sources.filter(pl.col("iddtks") == newborn["iddtks"])["person_id"]
    )
    expected_edit = {
        (renamed["person_id"], "updated", "nama"),
        (renamed_no_id["person_id"], "updated", "nama"),
        (born_elsewhere["person_id"], "updated", "tempat_lahir"),
        (deleted["person_id"], "removed", None),
        *[(new_id, "new", None) for new_id in new_ids],
    }

    # a publish blocked by a check (reconcile runs, nothing is published), then one that fails
    again = (
        _single_row_persons(steps["edited"], edited)
        .filter(
            pl.col("record_key").str.starts_with("D-")
            & ~pl.col("person_id").is_in([renamed["person_id"], born_elsewhere["person_id"]])
        )
        .row(0, named=True)
    )
    edit_csv(dirs, again["source_file"], {again["source_row"]: {"tempat_lahir": "BANYUWANGI"}})
    run_stages(dirs, "run-4-blocked", publish=False)
    not_a_folder = root / "not_a_folder"
    not_a_folder.write_text("")
    with _store(dirs).session() as con:
        steps_registry_after_block = read_table(con, "id_registry")
        with pytest.raises(OSError):  # a publish that fails (here: no place to write)
            run = RunInfo("run-4-failed", "manual", datetime.now(UTC))
            publish_kecamatan(con, KECAMATAN, not_a_folder / "curated", run)
        registry_after_failure = read_table(con, "id_registry")
    assert registry_after_failure.sort(pl.all()).equals(steps_registry_after_block.sort(pl.all()))
    assert steps_registry_after_block.sort(pl.all()).equals(steps["edited"].registry.sort(pl.all()))
    # the next publish also brings a full re-export of another village
    reexport_village(dirs, reexported)
    run_stages(dirs, "run-5")
    steps["reexported"] = published(dirs)

    # a clerk says two persons of different villages are one (must-link) and a 2-row
    # person is two people (cannot-link). A clerk cannot merge across the safety line, so the
    # two share sex and name (a respelt name, a new birth date: one person to a clerk).
    state = steps["reexported"]
    alike = ["jenis_kelamin", "nama"]
    one, other = (
        _single_row_persons(state, edited)
        .join(_single_row_persons(state, reexported), on=alike, suffix="_other")
        .sort("person_id", "person_id_other")
        .select(
            pl.struct("person_id", "record_key").alias("one"),
            pl.struct(
                pl.col("person_id_other").alias("person_id"),
                pl.col("record_key_other").alias("record_key"),
            ).alias("other"),
        )
        .row(0)
    )
    pairs = state.sources.group_by("person_id").agg(pl.col("record_key").unique().sort())
    pair = pairs.filter(pl.col("record_key").list.len() == 2).sort("person_id").row(0, named=True)
    decisions = pl.DataFrame(
        {
            "record_key_l": [one["record_key"], pair["record_key"][0]],
            "record_key_r": [other["record_key"], pair["record_key"][1]],
            "decision": ["must_link", "cannot_link"],
        }
    )
    run_stages(dirs, "run-6", decisions=decisions)
    steps["decided"] = published(dirs)
    return Scenario(
        steps=steps,
        edited_village=edited,
        reexported_village=reexported,
        expected_edit_changes=expected_edit,
        expected_blocked_changes={(again["person_id"], "updated", "tempat_lahir")},
        merged_pair=(one["person_id"], other["person_id"]),
        split_person=pair["person_id"],
        split_keys=tuple(pair["record_key"]),
    )


def _share_keeping_ids(before: Published, after: Published, village: str | None = None) -> float:
    """Share of persons of `before` whose every record key still present maps to the same id."""
    old, new = before.id_of_key(), after.id_of_key()
    sources = (
        before.sources if village is None else before.sources.filter(pl.col("village") == village)
    )
    per_person: dict[str, bool] = {}
    for person_id, key in sources.select("person_id", "record_key").iter_rows():
        if key in new:
            per_person[person_id] = per_person.get(person_id, True) and new[key] == old[key]
    return sum(per_person.values()) / len(per_person)


def test_first_publish_lists_every_person_as_new(scenario: Scenario) -> None:
    first = scenario.steps["first"]
    assert first.person_changes() == {(p, "new", None) for p in first.persons["person_id"]}


def test_ids_are_opaque(scenario: Scenario) -> None:
    persons = scenario.steps["first"].persons
    assert persons["person_id"].str.contains(r"^P-[0-9a-f]{16}$").all()
    niks = set(persons["nik"].drop_nulls())
    assert not any(nik in pid for pid in persons["person_id"] for nik in list(niks)[:50])


def test_a_handful_of_edits_keeps_at_least_999_per_mille_of_ids(scenario: Scenario) -> None:
    before, after = scenario.steps["first"], scenario.steps["edited"]
    assert _share_keeping_ids(before, after) >= 0.999
    assert _share_keeping_ids(before, after, scenario.edited_village) >= 0.999


def test_change_log_lists_exactly_the_edits(scenario: Scenario) -> None:
    assert scenario.steps["edited"].person_changes() == scenario.expected_edit_changes


def test_corrected_name_without_iddtks_keeps_its_id_through_the_nik(scenario: Scenario) -> None:
    updated_names = {pid for pid, kind, field in scenario.expected_edit_changes if field == "nama"}
    assert updated_names <= set(scenario.steps["edited"].persons["person_id"])


def test_changes_are_masked_where_personal(scenario: Scenario) -> None:
    changes = pl.concat([s.changes for s in scenario.steps.values()])
    personal = changes.filter(pl.col("field").is_in(["nik", "no_kk"]))
    for value in (
        personal["old_value"].drop_nulls().to_list() + personal["new_value"].drop_nulls().to_list()
    ):
        assert "*" in value


def test_blocked_or_failed_publish_does_not_advance_the_registry(scenario: Scenario) -> None:
    # the registry is compared inside the scenario, right after those runs; the next
    # publish reports the blocked run's change against the last publish, and nothing else
    # (the full re-export of another village in the same run changes nothing)
    assert scenario.steps["reexported"].person_changes() == scenario.expected_blocked_changes


def test_full_reexport_keeps_every_id(scenario: Scenario) -> None:
    before, after = scenario.steps["edited"], scenario.steps["reexported"]
    assert _share_keeping_ids(before, after) == 1.0
    assert _share_keeping_ids(before, after, scenario.reexported_village) == 1.0
    moved_rows = after.sources.filter(pl.col("village") == scenario.reexported_village)
    assert moved_rows["source_file"].str.contains("EXPORT_ULANG").all()


def test_merge_keeps_one_id_and_records_the_other_as_merged_into_it(scenario: Scenario) -> None:
    decided = scenario.steps["decided"]
    ids = set(decided.persons["person_id"])
    kept = [p for p in scenario.merged_pair if p in ids]
    gone = [p for p in scenario.merged_pair if p not in ids]
    assert len(kept) == 1 and len(gone) == 1
    row = decided.changes.filter(pl.col("entity_id") == gone[0]).row(0, named=True)
    assert (row["change_type"], row["related_id"]) == ("merged", kept[0])
    assert decided.merges.filter(pl.col("merged_id") == gone[0])["into_id"].to_list() == kept


def test_split_keeps_the_id_on_one_part_and_names_it_on_the_other(scenario: Scenario) -> None:
    decided = scenario.steps["decided"]
    owners = decided.sources.filter(pl.col("record_key").is_in(list(scenario.split_keys)))
    ids = set(owners["person_id"])
    assert len(ids) == 2 and scenario.split_person in ids
    (new_part,) = ids - {scenario.split_person}
    row = decided.changes.filter(pl.col("entity_id") == new_part).row(0, named=True)
    assert (row["change_type"], row["related_id"]) == ("split", scenario.split_person)
