"""Households rebuilt from golden persons: heads, flags, and KK numbers Excel cut short."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from dtks.reconcile.households import (
    HOUSEHOLD_KEY,
    build_households,
    household_keys,
    with_listed_roles,
)

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
        pl.col("no_kk_as_written" if "no_kk_as_written" in frame.columns else "no_kk").alias(
            "no_kk_as_written"
        ),
        "no_kk_is_valid",
        "no_kk_possibly_truncated",
        "hubungan_keluarga",
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


# A KK Excel wrote in scientific notation: unreadable, only its first 6 digits survive.
SCI = {
    "no_kk": None,
    "no_kk_as_written": "3.52811E+15",
    "no_kk_is_valid": False,
    "no_kk_possibly_truncated": True,
}
SCI_HEAD = {**HEAD, **SCI, "nama": "SCI HEAD"}


def listed_households(
    frame: pl.DataFrame, sources: pl.DataFrame | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keys and households of `frame`, listed in one sheet in its order unless `sources`."""
    sources = sources if sources is not None else sources_in_file_order(frame)
    keys = household_keys(frame, sources)
    return keys, build_households(with_listed_roles(frame, keys), keys)


def household_of(keys: pl.DataFrame, person_id: str) -> str | None:
    found = keys.filter(pl.col("person_id") == person_id)[HOUSEHOLD_KEY]
    return found.item() if found.len() else None


def test_a_head_with_an_unreadable_kk_heads_the_headless_family_listed_below() -> None:
    frame = persons(
        {**HEAD, "no_kk": OTHER["no_kk"]},
        SCI_HEAD,
        {"hubungan_keluarga": "ISTRI"},
        {},
    )
    keys, result = listed_households(frame)
    assert household_of(keys, "P2") == KK1
    assert keys.filter(pl.col("person_id") == "P2")["no_kk_repaired"].item()
    family = result.filter(pl.col("no_kk") == KK1).row(0, named=True)
    assert (family["count_members"], family["head_person_id"], family["no_kk_repaired"]) == (
        3,
        "P2",
        True,
    )
    head = with_listed_roles(frame, keys).filter(pl.col("person_id") == "P2")
    assert head["hubungan_keluarga"].item() == "KEPALA KELUARGA"


LEFT_ALONE = [
    pytest.param([SCI_HEAD, HEAD, {}], id="the_row_below_is_a_head"),
    pytest.param([SCI_HEAD, {}, HEAD], id="the_family_below_has_its_own_head"),
    pytest.param([SCI_HEAD, {}, {"no_kk": OTHER["no_kk"]}], id="the_rows_below_carry_two_kks"),
    pytest.param(
        [SCI_HEAD, {}, {"no_kk": None, "no_kk_is_valid": False}],
        id="a_row_below_has_no_kk",
    ),
    pytest.param(
        [{**SCI_HEAD, "no_kk_as_written": "3.52812E+15"}, {}],
        id="the_kk_below_does_not_begin_with_the_digits_excel_kept",
    ),
    pytest.param([{}, SCI_HEAD], id="the_family_is_listed_above_the_head"),
]


@pytest.mark.parametrize("rows", LEFT_ALONE)
def test_a_head_with_an_unreadable_kk_is_left_without_a_family(rows: list[dict[str, Any]]) -> None:
    frame = persons(*rows)
    keys, _ = listed_households(frame)
    sci_head = next(i for i, row in enumerate(rows, 1) if row.get("nama") == "SCI HEAD")
    assert household_of(keys, f"P{sci_head}") is None


def test_a_head_with_an_unreadable_kk_does_not_join_a_family_in_another_sheet() -> None:
    frame = persons(SCI_HEAD, {}, {})
    sources = sources_in_file_order(frame).with_columns(
        pl.when(pl.col("person_id") == "P1")
        .then(pl.lit("Sheet2"))
        .otherwise(pl.col("source_sheet"))
        .alias("source_sheet")
    )
    keys, result = listed_households(frame, sources)
    assert household_of(keys, "P1") is None
    assert result.filter(pl.col("no_kk") == KK1)["is_without_head"].to_list() == [True]


