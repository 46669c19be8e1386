"""A store published by the code that took every IDDTKS for a person's id upgrades: ids stay
with everyone who was never merged wrongly, a person that held a family keeps its id on the
member whose NIK it was and splits the others off, clerks' decisions keyed on a family id
are voided and queued again, and the rows sent upward as duplicates are cancelled.

The fixture (tests/reconcile/fixtures/published_before_family_ids, written by
upgrade_fixture.py with that code) holds the work store's id state after its publish over
the hand-built exports of tests/family_exports.py, and what it published.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest
from family_exports import FAMILIES, exports_truth, write_exports
from upgrade_fixture import FIXTURE, STATE

from dtks.publish.run_history import RunInfo
from dtks.region import load_kecamatan
from dtks.stages import STORE_LAYOUT
from dtks.stages.clean import clean_village
from dtks.stages.ingest import ingest_village
from dtks.stages.match import MatchSummary, match_kecamatan
from dtks.stages.publish import publish_kecamatan
from dtks.stages.reconcile import reconcile_kecamatan
from dtks.store import WorkStore, replace_table

KECAMATAN = load_kecamatan("35.28.11")
ROW = ["source_file", "source_row"]


@dataclass(frozen=True)
class Upgrade:
    before: pl.DataFrame  # rows -> person_id, record_key as published before; true key
    after: pl.DataFrame  # rows -> person_id as published now; true key
    persons_before: pl.DataFrame
    changes: pl.DataFrame
    cancelled: list[dict[str, str]]
    deactivated: list[dict[str, str]]  # nonaktif_ganda.csv now
    match: MatchSummary


def _with_truth(frame: pl.DataFrame) -> pl.DataFrame:
    truth = pl.DataFrame(
        [(f, r, k) for (f, r), k in exports_truth().items()],
        schema={"source_file": pl.String, "source_row": pl.Int64, "true_key": pl.String},
        orient="row",
    )
    return frame.join(truth, on=ROW)


@pytest.fixture(scope="module")
def upgrade(tmp_path_factory: pytest.TempPathFactory) -> Upgrade:
    root = tmp_path_factory.mktemp("upgrade")
    write_exports(root / "raw")
    before = pl.read_parquet(FIXTURE / "published_person_sources.parquet")
    family_key = before.filter(
        (pl.col("source_file") == "pangereman/export.csv") & (pl.col("source_row") == 2)
    )
    person_key = before.filter(
        (pl.col("source_file") == "tamberu/export.csv") & (pl.col("source_row") == 2)
    )
    # a clerk's "sama" between a family's key (one for all its members) and a person's
    decisions = pl.DataFrame(
        {
            "record_key_l": family_key["record_key"],
            "record_key_r": person_key["record_key"],
            "decision": ["must_link"],
        }
    )
    with WorkStore(root / "work" / "store.duckdb", layout=STORE_LAYOUT).session() as con:
        for table in STATE:
            replace_table(con, table, pl.read_parquet(FIXTURE / f"{table}.parquet"))
        for village in KECAMATAN.desa:
            ingest_village(con, root / "raw", village.slug)
            clean_village(con, KECAMATAN, village.slug)
        match = match_kecamatan(con, decisions=decisions)
        reconcile_kecamatan(con, run_id="after")
        publish_kecamatan(
            con, KECAMATAN, root / "curated", RunInfo("after", "manual", datetime.now(UTC))
        )
    with duckdb.connect(str(root / "curated" / "kecamatan.duckdb"), read_only=True) as db:
        after = db.sql("SELECT source_file, source_row, person_id FROM person_sources").pl()
        changes = db.sql("SELECT * FROM change_log WHERE entity = 'person'").pl()
    submission = root / "curated" / "submission"
    cancelled, deactivated = (
        list(csv.DictReader((submission / name).open(encoding="utf-8-sig")))
        for name in ("batal_nonaktif_ganda.csv", "nonaktif_ganda.csv")
    )
    return Upgrade(
        before=_with_truth(before),
        after=_with_truth(after),
        persons_before=pl.read_parquet(FIXTURE / "published_persons.parquet"),
        changes=changes,
        cancelled=cancelled,
        deactivated=deactivated,
        match=match,
    )


def _wrongly_merged(before: pl.DataFrame) -> set[str]:
    """Person ids published before that held several true people."""
    held = before.group_by("person_id").agg(pl.col("true_key").n_unique().alias("n"))
    return set(held.filter(pl.col("n") > 1)["person_id"])


def test_the_fixture_holds_the_false_merges_of_family_ids(upgrade: Upgrade) -> None:
    assert _wrongly_merged(upgrade.before), "the old code merged families: nothing to upgrade"


def _ids_of_truth(before: pl.DataFrame) -> dict[str, set[str]]:
    """True person -> the ids published for them (several when they were split)."""
    ids: dict[str, set[str]] = {}
    for key, person_id in before.select("true_key", "person_id").iter_rows():
        ids.setdefault(key, set()).add(person_id)
    return ids


def test_everyone_never_merged_wrongly_keeps_their_id(upgrade: Upgrade) -> None:
    wrong = _wrongly_merged(upgrade.before)
    own_ids = _ids_of_truth(upgrade.before.filter(~pl.col("person_id").is_in(list(wrong))))
    both = upgrade.before.join(upgrade.after, on=ROW, suffix="_after")
    kept = both.filter(~pl.col("person_id").is_in(list(wrong)))
    assert kept.height > 0
    for key, old_id, new_id in kept.select("true_key", "person_id", "person_id_after").iter_rows():
        assert new_id == old_id or new_id in own_ids[key], (key, old_id, new_id)
    assert (kept["person_id"] == kept["person_id_after"]).mean() > 0.95


def test_now_every_true_person_is_one_person(upgrade: Upgrade) -> None:
    per_person = upgrade.after.group_by("person_id").agg(pl.col("true_key").n_unique())
    assert per_person["true_key"].max() == 1
    per_truth = upgrade.after.group_by("true_key").agg(pl.col("person_id").n_unique())
    assert per_truth["person_id"].max() == 1


def test_a_family_id_stays_with_the_member_whose_nik_it_was_else_the_head(
    upgrade: Upgrade,
) -> None:
    members = {m.key: m for f in FAMILIES.values() for m in f}
    both = upgrade.before.join(upgrade.after, on=ROW, suffix="_after")
    wrong = _wrongly_merged(upgrade.before)
    assert wrong
    own_ids = _ids_of_truth(upgrade.before.filter(~pl.col("person_id").is_in(list(wrong))))
    split = upgrade.changes.filter(pl.col("change_type") == "split")
    for old_id in wrong:
        rows = both.filter(pl.col("person_id") == old_id)
        published_nik = upgrade.persons_before.filter(pl.col("person_id") == old_id)["nik"][0]
        keepers = rows.filter(pl.col("person_id_after") == old_id)["true_key"].unique()
        assert keepers.len() == 1, old_id
        keeper = members[keepers[0]]
        owners = [k for k in rows["true_key"].unique() if members[k].nik == published_nik]
        if owners:
            assert keeper.key == owners[0], old_id
        else:
            assert keeper.relation == "KEPALA KELUARGA", old_id
        for key, new_id in (
            rows.filter(pl.col("person_id_after") != old_id)
            .select("true_key", "person_id_after")
            .unique()
            .iter_rows()
        ):
            split_off = split.filter(
                (pl.col("entity_id") == new_id) & (pl.col("related_id") == old_id)
            )
            assert split_off.height == 1 or new_id in own_ids.get(key, set()), (old_id, key)


def test_rows_sent_upward_as_duplicates_of_another_person_are_cancelled(upgrade: Upgrade) -> None:
    old = pl.read_parquet(FIXTURE / "published_deactivations.parquet").filter(
        pl.col("reason_code") == "GANDA"
    )
    truth = {(f, r): k for (f, r), k in exports_truth().items()}
    wrongly_listed = {
        (f, r)
        for f, r, fk, rk in old.select(
            "source_file", "source_row", "source_file_kept", "source_row_kept"
        ).iter_rows()
        if truth[(f, r)] != truth[(fk, rk)]
    }
    assert wrongly_listed
    deactivated_now = {(r["FILE"], int(r["BARIS"])) for r in upgrade.deactivated}
    cancelled = {(r["FILE"], int(r["BARIS"])) for r in upgrade.cancelled}
    assert wrongly_listed - deactivated_now
    assert wrongly_listed - deactivated_now <= cancelled
    assert not cancelled & deactivated_now
    assert all(r["ALASAN"] == "BATAL_GANDA" and r["KETERANGAN"] for r in upgrade.cancelled)


def test_a_clerks_decision_on_a_family_id_is_voided_counted_and_queued_again(
    upgrade: Upgrade,
) -> None:
    assert upgrade.match.count_voided_decisions == 1
    assert upgrade.match.count_requeued_pairs >= 1
