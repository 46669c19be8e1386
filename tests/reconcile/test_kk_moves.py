"""A person listed in two villages under two KKs: the newer sound KK is their family now.

Real rows through the cleaner (which reads the KK's issue date) and `reconcile_dataset`, so the
golden KK, the household, the primary row and the deactivation list are checked together.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from dtks.clean import clean_rows
from dtks.columns import CANONICAL_COLUMNS
from dtks.ingest.raw_rows import RAW_ROWS_SCHEMA
from dtks.reconcile import reconcile_dataset
from dtks.reconcile.deactivations import DUPLICATE
from dtks.region import load_kecamatan

REFERENCE = date(2026, 11, 30)
KK_OLD = "3528110305120004"  # the parents' family in Kapong, issued 03-05-2012
KK_NEW = "3528111708230002"  # Siti's own family in Blaban, issued 17-08-2023
SITI = {
    "nik": "3528114506980001",
    "nama": "SITI AMINAH",
    "tanggal_lahir": "05-06-1998",
    "jenis_kelamin": "P",
    "nama_ibu_kandung": "MARYAM",
    "tempat_lahir": "PAMEKASAN",
}
FATHER = {
    "nik": "3528111203700001",
    "nama": "AHMAD",
    "tanggal_lahir": "12-03-1970",
    "jenis_kelamin": "L",
    "nama_ibu_kandung": "HALIMAH",
    "hubungan_keluarga": "KEPALA KELUARGA",
    "iddtks": "ID3528000000001",
}


def village_rows(village: str, file: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """One village's export, cleaned: the rows in order, every contract column present."""
    records = []
    for number, fields in enumerate(rows, start=2):
        record: dict[str, Any] = dict.fromkeys(CANONICAL_COLUMNS)
        record.update(source_file=file, source_sheet="", source_row=number, row_kind="data")
        record.update(nik_was_numeric=False, no_kk_was_numeric=False, extras=None)
        record.update(fields)
        records.append(record)
    raw = pl.DataFrame(records, schema=RAW_ROWS_SCHEMA)
    return clean_rows(raw, load_kecamatan(), village, reference_date=REFERENCE).clean


def reconcile(blaban_kk: str, blaban_kk_numeric: bool = False) -> dict[str, pl.DataFrame]:
    """Siti under her parents' KK in Kapong (the newer export, with an IDDTKS) and as head of
    a KK in Blaban (an older export, a new proposal without IDDTKS); matched as one person."""
    kapong = village_rows(
        "kapong",
        "kapong/dtks.csv",
        [
            {**FATHER, "no_kk": KK_OLD, "tanggal_update": "01-11-2026"},
            {
                **SITI,
                "no_kk": KK_OLD,
                "hubungan_keluarga": "ANAK",
                "iddtks": "ID3528000000002",
                "tanggal_update": "01-11-2026",
            },
        ],
    )
    blaban = village_rows(
        "blaban",
        "blaban/dtks.csv",
        [
            {
                **SITI,
                "no_kk": blaban_kk,
                "no_kk_was_numeric": blaban_kk_numeric,
                "hubungan_keluarga": "KEPALA KELUARGA",
                "tanggal_update": "01-03-2026",
            }
        ],
    )
    clean = pl.concat([kapong, blaban])
    person = (
        pl.when(pl.col("nama") == "SITI AMINAH").then(pl.lit("C-SITI")).otherwise(pl.lit("C-AHMAD"))
    )
    clusters = clean.select(
        "village",
        "source_file",
        "source_sheet",
        "source_row",
        pl.format("K-{}-{}", "village", "source_row").alias("record_key"),
        person.alias("cluster_id"),
    )
    dataset = reconcile_dataset(clean, clusters)
    return {
        "persons": dataset.persons,
        "households": dataset.households,
        "deactivations": dataset.deactivations,
    }


def siti(result: dict[str, pl.DataFrame]) -> dict[str, Any]:
    return result["persons"].filter(pl.col("nama") == "SITI AMINAH").row(0, named=True)


def household_of(result: dict[str, pl.DataFrame], household_id: str) -> dict[str, Any]:
    households = result["households"].filter(pl.col("household_id") == household_id)
    return households.row(0, named=True)


def test_a_person_listed_under_two_sound_kks_belongs_to_the_newer_one() -> None:
    result = reconcile(KK_NEW)
    person = siti(result)
    assert person["no_kk"] == KK_NEW  # issued 2023, though the 2012 KK's export is newer
    assert person["hubungan_keluarga"] == "KEPALA KELUARGA"
    assert household_of(result, person["household_id"])["no_kk"] == KK_NEW
    assert household_of(result, person["household_id"])["head_person_id"] == person["person_id"]


def test_the_row_kept_upward_is_the_one_under_the_newer_kk() -> None:
    result = reconcile(KK_NEW)
    person = siti(result)
    assert person["primary_source_row_key"] == "blaban/dtks.csv||2"
    assert (person["village"], person["desa_nama"]) == ("blaban", "Blaban")
    assert person["iddtks"] is None  # the row kept is the new proposal, not the stale listing


def test_the_row_under_the_older_kk_goes_to_the_deactivation_list() -> None:
    result = reconcile(KK_NEW)
    rows = result["deactivations"].select(
        "village", "source_row", "no_kk", "reason_code", "village_kept", "source_row_kept"
    )
    assert rows.rows() == [("kapong", 3, KK_OLD, DUPLICATE, "blaban", 2)]


def test_the_parents_family_keeps_its_other_members() -> None:
    result = reconcile(KK_NEW)
    old = result["households"].filter(pl.col("no_kk") == KK_OLD).row(0, named=True)
    assert (old["count_members"], old["head_nama"]) == (1, "AHMAD")


@pytest.mark.parametrize(
    ("description", "written", "numeric"),
    [
        ("newer KK cut by Excel (number cell ending 0)", "3528111708230010", True),
        ("newer KK with an impossible issue date (31-02-24)", "3528113102240002", False),
        ("newer KK with serial 0000", "3528111708230000", False),
    ],
)
def test_a_doubtful_newer_kk_does_not_win_over_a_sound_older_one(
    description: str, written: str, numeric: bool
) -> None:
    result = reconcile(written, numeric)
    person = siti(result)
    assert person["no_kk"] == KK_OLD, description
    assert household_of(result, person["household_id"])["no_kk"] == KK_OLD
    assert person["primary_source_row_key"] == "kapong/dtks.csv||3", description
    deactivated = result["deactivations"].select("village", "reason_code", "village_kept")
    assert deactivated.rows() == [("blaban", DUPLICATE, "kapong")], description
