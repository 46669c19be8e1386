"""Bench helpers: the grid's frozen defect profile, its cells and how each cell's exports are made.

`PROFILE_2026_12` freezes the generator's default defect rates as of December 2026: the grid
passes every rate explicitly (`--rate NAME=RATE`), so a later change of a default in
`dtks.synth` cannot move the target. (Population shape, names and the share of people with
an IDDTKS are not rates and stay the generator's.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchlib import generate

SEED = 20261203
PEOPLE = 40_000

PROFILE_2026_12: dict[str, float] = {
    "dup_in_village": 0.02,
    "dup_across_villages": 0.015,
    "nik_typo": 0.01,
    "nik_missing": 0.03,
    "hajj_name": 0.01,
    "deceased_listed": 0.015,
    "keterangan_pindah": 0.005,
    "keterangan_ganda": 0.005,
    "kk_no_head": 0.01,
    "kk_two_heads": 0.01,
    "desa_other_village": 0.01,
    "desa_variant": 0.05,
    "nik_numeric": 0.03,
    "nik_apostrophe": 0.03,
    "kk_numeric": 0.03,
    "kk_apostrophe": 0.03,
    "name_abbreviation": 0.05,
    "name_title": 0.02,
    "name_case": 0.02,
    "name_punctuation": 0.02,
    "name_spelling": 0.03,
    "ibu_spelling": 0.03,
    "date_swapped": 0.01,
    "date_two_digit_year": 0.01,
    "date_impossible": 0.005,
    "split_submission": 0.3,
    "two_data_sheets": 0.25,
    "extra_sheet": 0.35,
    "extra_columns": 0.4,
    "csv_cp1252": 0.3,
    "csv_bom": 0.25,
    "title_rows": 0.6,
    "totals_row": 0.35,
    "blank_rows": 0.3,
    "signature_block": 0.25,
    "note_line": 0.2,
    "repeated_header": 0.05,
}
# The profile's per-row and per-household defects: what "defects 2x" doubles.
SCALED_DEFECTS = tuple(list(PROFILE_2026_12)[:25])
# Borrowed NIKs in a "0.5 %" cell: 0.4 % of rows carry a KK member's NIK, 0.1 % another family's.
BORROWED_FROM_FAMILY, BORROWED_FROM_OTHER = 0.004, 0.001
# In every cell but "today": 5 % of adult children are listed under a new KK after marrying.
KK_CHANGED = 0.05
NO_NIK_VILLAGE = "lesong-laok"  # one of the two biggest villages of the default kecamatan


@dataclass(frozen=True)
class Cell:
    """One generated kecamatan of the grid."""

    name: str
    iddtks: str  # person / family / member / absent
    borrowed: float  # share of rows with a borrowed NIK (0 or 0.005)
    scale: float  # defect rates times this
    kk_changed: float = KK_CHANGED
    village_without_nik: str | None = None

    def rates(self) -> dict[str, float]:
        return {
            name: min(1.0, rate * self.scale) if name in SCALED_DEFECTS else rate
            for name, rate in PROFILE_2026_12.items()
        }

    def synth_args(self) -> list[str]:
        """Command-line options of `python -m dtks.synth` for this cell (rates aside)."""
        args = ["--iddtks", self.iddtks]
        if self.borrowed:
            share = self.borrowed / (BORROWED_FROM_FAMILY + BORROWED_FROM_OTHER)
            args += ["--nik-from-family", f"{BORROWED_FROM_FAMILY * share:g}"]
            args += ["--nik-from-other-family", f"{BORROWED_FROM_OTHER * share:g}"]
        if self.kk_changed:
            args += ["--kk-changed", f"{self.kk_changed:g}"]
        if self.village_without_nik:
            args += ["--village-without-nik", self.village_without_nik]
        return args

    def generate(self, people: int, seed: int, cache: Path) -> tuple[Path, Path]:
        """The cell's raw folder and truth (cached under `cache/<name>_<people>_<seed>`)."""
        work = cache / f"{self.name}_{people}_{seed}"
        return generate(people, seed, work, self.rates(), extra_args=self.synth_args())


CELLS: tuple[Cell, ...] = (
    Cell("today", "person", 0.0, 1.0, kk_changed=0.0),  # the generator as it was, for reference
    Cell("family", "family", 0.0, 1.0),
    Cell("member", "member", 0.0, 1.0),
    Cell("absent", "absent", 0.0, 1.0),
    Cell("family-borrowed", "family", 0.005, 1.0),
    Cell("member-borrowed", "member", 0.005, 1.0),
    Cell("absent-borrowed", "absent", 0.005, 1.0),
    Cell("family-borrowed-2x", "family", 0.005, 2.0),
    Cell("member-borrowed-2x", "member", 0.005, 2.0),
    Cell("absent-borrowed-2x", "absent", 0.005, 2.0),
    Cell("family-borrowed-nonik", "family", 0.005, 1.0, village_without_nik=NO_NIK_VILLAGE),
)
CELLS_BY_NAME = {cell.name: cell for cell in CELLS}
FEBRL = ("febrl1", "febrl2", "febrl3", "febrl4")
