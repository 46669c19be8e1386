"""Synthetic village population registers (OpenSID "Ekspor Penduduk") consistent with the
generated families, with their ground truth.

Written after the exports and the desil lists, from the true population, so switching it on
changes no export, no desil list and no truth byte written before it. New families are drawn
from the population builder after everything else is written (fresh NIK and KK numbers); the
other choices use their own random stream (`{seed}/register`).

Per village, every resident of the population's families is a register row, except:

- `absent_from_register`: a share of the persons the exports list are left out of the
  register (registry persons "found in no register": to verify);
- deceased persons the exports still list carry status MATI (a death the registry missed);
- `moved_out`: a share of the living persons the exports list carry status PINDAH;
- `new_family`: families not in the exports (nor in any desil list) are added: to propose;
- families of a desil list's `absent_family` rows are added too (in the desil list, so never
  to propose);
- `nik_missing`: a share of the register rows have no NIK (matched on name, birth date and
  mother's name together); `apostrophe`: NIK and KK typed with a leading apostrophe.

The truth has one row per register data row: location, true person and family, the status
written, whether the person is listed in the exports, and the family's kind (`registry`,
`new`, `desil_only`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import xlsxwriter

from dtks.synth.population import Household, Person, PopulationBuilder, VillageGeography

REGISTER_RATES: dict[str, float] = {
    "absent_from_register": 0.03,
    "moved_out": 0.015,
    "new_family": 0.04,  # share of a village's families
    "nik_missing": 0.03,
    "apostrophe": 0.2,
}
REGISTER_DATE = date(2026, 11, 1)
# The header of OpenSID's "Database > Ekspor Penduduk" (dtks/reference/register_layouts.toml),
# with the status_dasar column of its OpenDK variant.
REGISTER_HEADER = (
    "Alamat",
    "Dusun",
    "RW",
    "RT",
    "Nama",
    "Nomor KK",
    "Nomor NIK",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Agama",
    "Pendidikan (dlm KK)",
    "Pekerjaan",
    "Kawin",
    "Hub. Keluarga",
    "Kewarganegaraan",
    "Nama Ayah",
    "Nama Ibu",
    "Gol. Darah",
    "Status Dasar",
)
EDUCATION = ("TIDAK / BELUM SEKOLAH", "TAMAT SD / SEDERAJAT", "SLTP/SEDERAJAT", "SLTA / SEDERAJAT")

REGISTER_TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "village": pl.String(),
    "true_person_id": pl.String(),
    "true_household_id": pl.String(),
    "status": pl.String(),  # HIDUP, MENINGGAL, PINDAH (as the register says)
    "is_listed": pl.Boolean(),  # the exports list this person
    "family_kind": pl.String(),  # registry, new (to propose), desil_only (ranked, not exported)
    "nik_written": pl.String(),
    "no_kk_written": pl.String(),
    "defects": pl.List(pl.String()),
}


@dataclass(frozen=True)
class RegisterOptions:
    """Which villages get a register, and the rates (`REGISTER_RATES`)."""

    villages: tuple[str, ...] = ()  # empty: every village
    rates: Mapping[str, float] = field(default_factory=lambda: dict(REGISTER_RATES))

    def rate(self, name: str) -> float:
        return float(self.rates.get(name, REGISTER_RATES[name]))


def write_registers(
    households: list[Household],
    builder: PopulationBuilder,
    geography: Mapping[str, VillageGeography],
    truth: pl.DataFrame,
    desil_truth: pl.DataFrame | None,
    out: Path,
    seed: int,
    options: RegisterOptions,
) -> tuple[list[str], pl.DataFrame]:
    """Write `<village>/penduduk_<date>.xlsx` per village; return their paths and truth."""
    rng = random.Random(f"{seed}/register")
    listed = set(truth.filter(pl.col("row_kind") == "data")["true_person_id"].drop_nulls())
    by_village: dict[str, list[Household]] = {}
    for household in households:
        by_village.setdefault(household.village, []).append(household)
    villages = [v for v in sorted(by_village) if not options.villages or v in options.villages]
    absent_desil = _desil_absent_families(desil_truth)
    paths: list[str] = []
    rows: list[tuple] = []
    for slug in villages:
        entries: list[dict] = []
        for household in by_village[slug]:
            for person in household.members:
                entry = _resident(rng, household, person, person.person_id in listed, options)
                if entry is not None:
                    entries.append(entry)
        for _ in range(round(len(by_village[slug]) * options.rate("new_family"))):
            family = builder.household(geography[slug])
            entries.extend(_new_member(family, p, "new") for p in family.members)
        for no_kk, nik in absent_desil.get(slug, []):
            family = builder.household(geography[slug])
            family.no_kk = no_kk
            family.members[0].nik = nik
            entries.extend(_new_member(family, p, "desil_only") for p in family.members)
        for entry in entries:
            _written_numbers(rng, entry, options)
        path, written = _write(out, slug, entries)
        paths.append(path)
        rows.extend(written)
    return paths, pl.DataFrame(rows, schema=REGISTER_TRUTH_SCHEMA, orient="row")


def _desil_absent_families(desil_truth: pl.DataFrame | None) -> dict[str, list[tuple[str, str]]]:
    """Per village: (KK, head NIK) of the desil lists' families absent from the exports."""
    if desil_truth is None or desil_truth.is_empty():
        return {}
    absent = desil_truth.filter(pl.col("defects").list.contains("absent_family")).unique(
        ["village", "no_kk_written"], keep="first", maintain_order=True
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for row in absent.iter_rows(named=True):
        kk = str(row["no_kk_written"]).removesuffix(".0")
        nik = str(row["nik_written"]).removesuffix(".0")
        found.setdefault(row["village"], []).append((kk, nik))
    return found


def _resident(
    rng: random.Random,
    household: Household,
    person: Person,
    is_listed: bool,
    options: RegisterOptions,
) -> dict | None:
    defects: list[str] = []
    if is_listed and rng.random() < options.rate("absent_from_register"):
        return None
    status = "HIDUP"
    if person.is_deceased:
        status = "MENINGGAL"
    elif is_listed and rng.random() < options.rate("moved_out"):
        status = "PINDAH"
        defects.append("moved_out")
    entry = _member(household, person, "registry", status, defects)
    entry["is_listed"] = is_listed
    return entry


def _new_member(household: Household, person: Person, kind: str) -> dict:
    entry = _member(household, person, kind, "HIDUP", [])
    entry["is_listed"] = False
    return entry


def _member(
    household: Household, person: Person, kind: str, status: str, defects: list[str]
) -> dict:
    return {
        "household": household,
        "person": person,
        "family_kind": kind,
        "status": status,
        "defects": defects,
        "nik_written": person.nik,
        "kk_written": household.no_kk,
    }


def _written_numbers(rng: random.Random, entry: dict, options: RegisterOptions) -> None:
    if rng.random() < options.rate("nik_missing"):
        entry["nik_written"] = None
        entry["defects"].append("nik_missing")
    if rng.random() < options.rate("apostrophe"):
        entry["defects"].append("apostrophe")
        entry["nik_written"] = entry["nik_written"] and "'" + entry["nik_written"]
        entry["kk_written"] = "'" + entry["kk_written"]


def _cells(entry: dict, number: int) -> list[str]:
    household: Household = entry["household"]
    person: Person = entry["person"]
    written_status = {"HIDUP": "HIDUP", "MENINGGAL": "MATI", "PINDAH": "PINDAH"}[entry["status"]]
    return [
        household.alamat,
        household.dusun,
        f"{household.rw:03d}",
        f"{household.rt:03d}",
        person.nama,
        entry["kk_written"] or "",
        entry["nik_written"] or "",
        "LAKI-LAKI" if person.jenis_kelamin == "L" else "PEREMPUAN",
        person.tempat_lahir,
        person.tanggal_lahir.isoformat(),
        "ISLAM",
        EDUCATION[number % len(EDUCATION)],
        person.pekerjaan,
        person.status_kawin,
        person.hubungan_keluarga,
        "WNI",
        "-",
        person.nama_ibu_kandung,
        "TIDAK TAHU",
        written_status,
    ]


def _write(out: Path, slug: str, entries: list[dict]) -> tuple[str, list[tuple]]:
    relative = f"{slug}/penduduk_{REGISTER_DATE:%d_%m_%Y}.xlsx"
    path = out / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False}
    )
    from dtks.synth.writers import XLSX_CREATED  # noqa: PLC0415 - one fixed timestamp

    workbook.set_properties({"created": XLSX_CREATED, "author": "opensid"})
    sheet = workbook.add_worksheet("Sheet1")
    sheet.write_row(0, 0, REGISTER_HEADER)
    truth_rows: list[tuple] = []
    for index, entry in enumerate(entries):
        for c, cell in enumerate(_cells(entry, index)):
            if cell:
                sheet.write_string(index + 1, c, cell)
        truth_rows.append(
            (
                relative,
                "Sheet1",
                index + 2,
                slug,
                entry["person"].person_id,
                entry["household"].household_id,
                entry["status"],
                entry["is_listed"],
                entry["family_kind"],
                entry["nik_written"],
                entry["kk_written"],
                entry["defects"],
            )
        )
    workbook.close()
    return relative, truth_rows


def register_truth_path(truth_path: Path) -> Path:
    """Where the register truth goes: next to the registry truth, `<stem>_register.parquet`."""
    return truth_path.with_name(f"{truth_path.stem}_register.parquet")
