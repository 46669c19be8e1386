"""find_duplicates end to end: each defect class of DESIGN.md merges, or is kept apart, for the right reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from match_rows import background, clean_frame, nik_for, person

from dtks.match import MatchSettings, find_duplicates, record_keys

BORN = dt.date(1962, 8, 14)
NIK = nik_for(BORN, "P", 21)
SHARED = {
    "nama_ibu_key": "MARYAM",
    "no_kk": "3528111207080004",
    "tempat_lahir_key": "PAMEKASAN",
    "dusun": "LAOK",
    "rt": "002",
    "rw": "001",
    "hubungan_keluarga": "ISTRI",
}
BACKGROUND = background(1000)
MOTHERS = [
    f"{a} {b}"
    for a in ("RUKAYYAH", "JUMATI", "HOLIFAH", "MUSLIMAH", "SAHRIYAH")
    for b in ("BINTI SAMAD", "BINTI ALI", "TIMUR", "MARLINA", "SUNARTI", "MUNA")
]


FAST = MatchSettings(u_sample_pairs=100_000)


def _run(rows: list[dict[str, Any]], decisions: pl.DataFrame | None = None):
    frame = clean_frame(rows + BACKGROUND)
    return frame, find_duplicates(frame, decisions, FAST)


def _pair(result, a: int = 0, b: int = 1) -> dict[str, Any]:
    found = result.pairs.filter((pl.col("row_id_l") == a) & (pl.col("row_id_r") == b))
    assert found.height == 1, f"rows {a} and {b} were not compared"
    return found.row(0, named=True)


def _same_cluster(result, a: int = 0, b: int = 1) -> bool:
    ids = result.clusters["cluster_id"]
    return ids[a] == ids[b]


SAME_PERSON = [
    ("listed twice in one village", {}, {"row": 30}),
    (
        "moved village, KK changed",
        {},
        {"village": "blaban", "no_kk": "3528112003150002", "dusun": "DAJA"},
    ),
    (
        "Excel truncated the NIK",
        {},
        {"nik": NIK[:15] + "0", "nik_is_valid": False, "nik_possibly_truncated": True},
    ),
    ("NIK missing in one export", {}, {"serial": None, "nik_is_valid": False}),
    (
        "NIK missing, moved village",
        {},
        {"serial": None, "village": "tamberu", "no_kk": None, "dusun": None},
    ),
    ("name changed after the hajj", {}, {"nama_key": "ZAINAB"}),
    ("name spelt differently", {}, {"nama_key": "SITI AMINA"}),
    (
        "day and month swapped",
        {},
        {"tanggal_lahir": dt.date(1962, 8, 14).replace(month=8, day=8), "serial": None},
    ),
    (
        "placeholder date in one export",
        {},
        {"nik": NIK, "tanggal_lahir": dt.date(1962, 1, 1), "tanggal_lahir_is_placeholder": True},
    ),
    (
        "NIK missing and the KK truncated by Excel",
        {},
        {"serial": None, "no_kk": SHARED["no_kk"][:15] + "0", "no_kk_possibly_truncated": True},
    ),
    (
        "a second KEPALA KELUARGA in one KK (the relationship is wrong, not the person)",
        {"hubungan_keluarga": "ANAK"},
        {"hubungan_keluarga": "KEPALA KELUARGA"},
    ),
    ("registered twice: two IDDTKS", {"iddtks": "ID3528000000001"}, {"iddtks": "ID3528000009999"}),
]


@pytest.mark.parametrize(("description", "a", "b"), SAME_PERSON)
def test_same_person_is_merged(description: str, a: dict, b: dict) -> None:
    first = person("SITI AMINAH", BORN, **{"serial": 21, "row": 2, **SHARED, **a})
    b = {"serial": 21, "row": 3, **SHARED, **b}
    second = person(b.pop("nama_key", "SITI AMINAH"), b.pop("tanggal_lahir", BORN), **b)
    _, result = _run([first, second])
    assert _same_cluster(result), f"{description}: {_pair(result)['evidence']}"
    assert _pair(result)["decision"] == "merged", description


PLACEHOLDER = dt.date(1979, 12, 31)
NIK_TYPOS = [
    ("a digit of the serial, real birth date", BORN, NIK, NIK[:13] + "9" + NIK[14:]),
    (
        "a digit of the region, placeholder birth date",
        PLACEHOLDER,
        nik_for(PLACEHOLDER, "P", 1),
        nik_for(PLACEHOLDER, "P", 1, region="352411"),
    ),
]


@pytest.mark.parametrize(("description", "born", "nik", "typo"), NIK_TYPOS)
def test_one_digit_nik_typo_merges_flagged_for_confirmation(
    description: str, born: dt.date, nik: str, typo: str
) -> None:
    placeholder = {"tanggal_lahir_is_placeholder": born == PLACEHOLDER}
    rows = [
        person("SITI AMINAH", born, nik=nik, **SHARED, **placeholder),
        person("SITI AMINAH", born, nik=typo, row=3, **SHARED, **placeholder),
    ]
    _, result = _run(rows)
    pair = _pair(result)
    assert pair["decision"] == "merged", description
    assert pair["hard_rule"] == "nik_one_digit", description
    assert pair["needs_confirmation"] is True, description


DIFFERENT_PEOPLE = [
    (
        "twins: different valid NIKs, same mother, KK and date",
        {"nama_key": "HASAN", "sex": "L", "serial": 31},
        {"nama_key": "HUSAIN", "sex": "L", "serial": 32},
        "nik_conflict",
    ),
    (
        "same name and date, different valid NIKs",
        {"serial": 41},
        {"serial": 77, "village": "blaban"},
        "nik_conflict",
    ),
    (
        "NIK one digit apart but the mother differs",
        {"serial": 41},
        {"serial": 47, "nama_ibu_key": "HALIMAH"},
        "nik_conflict",
    ),
    (
        "twins with nearly the same name: NIK serials one apart",
        {"nama_key": "AHMAD", "sex": "L", "serial": 31},
        {"nama_key": "AHMADI", "sex": "L", "serial": 32},
        "nik_conflict",
    ),
    (
        "siblings in one KK, birth dates one digit apart, no NIK",
        {"nama_key": "NABILA NAFISA", "serial": None, "hubungan_keluarga": "ANAK"},
        {
            "nama_key": "FATIMAH AYU",
            "serial": None,
            "hubungan_keluarga": "ANAK",
            "tanggal_lahir": dt.date(1962, 8, 19),
        },
        None,
    ),
    (
        "husband and wife born the same day: NIKs one digit apart (day + 40 for women)",
        {"nama_key": "IMRON HOLIL", "sex": "L", "serial": 2, "no_kk": None},
        {"nama_key": "NUR MARSIYAH", "serial": 2, "nama_gelar": "HJ.", "no_kk": None},
        "safety_line",
    ),
    (
        "father and son share a name in one KK",
        {"nama_key": "MOH ALI", "sex": "L", "serial": None, "hubungan_keluarga": "KEPALA KELUARGA"},
        {
            "nama_key": "MOH ALI",
            "sex": "L",
            "serial": None,
            "hubungan_keluarga": "ANAK",
            "tanggal_lahir": dt.date(1988, 8, 14),
        },
        None,
    ),
]


@pytest.mark.parametrize(("description", "a", "b", "rule"), DIFFERENT_PEOPLE)
def test_different_people_stay_apart(description: str, a: dict, b: dict, rule: str | None) -> None:
    a, b = dict(a), dict(b)
    sex_a, sex_b = a.pop("sex", "P"), b.pop("sex", "P")
    first = person(a.pop("nama_key", "SITI AMINAH"), BORN, sex=sex_a, **{"row": 2, **SHARED, **a})
    second = person(
        b.pop("nama_key", "SITI AMINAH"),
        b.pop("tanggal_lahir", BORN),
        sex=sex_b,
        **{"row": 3, **SHARED, **b},
    )
    _, result = _run([first, second])
    assert not _same_cluster(result), description
    pairs = result.pairs.filter((pl.col("row_id_l") == 0) & (pl.col("row_id_r") == 1))
    if rule is not None:
        assert pairs["hard_rule"].to_list() == [rule], description


def test_parent_and_child_with_same_name_and_no_dates_are_kept_apart() -> None:
    father = person(
        "MOH ALI", None, sex="L", serial=None, **{**SHARED, "hubungan_keluarga": "KEPALA KELUARGA"}
    )
    son = person(
        "MOH ALI", None, sex="L", serial=None, row=3, **{**SHARED, "hubungan_keluarga": "ANAK"}
    )
    _, result = _run([father, son])
    assert not _same_cluster(result)
    assert _pair(result)["hard_rule"] == "parent_child_same_household"


TWO_HEADS = [
    ("without the mother's name to confirm: review", {"nama_ibu_key": None}, "review", False),
    (
        "same name, birth date and mother: one person who moved, merged to confirm",
        {},
        "merged",
        True,
    ),
]


@pytest.mark.parametrize(("description", "extra", "decision", "together"), TWO_HEADS)
def test_two_heads_of_different_households(
    description: str, extra: dict, decision: str, together: bool
) -> None:
    head = {**SHARED, "hubungan_keluarga": "KEPALA KELUARGA", **extra}
    rows = [
        person("ABD RAHMAN", BORN, sex="L", serial=None, **head),
        person(
            "ABD RAHMAN", BORN, sex="L", serial=None, row=3, **{**head, "no_kk": "3528110101990001"}
        ),
    ]
    _, result = _run(rows)
    pair = _pair(result)
    assert pair["decision"] == decision, description
    assert pair["hard_rule"].startswith("two_heads"), description
    assert pair["needs_confirmation"] is together, description
    assert _same_cluster(result) is together, description


def test_common_name_on_placeholder_date_without_nik_is_not_merged() -> None:
    placeholder = {"tanggal_lahir_is_placeholder": True, "serial": None}
    common = [  # many people on the placeholder date, several named SITI AMINAH
        person(
            f"SITI {name}",
            dt.date(1970, 1, 1),
            serial=1000 + 111 * i,
            row=500 + i,
            nama_ibu_key=mother,
            tanggal_lahir_is_placeholder=True,
        )
        for i, (name, mother) in enumerate(
            zip(
                ["AMINAH", "ROMLAH", "AMINAH", "HASANAH", "AMINAH", "FATIMAH"] * 5,
                MOTHERS,
                strict=True,
            )
        )
    ]
    rows = [
        person("SITI AMINAH", dt.date(1970, 1, 1), nama_ibu_key="MARYAM", **placeholder),
        person(
            "SITI AMINAH",
            dt.date(1970, 1, 1),
            nama_ibu_key="HALIMAH",
            row=3,
            village="blaban",
            **placeholder,
        ),
        *common,
    ]
    _, result = _run(rows)
    assert not _same_cluster(result)


def test_chain_through_a_row_without_nik_does_not_merge_two_niks() -> None:
    a = person("SITI AMINAH", BORN, serial=41, **SHARED)
    b = person("SITI AMINAH", BORN, serial=None, row=3, **SHARED)
    c = person("SITI AMINAH", BORN, serial=88, row=4, **SHARED)
    _, result = _run([a, b, c])
    ids = result.clusters["cluster_id"].to_list()
    assert ids[0] != ids[2]
    assert _pair(result, 0, 2)["hard_rule"] == "nik_conflict"


def test_review_decisions_are_honoured_by_record_key() -> None:
    a = person("SITI AMINAH", BORN, serial=41, **SHARED)
    b = person("SITI AMINAH", BORN, serial=42, row=3, **SHARED)  # conflict: kept apart by rule
    c = person("NUR HASANAH", dt.date(1990, 2, 3), serial=5, row=4)
    d = person("NUR HASANAH", dt.date(1990, 2, 3), serial=5, row=5)  # exact duplicate: merged
    frame = clean_frame([a, b, c, d] + BACKGROUND)
    keys = record_keys(frame).to_list()
    decisions = pl.DataFrame(
        {
            "record_key_l": [keys[0], keys[2]],
            "record_key_r": [keys[1], keys[3] + "-gone"],
            "decision": ["sama", "beda"],
        }
    )
    result = find_duplicates(frame, decisions, FAST)
    assert _same_cluster(result, 0, 1)
    assert _pair(result, 0, 1)["decided_by"] == "review"
    assert _same_cluster(result, 2, 3)  # a decision on a key no longer present is ignored
    # same key on both rows of c/d: a cannot-link between them splits them
    cannot = pl.DataFrame(
        {"record_key_l": [keys[2]], "record_key_r": [keys[0]], "decision": ["beda"]}
    )
    assert not _same_cluster(find_duplicates(frame, cannot, FAST), 0, 2)


def test_cannot_link_splits_a_cluster_at_its_weakest_edge() -> None:
    a = person("SITI AMINAH", BORN, serial=None, **SHARED)
    b = person("SITI AMINAH", BORN, serial=None, row=3, **SHARED)
    c = person(
        "SITI AMINAH", BORN, serial=None, row=4, **{**SHARED, "village": "blaban", "no_kk": None}
    )
    frame = clean_frame([a, b, c] + BACKGROUND)
    keys = record_keys(frame).to_list()
    base = find_duplicates(frame, settings=FAST)
    assert base.clusters["cluster_id"][0] == base.clusters["cluster_id"][2]
    decisions = pl.DataFrame(
        {"record_key_l": [keys[1]], "record_key_r": [keys[2]], "decision": ["beda"]}
    )
    ids = find_duplicates(frame, decisions, FAST).clusters["cluster_id"].to_list()
    assert ids[0] == ids[1] and ids[2] != ids[1]


def test_cluster_ids_are_stable_when_rows_are_reordered() -> None:
    rows = [
        person("SITI AMINAH", BORN, serial=21, **SHARED),
        person("SITI AMINAH", BORN, serial=21, row=9, **SHARED),
    ]
    frame = clean_frame(rows + BACKGROUND)
    first = find_duplicates(frame, settings=FAST).clusters
    again = find_duplicates(frame.reverse(), settings=FAST).clusters
    joined = first.join(again, on=["source_file", "source_row"], suffix="_again")
    assert (joined["cluster_id"] == joined["cluster_id_again"]).all()
    assert first["cluster_id"][0] == min(first["record_key"][0], first["record_key"][1])


def test_every_pair_carries_evidence_and_rule() -> None:
    rows = [
        person("SITI AMINAH", BORN, serial=21, **SHARED),
        person("SITI AMINAH", BORN, serial=21, row=9, **SHARED),
    ]
    _, result = _run(rows)
    pair = _pair(result)
    evidence = pair["evidence"]
    assert evidence["nik"] == "exact"
    assert pair["evidence_weights"]["nik"] > 0
    assert set(evidence) == {c.name for c in MatchSettings().comparisons}
    assert pair["blocking_rule"] == "same_nik"
    assert {"source_file_l", "source_row_r", "record_key_l", "village_r"} <= set(
        result.pairs.columns
    )
    assert result.clusters.height == 2 + len(BACKGROUND)
    assert result.stats["count_rows"] == 2 + len(BACKGROUND)
    assert set(result.levels["comparison"]) == set(evidence)


def test_thresholds_come_from_settings() -> None:
    rows = [
        person("SITI AMINAH", BORN, serial=None, **SHARED),
        person("SITI AMINA", BORN, serial=None, row=9, **SHARED),
    ]
    strict = find_duplicates(
        clean_frame(rows + BACKGROUND),
        settings=MatchSettings(merge_probability=1.0, u_sample_pairs=100_000),
    )
    assert _pair(strict)["decision"] != "merged"


@pytest.mark.parametrize(
    ("description", "b", "scored"),
    [
        (
            "other name, other NIK, same family and day: kept apart unscored",
            {"nama": "NUR HASANAH", "serial": 88},
            False,
        ),
        ("same name and day, other NIK (twins?): scored, the rule decides", {"serial": 88}, True),
        ("NIK one digit apart: scored (a typo the rules may forgive)", {"serial": 22}, True),
    ],
)
def test_two_trusted_niks_are_kept_apart_before_scoring_only_when_surely_two_people(
    description: str, b: dict, scored: bool
) -> None:
    a = person("SITI AMINAH", BORN, serial=21, **SHARED)
    other = person(b.pop("nama", "SITI AMINAH"), BORN, row=3, **b, **SHARED)
    _, result = _run([a, other])
    found = result.pairs.filter((pl.col("row_id_l") == 0) & (pl.col("row_id_r") == 1)).height
    assert found == int(scored), description
    if not scored:
        assert not _same_cluster(result), description
        assert result.stats["count_nik_conflict_pairs_not_scored"] >= 1, description
