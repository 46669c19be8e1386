"""Hand-built village exports (CSV, DTKS individual layout) with the IDDTKS conventions of the
field: a family id repeated on every member, a member id (family id + sequence number), a
person id, none; NIKs borrowed within a family and across families. Written here, not by
dtks.synth, so the matcher is measured on conventions it was not built from."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

HEADER = [
    "IDDTKS",
    "DESA/KELURAHAN",
    "NOMOR KK",
    "NIK",
    "NAMA",
    "TANGGAL LAHIR",
    "JENIS KELAMIN",
    "NAMA IBU KANDUNG",
    "HUBUNGAN KELUARGA",
]


@dataclass(frozen=True)
class Member:
    """One true person: ``key`` names them across exports (the test's ground truth)."""

    key: str
    nama: str
    born: dt.date
    sex: str
    relation: str
    mother: str
    serial: int

    @property
    def nik(self) -> str:
        day = self.born.day + (40 if self.sex == "P" else 0)
        return f"352811{day:02d}{self.born.month:02d}{self.born.year % 100:02d}{self.serial:04d}"


def family(
    prefix: str, serial: int, head: str, wife: str, *children: tuple[str, str]
) -> list[Member]:
    """A head, his wife and children (name, sex), born on distinct days, NIKs from ``serial``."""
    members = [
        Member(
            f"{prefix}-head",
            head,
            dt.date(1968, 3, 4 + serial % 20),
            "L",
            "KEPALA KELUARGA",
            "MARYAM",
            serial,
        ),
        Member(
            f"{prefix}-wife",
            wife,
            dt.date(1972, 9, 2 + serial % 20),
            "P",
            "ISTRI",
            "HALIMAH",
            serial + 1,
        ),
    ]
    for i, (nama, sex) in enumerate(children):
        members.append(
            Member(
                f"{prefix}-child{i}",
                nama,
                dt.date(1995 + 3 * i, 1 + i, 10 + serial % 15),
                sex,
                "ANAK",
                wife,
                serial + 2 + i,
            )
        )
    return members


_MEN = ["AHMAD", "MOH", "ABD", "HASAN", "ZAINAL", "SAMSUL", "ACH", "HOSNAN", "SUKRI", "MAHMUD"]
_WOMEN = ["SITI", "NUR", "FATIMAH", "ROMLAH", "MARYAM", "HOLIFAH", "RUKAYYAH", "MUSLIMAH"]
_LAST = ["ARIFIN", "AMINAH", "HOLIS", "ROSYID", "FAUZI", "HASANAH", "MANSUR", "ZAINAB", "SAHRI"]


def generated_families(count: int, seed: int = 13) -> dict[str, list[Member]]:
    """``count`` families ``g0``.. of 2-5 members, names, mothers and birth dates drawn at random."""
    rng = random.Random(seed)

    def day(first_year: int, last_year: int) -> dt.date:
        return dt.date(first_year, 1, 1) + dt.timedelta(
            days=rng.randrange((last_year - first_year) * 365)
        )

    families = {}
    for i in range(count):
        prefix, serial = f"g{i}", 1000 + 10 * i
        wife = f"{rng.choice(_WOMEN)} {rng.choice(_LAST)}"
        members = [
            Member(
                f"{prefix}-head",
                f"{rng.choice(_MEN)} {rng.choice(_LAST)}",
                day(1945, 1985),
                "L",
                "KEPALA KELUARGA",
                f"{rng.choice(_WOMEN)} {rng.choice(_LAST)}",
                serial,
            ),
            Member(
                f"{prefix}-wife",
                wife,
                day(1950, 1990),
                "P",
                "ISTRI",
                f"{rng.choice(_WOMEN)} {rng.choice(_LAST)}",
                serial + 1,
            ),
        ]
        for k, sex in enumerate(rng.choices("LP", k=rng.randrange(0, 4))):
            nama = f"{rng.choice(_MEN if sex == 'L' else _WOMEN)} {rng.choice(_LAST)}"
            members.append(
                Member(
                    f"{prefix}-child{k}", nama, day(1990, 2020), sex, "ANAK", wife, serial + 2 + k
                )
            )
        families[prefix] = members
    return families


GENERATED = generated_families(60)
FAMILIES = {
    "a": family("a", 101, "AHMAD FAUZI", "SITI AMINAH", ("NUR HASANAH", "P"), ("MOH ROSYID", "L")),
    "b": family("b", 201, "HASAN BASRI", "ROMLAH", ("ZAINAL ARIFIN", "L"), ("FATIMAH", "P")),
    "c": family("c", 301, "SUKRI", "HOLIFAH", ("SAMSUL HADI", "L")),
    "d": family("d", 401, "MAHMUD", "JUMATI", ("RUKAYYAH", "P"), ("HOSNAN", "L"), ("SAHRI", "L")),
    "e": family("e", 501, "ABD RAHMAN", "SAHRIYAH", ("MUSLIMAH", "P"), ("ACH FAUZI", "L")),
    **GENERATED,
}


def _number(prefix: str) -> int:
    return list(FAMILIES).index(prefix) + 1


def _kk(prefix: str) -> str:
    return f"35281101021{_number(prefix):05d}"


def rows_of(
    families: list[str],
    iddtks: str,
    desa: str,
    borrowed: dict[str, str] | None = None,
    with_nik: bool = True,
) -> list[list[str]]:
    """CSV rows of ``families``; ``iddtks``: family, member, person or absent; ``borrowed``:
    member key -> key of the member whose NIK it carries; ``with_nik``: False leaves NIK empty."""
    every = {m.key: m for f in FAMILIES.values() for m in f}
    borrowed = borrowed or {}
    rows = []
    for f in families:
        family_id = f"35281100{_number(f):05d}"
        for sequence, m in enumerate(FAMILIES[f], start=1):
            id_value = {
                "family": family_id,
                "member": f"{family_id}{sequence:02d}",
                # registry ids, not consecutive within a family (consecutive ones would
                # look like, and be read as, member ids: still person keys)
                "person": f"9{m.serial * 7919 % 10**7:07d}",
                "absent": "",
            }[iddtks]
            nik = every[borrowed[m.key]].nik if m.key in borrowed else m.nik
            rows.append(
                [
                    id_value,
                    desa,
                    _kk(f),
                    "'" + nik if with_nik else "",
                    m.nama,
                    m.born.strftime("%d-%m-%Y"),
                    m.sex,
                    m.mother,
                    m.relation,
                ]
            )
    return rows


def write_export(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def truth_of(families: list[str]) -> list[str]:
    """The true person key of each row of ``rows_of(families, ...)``, in order."""
    return [m.key for f in families for m in FAMILIES[f]]


@dataclass(frozen=True)
class Export:
    """One village's export: which families, with which IDDTKS convention, and the kind of
    IDDTKS the pipeline should read from it."""

    description: str
    village: str
    desa: str
    families: list[str]
    convention: str
    kind: str
    borrowed: dict[str, str] = field(default_factory=dict)
    with_nik: bool = True
    file: str = "export.csv"

    @property
    def source_file(self) -> str:
        return f"{self.village}/{self.file}"


EXPORTS = [
    Export(
        "family id repeated on every member", "kapong", "KAPONG", ["a", "b"], "family", "family"
    ),
    Export("member id: family id + sequence", "blaban", "BLABAN", ["c", "d"], "member", "member"),
    Export(
        "person ids; the wife carries the head's NIK",
        "tamberu",
        "TAMBERU",
        ["a"],
        "person",
        "person",
        {"a-wife": "a-head"},
    ),
    Export(
        "no IDDTKS; a child carries the NIK of another family's head",
        "bujur-barat",
        "BUJUR BARAT",
        ["d"],
        "absent",
        "absent",
        {"d-child1": "c-head"},
    ),
    Export(
        "family id on every member, no NIK at all",
        "pangereman",
        "PANGEREMAN",
        ["e", *list(GENERATED)[:30]],
        "family",
        "family",
        with_nik=False,
    ),
    Export(
        "family id on every member, NIKs",
        "kapong",
        "KAPONG",
        list(GENERATED)[30:],
        "family",
        "family",
        file="keluarga.csv",
    ),
]


def write_exports(raw: Path) -> None:
    """Every export of `EXPORTS`, as ``raw/<village>/export.csv``."""
    for e in EXPORTS:
        rows = rows_of(e.families, e.convention, e.desa, e.borrowed, e.with_nik)
        write_export(raw / e.source_file, rows)


def exports_truth() -> dict[tuple[str, int], str]:
    """(source file, row number) -> true person key of every data row of `write_exports`."""
    return {
        (e.source_file, row): key
        for e in EXPORTS
        for row, key in enumerate(truth_of(e.families), start=2)
    }