def test_two_heads_with_unreadable_kks_above_one_family_head_none_of_it() -> None:
    frame = persons(SCI_HEAD, {}, {**SCI_HEAD, "nama": "SCI HEAD 2"}, {})
    keys, _ = listed_households(frame)
    assert (household_of(keys, "P1"), household_of(keys, "P3")) == (None, None)


def test_a_member_with_an_unreadable_kk_between_two_rows_of_one_family_joins_it() -> None:
    frame = persons(HEAD, {}, {**SCI, "hubungan_keluarga": "ANAK"}, {})
    keys, result = listed_households(frame)
    assert household_of(keys, "P3") == KK1
    assert result.select("no_kk", "count_members", "count_heads", "no_kk_repaired").rows() == [
        (KK1, 4, 1, True)
    ]


MEMBER_LEFT_ALONE = [
    pytest.param([HEAD, SCI, {"no_kk": KK2, **HEAD}], id="between_two_families"),
    pytest.param([HEAD, SCI], id="last_row_of_the_sheet"),
    pytest.param([HEAD, SCI, HEAD], id="above_another_head_of_the_same_kk"),
    pytest.param([HEAD, {**SCI, **HEAD, "nama": "LEADS"}, {}], id="listed_as_a_head"),
]


@pytest.mark.parametrize("rows", MEMBER_LEFT_ALONE)
def test_a_member_with_an_unreadable_kk_is_left_alone(rows: list[dict[str, Any]]) -> None:
    keys, _ = listed_households(persons(*rows))
    assert household_of(keys, "P2") is None


def test_a_desil_row_naming_the_head_whose_kk_was_unreadable_finds_the_family_below() -> None:
    """The desil list gives the head's NIK only: the head, completed into the family listed
    below, is its head, so the row matches by the head's NIK (it matched nothing before)."""
    from dtks.desil import match_desil
    from dtks.ingest import DESIL_ROWS_SCHEMA

    head_nik = "3528111203800001"
    frame = persons(SCI_HEAD, {"hubungan_keluarga": "ISTRI"}, {}).with_columns(
        pl.Series("nik", [head_nik, "3528115506820002", "3528110807030003"]),
        pl.lit(True).alias("nik_is_valid"),
        pl.lit(False).alias("nik_possibly_truncated"),
        pl.lit(False).alias("nik_shared_with_other_person"),
    )
    keys, result = listed_households(frame)
    households = result.with_columns(pl.col("no_kk").alias("household_id"))
    registry = frame.join(
        keys.select("person_id", pl.col(HOUSEHOLD_KEY).alias("household_id")),
        on="person_id",
        how="left",
    )
    row = {"source_file": "kapong/desil.csv", "source_sheet": "", "source_row": 5}
    row |= {"row_kind": "data", "row_unit": "keluarga", "nik": head_nik, "desil_text": "3"}
    schema = {**DESIL_ROWS_SCHEMA, "village": pl.String()}
    rows = pl.DataFrame([{**row, "village": "kapong"}]).select(
        pl.col(c).cast(t) if c in row or c == "village" else pl.lit(None, t).alias(c)
        for c, t in schema.items()
    )
    matched, _ = match_desil(rows, registry, households, None)
    assert matched.select("status", "matched_by", "household_id").row(0) == (
        "cocok",
        "nik_kepala",
        KK1,
    )


def test_a_second_listing_put_inside_a_family_does_not_hide_the_head_above_it() -> None:
    """A person listed twice in the sheet (P3, under KK2 in both places) sits between the
    head and the family: the listing is read without that second listing."""
    frame = persons(SCI_HEAD, {"no_kk": KK2}, {"hubungan_keluarga": "ISTRI"}, {})
    sources = sources_in_file_order(frame)
    again = sources.filter(pl.col("person_id") == "P2").with_columns(
        pl.lit(40, pl.Int64).alias("source_row")
    )
    keys, result = listed_households(frame, pl.concat([sources, again]))
    assert household_of(keys, "P1") == KK1
    assert result.filter(pl.col("no_kk") == KK1)["count_members"].item() == 3


