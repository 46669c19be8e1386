"""Matching desil ranking rows to reconciled families: order of trust, trusted NIKs only,
conflicts flagged and never resolved by guessing, the newest list winning."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from dtks.desil import STATUSES, UNTRUSTED_NIK_FLAGS, match_desil
from dtks.ingest import DESIL_ROWS_SCHEMA

KK_A, KK_B, KK_NEW = "3528110101200001", "3528110202200002", "3528110303240003"
HEAD_A, WIFE_A, CHILD_A = "3528111203800001", "3528115506820002", "3528110807030003"
HEAD_B, SHARED, TRUNC = "3528111503700004", "3528111111900005", "3528112202900010"


def _registry() -> tuple[pl.DataFrame, pl.DataFrame]:
    persons = pl.DataFrame(
        {
            "person_id": ["pA1", "pA2", "pA3", "pB1", "pB2", "pB3"],
            "household_id": ["hA", "hA", "hA", "hB", "hB", "hB"],
            "nik": [HEAD_A, WIFE_A, CHILD_A, HEAD_B, SHARED, TRUNC],
            "nik_is_valid": [True] * 6,
            "nik_possibly_truncated": [False, False, False, False, False, True],
            "nik_shared_with_other_person": [False, False, False, False, True, False],
        }
    )
    households = pl.DataFrame(
        {
            "household_id": ["hA", "hB"],
            "no_kk": [KK_A, KK_B],
            "head_person_id": ["pA1", "pB1"],
            "is_kk_malformed": [False, False],
        }
    )
    return persons, households


def _rows(rows: list[tuple], source_file: str = "kapong/desil 2026-07.csv") -> pl.DataFrame:
    """(source_row, no_kk, nik, desil[, row_kind]) as the ingest stores them."""
    records = []
    for row in rows:
        number, kk, nik, desil, *kind = row
        records.append(
            {
                "source_file": source_file,
                "source_sheet": "",
                "source_row": number,
                "row_kind": kind[0] if kind else "data",
                "row_unit": "keluarga",
                "no_kk": kk,
                "nik": nik,
                "nama": "X",
                "desil_text": desil,
                "nik_was_numeric": False,
                "no_kk_was_numeric": False,
                "village": "kapong",
            }
        )
    schema = {**DESIL_ROWS_SCHEMA, "village": pl.String()}
    return pl.DataFrame(records, schema_overrides=schema).select(
        [
            pl.col(c).cast(t) if c in records[0] else pl.lit(None, t).alias(c)
            for c, t in schema.items()
        ]
    )


def _match(rows: pl.DataFrame, files: pl.DataFrame | None = None):
    persons, households = _registry()
    return match_desil(rows, persons, households, files)


def _by_row(result: pl.DataFrame) -> dict[int, tuple]:
    return {
        r["source_row"]: (r["status"], r["reason"], r["matched_by"], r["household_id"])
        for r in result.iter_rows(named=True)
    }


def test_kk_then_head_nik_then_member_nik() -> None:
    rows, families = _match(
        _rows(
            [
                (5, KK_A + ".0", None, "3"),
                (6, None, HEAD_B, "Desil 7"),
                (7, None, f"'{CHILD_A}", "3.0"),
            ]
        )
    )
    got = _by_row(rows)
    assert got[5] == ("cocok", None, "no_kk", "hA")
    assert got[6] == ("cocok", None, "nik_kepala", "hB")
    assert got[7] == ("cocok", None, "nik_anggota", "hA")
    assert dict(families.select("household_id", "desil").iter_rows()) == {"hA": 3, "hB": 7}


@pytest.mark.parametrize("nik", [SHARED, TRUNC])
def test_an_untrusted_registry_nik_matches_nothing(nik: str) -> None:
    assert "nik_shared_with_other_person" in UNTRUSTED_NIK_FLAGS
    rows, families = _match(_rows([(5, None, nik, "2")]))
    assert _by_row(rows)[5] == ("tidak_cocok", "tidak_cocok", None, None)
    assert families.height == 0


def test_a_nik_from_a_number_cell_is_not_used_but_its_kk_is() -> None:
    frame = _rows([(5, None, HEAD_B[:15] + "0", "2"), (6, KK_A, HEAD_A[:15] + "0", "4")])
    frame = frame.with_columns(pl.lit(True).alias("nik_was_numeric"))
    got = _by_row(_match(frame)[0])
    assert got[5][:2] == ("ditolak", "tanpa_kk_nik")  # a possibly truncated NIK is no key
    assert got[6] == ("cocok", None, "no_kk", "hA")


def test_conflicts_are_flagged_and_give_no_desil() -> None:
    rows, families = _match(
        _rows(
            [
                (5, KK_A, HEAD_B, "2"),  # KK says family A, NIK says family B
                (6, KK_NEW, CHILD_A, "5"),  # the child married: new KK not in the exports
                (7, None, "3528119999990009", "1"),  # nobody
                (8, KK_B, None, "1"),
                (9, None, HEAD_B, "6"),  # family B twice with two desils: the KK row decides
                (10, None, None, "3"),
                (11, KK_A, None, "11"),
                (12, "JUMLAH", None, None, "totals"),
            ]
        )
    )
    got = _by_row(rows)
    assert got[5][:2] == ("konflik", "kk_nik_beda_keluarga") and got[5][3] is None
    assert got[6][:2] == ("konflik", "kk_pecah") and got[6][3] is None
    assert got[7][:2] == ("tidak_cocok", "tidak_cocok")
    assert got[8] == ("cocok", None, "no_kk", "hB")
    assert got[9][:2] == ("konflik", "dua_desil")
    assert got[10][:2] == ("ditolak", "tanpa_kk_nik")
    assert got[11][:2] == ("ditolak", "desil_tidak_sah")
    assert got[12][:2] == ("bukan_data", "bukan_data")
    assert dict(families.select("household_id", "desil").iter_rows()) == {"hB": 1}
    # every row read has exactly one status, with a reason in words for the operator
    assert rows.height == 8 and set(rows["status"]) <= set(STATUSES)
    assert rows.filter(pl.col("status") != "cocok")["reason_text"].is_not_null().all()


def test_two_equally_trusted_rows_with_two_desils_leave_the_family_without_one() -> None:
    rows, families = _match(_rows([(5, KK_A, None, "2"), (6, KK_A, HEAD_A, "3")]))
    assert set(rows["reason"]) == {"dua_desil"}
    assert families.filter(pl.col("household_id") == "hA")["desil"].to_list() == [None]
    assert families["desil_conflict"].to_list() == ["dua_desil"]


def test_the_newest_list_wins_and_a_change_is_reported() -> None:
    old = _rows([(5, KK_A, None, "2"), (6, KK_B, None, "5")], "kapong/Desil Januari 2026.csv")
    new = _rows([(5, KK_A, None, "3"), (6, KK_B, None, "5")], "kapong/desil.csv")
    files = pl.DataFrame(
        {
            "village": ["kapong", "kapong"],
            "source_file": ["kapong/Desil Januari 2026.csv", "kapong/desil.csv"],
            "modified_at": [datetime(2026, 2, 3, tzinfo=UTC), datetime(2026, 8, 9, tzinfo=UTC)],
        }
    )
    rows, families = _match(pl.concat([old, new]), files)
    periods = dict(rows.select("source_file", "desil_period").unique().iter_rows())
    assert periods == {
        "kapong/Desil Januari 2026.csv": date(2026, 1, 1),
        "kapong/desil.csv": date(2026, 8, 1),  # neither content nor name: the file's date
    }
    a = families.filter(pl.col("household_id") == "hA").row(0, named=True)
    assert (a["desil"], a["desil_previous"], a["desil_changed"]) == (3, 2, True)
    assert a["desil_history"] == "2026-01:2, 2026-08:3"
    b = families.filter(pl.col("household_id") == "hB").row(0, named=True)
    assert (b["desil"], b["desil_changed"]) == (5, False)
    assert rows.filter(pl.col("source_file") == "kapong/desil.csv")["is_current"].all()
    assert not rows.filter(pl.col("source_file") != "kapong/desil.csv")["is_current"].any()


def test_a_person_listed_under_two_kks_finds_no_family_by_nik() -> None:
    persons, households = _registry()
    sources = pl.DataFrame(
        {
            "person_id": ["pB1", "pB1", "pA1", "pA1"],
            "no_kk": [KK_B, "3528119999990001", KK_A, None],
            "no_kk_as_written": [KK_B, "3528119999990001", KK_A, "3.52812E+15"],
        }
    )
    frame = _rows([(5, None, HEAD_B, "2"), (6, KK_NEW, HEAD_A, "4"), (7, None, HEAD_A, "6")])
    rows, families = match_desil(frame, persons, households, None, sources)
    got = _by_row(rows)
    assert got[5][:2] == ("konflik", "nik_di_dua_kk")  # moved or married: which family?
    assert got[6][:2] == ("konflik", "nik_di_dua_kk")  # an unreadable KK may be the row's
    assert got[7] == ("cocok", None, "nik_kepala", "hA")  # no KK on the row: the head's NIK
    assert dict(families.select("household_id", "desil").iter_rows()) == {"hA": 6}


def _listed(*rows: tuple[str, str | None, str]) -> pl.DataFrame:
    """Source rows (person_id, no_kk, village) as the reconcile stage keeps them."""
    return pl.DataFrame(
        rows,
        schema={"person_id": pl.String, "no_kk": pl.String, "village": pl.String},
        orient="row",
    ).with_columns(pl.col("no_kk").alias("no_kk_as_written"))


def test_a_head_who_moved_out_of_the_rows_kk_does_not_contradict_it() -> None:
    """Family A's row carries the NIK of B's head, who was listed in family A before: the KK
    decides. Someone never listed under family A's KK still makes the row a conflict."""
    persons, households = _registry()
    sources = _listed(("pB1", KK_A, "kapong"), ("pB1", KK_B, "blaban"), ("pA1", KK_A, "kapong"))
    frame = _rows([(5, KK_A, HEAD_B, "2"), (6, KK_B, HEAD_A, "4")])
    got = _by_row(match_desil(frame, persons, households, None, sources)[0])
    assert got[5] == ("cocok", None, "no_kk", "hA")
    assert got[6][:2] == ("konflik", "kk_nik_beda_keluarga")


