"""Builders of small clean frames (the "Clean rows" schema of docs/architecture.md) for matcher tests."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

import polars as pl

from dtks.clean import CLEAN_SCHEMA

VILLAGES = {"kapong": "35.28.11.2007", "blaban": "35.28.11.2010", "tamberu": "35.28.11.2011"}


def nik_for(birth: dt.date, sex: str, serial: int, region: str = "352811") -> str:
    """A well-formed NIK: region, DDMMYY (+40 on the day for women), 4-digit serial."""
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def person(
    nama: str,
    born: dt.date | None,
    *,
    sex: str = "P",
    serial: int | None = 1,
    village: str = "kapong",
    row: int = 2,
    nik: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """One clean row; the NIK is derived from birth date and sex unless given or ``serial=None``."""
    if nik is None and serial is not None and born is not None:
        nik = nik_for(born, sex, serial)
    nik_date = None
    if nik is not None:
        day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
        century = 1900 if year > 30 else 2000
        try:
            nik_date = dt.date(century + year, month, day - 40 if day > 40 else day)
        except ValueError:
            nik_date = None
    row_values: dict[str, Any] = {
        "village": village,
        "source_file": f"{village}/dtks_{village}.csv",
        "source_sheet": "",
        "source_row": row,
        "nik": nik,
        "nik_as_written": nik,
        "nik_is_valid": nik is not None and nik_date is not None and not nik.endswith("0000"),
        "nik_possibly_truncated": False,
        "nik_birth_date": nik_date,
        "nik_sex": None if nik is None else ("P" if int(nik[6:8]) > 40 else "L"),
        "nama": nama,
        "nama_key": nama,
        "tanggal_lahir": born,
        "tanggal_lahir_is_placeholder": born is not None
        and (born.month, born.day) in {(1, 1), (12, 31), (7, 1)},
        "jenis_kelamin": sex,
        "desa_kode": VILLAGES[village],
        "desa_nama": village.title(),
    }
    row_values.update(overrides)
    return row_values


def clean_frame(rows: Sequence[dict[str, Any]]) -> pl.DataFrame:
    """A clean frame with every architecture.md column (missing values null)."""
    return pl.DataFrame(
        [{name: r.get(name) for name in CLEAN_SCHEMA} for r in rows], schema=CLEAN_SCHEMA
    )


_FIRST = [
    "AHMAD",
    "MOH",
    "ABD",
    "SITI",
    "NUR",
    "FATIMAH",
    "HASAN",
    "ROMLAH",
    "SUHAR",
    "MARYAM",
    "ZAINAL",
    "HOLIFAH",
    "SAMSUL",
    "RUKAYYAH",
    "ACH",
    "MUSLIMAH",
    "HOSNAN",
    "JUMATI",
]
_LAST = [
    "ARIFIN",
    "AMINAH",
    "HOLIS",
    "ROSYID",
    "FAUZI",
    "HASANAH",
    "SAFI'I",
    "MANSUR",
    "KHOTIJAH",
    "HOLILAH",
    "RAHMAN",
    "ZAINAB",
    "SUKRI",
    "MAHMUD",
    "HAYATI",
    "SAHRI",
]


def background(
    count: int, seed: int = 7, first_row: int = 1000, duplicate_share: float = 0.05
) -> list[dict[str, Any]]:
    """``count`` people (unique NIKs and KKs) so that u and m can be estimated.

    A ``duplicate_share`` of them is listed a second time (another row, the same values), as
    in real exports, so EM has duplicates to learn from.
    """
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        sex = rng.choice("LP")
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
        village = rng.choice(list(VILLAGES))
        rows.append(
            person(
                f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}",
                born,
                sex=sex,
                serial=1000 + i,
                village=village,
                row=first_row + i,
                nama_ibu_key=f"{rng.choice(_FIRST)} {rng.choice(_LAST)} {rng.choice(_LAST)}",
                no_kk=f"3528110101{i:06d}",
                tempat_lahir_key=rng.choice(["PAMEKASAN", "BATUMARMAR", "SURABAYA", "SAMPANG"]),
                hubungan_keluarga=rng.choice(["KEPALA KELUARGA", "ISTRI", "ANAK"]),
                dusun=f"DUSUN {rng.randrange(5)}",
                rt=f"{rng.randrange(1, 9):03d}",
                rw="001",
            )
        )
    copies = [
        dict(r, source_row=r["source_row"] + 50_000) for r in rows[: int(count * duplicate_share)]
    ]
    return rows + copies
