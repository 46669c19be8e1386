"""Problems across records (duplicates, shared NIKs, KK heads) become issues an operator can
act on: located, in Bahasa Indonesia, naming the other village and record."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from dtks.quality.findings import FINDING_SCHEMA, cross_record_issues

NIK_A = "3528114506890001"
NIK_B = "3528111203750002"
KK_1 = "3528110101120007"
KK_2 = "3528110202130002"

VILLAGE_NAMES = {"kapong": "Kapong", "blaban": "Blaban"}


def source(person_id: str, village: str, row: int, nama: str, nik: str | None = None) -> dict:
    return {
        "person_id": person_id,
        "village": village,
        "source_file": f"{village}/export.csv",
        "source_sheet": "",
        "source_row": row,
        "record_key": f"D-{person_id}-{row}",
        "nama": nama,
        "nik": nik,
        "nik_is_valid": nik is not None,
        "desa_nama": VILLAGE_NAMES[village],
    }


def person(person_id: str, kk: str | None, relation: str, village: str = "kapong") -> dict:
    return {
        "person_id": person_id,
        "villages": village,
        "no_kk": kk,
        "no_kk_possibly_truncated": False,
        "hubungan_keluarga": relation,
    }


def issues_of(
    sources: list[dict], persons: list[dict], pairs: pl.DataFrame | None = None
) -> pl.DataFrame:
    return cross_record_issues(pl.DataFrame(sources), pl.DataFrame(persons), pairs)


def test_a_person_in_two_villages_names_the_other_village_on_both_rows() -> None:
    found = issues_of(
        [
            source("P1", "kapong", 5, "SITI AMINAH", NIK_A),
            source("P1", "blaban", 9, "SITI AMINAH", NIK_A),
        ],
        [person("P1", KK_1, "KEPALA KELUARGA")],
    )
    dup = found.filter(pl.col("code") == "duplicate_other_village").sort("village")
    assert dup.select("village", "related_village").rows() == [
        ("blaban", "kapong"),
        ("kapong", "blaban"),
    ]
    kapong = dup.filter(pl.col("village") == "kapong").row(0, named=True)
    assert kapong["message"].startswith(
        "File kapong/export.csv, baris 5: Orang yang sama juga terdaftar di desa lain"
    )
    assert "Desa Blaban, file blaban/export.csv, baris 9 (SITI AMINAH)" in kapong["message"]
    assert kapong["related_record"] == "Desa Blaban, file blaban/export.csv, baris 9 (SITI AMINAH)"
    assert NIK_A not in str(found.to_dicts())
    assert kapong["value_masked"] == "352811********01"


def test_a_person_listed_twice_in_one_village_is_a_duplicate_in_the_village() -> None:
    found = issues_of(
        [source("P1", "kapong", 5, "SITI AMINAH"), source("P1", "kapong", 40, "SITI AMINA")],
        [person("P1", KK_1, "KEPALA KELUARGA")],
    )
    dup = found.filter(pl.col("code").str.starts_with("duplicate"))
    assert dup["code"].to_list() == ["duplicate_in_village"] * 2
    assert dup["related_village"].to_list() == [None, None]
    assert "baris 40 (SITI AMINA)" in dup["message"][0]


def test_a_nik_carried_by_two_persons_is_reported_on_each() -> None:
    found = issues_of(
        [source("P1", "kapong", 5, "ALI", NIK_A), source("P2", "blaban", 7, "ALI BIN UMAR", NIK_A)],
        [person("P1", KK_1, "KEPALA KELUARGA"), person("P2", KK_2, "KEPALA KELUARGA", "blaban")],
    )
    shared = found.filter(pl.col("code") == "nik_shared").sort("village")
    assert shared["related_village"].to_list() == ["kapong", "blaban"]
    assert (
        "NIK dipakai orang lain: NIK '352811********01' juga tercatat untuk"
        in (shared["message"][0])
    )
    assert NIK_A not in "".join(shared["message"])


HEAD_BORN, WIFE_BORN = date(1975, 3, 12), date(1980, 7, 1)
# NIK_B: a man born 12-03-1975. (description, (name, birth date, sex) of the two persons
# carrying it, rows flagged, what the message says of the owner)
SHARED_NIK_CASES = [
    (
        "the wife carries the head's NIK: only her row, naming his",
        [("AHMAD", HEAD_BORN, "L"), ("SITI", WIFE_BORN, "P")],
        [3],
        "tidak cocok dengan NIK tersebut",
    ),
    (
        "neither fits the NIK: both rows",
        [("AHMAD", date(1960, 1, 5), "L"), ("SITI", WIFE_BORN, "P")],
        [2, 3],
        "Belum jelas NIK itu milik siapa",
    ),
    (
        "both fit the NIK (twins under one NIK): both rows",
        [("HASAN", HEAD_BORN, "L"), ("HUSAIN", HEAD_BORN, "L")],
        [2, 3],
        "Belum jelas NIK itu milik siapa",
    ),
]


@pytest.mark.parametrize(("description", "people", "flagged", "says"), SHARED_NIK_CASES)
def test_nik_used_by_another_person_flags_the_row_that_does_not_fit_it(
    description: str, people: list[tuple[str, date, str]], flagged: list[int], says: str
) -> None:
    sources = [
        {
            **source(f"P{i}", "kapong", 2 + i, nama, NIK_B),
            "tanggal_lahir": born,
            "tanggal_lahir_from_nik": False,
            "jenis_kelamin": sex,
            "nik_birth_date": HEAD_BORN,
            "nik_sex": "L",
        }
        for i, (nama, born, sex) in enumerate(people)
    ]
    found = issues_of(sources, [person(f"P{i}", KK_1, "ANAK") for i in range(len(people))])
    shared = found.filter(pl.col("code") == "nik_shared").sort("source_row")
    assert shared["source_row"].to_list() == flagged, description
    first = shared.row(0, named=True)
    other_row = 2 if first["source_row"] == 3 else 3
    assert f"file kapong/export.csv, baris {other_row}" in first["message"], description
    assert says in first["message"], description
    assert first["value_masked"] == "352811********02"
    assert NIK_B not in str(shared.to_dicts())


def test_a_kk_without_head_is_reported_once_per_village_and_two_heads_on_each_head() -> None:
    found = issues_of(
        [
            source("P1", "kapong", 2, "ISTRI SATU"),
            source("P2", "kapong", 3, "ANAK SATU"),
            source("P3", "kapong", 10, "KEPALA A"),
            source("P4", "kapong", 11, "KEPALA B"),
        ],
        [
            person("P1", KK_1, "ISTRI"),
            person("P2", KK_1, "ANAK"),
            person("P3", KK_2, "KEPALA KELUARGA"),
            person("P4", KK_2, "KEPALA KELUARGA"),
        ],
    )
    no_head = found.filter(pl.col("code") == "kk_no_head")
    assert no_head["source_row"].to_list() == [2]
    assert "KK '352811********07' tidak punya KEPALA KELUARGA (2 anggota" in no_head["message"][0]
    two = found.filter(pl.col("code") == "kk_two_heads")
    assert two["source_row"].to_list() == [10, 11]
    assert "baris 11 (KEPALA B)" in two["message"][0]
    assert KK_1 not in str(found.to_dicts()) and KK_2 not in str(found.to_dicts())


def test_a_pair_left_for_review_is_a_possible_duplicate_on_both_rows() -> None:
    sources = [source("P1", "kapong", 5, "MOH. ALI"), source("P2", "blaban", 6, "MUHAMMAD ALI")]
    pairs = pl.DataFrame(
        {
            **{
                f"{c}_l": [sources[0][c]]
                for c in ("village", "source_file", "source_sheet", "source_row")
            },
            **{
                f"{c}_r": [sources[1][c]]
                for c in ("village", "source_file", "source_sheet", "source_row")
            },
            "decision": ["review"],
            "match_probability": [0.87],
        }
    )
    found = issues_of(
        sources,
        [person("P1", KK_1, "KEPALA KELUARGA"), person("P2", KK_2, "KEPALA KELUARGA")],
        pairs,
    )
    maybe = found.filter(pl.col("code") == "possible_duplicate").sort("village")
    assert maybe["related_village"].to_list() == ["kapong", "blaban"]
    assert "(kemiripan 87 %)" in maybe["message"][0]


def test_nothing_to_find_gives_an_empty_frame_with_the_issue_schema() -> None:
    found = issues_of(
        [source("P1", "kapong", 5, "ALI", NIK_A)], [person("P1", KK_1, "KEPALA KELUARGA")]
    )
    assert found.is_empty()
    assert found.schema == pl.Schema(FINDING_SCHEMA)
    assert cross_record_issues(None, None, None).schema == pl.Schema(FINDING_SCHEMA)