@pytest.mark.parametrize(
    ("village", "expected"),
    [
        ("kapong", ("cocok", None, "nik_kepala", "hB")),  # listed here under family B's KK only
        ("blaban", ("konflik", "nik_di_dua_kk", None, None)),  # here under another KK
        ("_kecamatan", ("konflik", "nik_di_dua_kk", None, None)),  # a list of every village
    ],
)
def test_a_person_under_two_kks_is_settled_by_the_lists_village(
    village: str, expected: tuple
) -> None:
    persons, households = _registry()
    sources = _listed(("pB1", KK_B, "kapong"), ("pB1", "3528119999990001", "blaban"))
    frame = _rows([(5, None, HEAD_B, "2")]).with_columns(pl.lit(village).alias("village"))
    assert _by_row(match_desil(frame, persons, households, None, sources)[0])[5] == expected


def _registry_with_names() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Family C's head has no NIK in the exports; family D's head has one mistyped digit;
    two men named AHMAD born the same day live in kapong, both without NIK; family G's head
    HUSEN has no NIK and a birth date no one could read (31-02-1980)."""
    persons = pl.DataFrame(
        {
            "person_id": ["pC1", "pD1", "pE1", "pF1", "pG1"],
            "household_id": ["hC", "hD", "hE", "hF", "hG"],
            "nik": [None, "3528114506750003", None, None, None],
            "nik_is_valid": [False, True, False, False, False],
            "nik_possibly_truncated": [False] * 5,
            "nik_shared_with_other_person": [False] * 5,
            "nama": ["SUPARDI", "SITI AMINAH", "AHMAD", "AHMAD", "HUSEN"],
            "tanggal_lahir": [
                date(1980, 3, 12),
                date(1975, 6, 5),
                *[date(1970, 1, 2)] * 2,
                None,
            ],
            "tanggal_lahir_is_placeholder": [False] * 5,
            "jenis_kelamin": ["L", "P", "L", "L", "L"],
            "village": ["kapong"] * 5,
            "villages": ["kapong"] * 5,
        }
    )
    households = pl.DataFrame(
        {
            "household_id": ["hC", "hD", "hE", "hF", "hG"],
            "no_kk": [
                "3528110101100001",
                "3528110202100002",
                "3528110303100003",
                KK_NEW,
                "3528110404100004",
            ],
            "head_person_id": ["pC1", "pD1", "pE1", "pF1", "pG1"],
            "is_kk_malformed": [False] * 5,
        }
    )
    return persons, households


@pytest.mark.parametrize(
    ("nik", "nama", "village", "expected"),
    [
        # NIK missing in the exports: name, birth date and sex of the row's NIK find the head
        ("3528111203800007", "SUPARDI", "kapong", ("cocok", "nama_tanggal_lahir", "hC")),
        # one digit mistyped in the exports (or on the list), name spelled another way
        ("3528114506750008", "ST. AMINAH", "kapong", ("cocok", "nama_tanggal_lahir", "hD")),
        # two swapped neighbours
        ("3528114506750030", "SITI AMINAH", "kapong", ("cocok", "nama_tanggal_lahir", "hD")),
        # two digits apart: another person's NIK, not a typo
        ("3528114506750098", "SITI AMINAH", "kapong", ("tidak_cocok", None, None)),
        # the birth date in the row's NIK is another day
        ("3528111303800007", "SUPARDI", "kapong", ("tidak_cocok", None, None)),
        # a woman's NIK (day + 40) for a man
        ("3528115203800007", "SUPARDI", "kapong", ("tidak_cocok", None, None)),
        # the name one letter apart from the village's (SUPARDY, SUPARDI)
        ("3528111203800007", "SUPARDY", "kapong", ("cocok", "nama_tanggal_lahir", "hC")),
        # another name
        ("3528111203800007", "SUPRAPTO", "kapong", ("tidak_cocok", None, None)),
        # no NIK and no readable birth date in the exports: the name and the NIK's sex
        ("3528110302800001", "HUSEN", "kapong", ("cocok", "nama_tanggal_lahir", "hG")),
        ("3528114302800001", "HUSEN", "kapong", ("tidak_cocok", None, None)),  # a woman's NIK
        ("3528110302800001", "HUSIN", "kapong", ("tidak_cocok", None, None)),  # another name key
        # a list of another village
        ("3528111203800007", "SUPARDI", "blaban", ("tidak_cocok", None, None)),
        # two persons fit: never guessed
        ("3528110201700001", "AHMAD", "kapong", ("tidak_cocok", None, None)),
    ],
)
def test_a_nik_the_exports_lack_or_mistype_finds_the_one_person_with_its_name_and_birth_date(
    nik: str, nama: str, village: str, expected: tuple
) -> None:
    persons, households = _registry_with_names()
    frame = _rows([(5, None, nik, "4")]).with_columns(
        pl.lit(nama).alias("nama"), pl.lit(village).alias("village")
    )
    rows, families = match_desil(frame, persons, households)
    status, _, matched_by, household = _by_row(rows)[5]
    assert (status, matched_by, household) == expected
    assert families.filter(pl.col("desil").is_not_null()).height == (status == "cocok")


def test_a_person_listed_in_the_lists_village_under_another_familys_kk_finds_that_family() -> None:
    """B's head is reconciled into family B (listed in blaban), but kapong lists him under
    family A's KK only: kapong's list means family A. A KK sharing only 15 digits with his
    (a neighbour issued the same day) would not do."""
    persons, households = _registry()
    sources = _listed(("pB1", KK_A, "kapong"), ("pB1", KK_B, "blaban"))
    frame = _rows([(5, None, HEAD_B, "2")])
    assert _by_row(match_desil(frame, persons, households, None, sources)[0])[5] == (
        "cocok",
        None,
        "nik_anggota",
        "hA",
    )
    neighbour = KK_A[:15] + "9"
    sources = _listed(("pB1", neighbour, "kapong"), ("pB1", KK_B, "blaban"))
    got = _by_row(match_desil(frame, persons, households, None, sources)[0])[5]
    assert got[:2] == ("konflik", "nik_di_dua_kk")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        # B's head listed under family A's KK as Excel cut it (15 digits, the 16th lost)
        (KK_A[:15] + "0", ("cocok", None, "no_kk", "hA")),
        # ... or as Excel wrote it in scientific notation (its first digits)
        ("3.52811E+15", ("cocok", None, "no_kk", "hA")),
        # a neighbour's sound number sharing 15 digits is another family
        (KK_A[:15] + "9", ("konflik", "kk_nik_beda_keluarga", None, None)),
        # first digits that are not the KK's
        ("3.52812E+15", ("konflik", "kk_nik_beda_keluarga", None, None)),
    ],
)
def test_a_head_listed_under_the_rows_kk_as_excel_spoiled_it_does_not_contradict_it(
    written: str, expected: tuple
) -> None:
    persons, households = _registry()
    cut = written.endswith("0") and written.isdigit()
    sources = pl.DataFrame(
        {
            "person_id": ["pB1", "pB1"],
            "village": ["kapong", "blaban"],
            "no_kk": [written if written.isdigit() else None, KK_B],
            "no_kk_as_written": [written, KK_B],
            "no_kk_possibly_truncated": [cut, False],
        }
    )
    frame = _rows([(5, KK_A, HEAD_B, "2")])
    assert _by_row(match_desil(frame, persons, households, None, sources)[0])[5] == expected


def test_a_nik_listed_in_the_lists_village_only_under_an_unreadable_kk_finds_no_family() -> None:
    """B's head heads family B in blaban, and kapong lists the same person only under a KK
    Excel made unreadable: kapong's row may mean that other family, never given B's desil."""
    persons, households = _registry()
    sources = pl.DataFrame(
        {
            "person_id": ["pB1", "pB1"],
            "village": ["blaban", "kapong"],
            "no_kk": [KK_B, None],
            "no_kk_as_written": [KK_B, "3.52811E+15"],
        }
    )
    frame = _rows([(5, None, HEAD_B, "2")])
    assert _by_row(match_desil(frame, persons, households, None, sources)[0])[5][:2] == (
        "konflik",
        "nik_di_dua_kk",
    )
    in_blaban = frame.with_columns(pl.lit("blaban").alias("village"))
    assert _by_row(match_desil(in_blaban, persons, households, None, sources)[0])[5] == (
        "cocok",
        None,
        "nik_kepala",
        "hB",
    )


def test_a_members_nik_finds_the_family_whose_number_excel_cut_when_the_row_writes_it_whole() -> (
    None
):
    """Family A's number came through Excel as 15 digits and a 0: no household holds the
    row's KK, and the member's NIK finds family A: the row writes A's whole number."""
    persons, households = _registry()
    households = households.with_columns(
        pl.when(pl.col("household_id") == "hA")
        .then(pl.lit(KK_A[:15] + "0"))
        .otherwise(pl.col("no_kk"))
        .alias("no_kk"),
        (pl.col("household_id") == "hA").alias("is_kk_malformed"),
    )
    frame = _rows([(5, KK_A, WIFE_A, "3"), (6, KK_A[:14] + "99", WIFE_A, "3")])
    got = _by_row(match_desil(frame, persons, households)[0])
    assert got[5] == ("cocok", None, "nik_anggota", "hA")
    assert got[6][:2] == ("konflik", "kk_pecah")  # 15 digits disagree: a new family


