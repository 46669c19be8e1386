"""Hand-built village exports (CSV, DTKS individual layout) with the IDDTKS conventions of the
field: a family id repeated on every member, a member id (family id + sequence number), a
person id, none; NIKs borrowed within a family and across families. Written here, not by
dtks.synth, so the matcher is measured on conventions it was not built from."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
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


FAMILIES = {
    "a": family("a", 101, "AHMAD FAUZI", "SITI AMINAH", ("NUR HASANAH", "P"), ("MOH ROSYID", "L")),
    "b": family("b", 201, "HASAN BASRI", "ROMLAH", ("ZAINAL ARIFIN", "L"), ("FATIMAH", "P")),
    "c": family("c", 301, "SUKRI", "HOLIFAH", ("SAMSUL HADI", "L")),
    "d": family("d", 401, "MAHMUD", "JUMATI", ("RUKAYYAH", "P"), ("HOSNAN", "L"), ("SAHRI", "L")),
}


def _kk(prefix: str) -> str:
    return f"35281101021{ord(prefix):05d}"


def rows_of(
    families: list[str],
    iddtks: str,
    desa: str,
    borrowed: dict[str, str] | None = None,
) -> list[list[str]]:
    """CSV rows of ``families``; ``iddtks``: family, member, person or absent; ``borrowed``:
    member key -> key of the member whose NIK it carries."""
    every = {m.key: m for f in FAMILIES.values() for m in f}
    borrowed = borrowed or {}
    rows = []
    for f in families:
        family_id = f"35281100{ord(f):05d}"
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
                    "'" + nik,
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
