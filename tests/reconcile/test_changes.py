"""The change log and the deactivation list, case by case."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from dtks.reconcile.changes import entity_changes
from dtks.reconcile.deactivations import deactivations

TRACKED = ("village", "nama", "nik", "nama_ibu_kandung")
NO_MERGES = pl.DataFrame(schema={"merged_id": pl.String, "into_id": pl.String})
NO_SPLITS = pl.DataFrame(schema={"entity_id": pl.String, "related_id": pl.String})


def snapshot(*rows: tuple[str, str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "person_id": pid,
                "village": "kapong",
                "nama": nama,
                "nik": nik,
                "nama_ibu_kandung": "MARYAM",
            }
            for pid, nama, nik in rows
        ],
        schema={c: pl.String for c in ("person_id", *TRACKED)},
    )


def changes(
    previous: pl.DataFrame | None,
    current: pl.DataFrame,
    merges: pl.DataFrame = NO_MERGES,
    splits: pl.DataFrame = NO_SPLITS,
) -> set[tuple[Any, ...]]:
    frame = entity_changes("person", "person_id", TRACKED, previous, current, merges, splits, "r")
    return set(
        frame.select(
            "entity_id", "change_type", "field", "old_value", "new_value", "related_id"
        ).iter_rows()
    )


BEFORE = snapshot(("P1", "SITI", "3528114506890001"), ("P2", "ALI", None), ("P3", "UMAR", None))

CASES = [
    pytest.param(
        None,
        BEFORE,
        {},
        set(),
        {(p, "new", None, None, None, None) for p in ("P1", "P2", "P3")},
        id="first_publish_everything_new",
    ),
    pytest.param(BEFORE, BEFORE, {}, set(), set(), id="nothing_changed"),
    pytest.param(
        BEFORE,
        snapshot(
            ("P1", "SITI AMINAH", "3528114506890001"), ("P2", "ALI", None), ("P3", "UMAR", None)
        ),
        {},
        set(),
        {("P1", "updated", "nama", "SITI", "SITI AMINAH", None)},
        id="updated_field_with_old_and_new_value",
    ),
    pytest.param(
        BEFORE,
        snapshot(("P1", "SITI", "3528114506890009"), ("P2", "ALI", None), ("P3", "UMAR", None)),
        {},
        set(),
        {("P1", "updated", "nik", "352811********01", "352811********09", None)},
        id="nik_change_is_masked",
    ),
    pytest.param(
        BEFORE,
        snapshot(("P1", "SITI", "3528114506890001"), ("P2", "ALI", None)),
        {},
        set(),
        {("P3", "removed", None, None, None, None)},
        id="removed",
    ),
    pytest.param(
        BEFORE,
        snapshot(("P1", "SITI", "3528114506890001"), ("P2", "ALI", None)),
        {"P3": "P2"},
        set(),
        {("P3", "merged", None, None, None, "P2")},
        id="merged_into_the_survivor",
    ),
    pytest.param(
        BEFORE,
        snapshot(
            *[
                ("P1", "SITI", "3528114506890001"),
                ("P2", "ALI", None),
                ("P3", "UMAR", None),
                ("P4", "ALI", None),
            ]
        ),
        {},
        {("P4", "P2")},
        {("P4", "split", None, None, None, "P2")},
        id="split_off_names_the_id_it_left",
    ),
]


@pytest.mark.parametrize(("previous", "current", "merged", "split", "expected"), CASES)
def test_change_log(
    previous: pl.DataFrame | None,
    current: pl.DataFrame,
    merged: dict[str, str],
    split: set[tuple[str, str]],
    expected: set[tuple[Any, ...]],
) -> None:
    merges = pl.DataFrame(
        {"merged_id": list(merged), "into_id": list(merged.values())},
        schema={"merged_id": pl.String, "into_id": pl.String},
    )
    splits = pl.DataFrame(
        sorted(split), schema={"entity_id": pl.String, "related_id": pl.String}, orient="row"
    )
    assert changes(previous, current, merges, splits) == expected


def test_mothers_name_is_masked_in_the_log() -> None:
    after = BEFORE.with_columns(
        pl.when(pl.col("person_id") == "P2")
        .then(pl.lit("HALIMAH"))
        .otherwise("nama_ibu_kandung")
        .alias("nama_ibu_kandung")
    )
    assert changes(BEFORE, after) == {
        ("P2", "updated", "nama_ibu_kandung", "M*****", "H******", None)
    }


def _rows(*rows: dict[str, Any]) -> pl.DataFrame:
    base = {
        "village": "kapong",
        "desa_kode": "35.28.11.2007",
        "desa_nama": "Kapong",
        "source_file": "kapong/a.csv",
        "source_sheet": "",
        "iddtks": None,
        "nik": None,
        "no_kk": None,
        "nama": "SITI",
        "tanggal_lahir": None,
        "keterangan_kode": None,
    }
    return pl.DataFrame(
        [{**base, "source_row": i, "source_row_key": f"k{i}", **r} for i, r in enumerate(rows, 1)]
    )


DEACTIVATION_CASES = [
    pytest.param(
        [{"person_id": "P1", "iddtks": "ID1"}, {"person_id": "P1", "iddtks": "ID2"}],
        [("P1", False, "k1")],
        [(2, "GANDA", "ID1")],
        id="duplicate_names_the_record_kept",
    ),
    pytest.param(
        [{"person_id": "P1"}, {"person_id": "P1", "keterangan_kode": "MENINGGAL"}],
        [("P1", True, "k1")],
        [(1, "MENINGGAL", None), (2, "MENINGGAL", None)],
        id="deceased_every_row",
    ),
    pytest.param(
        [
            {"person_id": "P1", "keterangan_kode": "PINDAH", "iddtks": "ID1"},
            {"person_id": "P1", "iddtks": "ID2"},
        ],
        [("P1", False, "k2")],
        [(1, "PINDAH", "ID2")],
        id="moved_row_names_where_the_person_lives_now",
    ),
    pytest.param(
        [{"person_id": "P1"}],
        [("P1", False, "k1")],
        [],
        id="single_active_row_is_kept",
    ),
]


@pytest.mark.parametrize(("rows", "persons", "expected"), DEACTIVATION_CASES)
def test_deactivations(
    rows: list[dict[str, Any]],
    persons: list[tuple[str, bool, str]],
    expected: list[tuple[int, str, str | None]],
) -> None:
    people = pl.DataFrame(
        persons, schema=["person_id", "is_deceased", "primary_source_row_key"], orient="row"
    )
    result = deactivations(_rows(*rows), people)
    assert result.select("source_row", "reason_code", "iddtks_kept").rows() == expected