def test_a_kk_family_holding_the_nik_s_person_without_the_nik_does_not_contradict_it() -> None:
    """Family B holds SITI NABILA, born 19 February 2005, with no NIK (a second listing the
    matcher did not join); the row's NIK is that of SITI NABILA of family A."""
    persons, households = _registry()
    nik_a = "3528115902050001"  # a woman born 19-02-2005
    persons = pl.concat(
        [
            persons.with_columns(
                pl.when(pl.col("person_id") == "pA2")
                .then(pl.lit(nik_a))
                .otherwise("nik")
                .alias("nik")
            ),
            pl.DataFrame(
                {
                    "person_id": ["pB4"],
                    "household_id": ["hB"],
                    "nik": [None],
                    "nik_is_valid": [False],
                    "nik_possibly_truncated": [False],
                    "nik_shared_with_other_person": [False],
                }
            ),
        ],
        how="diagonal",
    ).with_columns(
        pl.when(pl.col("person_id").is_in(["pA2", "pB4"]))
        .then(pl.lit("SITI NABILA"))
        .alias("nama"),
        pl.when(pl.col("person_id").is_in(["pA2", "pB4"]))
        .then(pl.lit(date(2005, 2, 19)))
        .alias("tanggal_lahir"),
        pl.lit("P").alias("jenis_kelamin"),
    )
    for name, expected in [
        ("SITI NABILA", ("cocok", None, "no_kk", "hB")),
        ("SIT NABILA", ("cocok", None, "no_kk", "hB")),  # one letter apart
        ("NURUL HASANAH", ("konflik", "kk_nik_beda_keluarga", None, None)),
    ]:
        frame = _rows([(5, KK_B, nik_a, "7")]).with_columns(pl.lit(name).alias("nama"))
        assert _by_row(match_desil(frame, persons, households)[0])[5] == expected, name
