"""Golden records: each survivorship rule, one case each, on a person listed in several rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from dtks.clean import CLEAN_SCHEMA
from dtks.reconcile.golden import RECENCY, golden_persons, primary_rows

NIK_F = "3528114506890001"  # woman born 05-06-1989
NIK_G = "3528114506890002"
BORN = date(1989, 6, 5)
OLD, NEW = date(2026, 1, 1), date(2026, 9, 1)


def sources(*rows: dict[str, Any]) -> pl.DataFrame:
    """Clean rows of person P1 (unless said otherwise), numbered 1.. in the order given."""
    schema = {
        "person_id": pl.String(),
        "record_key": pl.String(),
        "source_row_key": pl.String(),
        RECENCY: pl.Date(),
        **CLEAN_SCHEMA,
    }
    records = []
    for number, row in enumerate(rows, start=1):
        records.append(
            {
                "person_id": "P1",
                "record_key": f"K{number}",
                "source_row_key": f"a.csv||{number}",
                "village": "kapong",
                "source_file": "kapong/a.csv",
                "source_sheet": "",
                "source_row": number,
                "nama": "SITI AMINAH",
                "tanggal_lahir": BORN,
                RECENCY: OLD,
                **row,
            }
        )
    return pl.DataFrame(records, schema=schema)


def sound_nik(nik: str = NIK_F, born: date = BORN, **more: Any) -> dict[str, Any]:
    return {"nik": nik, "nik_is_valid": True, "nik_birth_date": born, **more}


CASES = [
    pytest.param(
        [sound_nik(NIK_G, date(1989, 6, 6), **{RECENCY: NEW}), sound_nik(NIK_F)],
        "nik",
        NIK_F,
        "a_nik_agreeing_with_the_birth_date_beats_a_newer_one_that_does_not",
    ),
    pytest.param(
        [sound_nik(NIK_G, **{RECENCY: NEW}), sound_nik(NIK_F, padan_dukcapil=True)],
        "nik",
        NIK_F,
        "padan_dukcapil_beats_a_newer_well_formed_nik",
    ),
    pytest.param(
        [sound_nik(NIK_G, **{RECENCY: NEW, "nik_possibly_truncated": True}), sound_nik(NIK_F)],
        "nik",
        NIK_F,
        "a_nik_excel_may_have_cut_loses_to_a_sound_one",
    ),
    pytest.param(
        [{"status_kawin": "BELUM KAWIN"}, {"status_kawin": "KAWIN", RECENCY: NEW}],
        "status_kawin",
        "KAWIN",
        "the_most_recent_export_beats_an_older_one",
    ),
    pytest.param(
        [{"tempat_lahir": "PAMEKASAN"}, {"tempat_lahir": "SUMENEP"}, {"tempat_lahir": "SUMENEP"}],
        "tempat_lahir",
        "SUMENEP",
        "a_value_seen_in_more_rows_beats_a_lone_one",
    ),
    pytest.param(
        [{"pekerjaan": "PETANI"}, {"pekerjaan": None, RECENCY: NEW}],
        "pekerjaan",
        "PETANI",
        "filled_beats_empty",
    ),
    pytest.param(
        [{"nama": "SITI AMINAH"}, {"nama": "SITI AMINA", "padan_dukcapil": True}],
        "nama",
        "SITI AMINA",
        "the_name_of_a_row_matched_with_dukcapil_wins",
    ),
    pytest.param(
        [
            {"jenis_kelamin": "L", RECENCY: NEW},
            sound_nik(jenis_kelamin="P", nik_sex="P"),
        ],
        "jenis_kelamin",
        "P",
        "sex_agreeing_with_the_nik_wins",
    ),
    pytest.param(
        [
            {"tanggal_lahir": date(1989, 1, 1), "tanggal_lahir_is_placeholder": True, RECENCY: NEW},
            {"tanggal_lahir": date(1989, 6, 5)},
        ],
        "tanggal_lahir",
        date(1989, 6, 5),
        "a_real_birth_date_beats_a_newer_placeholder",
    ),
    pytest.param(
        [
            {"no_kk": "3528110101100001", "no_kk_is_valid": True, "keterangan_kode": "PINDAH"},
            {"no_kk": "3528110101100002", "no_kk_is_valid": True},
        ],
        "no_kk",
        "3528110101100002",
        "the_kk_of_the_active_listing_beats_the_one_marked_moved",
    ),
    pytest.param(
        [
            {
                "no_kk": "3528110101100001",
                "no_kk_is_valid": True,
                "no_kk_issue_date": date(2010, 1, 1),
                RECENCY: NEW,
            },
            {
                "no_kk": "3528111708230002",
                "no_kk_is_valid": True,
                "no_kk_issue_date": date(2023, 8, 17),
            },
        ],
        "no_kk",
        "3528111708230002",
        "the_kk_issued_later_beats_one_from_a_newer_export",
    ),
]


@pytest.mark.parametrize(("rows", "field", "expected", "behaviour"), CASES)
def test_survivorship(
    rows: list[dict[str, Any]], field: str, expected: Any, behaviour: str
) -> None:
    person = golden_persons(sources(*rows)).row(0, named=True)
    assert person[field] == expected, behaviour


@pytest.mark.parametrize(("rows", "field", "expected", "behaviour"), CASES)
def test_survivorship_does_not_depend_on_row_order(
    rows: list[dict[str, Any]], field: str, expected: Any, behaviour: str
) -> None:
    forward = sources(*rows)
    backward = forward.reverse()
    assert golden_persons(backward).equals(golden_persons(forward)), behaviour


def test_every_value_names_the_row_it_came_from() -> None:
    person = golden_persons(
        sources({"pekerjaan": "PETANI"}, {"pekerjaan": "NELAYAN", RECENCY: NEW}, sound_nik())
    ).row(0, named=True)
    assert person["pekerjaan_source_row_key"] == "a.csv||2"
    assert person["nik_source_row_key"] == "a.csv||3"
    assert person["count_sources"] == 3


def test_primary_row_is_the_active_listing_with_an_iddtks() -> None:
    rows = sources(
        {"iddtks": "ID1", "alamat": "DUSUN LAMA", "keterangan_kode": "PINDAH", RECENCY: NEW},
        {"iddtks": None, "alamat": "DUSUN TENGAH"},
        {"iddtks": "ID2", "alamat": "DUSUN BARU"},
    )
    primary = primary_rows(rows).row(0, named=True)
    assert (primary["iddtks"], primary["alamat"]) == ("ID2", "DUSUN BARU")


FLAG_CASES = [
    pytest.param([{"keterangan_kode": "MENINGGAL"}, {}], {"is_deceased": True, "is_active": False}),
    pytest.param([{"keterangan_kode": "PINDAH"}, {}], {"is_moved": True, "is_active": True}),
    pytest.param([{"keterangan_kode": "PINDAH"}], {"is_moved": True, "is_active": False}),
    pytest.param([{"keterangan_kode": "GANDA"}, {}], {"is_listed_as_duplicate": True}),
    pytest.param([sound_nik(), sound_nik(NIK_G)], {"count_distinct_nik": 2, "has_valid_nik": True}),
    pytest.param([{"nik": NIK_F, "nik_is_valid": False}], {"has_valid_nik": False}),
    pytest.param(
        [{"village": "kapong"}, {"village": "blaban"}],
        {"count_villages": 2, "villages": "blaban, kapong"},
    ),
]


@pytest.mark.parametrize(("rows", "expected"), FLAG_CASES)
def test_quality_flags(rows: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    person = golden_persons(sources(*rows)).row(0, named=True)
    assert {k: person[k] for k in expected} == expected


def test_nik_shared_by_two_persons_is_flagged_on_both() -> None:
    rows = sources(sound_nik(), {**sound_nik(), "person_id": "P2", "nama": "SITI ROMLAH"})
    persons = golden_persons(rows)
    assert persons["nik_shared_with_other_person"].to_list() == [True, True]


def test_a_pair_waiting_for_review_flags_both_persons() -> None:
    rows = sources({}, {"person_id": "P2"}, {"person_id": "P3"})
    pairs = pl.DataFrame(
        {
            **{f"{c}_l": [v] for c, v in (("village", "kapong"), ("source_file", "kapong/a.csv"))},
            "source_sheet_l": [""],
            "source_row_l": [1],
            **{f"{c}_r": [v] for c, v in (("village", "kapong"), ("source_file", "kapong/a.csv"))},
            "source_sheet_r": [""],
            "source_row_r": [2],
            "decision": ["review"],
            "needs_confirmation": [False],
        }
    )
    persons = golden_persons(rows, pairs)
    assert persons["needs_review"].to_list() == [True, True, False]


HEAD_NIK = "3528111203750002"  # a man born 12-03-1975
HEAD_BORN = date(1975, 3, 12)
HEAD = {"person_id": "P0", "nama": "AHMAD", "jenis_kelamin": "L", "tanggal_lahir": HEAD_BORN}
ON_HEAD_NIK = {"nik": HEAD_NIK, "nik_is_valid": True, "nik_birth_date": HEAD_BORN, "nik_sex": "L"}
# (behaviour, the wife's rows (person P1), field of P1, expected); the head P0 carries HEAD_NIK
OWN_VALUE_CASES = [
    (
        "a NIK the head carries and fits is not his wife's NIK",
        [{**ON_HEAD_NIK, "jenis_kelamin": "P"}],
        "nik",
        None,
    ),
    (
        "her own NIK on another row wins over the head's",
        [
            {**ON_HEAD_NIK, "jenis_kelamin": "P", RECENCY: NEW},
            {**sound_nik(), "jenis_kelamin": "P"},
        ],
        "nik",
        NIK_F,
    ),
    (
        "a birth date filled in from the head's NIK is not hers",
        [
            {
                **ON_HEAD_NIK,
                "jenis_kelamin": "P",
                "tanggal_lahir": HEAD_BORN,
                "tanggal_lahir_from_nik": True,
            }
        ],
        "tanggal_lahir",
        None,
    ),
    (
        "a NIK that fits neither of its two persons stays on both",
        [{**ON_HEAD_NIK, "nik_birth_date": date(1960, 1, 1), "jenis_kelamin": "P"}],
        "nik",
        HEAD_NIK,
    ),
]


@pytest.mark.parametrize(("behaviour", "rows", "field", "expected"), OWN_VALUE_CASES)
def test_nik_and_birth_date_come_from_the_persons_own_rows(
    behaviour: str, rows: list[dict[str, Any]], field: str, expected: Any
) -> None:
    head = {**ON_HEAD_NIK, **HEAD}
    if rows[0]["nik_birth_date"] != HEAD_BORN:
        head["nik_birth_date"] = rows[0]["nik_birth_date"]
    persons = golden_persons(sources(head, *rows))
    wife = persons.filter(pl.col("person_id") == "P1").row(0, named=True)
    assert wife[field] == expected, behaviour
    assert persons.filter(pl.col("person_id") == "P0")["nik"].to_list() == [HEAD_NIK]