def test_a_row_of_another_family_listed_once_still_parts_the_head_from_the_family() -> None:
    frame = persons(SCI_HEAD, {"no_kk": KK2}, {"hubungan_keluarga": "ISTRI"}, {})
    keys, _ = listed_households(frame)
    assert household_of(keys, "P1") is None


HEAD_NIK, WIFE_NIK = "3528111203800001", "3528115506820002"
KK_LISTED = "3528112003100003"  # the whole number the ranking list writes


def named(nik: str = HEAD_NIK, no_kk: str = KK_LISTED) -> pl.DataFrame:
    return pl.DataFrame({"nik": [nik], "no_kk": [no_kk]})


def lone(*rows: dict[str, Any]) -> pl.DataFrame:
    """`persons` with NIKs (trusted), each listed between other families' heads."""
    niks = [HEAD_NIK, WIFE_NIK, "3528110807030003"][: len(rows)]
    frame = persons(*rows)
    cut = frame.get_column("nik_possibly_truncated", default=pl.Series([None] * len(rows)))
    return frame.with_columns(
        pl.col("no_kk", "no_kk_as_written").cast(pl.String),
        pl.Series("nik", niks),
        pl.lit(True).alias("nik_is_valid"),
        cut.cast(pl.Boolean).fill_null(False).alias("nik_possibly_truncated"),
    )


def test_a_lone_head_with_an_unreadable_kk_takes_the_number_the_ranking_list_names() -> None:
    frame = lone({**SCI_HEAD, "no_kk_as_written": "3.52811E+15"})
    keys = household_keys(frame, sources_in_file_order(frame), named())
    assert household_of(keys, "P1") == KK_LISTED
    (family,) = build_households(with_listed_roles(frame, keys), keys).to_dicts()
    assert (family["head_person_id"], family["no_kk_repaired"], family["is_kk_malformed"]) == (
        "P1",
        True,
        False,
    )


RANKING_LEFT_ALONE = [
    pytest.param(
        [{**SCI, "hubungan_keluarga": "ANAK"}],
        named(),
        id="a_member_the_list_names_under_a_new_kk_may_have_married_out",
    ),
    pytest.param(
        [{**SCI_HEAD, "no_kk_as_written": "3.52812E+15"}],
        named(),
        id="the_listed_kk_does_not_begin_with_the_digits_excel_kept",
    ),
    pytest.param([SCI_HEAD], named(nik=WIFE_NIK), id="the_list_names_another_nik"),
    pytest.param(
        [{**SCI_HEAD, "nik_possibly_truncated": True}],
        named(),
        id="the_head_s_nik_is_not_trusted",
    ),
]


@pytest.mark.parametrize(("rows", "names"), RANKING_LEFT_ALONE)
def test_the_ranking_list_completes_no_kk_without_plain_evidence(
    rows: list[dict[str, Any]], names: pl.DataFrame
) -> None:
    frame = lone(*rows)
    keys = household_keys(frame, sources_in_file_order(frame), names)
    assert household_of(keys, "P1") is None


def test_a_head_the_listing_completes_is_completed_once() -> None:
    frame = lone(SCI_HEAD, {"hubungan_keluarga": "ISTRI"})
    keys = household_keys(frame, sources_in_file_order(frame), named(no_kk=KK1))
    assert keys.filter(pl.col("person_id") == "P1")[HOUSEHOLD_KEY].to_list() == [KK1]


def test_a_head_the_ranking_list_names_under_another_kk_does_not_head_the_family_below() -> None:
    """A family of one (its KK unreadable) listed just above a family whose head moved away:
    the list's number is the head's, and the family below stays headless."""
    frame = lone(SCI_HEAD, {"hubungan_keluarga": "ISTRI"}, {})
    keys, result = listed_households(frame, sources_in_file_order(frame))
    assert household_of(keys, "P1") == KK1  # without the list, the listing decides
    keys = household_keys(frame, sources_in_file_order(frame), named())
    assert keys.filter(pl.col("person_id") == "P1")[HOUSEHOLD_KEY].to_list() == [KK_LISTED]
    below = build_households(with_listed_roles(frame, keys), keys).filter(pl.col("no_kk") == KK1)
    assert below.select("count_members", "is_without_head").row(0) == (2, True)
