"""Households rebuilt from golden persons: heads, flags, and KK numbers Excel cut short."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from dtks.reconcile.households import build_households, household_keys

KK1 = "3528110101100001"
KK2 = "3528110101100002"  # issued the same day: shares 15 digits with KK1
CUT = "3528110101100000"  # KK1 or KK2 after Excel dropped the last digit


def persons(*rows: dict[str, Any]) -> pl.DataFrame:
    defaults = {
        "no_kk": KK1,
        "no_kk_is_valid": True,
        "no_kk_possibly_truncated": False,
        "hubungan_keluarga": "ANAK",
        "nama": "X",
        "village": "kapong",
        "desa_kode": "35.28.11.2007",
        "desa_nama": "Kapong",
        "alamat": None,
        "dusun": None,
        "rt": None,
        "rw": None,
        "is_deceased": False,
        "count_sources": 1,
        "tanggal_lahir": date(2000, 1, 1),
    }
    records = [{"person_id": f"P{i}", **defaults, **row} for i, row in enumerate(rows, 1)]
    return pl.DataFrame(records)


def households(frame: pl.DataFrame) -> pl.DataFrame:
    return build_households(frame, household_keys(frame))


HEAD = {"hubungan_keluarga": "KEPALA KELUARGA", "nama": "SUPARDI"}

CASES = [
    pytest.param(
        [HEAD, {}, {}],
        {"count_members": 3, "head_person_id": "P1", "is_without_head": False},
        id="family_with_its_head",
    ),
    pytest.param([{}, {}], {"is_without_head": True, "head_person_id": None}, id="no_head"),
    pytest.param(
        [HEAD, {**HEAD, "nama": "B"}], {"has_two_heads": True, "count_heads": 2}, id="two_heads"
    ),
    pytest.param(
        [{**HEAD, "is_deceased": True}, {}],
        {"head_is_deceased": True, "is_without_head": False},
        id="head_deceased",
    ),
    pytest.param(
        [HEAD, {"village": "blaban"}],
        {"is_spread_over_villages": True, "villages": "blaban, kapong", "village": "kapong"},
        id="members_in_two_villages",
    ),
    pytest.param(
        [{**HEAD, "no_kk_is_valid": False}, {"no_kk_is_valid": False}],
        {"is_kk_malformed": True},
        id="kk_number_invalid",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_household_flags(rows: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    (household,) = households(persons(*rows)).to_dicts()
    assert {k: household[k] for k in expected} == expected


def test_a_cut_kk_joins_the_only_family_of_the_village_sharing_its_digits() -> None:
    frame = persons(
        HEAD,
        {"no_kk": CUT, "no_kk_is_valid": False, "no_kk_possibly_truncated": True},
        {"no_kk": KK2, "village": "blaban", **HEAD},
    )
    result = households(frame).sort("no_kk")
    assert result.select("no_kk", "count_members", "no_kk_repaired").rows() == [
        (KK1, 2, True),
        (KK2, 1, False),
    ]


def test_a_cut_kk_with_two_candidate_families_is_left_alone_and_flagged() -> None:
    frame = persons(
        HEAD,
        {"no_kk": KK2, **HEAD},
        {"no_kk": CUT, "no_kk_is_valid": False, "no_kk_possibly_truncated": True},
    )
    cut = households(frame).filter(pl.col("no_kk") == CUT).row(0, named=True)
    assert (cut["count_members"], cut["is_kk_malformed"]) == (1, True)


def test_persons_without_a_kk_belong_to_no_household() -> None:
    assert household_keys(persons(HEAD, {"no_kk": None}))["person_id"].to_list() == ["P1"]
