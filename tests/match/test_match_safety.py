"""The safety line: rows that differ in two of sex, birth date and name are two people,
whatever IDDTKS, NIK or KK they share; null never counts as agreement."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import polars as pl
import pytest
from match_rows import background, clean_frame, nik_for, person

from dtks.match import MatchSettings, find_duplicates
from dtks.match.dedupe import _safety_line_in_big_clusters
from dtks.match.features import build_features
from dtks.match.safety import crossing_pairs
from dtks.match.shared_nik import mark_shared_niks

HEAD_BORN = dt.date(1970, 5, 14)
WIFE_BORN = dt.date(1975, 3, 9)


def _row(nama: str | None, born: dt.date | None, sex: str | None, **more: Any) -> dict[str, Any]:
    return {
        "nama_key": nama,
        "tanggal_lahir": born,
        "jenis_kelamin": sex,
        "tanggal_lahir_from_nik": more.get("from_nik", False),
        "tanggal_lahir_is_placeholder": more.get("placeholder", False),
        "nama_gelar": more.get("gelar"),
    }


# (description, row a, row b, crosses the line)
LINE_CASES = [
    (
        "husband and wife: name and sex differ",
        _row("AHMAD FAUZI", HEAD_BORN, "L"),
        _row("SITI AMINAH", WIFE_BORN, "P"),
        True,
    ),
    (
        "father and son: same sex, name and birth date differ",
        _row("MOH ALI", HEAD_BORN, "L"),
        _row("HASAN BASRI", dt.date(1995, 1, 2), "L"),
        True,
    ),
    (
        "wife whose date was filled in from the head's NIK, no sex: the date is unknown, "
        "the name differs and nothing agrees",
        _row("AHMAD FAUZI", HEAD_BORN, "L"),
        _row("SITI AMINAH", HEAD_BORN, None, from_nik=True),
        True,
    ),
    (
        "only the name is known on one side and it differs",
        _row("AHMAD FAUZI", HEAD_BORN, "L"),
        _row("ZAINAB", None, None),
        True,
    ),
    (
        "one person: name respelt, day and month swapped",
        _row("SITI AMINAH", dt.date(1975, 3, 9), "P"),
        _row("SITI AMINA", dt.date(1975, 9, 3), "P"),
        False,
    ),
    (
        "one person: birth date one digit apart, sex mistyped",
        _row("SITI AMINAH", dt.date(1975, 3, 9), "P"),
        _row("SITI AMINAH", dt.date(1975, 3, 8), "L"),
        False,
    ),
    (
        "one person: the short name is contained in the long one",
        _row("MOH ALI", HEAD_BORN, "L"),
        _row("MOH ALI AKBAR", dt.date(1970, 5, 24), "L"),
        False,
    ),
    (
        "twins with nearly the same name: left to the other rules",
        _row("AHMAD", HEAD_BORN, "L"),
        _row("AHMADI", HEAD_BORN, "L"),
        False,
    ),
    (
        "new name after the hajj: birth date and sex agree",
        _row("SITI AMINAH", WIFE_BORN, "P"),
        _row("ZAINAB", WIFE_BORN, "P", gelar="HJ."),
        False,
    ),
    (
        "placeholder date in the same year says nothing: name differs, sex agrees",
        _row("SITI AMINAH", WIFE_BORN, "P"),
        _row("ROMLAH", dt.date(1975, 1, 1), "P", placeholder=True),
        False,
    ),
    (
        "birth dates years apart and sex differs, name equal",
        _row("NUR HASANAH", HEAD_BORN, "L"),
        _row("NUR HASANAH", dt.date(2001, 7, 30), "P"),
        True,
    ),
]


@pytest.mark.parametrize(("description", "a", "b", "crosses"), LINE_CASES)
def test_the_safety_line_separates_two_people_only(
    description: str, a: dict[str, Any], b: dict[str, Any], crosses: bool
) -> None:
    rows = pl.DataFrame([{"group": "p", **a}, {"group": "p", **b}])
    assert crossing_pairs(rows, "group").height == int(crosses), description


FAMILY_ID = "3528110000123"
KK = "3528111207080004"
FAMILY = {"iddtks": FAMILY_ID, "no_kk": KK, "dusun": "LAOK", "rt": "002", "rw": "001"}
HEAD_NIK = nik_for(HEAD_BORN, "L", 11)


# (name, birth date, sex, relationship, mother): one KK family, IDDTKS on every member
MEMBERS = [
    ("AHMAD FAUZI", HEAD_BORN, "L", "KEPALA KELUARGA", "MARYAM"),
    ("SITI AMINAH", WIFE_BORN, "P", "ISTRI", "HALIMAH"),
    ("NUR HASANAH", dt.date(2001, 7, 30), "P", "ANAK", "SITI AMINAH"),
    ("MOH ROSYID", dt.date(2004, 2, 11), "L", "ANAK", "SITI AMINAH"),
]


def _family() -> list[dict[str, Any]]:
    return [
        person(
            nama,
            born,
            sex=sex,
            serial=11 + i,
            row=2 + i,
            hubungan_keluarga=relation,
            nama_ibu_key=mother,
            **FAMILY,
        )
        for i, (nama, born, sex, relation, mother) in enumerate(MEMBERS)
    ]


FAST = MatchSettings(u_sample_pairs=100_000)
BACKGROUND = background(800)

# (description, rows, groups of row indices that must each be one person, all others apart)
END_TO_END = [
    ("a family whose IDDTKS is repeated on every member", _family(), []),
    (
        "a family without NIKs whose IDDTKS is repeated on every member",
        [
            dict(r, nik=None, nik_is_valid=False, nik_birth_date=None, nik_sex=None)
            for r in _family()
        ],
        [],
    ),
    (
        "the family twice (two exports), IDDTKS on every member",
        _family() + [dict(r, source_row=r["source_row"] + 20) for r in _family()],
        [(0, 4), (1, 5), (2, 6), (3, 7)],
    ),
    (
        "the wife carries the head's NIK",
        [
            _family()[0],
            dict(_family()[1], nik=HEAD_NIK, nik_birth_date=HEAD_BORN, nik_sex="L"),
        ],
        [],
    ),
    (
        "a child under the parent's NIK, birth date filled in from it, no sex",
        [
            _family()[0],
            dict(
                _family()[3],
                nik=HEAD_NIK,
                nik_birth_date=HEAD_BORN,
                nik_sex="L",
                tanggal_lahir=HEAD_BORN,
                tanggal_lahir_from_nik=True,
                jenis_kelamin=None,
            ),
        ],
        [],
    ),
]


@pytest.mark.parametrize(("description", "rows", "same"), END_TO_END)
def test_family_ids_and_borrowed_niks_never_merge_different_people(
    description: str, rows: list[dict[str, Any]], same: list[tuple[int, ...]]
) -> None:
    result = find_duplicates(clean_frame(rows + BACKGROUND), settings=FAST)
    ids = result.clusters["cluster_id"].to_list()[: len(rows)]
    expected = list(range(len(rows)))
    for group in same:
        for index in group:
            expected[index] = group[0]
    assert [ids.index(i) for i in ids] == [ids.index(ids[e]) for e in expected], description
    crossing = crossing_pairs(clean_frame(rows).with_columns(pl.Series("person", ids)), "person")
    assert crossing.is_empty(), description


def test_a_clerks_sama_cannot_carry_a_pair_across_the_line() -> None:
    head, wife = (dict(r, iddtks=None) for r in _family()[:2])
    frame = clean_frame([head, wife, *BACKGROUND])
    keys = build_features(frame)["record_key"].to_list()
    decisions = pl.DataFrame(
        {"record_key_l": [keys[0]], "record_key_r": [keys[1]], "decision": ["sama"]}
    )
    result = find_duplicates(frame, decisions, FAST)
    ids = result.clusters["cluster_id"].to_list()
    assert ids[0] != ids[1]
    pair = result.pairs.filter((pl.col("row_id_l") == 0) & (pl.col("row_id_r") == 1))
    assert pair["hard_rule"].to_list() == ["safety_line"]


def test_clusters_too_big_for_the_full_check_are_checked_against_the_line() -> None:
    family = _family()
    features = build_features(mark_shared_niks(clean_frame(family)))
    labels = np.zeros(len(family), dtype=np.int64)  # one cluster of four rows, nothing scored
    scored = pl.DataFrame(schema={"row_id_l": pl.UInt32, "row_id_r": pl.UInt32})
    settings = MatchSettings(cluster_check_max_size=2, safety_check_max_size=10)
    found = _safety_line_in_big_clusters(features, labels, scored, settings)
    # every pair of the four differs in two of name, birth date and sex
    assert sorted(found.rows()) == [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]


SHARED_NIK_CASES = [
    (
        "the wife carries the head's NIK: only the head fits it",
        [("AHMAD FAUZI", HEAD_BORN, "L"), ("SITI AMINAH", WIFE_BORN, "P")],
        [(True, True), (True, False)],
    ),
    (
        "one person listed twice under one NIK: not shared",
        [("AHMAD FAUZI", HEAD_BORN, "L"), ("AHMAD FAUZI", HEAD_BORN, "L")],
        [(False, True), (False, True)],
    ),
    (
        "a son under his father's NIK, names alike, same sex: his birth date contradicts it",
        [("MUHAMMAD MAHFUD", HEAD_BORN, "L"), ("MUHAMMAD SUPARDI", dt.date(2015, 4, 22), "L")],
        [(True, True), (True, False)],
    ),
    (
        "one person twice under one NIK, one birth date a digit off: not shared",
        [("AHMAD FAUZI", HEAD_BORN, "L"), ("AHMAD FAUZI", dt.date(1970, 5, 15), "L")],
        [(False, True), (False, False)],
    ),
    (
        "two people on a NIK that fits neither",
        [("AHMAD FAUZI", dt.date(1969, 1, 2), "L"), ("SITI AMINAH", WIFE_BORN, "P")],
        [(True, False), (True, False)],
    ),
]


@pytest.mark.parametrize(("description", "people", "expected"), SHARED_NIK_CASES)
def test_a_nik_on_two_people_is_marked_shared_and_its_owner_found(
    description: str, people: list[tuple[str, dt.date, str]], expected: list[tuple[bool, bool]]
) -> None:
    rows = [
        person(nama, born, sex=sex, nik=HEAD_NIK, row=2 + i)
        for i, (nama, born, sex) in enumerate(people)
    ]
    marked = mark_shared_niks(clean_frame(rows))
    assert marked.select("nik_is_shared", "nik_fits_row").rows() == expected, description
