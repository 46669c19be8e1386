"""Synthetic desil ranking lists (SIKS-NG "Pemeringkatan Desil") consistent with the generated
families, with their field defects and their ground truth.

Written from the registry truth after the exports (its own random stream, `{seed}/desil`), so
switching the lists on changes no export and no registry truth byte. Each village gets one
list for the current period; `older_lists` villages also get the previous period's list, on
which `desil_changed` of the families had another desil. Per current list, of the families the
exports hold (rates are shares of those families, each stated in `DESIL_DEFECTS`):

- `unranked`: not in the list at all (the `families_not_ranked` view should show them);
- `head_nik_only`: the row carries only the head's NIK (no Nomor KK);
- `member_nik`: no Nomor KK, and a member's NIK instead of the head's;
- `kk_split`: an adult child married and has a new KK: an extra row with the new (unknown) KK
  and the child's NIK. The new family is not in the exports, so its desil must go to nobody;
- `dot_zero`: NIK and KK written with a trailing ".0" (a number saved from a spreadsheet);
- `absent_family`: extra rows of families the exports do not hold at all (fresh KK and NIK).

Families with no head listed in the exports carry their oldest listed member's NIK
(`head_not_listed`). Some villages (`member_lists`) get one row per listed member instead of one
per family (with a HUBUNGAN KELUARGA column). The truth has one row per data row written:
its location, the true family (`true_household_id`, None for a family absent from the exports),
the true desil and the defects.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
import xlsxwriter

from dtks.synth.vocab import HEAD, MONTHS_FULL

DESIL_DEFECTS: dict[str, float] = {
    "unranked": 0.08,
    "head_nik_only": 0.22,
    "member_nik": 0.03,
    "kk_split": 0.035,
    "dot_zero": 0.10,
    "absent_family": 0.02,
}
# BPS ranks the whole country; a poor rural kecamatan has more families in the low desils.
DESIL_WEIGHTS = (16, 14, 13, 12, 11, 9, 8, 7, 6, 4)
CURRENT_PERIOD = date(2026, 7, 1)
PREVIOUS_PERIOD = date(2026, 1, 1)
FAMILY_HEADER = (
    "NO",
    "ID DTSEN",
    "NOMOR KK",
    "NIK KEPALA KELUARGA",
    "NAMA KEPALA KELUARGA",
    "ALAMAT",
    "DESIL",
)
MEMBER_HEADER = ("NO", "NO KK", "NIK", "NAMA", "HUBUNGAN KELUARGA", "DESIL NASIONAL")
ADULT_AGE = 19

DESIL_TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "village": pl.String(),
    "periode": pl.Date(),
    "row_unit": pl.String(),
    "true_household_id": pl.String(),  # None: the family is not in the exports
    "true_person_id": pl.String(),  # whose NIK the row carries, when that person is listed
    "desil": pl.Int64(),
    "no_kk_written": pl.String(),
    "nik_written": pl.String(),
    "defects": pl.List(pl.String()),
}


@dataclass(frozen=True)
class DesilOptions:
    """Which desil lists to write, and their defect rates (shares of listed families)."""

    rates: Mapping[str, float] = field(default_factory=lambda: dict(DESIL_DEFECTS))
    older_lists: tuple[str, ...] = ()  # villages that also get the previous period's list
    desil_changed: float = 0.1  # share of families whose desil differs in the older list
    member_lists: tuple[str, ...] = ()  # villages whose list has one row per member
    xlsx_villages: tuple[str, ...] = ()  # villages written as XLSX (the others CSV)

    def rate(self, name: str) -> float:
        return float(self.rates.get(name, DESIL_DEFECTS[name]))


@dataclass
class _Family:
    household_id: str
    village: str
    no_kk: str
    desil: int
    members: list[dict]  # truth rows (first listing of each person), head first when listed


def write_desil_lists(
    truth: pl.DataFrame,
    out: Path,
    seed: int,
    options: DesilOptions,
    village_names: Mapping[str, str],
) -> tuple[list[str], pl.DataFrame]:
    """Write the lists under `out/<village>/`; return their paths (relative) and their truth."""
    rng = random.Random(f"{seed}/desil")
    families = _families(truth, rng)
    taken = set(truth["nik"].drop_nulls()) | set(truth["no_kk"].drop_nulls())
    paths: list[str] = []
    rows: list[tuple] = []
    by_village: dict[str, list[_Family]] = {}
    for family in families:
        by_village.setdefault(family.village, []).append(family)
    for slug in sorted(by_village):
        listed = by_village[slug]
        periods = [CURRENT_PERIOD] + ([PREVIOUS_PERIOD] if slug in options.older_lists else [])
        for period in periods:
            entries = _entries(rng, listed, options, period, taken, slug)
            unit = "anggota" if slug in options.member_lists else "keluarga"
            path, written = _write(
                out, slug, village_names.get(slug, slug), period, unit, entries, options
            )
            paths.append(path)
            rows.extend(written)
    return paths, pl.DataFrame(rows, schema=DESIL_TRUTH_SCHEMA, orient="row")


def _families(truth: pl.DataFrame, rng: random.Random) -> list[_Family]:
    data = (
        truth.filter(pl.col("row_kind") == "data")
        .unique(["true_household_id", "true_person_id"], keep="first", maintain_order=True)
        .select(
            "village",
            "true_household_id",
            "true_person_id",
            "nik",
            "no_kk",
            "nama",
            "hubungan_keluarga",
            "tanggal_lahir",
        )
    )
    families: list[_Family] = []
    for (household_id,), members in data.group_by(["true_household_id"], maintain_order=True):
        records = members.to_dicts()
        records.sort(key=lambda r: (r["hubungan_keluarga"] != HEAD, r["tanggal_lahir"] or date.max))
        village = records[0]["village"]
        desil = rng.choices(range(1, 11), weights=DESIL_WEIGHTS)[0]
        families.append(_Family(str(household_id), village, records[0]["no_kk"], desil, records))
    families.sort(key=lambda f: f.household_id)
    return families


def _fresh_number(rng: random.Random, prefix: str, taken: set[str]) -> str:
    while True:
        day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 25)
        number = f"{prefix}{day:02d}{month:02d}{year:02d}{rng.randint(9000, 9999):04d}"
        if number not in taken:
            taken.add(number)
            return number


def _entries(
    rng: random.Random,
    families: list[_Family],
    options: DesilOptions,
    period: date,
    taken: set[str],
    slug: str,
) -> list[dict]:
    """The rows of one list (before writing): family, desil, KK/NIK/name written, defects."""
    older = period != CURRENT_PERIOD
    entries: list[dict] = []
    splits = _splits(rng, families, options.rate("kk_split"))
    for family in families:
        if rng.random() < options.rate("unranked"):
            continue
        desil = family.desil
        defects: list[str] = []
        if older and rng.random() < options.desil_changed:
            desil = desil + 1 if desil < 10 else desil - 1
            defects.append("desil_changed_since")
        head = family.members[0]
        if head["hubungan_keluarga"] != HEAD:
            defects.append("head_not_listed")
        kk: str | None = family.no_kk
        person = head
        draw = rng.random()
        if draw < options.rate("member_nik") and len(family.members) > 1:
            kk, person = None, rng.choice(family.members[1:])
            defects.append("member_nik")
        elif draw < options.rate("member_nik") + options.rate("head_nik_only"):
            kk = None
            defects.append("head_nik_only")
        if slug in options.member_lists:
            for member in family.members:
                entries.append(_entry(family.household_id, member, kk, desil, list(defects)))
        else:
            entries.append(_entry(family.household_id, person, kk, desil, defects))
        child = splits.get(family.household_id)
        if child is not None:
            new_kk = _fresh_number(rng, str(family.no_kk or "352811")[:6], taken)
            split_desil = rng.choices(range(1, 11), weights=DESIL_WEIGHTS)[0]
            entry = _entry(None, child, new_kk, split_desil, ["kk_split"])
            entry["hubungan"] = HEAD
            entries.append(entry)
    for _ in range(round(len(families) * options.rate("absent_family"))):
        nik = _fresh_number(rng, "352811", taken)
        stranger = {
            "true_person_id": None,
            "nik": nik,
            "nama": rng.choice(("SUPARMAN", "MOH. HOLIS", "SITI MARYAM", "ABD. RAHMAN", "FATIMAH")),
            "hubungan_keluarga": HEAD,
        }
        desil = rng.choices(range(1, 11), weights=DESIL_WEIGHTS)[0]
        entries.append(
            _entry(None, stranger, _fresh_number(rng, "352811", taken), desil, ["absent_family"])
        )
    for entry in entries:
        if rng.random() < options.rate("dot_zero"):
            entry["defects"].append("dot_zero")
            entry["nik_written"] = entry["nik_written"] and entry["nik_written"] + ".0"
            entry["kk_written"] = entry["kk_written"] and entry["kk_written"] + ".0"
    return entries


def _splits(rng: random.Random, families: list[_Family], rate: float) -> dict[str, dict]:
    """Families (by id) one of whose adult children married and has a new KK: that child.

    `rate` of all families (or every family with an adult child, when fewer have one).
    """
    candidates: list[tuple[str, list[dict]]] = []
    for family in families:
        adults = [
            m
            for m in family.members[1:]
            if m["hubungan_keluarga"] == "ANAK"
            and m["tanggal_lahir"] is not None
            and (CURRENT_PERIOD - m["tanggal_lahir"]).days >= ADULT_AGE * 365
        ]
        if adults:
            candidates.append((family.household_id, adults))
    wanted = min(len(candidates), math.ceil(rate * len(families)))
    return {hid: rng.choice(adults) for hid, adults in rng.sample(candidates, wanted)}


def _entry(
    household_id: str | None, person: dict, kk: str | None, desil: int, defects: list[str]
) -> dict:
    return {
        "household_id": household_id,
        "person_id": person["true_person_id"],
        "kk_written": kk,
        "nik_written": person["nik"],
        "nama": person["nama"],
        "hubungan": person["hubungan_keluarga"],
        "desil": desil,
        "defects": defects,
    }


def _write(
    out: Path,
    slug: str,
    village_name: str,
    period: date,
    unit: str,
    entries: list[dict],
    options: DesilOptions,
) -> tuple[str, list[tuple]]:
    """One list file; its truth rows."""
    header = MEMBER_HEADER if unit == "anggota" else FAMILY_HEADER
    titles = [
        "DAFTAR PEMERINGKATAN DESIL DTSEN",
        f"DESA {village_name.upper()} - PERIODE {MONTHS_FULL[period.month - 1].upper()} {period.year}",
    ]
    lines: list[list[str]] = []
    for number, e in enumerate(entries, start=1):
        if unit == "anggota":
            cells = [
                str(number),
                e["kk_written"] or "",
                e["nik_written"] or "",
                e["nama"] or "",
                e["hubungan"] or "",
                str(e["desil"]),
            ]
        else:
            cells = [
                str(number),
                "",
                e["kk_written"] or "",
                e["nik_written"] or "",
                e["nama"] or "",
                "",
                str(e["desil"]),
            ]
        lines.append(cells)
    stem = f"Pemeringkatan Desil {village_name} {period:%Y-%m}"
    xlsx = slug in options.xlsx_villages
    relative = f"{slug}/{stem}.{'xlsx' if xlsx else 'csv'}"
    path = out / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    first_row = len(titles) + 3  # titles, a blank row, the header, then the data (1-based)
    if xlsx:
        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        workbook.set_properties({"created": _created()})
        sheet = workbook.add_worksheet("Desil")
        for r, title in enumerate(titles):
            sheet.write_string(r, 0, title)
        sheet.write_row(len(titles) + 1, 0, header)
        for r, cells in enumerate(lines, start=first_row - 1):
            for c, cell in enumerate(cells):
                if cell:
                    sheet.write_string(r, c, cell)
        workbook.close()
        sheet_name = "Desil"
    else:
        with path.open("w", encoding="latin-1", errors="replace", newline="") as handle:
            writer = csv.writer(handle, delimiter="|", lineterminator="\r\n")
            for title in titles:
                writer.writerow([title])
            writer.writerow([])
            writer.writerow(header)
            writer.writerows(lines)
        sheet_name = ""
    truth_rows = [
        (
            relative,
            sheet_name,
            first_row + i,
            slug,
            period,
            unit,
            e["household_id"],
            e["person_id"],
            e["desil"],
            e["kk_written"],
            e["nik_written"],
            e["defects"],
        )
        for i, e in enumerate(entries)
    ]
    return relative, truth_rows


def _created():
    from dtks.synth.writers import XLSX_CREATED  # noqa: PLC0415 - one fixed timestamp

    return XLSX_CREATED


def desil_truth_path(truth_path: Path) -> Path:
    """Where the desil truth goes: next to the registry truth, `<stem>_desil.parquet`."""
    return truth_path.with_name(f"{truth_path.stem}_desil.parquet")
