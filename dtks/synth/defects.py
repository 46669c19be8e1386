"""The defect catalogue and how defects are planted into the villages' listings (the rows to write)."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dtks.region import Kecamatan
from dtks.synth import names, vocab
from dtks.synth.conventions import (
    KK_CHANGED_KEEPS_PARENTS_IDDTKS,
    KK_CHANGED_MIN_AGE,
    KK_CHANGED_STILL_IN_OLD_FAMILY,
    Conventions,
    family_iddtks,
)
from dtks.synth.population import (
    REFERENCE_DATE,
    Household,
    Person,
    PopulationBuilder,
    VillageGeography,
)

Scope = Literal["row", "household", "sheet", "file", "village"]


@dataclass(frozen=True)
class DefectSpec:
    """One kind of defect: its name, what its rate counts (rows, households, files...), default rate."""

    name: str
    scope: Scope
    default_rate: float
    description: str


DEFECTS: tuple[DefectSpec, ...] = (
    # cross-record defects (the truth's `defects` column names them on the rows they touch)
    DefectSpec(
        "dup_in_village", "row", 0.02, "person listed twice in one village; copy often respelled"
    ),
    DefectSpec(
        "dup_across_villages",
        "row",
        0.015,
        "person also listed in another village (moved/married), often under a new KK",
    ),
    DefectSpec("nik_typo", "row", 0.01, "one NIK digit changed or two adjacent digits swapped"),
    DefectSpec("nik_missing", "row", 0.03, "NIK left empty"),
    DefectSpec(
        "hajj_name",
        "row",
        0.01,
        "everyday name taken after the hajj, with H./HJ.; same NIK, birth date, mother",
    ),
    DefectSpec(
        "deceased_listed", "row", 0.015, "deceased person still listed, KETERANGAN says MENINGGAL"
    ),
    DefectSpec("keterangan_pindah", "row", 0.005, "KETERANGAN says PINDAH (moved away)"),
    DefectSpec(
        "keterangan_ganda",
        "row",
        0.005,
        "KETERANGAN says GANDA (duplicate); copies are marked first",
    ),
    DefectSpec("kk_no_head", "household", 0.01, "KK family listed without its head"),
    DefectSpec(
        "kk_two_heads", "household", 0.01, "a second member of the KK written as KEPALA KELUARGA"
    ),
    DefectSpec(
        "desa_other_village", "row", 0.01, "DESA column names another village of the kecamatan"
    ),
    DefectSpec(
        "desa_variant", "row", 0.05, "DESA column holds a spelling variant of the own village"
    ),
    # how values are written (row level)
    DefectSpec(
        "nik_numeric",
        "row",
        0.03,
        "NIK as an XLSX number cell (16th digit lost) or as 3.52811E+15 in CSV",
    ),
    DefectSpec("nik_apostrophe", "row", 0.03, "NIK as text with a leading apostrophe ('3528...)"),
    DefectSpec("kk_numeric", "row", 0.03, "KK number as a number cell / scientific text"),
    DefectSpec("kk_apostrophe", "row", 0.03, "KK number with a leading apostrophe"),
    DefectSpec(
        "name_abbreviation",
        "row",
        0.05,
        "MOH./MOCH./MUHAMMAD, ABD./ABDUL, ACH./AHMAD, ST./SITI written another way",
    ),
    DefectSpec("name_title", "row", 0.02, "title written with the name (H., HJ., K.H., UST.)"),
    DefectSpec("name_case", "row", 0.02, "name in lower or mixed case"),
    DefectSpec("name_punctuation", "row", 0.02, "stray punctuation or double spaces in the name"),
    DefectSpec(
        "name_spelling",
        "row",
        0.03,
        "Madurese / old spelling: MA'RUF/MARUF, doubled consonants, e/i, o/u, oe, dj",
    ),
    DefectSpec("ibu_spelling", "row", 0.03, "mother's name respelled or abbreviated differently"),
    DefectSpec("date_swapped", "row", 0.01, "birth date with day and month swapped"),
    DefectSpec("date_two_digit_year", "row", 0.01, "birth date with a two-digit year"),
    DefectSpec("date_impossible", "row", 0.005, "impossible birth date (31-02-1980, 00-00-0000)"),
    # layout of the files (rates count villages, files or data sheets)
    DefectSpec("split_submission", "village", 0.3, "the village's submission split in 2-3 files"),
    DefectSpec("two_data_sheets", "file", 0.25, "XLSX with the data on two sheets"),
    DefectSpec(
        "extra_sheet", "file", 0.35, "XLSX with a REKAP or PETUNJUK sheet that has no data header"
    ),
    DefectSpec("extra_columns", "file", 0.4, "unknown columns (NO, NO URUT, KET TAMBAHAN, ...)"),
    DefectSpec("csv_cp1252", "file", 0.3, "CSV in Windows-1252 instead of UTF-8"),
    DefectSpec("csv_bom", "file", 0.25, "UTF-8 CSV with a byte-order mark"),
    DefectSpec("title_rows", "sheet", 0.6, "title rows above the header (merged cells in XLSX)"),
    DefectSpec("totals_row", "sheet", 0.35, "a JUMLAH row below the data"),
    DefectSpec("blank_rows", "sheet", 0.3, "empty rows between data rows"),
    DefectSpec(
        "signature_block", "sheet", 0.25, "Mengetahui, / Kepala Desa ... / name below the data"
    ),
    DefectSpec("note_line", "sheet", 0.2, "a Catatan: line at the end"),
    DefectSpec("repeated_header", "sheet", 0.05, "the header row repeated inside the data"),
)
DEFECTS_BY_NAME: dict[str, DefectSpec] = {d.name: d for d in DEFECTS}
DEFAULT_RATES: dict[str, float] = {d.name: d.default_rate for d in DEFECTS}
Edit = Callable[["Listing"], None]
NAME_DEFECTS = ("name_abbreviation", "name_spelling", "name_punctuation", "name_case")


def resolve_rates(
    overrides: Mapping[str, float] | None = None, scale: float = 1.0
) -> dict[str, float]:
    """Default rates, the row and household ones times `scale` (capped at 1), then `overrides`
    applied; the key "all" sets every defect at once."""
    rates = dict(DEFAULT_RATES)
    if scale != 1.0:
        for spec in DEFECTS:
            if spec.scope in ("row", "household"):
                rates[spec.name] = min(1.0, spec.default_rate * scale)
    for name, rate in (overrides or {}).items():
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate of {name!r} must be between 0 and 1, got {rate}")
        if name == "all":
            rates = dict.fromkeys(rates, rate)
        elif name in rates:
            rates[name] = rate
        else:
            raise ValueError(f"unknown defect {name!r}; known: all, {', '.join(DEFAULT_RATES)}")
    return rates


def pick(rng: random.Random, pool: Sequence[int], rate: float, base: int) -> list[int]:
    """round(rate * base) items of `pool` (at least one when rate > 0), in pool order."""
    if rate <= 0 or not pool:
        return []
    count = min(len(pool), max(1, round(rate * base)))
    chosen = set(rng.sample(range(len(pool)), count))
    return [item for i, item in enumerate(pool) if i in chosen]


@dataclass(slots=True)
class Listing:
    """One data row to write: a person as one village lists them, with what is written wrong."""

    person: Person
    household: Household
    village: str
    hubungan: str  # the true relationship within `household`
    hubungan_written: str
    nik: str | None  # the digits written (a typo or None when defective)
    nama_written: str
    ibu_written: str
    desa_written: str
    keterangan: str | None  # MENINGGAL / PINDAH / GANDA
    keterangan_written: str | None
    iddtks: str | None
    defects: list[str] = field(default_factory=list)
    is_copy: bool = False
    iddtks_household: Household | None = None  # the family whose IDDTKS the row carries

    @property
    def age(self) -> int:
        return REFERENCE_DATE.year - self.person.tanggal_lahir.year


def base_listing(person: Person, household: Household, desa_nama: str) -> Listing:
    return Listing(
        person=person,
        household=household,
        village=household.village,
        hubungan=person.hubungan_keluarga,
        hubungan_written=person.hubungan_keluarga,
        nik=person.nik,
        nama_written=person.nama,
        ibu_written=person.nama_ibu_kandung,
        desa_written=desa_nama,
        keterangan=None,
        keterangan_written=None,
        iddtks=person.iddtks,
    )


class DefectPlanter:
    """Turns households into per-village listings and plants the row and household defects."""

    def __init__(
        self,
        rng: random.Random,
        kecamatan: Kecamatan,
        rates: Mapping[str, float],
        builder: PopulationBuilder,
        geography: Mapping[str, VillageGeography],
        conventions: Conventions | None = None,
    ) -> None:
        self.rng = rng
        self.conventions = conventions or Conventions()
        self.kecamatan = kecamatan
        self.rates = rates
        self.builder = builder
        self.geography = geography
        self.desa_nama = {d.slug: d.nama.upper() for d in kecamatan.desa}
        self.extra_households: list[Household] = []
        self.unlisted_heads = 0

    def plant(self, households: list[Household]) -> dict[str, list[Listing]]:
        """Listings per village slug, in the order the operator's export lists them."""
        by_household = self._household_defects(households)
        if self.conventions.kk_changed > 0:
            by_household = self._kk_changes(by_household)
        base = [listing for group in by_household for listing in group]
        copies = self._duplicates(base)
        villages = self._place(base, copies)
        every = [listing for slug in self.kecamatan.slugs for listing in villages[slug]]
        self._row_defects(every)
        if not self.conventions.is_default:
            self._apply_conventions(villages)
        return villages

    # -- SIKS-NG conventions (dtks.synth.conventions) -------------------------------------
    def _kk_changes(self, groups: list[list[Listing]]) -> list[list[Listing]]:
        """Adult children listed as head of a new KK; some still under the parents' IDDTKS,
        some also still in the parents' family."""
        eligible = [
            (g, k)
            for g, group in enumerate(groups)
            for k, listing in enumerate(group)
            if listing.hubungan == "ANAK" and listing.age >= KK_CHANGED_MIN_AGE
        ]
        chosen = pick(self.rng, eligible, self.conventions.kk_changed, len(eligible))
        new_groups: dict[int, list[list[Listing]]] = {}
        dropped: set[tuple[int, int]] = set()
        for g, k in chosen:
            old = groups[g][k]
            person = old.person
            person.status_kawin = "KAWIN"
            household = self.builder.single_household(
                person, self.geography[old.village], leaves=old.household
            )
            self.extra_households.append(household)
            new = base_listing(person, household, self.desa_nama[household.village])
            new.hubungan = new.hubungan_written = vocab.HEAD
            new.defects.append("kk_changed")
            if self.rng.random() < KK_CHANGED_KEEPS_PARENTS_IDDTKS:
                new.iddtks_household = old.household
            if self.rng.random() < KK_CHANGED_STILL_IN_OLD_FAMILY:
                old.defects.append("kk_changed_old_listing")
            else:
                dropped.add((g, k))
            new_groups.setdefault(g, []).append([new])
        result = []
        for g, group in enumerate(groups):
            result.append([lst for k, lst in enumerate(group) if (g, k) not in dropped])
            result += new_groups.get(g, [])
        return [group for group in result if group]

    def _apply_conventions(self, villages: dict[str, list[Listing]]) -> None:
        """IDDTKS per the village's mode; villages without NIK/KK columns."""
        conventions = self.conventions
        prefix4 = self.kecamatan.nik_prefix[:4]
        without_nik = set(conventions.villages_without_nik)
        for slug, rows in villages.items():
            mode = conventions.iddtks_mode(slug)
            for listing in rows:
                if listing.iddtks is not None and mode != "person":
                    owner = listing.iddtks_household or listing.household
                    family = family_iddtks(prefix4, owner.household_id)
                    if mode == "family":
                        listing.iddtks = family
                    elif mode == "member":
                        listing.iddtks = f"{family}{self._member_sequence(listing, owner):02d}"
                    else:
                        listing.iddtks = None
                if slug in without_nik:
                    listing.nik = None
                    listing.defects.append("village_without_nik")

    @staticmethod
    def _member_sequence(listing: Listing, owner: Household) -> int:
        """1-based place of the person among the members of the family whose id they carry."""
        for seq, member in enumerate(owner.members, start=1):
            if member is listing.person:
                return seq
        return len(owner.members) + 1 if owner.members else 1

    # -- households -----------------------------------------------------------------------
    def _household_defects(self, households: list[Household]) -> list[list[Listing]]:
        groups = [
            [base_listing(p, h, self.desa_nama[h.village]) for p in h.members] for h in households
        ]
        n = len(groups)
        headless_pool = [i for i, g in enumerate(groups) if len(g) >= 2]
        headless = set(pick(self.rng, headless_pool, self.rates["kk_no_head"], n))
        for i in sorted(headless):
            groups[i] = groups[i][1:]
            self.unlisted_heads += 1
            for listing in groups[i]:
                listing.defects.append("kk_no_head")
        two_heads_pool = [
            i
            for i, g in enumerate(groups)
            if i not in headless and any(lst.age >= 17 for lst in g[1:])
        ]
        for i in pick(self.rng, two_heads_pool, self.rates["kk_two_heads"], n):
            second = next(lst for lst in groups[i][1:] if lst.age >= 17)
            second.hubungan_written = vocab.HEAD
            second.defects.append("kk_two_heads")
        return groups

    # -- duplicates -----------------------------------------------------------------------
    def _duplicates(self, base: list[Listing]) -> list[Listing]:
        n = len(base)
        pool = list(range(n))
        in_village = pick(self.rng, pool, self.rates["dup_in_village"], n)
        taken = set(in_village)
        across = []
        if len(self.kecamatan.slugs) > 1:
            across_pool = [i for i in pool if i not in taken]
            across = pick(self.rng, across_pool, self.rates["dup_across_villages"], n)
        copies = [self._copy_in_village(base[i]) for i in in_village]
        copies += [self._copy_in_other_village(base[i]) for i in across]
        return copies

    def _copy(self, original: Listing, household: Household, hubungan: str, defect: str) -> Listing:
        copy = base_listing(original.person, household, self.desa_nama[household.village])
        copy.hubungan = copy.hubungan_written = hubungan
        copy.is_copy = True
        copy.defects.append(defect)
        if self.rng.random() < 0.5:
            copy.iddtks = None  # entered again as a new proposal
        return copy

    def _copy_in_village(self, original: Listing) -> Listing:
        copy = self._copy(original, original.household, original.hubungan, "dup_in_village")
        enabled = [d for d in NAME_DEFECTS if self.rates[d] > 0]
        if enabled and self.rng.random() < 0.6:
            self._apply_name_defect(copy, self.rng.choice(enabled))
        return copy

    def _copy_in_other_village(self, original: Listing) -> Listing:
        """Adults mostly registered anew as head of their own KK; others still on the old KK."""
        slugs = [s for s in self.kecamatan.slugs if s != original.village]
        target = self.geography[self.rng.choice(slugs)]
        if original.age >= 17 and self.rng.random() < 0.7:
            household = self.builder.single_household(
                original.person, target, leaves=original.household
            )
            self.extra_households.append(household)
            return self._copy(original, household, vocab.HEAD, "dup_across_villages")
        old = original.household
        dusun, rt, rw, alamat = self.builder.residence(target)
        household = Household(
            old.household_id, old.no_kk, target.slug, dusun, rt, rw, alamat,
            old.pkh, old.bpnt, old.pbi_jk, old.bst,
        )  # fmt: skip
        return self._copy(original, household, original.hubungan, "dup_across_villages")

    def _place(self, base: list[Listing], copies: list[Listing]) -> dict[str, list[Listing]]:
        villages: dict[str, list[Listing]] = {slug: [] for slug in self.kecamatan.slugs}
        for listing in base:
            villages[listing.village].append(listing)
        for copy in copies:
            rows = villages[copy.village]
            rows.insert(self.rng.randint(0, len(rows)), copy)
        return villages

    # -- rows -----------------------------------------------------------------------------
    def _row_defects(self, rows: list[Listing]) -> None:
        n = len(rows)
        everyone = range(n)

        def plant(
            name: str, pool: Iterable[int], apply: Edit, rate: float | None = None
        ) -> set[int]:
            eligible = [i for i in pool if name not in rows[i].defects]
            chosen = pick(self.rng, eligible, self.rates[name] if rate is None else rate, n)
            for i in chosen:
                apply(rows[i])
                rows[i].defects.append(name)
            return set(chosen)

        missing = plant("nik_missing", everyone, self._nik_missing)
        typo = plant("nik_typo", (i for i in everyone if i not in missing), self._nik_typo)
        if self.conventions.nik_from_family or self.conventions.nik_from_other_family:
            self._borrowed_niks(rows, missing | typo)
        with_nik = [i for i in everyone if rows[i].nik is not None]
        numeric = plant("nik_numeric", with_nik, _noop)
        plant("nik_apostrophe", (i for i in with_nik if i not in numeric), _noop)
        kk_numeric = plant("kk_numeric", everyone, _noop)
        plant("kk_apostrophe", (i for i in everyone if i not in kk_numeric), _noop)

        # Half of the hajj names go to second listings, so the pair must match on NIK,
        # birth date and mother rather than on the name.
        half_hajj = self.rates["hajj_name"] / 2
        elders = [i for i in everyone if rows[i].age >= 40]
        hajj = plant("hajj_name", (i for i in elders if rows[i].is_copy), self._hajj, half_hajj)
        hajj |= plant("hajj_name", (i for i in elders if i not in hajj), self._hajj, half_hajj)

        noted = plant("deceased_listed", everyone, self._keterangan("MENINGGAL"))
        noted |= plant(
            "keterangan_pindah", (i for i in everyone if i not in noted), self._keterangan("PINDAH")
        )
        half_ganda = self.rates["keterangan_ganda"] / 2
        ganda = plant(
            "keterangan_ganda",
            (i for i in everyone if rows[i].is_copy and i not in noted),
            self._keterangan("GANDA"),
            half_ganda,
        )
        noted |= ganda
        plant(
            "keterangan_ganda",
            (i for i in everyone if i not in noted),
            self._keterangan("GANDA"),
            half_ganda,
        )

        other = plant("desa_other_village", everyone, self._desa_other)
        plant(
            "desa_variant",
            (i for i in everyone if i not in other and self._has_variant(rows[i])),
            self._desa_variant,
        )

        plant(
            "name_spelling",
            (i for i in everyone if i not in hajj and names.can_respell(rows[i].nama_written)),
            self._name(names.spelling_variant),
        )
        plant(
            "name_abbreviation",
            (i for i in everyone if names.can_abbreviate(rows[i].nama_written)),
            self._name(names.abbreviation_variant),
        )
        plant(
            "name_title", (i for i in everyone if i not in hajj and rows[i].age >= 30), self._title
        )
        plant("name_punctuation", everyone, self._name(names.punctuation_variant))
        plant("name_case", everyone, self._name(names.case_variant))
        plant(
            "ibu_spelling",
            (i for i in everyone if _ibu_changeable(rows[i].ibu_written)),
            self._ibu_variant,
        )

        dated = plant("date_swapped", (i for i in everyone if _swappable(rows[i])), _noop)
        dated |= plant("date_two_digit_year", (i for i in everyone if i not in dated), _noop)
        plant("date_impossible", (i for i in everyone if i not in dated), _noop)

    def _borrowed_niks(self, rows: list[Listing], touched: set[int]) -> None:
        """NIKs copied from another member of the KK (the head's, mostly) or another family's."""
        n = len(rows)
        own = [i for i in range(n) if i not in touched and rows[i].nik is not None]
        in_family = [
            i for i in own if any(m is not rows[i].person for m in rows[i].household.members)
        ]
        family = set(pick(self.rng, in_family, self.conventions.nik_from_family, n))
        for i in sorted(family):
            listing = rows[i]
            others = [m for m in listing.household.members if m is not listing.person]
            head = others[0] if others[0].hubungan_keluarga == vocab.HEAD else None
            lender = head if head and self.rng.random() < 0.7 else self.rng.choice(others)
            listing.nik = lender.nik
            listing.defects.append("nik_borrowed_family")
        rest = [i for i in own if i not in family]
        if len({listing.household.household_id for listing in rows}) < 2:
            return  # one family: nobody else to borrow from
        for i in pick(self.rng, rest, self.conventions.nik_from_other_family, n):
            listing = rows[i]
            while True:
                lender = rows[self.rng.randrange(n)]
                if lender.household.household_id != listing.household.household_id:
                    break
            listing.nik = lender.person.nik
            listing.defects.append("nik_borrowed_other")

    # -- single-row edits -----------------------------------------------------------------
    def _apply_name_defect(self, listing: Listing, defect: str) -> None:
        functions = {
            "name_abbreviation": (names.can_abbreviate, names.abbreviation_variant),
            "name_spelling": (names.can_respell, names.spelling_variant),
            "name_punctuation": (None, names.punctuation_variant),
            "name_case": (None, names.case_variant),
        }
        applies, change = functions[defect]
        if applies is None or applies(listing.nama_written):
            self._name(change)(listing)
            listing.defects.append(defect)

    def _name(self, change: Callable[[random.Random, str], str]) -> Edit:
        def apply(listing: Listing) -> None:
            listing.nama_written = change(self.rng, listing.nama_written)

        return apply

    def _title(self, listing: Listing) -> None:
        person = listing.person
        listing.nama_written = names.with_title(
            self.rng, listing.nama_written, person.jenis_kelamin
        )

    def _nik_missing(self, listing: Listing) -> None:
        listing.nik = None

    def _nik_typo(self, listing: Listing) -> None:
        digits = list(listing.person.nik)
        while True:
            if self.rng.random() < 0.5:
                i = self.rng.randrange(15)
                digits[i], digits[i + 1] = digits[i + 1], digits[i]
            else:
                i = self.rng.randrange(16)
                digits[i] = self.rng.choice([d for d in "0123456789" if d != digits[i]])
            typed = "".join(digits)
            if typed != listing.person.nik:
                listing.nik = typed
                return

    def _hajj(self, listing: Listing) -> None:
        person = listing.person
        listing.nama_written = names.hajj_name(
            self.rng, person.jenis_kelamin, person.tanggal_lahir.year
        )

    def _keterangan(self, code: str) -> Edit:
        def apply(listing: Listing) -> None:
            listing.keterangan = code
            listing.keterangan_written = self.rng.choice(vocab.KETERANGAN_WRITTEN[code])
            if code == "MENINGGAL":
                listing.person.is_deceased = True

        return apply

    def _desa_other(self, listing: Listing) -> None:
        others = [d for d in self.kecamatan.desa if d.slug != listing.village]
        if others:
            listing.desa_written = self.rng.choice(others).nama.upper()

    def _has_variant(self, listing: Listing) -> bool:
        return bool(self.kecamatan.desa_by_slug(listing.village).variants)

    def _desa_variant(self, listing: Listing) -> None:
        variant = self.rng.choice(self.kecamatan.desa_by_slug(listing.village).variants)
        listing.desa_written = variant.upper() if self.rng.random() < 0.6 else variant

    def _ibu_variant(self, listing: Listing) -> None:
        name = listing.ibu_written
        if names.can_abbreviate(name) and (not names.can_respell(name) or self.rng.random() < 0.5):
            listing.ibu_written = names.abbreviation_variant(self.rng, name)
        else:
            listing.ibu_written = names.spelling_variant(self.rng, name)


def _noop(listing: Listing) -> None:
    """Defects applied when the row is rendered (they depend on the file's format)."""


def _ibu_changeable(name: str) -> bool:
    return names.can_abbreviate(name) or names.can_respell(name)


def _swappable(listing: Listing) -> bool:
    born = listing.person.tanggal_lahir
    return born.day != born.month
