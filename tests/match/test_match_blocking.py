"""Blocking rules: NIK neighbourhoods find typos and truncation; huge blocks are capped and reported."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from match_rows import clean_frame, person

from dtks.match.blocking import (
    block_on,
    candidate_pairs,
    default_rules,
    nik_one_digit_keys,
    nik_transposition_keys,
    rule_pairs,
)
from dtks.match.features import build_features

BORN = dt.date(1975, 3, 4)


EXACT_NEIGHBOURHOODS = {
    "nik_one_digit": block_on(nik_one_digit_keys(), name="nik_one_digit", explode=True),
    "nik_transposition": block_on(nik_transposition_keys(), name="nik_transposition", explode=True),
}


def _rule(name: str):
    if name in EXACT_NEIGHBOURHOODS:
        return EXACT_NEIGHBOURHOODS[name]
    return next(r for r in default_rules() if r.name == name)


@pytest.mark.parametrize(
    ("description", "rule", "nik_a", "nik_b", "paired"),
    [
        ("same NIK", "same_nik", "3528110403750001", "3528110403750001", True),
        ("one digit typed wrong", "nik_one_digit", "3528110403750001", "3528110403750007", True),
        (
            "one digit wrong in the region",
            "nik_one_digit",
            "3528110403750001",
            "3528210403750001",
            True,
        ),
        ("two digits wrong", "nik_one_digit", "3528110403750001", "3528110403750077", False),
        (
            "adjacent digits swapped",
            "nik_transposition",
            "3528110403750012",
            "3528110403750021",
            True,
        ),
        (
            "non-adjacent digits swapped",
            "nik_transposition",
            "3528110403750102",
            "3528110403750201",
            False,
        ),
        (
            "Excel truncated the 16th digit",
            "nik_first_15",
            "3528110403750001",
            "3528110403750000",
            True,
        ),
        (
            "typo in the serial, same birth date",
            "nik_typo_after_region",
            "3528110403750001",
            "3528110403750004",
            True,
        ),
        (
            "typo in the region, same birth date",
            "nik_typo_in_region",
            "3528110403750001",
            "3528170403750001",
            True,
        ),
        (
            "swap in the serial, same birth date",
            "nik_typo_after_region",
            "3528110403750012",
            "3528110403750021",
            True,
        ),
    ],
)
def test_nik_rules_pair_close_niks(
    description: str, rule: str, nik_a: str, nik_b: str, paired: bool
) -> None:
    rows = [person("ALI", BORN, nik=nik_a, row=2), person("ALI", BORN, nik=nik_b, row=3)]
    pairs, _ = rule_pairs(build_features(clean_frame(rows)), _rule(rule))
    assert (pairs.height == 1) is paired, description


def test_huge_block_is_capped_and_reported() -> None:
    rows = [person("SITI", dt.date(1970, 1, 1), serial=i, row=i) for i in range(1, 31)]
    rule = block_on("tgl", "nama3", name="date_name", cap=10)
    pairs, reports = candidate_pairs(build_features(clean_frame(rows)), [rule])
    assert pairs.height == 0
    assert reports[0].count_capped_blocks == 1
    assert reports[0].largest_capped_block == 30


def test_pair_labelled_by_first_rule_and_never_self() -> None:
    rows = [person("ALI", BORN, row=2), person("ALI", BORN, row=3), person("BUDI", BORN, serial=9)]
    pairs, reports = candidate_pairs(build_features(clean_frame(rows)), default_rules())
    assert pairs.filter(pl.col("row_id_l") >= pl.col("row_id_r")).height == 0
    assert pairs.filter((pl.col("row_id_l") == 0) & (pl.col("row_id_r") == 1))[
        "blocking_rule"
    ].to_list() == ["same_nik"]
    assert pairs.select("row_id_l", "row_id_r").is_duplicated().sum() == 0
    assert {r.rule for r in reports} == {r.name for r in default_rules()}


@pytest.mark.parametrize(
    ("description", "nik_b"),
    [
        ("typo in the birth year inside the NIK", "3528110403760001"),
        ("typo in the NIK's region", "3528170403750001"),
    ],
)
def test_nik_typo_is_found_when_the_typed_birth_date_is_wrong_too(
    description: str, nik_b: str
) -> None:
    rows = [
        person("ALI AKBAR", BORN, nik="3528110403750001", row=2, nama_ibu_key="SITI"),
        person("ALI AKBAR", dt.date(1975, 4, 3), nik=nik_b, row=3, nama_ibu_key="SITI"),
    ]
    pairs, _ = candidate_pairs(build_features(clean_frame(rows)), default_rules())
    assert pairs["blocking_rule"].to_list()[:1] in (["nik_first_half"], ["nik_second_half"]), (
        description
    )
