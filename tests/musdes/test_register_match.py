"""Register residents are matched to registry persons on a trusted NIK, or on name, birth date
and mother's name together; never on a name alone, never against a contradicting NIK."""

from __future__ import annotations

import polars as pl
import pytest
from musdes_frames import KECAMATAN, register, registry

from dtks.musdes import register_rows


def person(pid: str, nik: str | None, nama: str, born: str, ibu: str, **extra: str) -> dict:
    return {
        "pid": pid,
        "nik": nik,
        "nama": nama,
        "tanggal_lahir": born,
        "nama_ibu_kandung": ibu,
        "no_kk": "3528110101100001",
        "hubungan_keluarga": "ANAK",
        **extra,
    }


REGISTRY = [
    person("P-siti", "3528114506890001", "SITI AMINAH", "05-06-1989", "AMINAH"),
    person("P-holis", None, "MOH. HOLIS", "12-03-1975", "FATIMAH"),
    person("P-rahman", "3528110102600003", "ABD. RAHMAN", "01-02-1960", "ROMLAH"),
    person("P-suparman", "3528112010800004", "SUPARMAN", "20-10-1980", "SAMSIYAH"),
    person("P-twin1", None, "HASAN", "03-03-2003", "MAIMUNAH"),
    person("P-twin2", None, "HASAN", "03-03-2003", "MAIMUNAH"),
]

# description, register row, expected person, expected matched_by
CASES = [
    (
        "a trusted NIK matches, whatever the spelling",
        {"nik": "3528114506890001", "nama": "SITI AMINA", "tanggal_lahir": "1989-06-05"},
        "P-siti",
        "nik",
    ),
    (
        "no NIK: name, birth date and mother's name together",
        {"nama": "MOH HOLIS", "tanggal_lahir": "1975-03-12", "nama_ibu_kandung": "FATIMAH"},
        "P-holis",
        "nama_tgl_ibu",
    ),
    (
        "a name alone never matches",
        {"nama": "ABD. RAHMAN", "tanggal_lahir": "1961-02-01", "nama_ibu_kandung": "ROMLAH"},
        None,
        None,
    ),
    (
        "name and birth date with another mother do not match",
        {"nama": "SUPARMAN", "tanggal_lahir": "1980-10-20", "nama_ibu_kandung": "SITI"},
        None,
        None,
    ),
    (
        "a trusted NIK far from the registry's keeps two people apart",
        {
            "nik": "3528112010809876",
            "nama": "SUPARMAN",
            "tanggal_lahir": "1980-10-20",
            "nama_ibu_kandung": "SAMSIYAH",
        },
        None,
        None,
    ),
    (
        "one mistyped NIK digit with name, birth date and mother's name is the same person",
        {
            "nik": "3528110102600008",
            "nama": "ABD RAHMAN",
            "tanggal_lahir": "1960-02-01",
            "nama_ibu_kandung": "ROMLAH",
        },
        "P-rahman",
        "nama_tgl_ibu",
    ),
    (
        "two registry persons with one name, birth date and mother: no match",
        {"nama": "HASAN", "tanggal_lahir": "2003-03-03", "nama_ibu_kandung": "MAIMUNAH"},
        None,
        None,
    ),
]


@pytest.fixture(scope="module")
def matched() -> pl.DataFrame:
    persons, sources = registry([dict(p) for p in REGISTRY])
    rows = [{"no_kk": "3528110101100009", **case[1]} for case in CASES]
    return register_rows(register(rows), persons, sources, KECAMATAN)


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0] for c in CASES])
def test_register_match(matched: pl.DataFrame, index: int) -> None:
    description, _, expected, how = CASES[index]
    row = matched.filter(pl.col("source_row") == index + 2).row(0, named=True)
    assert (row["person_id"], row["matched_by"]) == (expected, how), description
    assert row["outcome"] == ("cocok" if expected else "tidak_cocok")


def test_status_and_rejected_rows_are_accounted() -> None:
    persons, sources = registry([dict(p) for p in REGISTRY[:1]])
    raw = register(
        [
            {"nik": "3528114506890001", "nama": "SITI AMINAH", "status_dasar_text": "MATI"},
            {"nama": "BARU", "keterangan": "pindah keluar"},
            {"nama": None, "alamat": "Mengetahui, Kepala Desa"},
        ]
    )
    rows = register_rows(raw, persons, sources, KECAMATAN)
    assert rows.height == raw.height  # every row read ends in one outcome
    assert rows["status"].to_list()[:2] == ["MENINGGAL", "PINDAH"]
    assert rows["outcome"].to_list() == ["cocok", "tidak_cocok", "ditolak"]
    assert rows["reason"][2]  # why the row was not used, for the operator
    assert not rows["family_key"].drop_nulls().str.contains("3528").any()  # no KK in the clear
