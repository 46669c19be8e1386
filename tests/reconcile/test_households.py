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


def sources_in_file_order(frame: pl.DataFrame, file: str = "kapong/DATA.xlsx") -> pl.DataFrame:
    """One source row per person, listed in the file in the order of `frame`."""
    return frame.select(
        "person_id",
        pl.lit(file).alias("source_file"),
        pl.lit("Sheet1").alias("source_sheet"),
        (pl.int_range(pl.len()) + 2).alias("source_row"),
        "no_kk",
        "no_kk_is_valid",
        "no_kk_possibly_truncated",
    )


def households_from_file(frame: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    return build_households(frame, household_keys(frame, sources))


CUT_ROW = {"no_kk": CUT, "no_kk_possibly_truncated": True}
OTHER = {"no_kk": "3528110303990001", **HEAD, "nama": "OTHER"}  # not issued the same day


def test_a_cut_kk_joins_the_family_listed_next_to_it() -> None:
    frame = persons(HEAD, CUT_ROW, OTHER, {"no_kk": KK2, "village": "blaban", **HEAD})
    result = households_from_file(frame, sources_in_file_order(frame)).sort("no_kk")
    assert result.select("no_kk", "count_members", "no_kk_repaired").rows() == [
        (KK1, 2, True),
        (KK2, 1, False),
        (OTHER["no_kk"], 1, False),
    ]


def test_a_family_whose_kk_was_saved_as_a_number_is_not_joined_to_a_neighbour() -> None:
    """A lone head whose KK (KK2) went through a number cell and lost its 16th digit, listed
    among other families; the only sound KK sharing its 15 digits (KK1) is the neighbour's,
    listed further down. Completing from it would give KK1 two heads: the family keeps its
    doubtful number instead."""
    other = OTHER["no_kk"]
    frame = persons({**HEAD, **CUT_ROW, "nama": "LONE HEAD"}, OTHER, {"no_kk": other}, HEAD, {})
    result = households_from_file(frame, sources_in_file_order(frame)).sort("no_kk")
    assert result.select("no_kk", "count_members", "count_heads", "no_kk_repaired").rows() == [
        (CUT, 1, 1, False),
        (KK1, 2, 1, False),
        (other, 2, 1, False),
    ]
    cut = result.filter(pl.col("no_kk") == CUT).row(0, named=True)
    assert cut["is_kk_malformed"]


def test_a_block_of_cut_rows_joins_the_family_it_continues() -> None:
    frame = persons(HEAD, CUT_ROW, CUT_ROW, OTHER, {"no_kk": KK2, **HEAD})
    result = households_from_file(frame, sources_in_file_order(frame)).sort("no_kk")
    assert result.select("no_kk", "count_members").rows() == [
        (KK1, 3),
        (KK2, 1),
        (OTHER["no_kk"], 1),
    ]


def test_a_cut_kk_between_two_candidate_families_is_left_alone_and_flagged() -> None:
    # KK1 above, KK2 below, both share the cut number's 15 digits: which one is not known
    frame = persons(HEAD, CUT_ROW, {"no_kk": KK2, **HEAD})
    result = households_from_file(frame, sources_in_file_order(frame))
    cut = result.filter(pl.col("no_kk") == CUT).row(0, named=True)
    assert (cut["count_members"], cut["is_kk_malformed"]) == (1, True)


def test_without_source_rows_no_kk_is_completed() -> None:
    frame = persons(HEAD, CUT_ROW)
    assert not household_keys(frame)["no_kk_repaired"].any()


def test_persons_without_a_kk_belong_to_no_household() -> None:
    assert household_keys(persons(HEAD, {"no_kk": None}))["person_id"].to_list() == ["P1"]
