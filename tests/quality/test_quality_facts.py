"""The suites validate derived facts: shapes, masks, ages and counts, never raw NIK, KK or
mothers' names."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dtks.quality.facts import (
    age_years_expr,
    clean_row_facts,
    household_facts,
    person_facts,
    shape_expr,
)

NIK = "3528114506890001"
KK = "3528110101120007"
REFERENCE = date(2026, 11, 30)


def clean_row(**values: object) -> dict[str, object]:
    row: dict[str, object] = {
        "village": "kapong",
        "source_file": "kapong/a.csv",
        "source_sheet": "",
        "source_row": 2,
        "nik": NIK,
        "nik_as_written": NIK,
        "nik_is_valid": True,
        "nik_birth_date": date(1989, 6, 5),
        "nik_sex": "P",
        "no_kk": KK,
        "no_kk_as_written": KK,
        "no_kk_is_valid": True,
        "tanggal_lahir": date(1989, 6, 5),
        "jenis_kelamin": "P",
        "hubungan_keluarga": "ISTRI",
        "status_kawin": "KAWIN",
        "keterangan_kode": None,
        "rt": "003",
        "rw": "001",
        "nama_ibu_kandung": "SITI AMINAH",
    }
    row.update(values)
    return row


TYPES = {
    "nik": pl.String,
    "nik_is_valid": pl.Boolean,
    "nik_birth_date": pl.Date,
    "tanggal_lahir": pl.Date,
    "jenis_kelamin": pl.String,
    "keterangan_kode": pl.String,
}


def facts_of(*rows: dict[str, object]) -> pl.DataFrame:
    return clean_row_facts(pl.DataFrame(list(rows), schema_overrides=TYPES), REFERENCE)


@pytest.mark.parametrize(
    ("written", "shape"),
    [
        (NIK, "9999999999999999"),
        ("'" + NIK, "9999999999999999"),
        ("3,52811E+15", "9,99999A+99"),
        ("35281145068900", "99999999999999"),
        ("TIDAK ADA", "AAAAAAAA"),
        ("", None),
        (None, None),
    ],
)
def test_shape_shows_the_form_of_a_number_not_its_digits(
    written: str | None, shape: str | None
) -> None:
    assert pl.select(shape_expr(pl.lit(written, pl.String))).item() == shape


def test_clean_row_facts_hold_no_raw_nik_kk_or_mother_name() -> None:
    facts = facts_of(clean_row(), clean_row(nik=None, nik_as_written="3,52811E+15"))
    text = str(facts.to_dicts())
    assert NIK not in text and KK not in text and "AMINAH" not in text
    assert facts["nik_masked"].to_list() == ["352811********01", "3,5281***15"]
    assert facts["nama_ibu_masked"].to_list() == ["S***"] * 2


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (clean_row(), "nik_matches_birth_date", True),
        (clean_row(tanggal_lahir=date(1989, 5, 6)), "nik_matches_birth_date", False),
        (clean_row(tanggal_lahir=None), "nik_matches_birth_date", None),
        (clean_row(jenis_kelamin="L"), "nik_matches_sex", False),
        (clean_row(jenis_kelamin=None), "nik_matches_sex", None),
        (clean_row(nik=None, nik_is_valid=False), "nik_is_valid", None),
        (clean_row(nik_is_valid=False), "nik_is_valid", False),
        (clean_row(), "age_years", 37),
        (clean_row(tanggal_lahir=None), "age_years", None),
    ],
)
def test_clean_row_facts_compare_only_what_is_known(
    row: dict, column: str, expected: object
) -> None:
    assert facts_of(row)[column].item() == expected


@pytest.mark.parametrize(
    ("born", "age"),
    [(date(2000, 11, 30), 26), (date(2000, 12, 1), 25), (date(2026, 12, 31), -1)],
)
def test_age_counts_completed_years(born: date, age: int) -> None:
    assert pl.select(age_years_expr(pl.lit(born), REFERENCE)).item() == age


def test_person_facts_count_persons_sharing_a_valid_nik() -> None:
    persons = pl.DataFrame(
        {
            "person_id": ["P1", "P2", "P3", "P4"],
            "villages": ["kapong", "blaban", "kapong", "kapong"],
            "nik": [NIK, NIK, None, "3528110000000000"],
            "nik_is_valid": [True, True, None, False],
        }
    )
    facts = person_facts(persons)
    assert facts["count_persons_with_nik"].to_list() == [2, 2, None, None]
    assert NIK not in str(facts.to_dicts())


def person(pid: str, kk: str | None, relation: str, truncated: bool = False) -> dict[str, object]:
    return {
        "person_id": pid,
        "villages": "kapong",
        "no_kk": kk,
        "no_kk_possibly_truncated": truncated,
        "hubungan_keluarga": relation,
    }


def test_households_count_heads_and_rejoin_a_kk_cut_by_excel() -> None:
    cut = KK[:15] + "0"
    persons = pl.DataFrame(
        [
            person("P1", KK, "ISTRI"),
            person("P2", cut, "KEPALA KELUARGA", truncated=True),  # the head's KK lost a digit
            person("P3", "3528110202130002", "ANAK"),  # a family without head
            person("P4", None, "KEPALA KELUARGA"),  # no KK: in no household
        ]
    )
    facts = household_facts(persons)
    assert facts.sort("count_heads")[["count_members", "count_heads"]].rows() == [(1, 0), (2, 1)]
    assert KK not in str(facts.to_dicts())


def test_households_come_from_reconciliation_when_it_built_them() -> None:
    households = pl.DataFrame(
        {
            "household_id": ["H1", "H2"],
            "no_kk": [KK, "3528110202130002"],
            "villages": ["kapong", "kapong, blaban"],
            "count_members": [3, 2],
            "count_heads": [1, 2],
            "head_nama": ["X", "Y"],
        }
    )
    facts = household_facts(pl.DataFrame(), households)
    assert facts["household_key"].to_list() == ["H1", "H2"]
    assert facts["count_heads"].to_list() == [1, 2]
    assert facts["no_kk_masked"].to_list()[0] == "352811********07"
