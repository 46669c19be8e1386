"""Stable record keys: the same record gets the same key in every export; no NIK shows in a key."""

from __future__ import annotations

import datetime as dt

import pytest
from match_rows import clean_frame, person

from dtks.match import record_keys

BORN = dt.date(1980, 5, 17)


@pytest.mark.parametrize(
    ("description", "a", "b", "same_key"),
    [
        (
            "same IDDTKS, re-exported at another row",
            {"iddtks": "X1", "row": 2},
            {"iddtks": "X1", "row": 90},
            True,
        ),
        (
            "same IDDTKS, name corrected",
            {"iddtks": "X1"},
            {"iddtks": "X1", "nama_key": "SITI AMINA"},
            True,
        ),
        ("different IDDTKS", {"iddtks": "X1"}, {"iddtks": "X2"}, False),
        ("no IDDTKS: same NIK, name, birth date, other row", {"row": 2}, {"row": 40}, True),
        ("no IDDTKS: same NIK, other name", {}, {"nama_key": "SITI ROMLAH"}, False),
        (
            "no NIK: same name, date, mother, village",
            {"serial": None},
            {"serial": None, "row": 9},
            True,
        ),
        (
            "no NIK: other mother",
            {"serial": None},
            {"serial": None, "nama_ibu_key": "HALIMAH"},
            False,
        ),
    ],
)
def test_record_key_survives_reexport(description: str, a: dict, b: dict, same_key: bool) -> None:
    base = {"nama_ibu_key": "MARYAM"}
    rows = [
        person("SITI AMINAH", BORN, **{**base, **a}),
        person("SITI AMINAH", BORN, **{**base, **b}),
    ]
    keys = record_keys(clean_frame(rows)).to_list()
    assert (keys[0] == keys[1]) is same_key, description


def test_record_key_never_shows_the_nik() -> None:
    row = person("SITI AMINAH", BORN)
    key = record_keys(clean_frame([row]))[0]
    assert row["nik"] not in key and "SITI" not in key
    assert key.startswith("N-")


def test_record_key_kind_letter() -> None:
    rows = [person("A", BORN, iddtks="X"), person("B", BORN), person("C", BORN, serial=None)]
    assert [k[:2] for k in record_keys(clean_frame(rows))] == ["D-", "N-", "R-"]
