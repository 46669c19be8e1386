"""The true population: KK families with members, NIK and KK numbers, spread over the villages."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from dtks.region import Kecamatan
from dtks.synth import names, vocab

# The date the synthetic exports are made; ages are counted to it (fixed for determinism).
REFERENCE_DATE = date(2026, 11, 1)
PLACEHOLDER_DAYS = ((1, 1), (31, 12), (1, 7))
PLACEHOLDER_RATE = 0.08


@dataclass(slots=True)
class Person:
    """One real person with the values the civil registry holds for them."""

    person_id: str
    household_id: str
    nama: str
    jenis_kelamin: str  # "L" / "P"
    tanggal_lahir: date
    is_placeholder_date: bool
    tempat_lahir: str
    nama_ibu_kandung: str
    hubungan_keluarga: str
    status_kawin: str
    pekerjaan: str
    nik: str
    iddtks: str | None
    padan_dukcapil: bool
    is_deceased: bool = False


@dataclass(slots=True)
class Household:
    """One KK family living in one village."""

    household_id: str
    no_kk: str
    village: str  # slug
    dusun: str
    rt: int
    rw: int
    alamat: str
    pkh: bool
    bpnt: bool
    pbi_jk: bool
    bst: bool
    members: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class VillageGeography:
    """A village's hamlets, each with its RW numbers and how many RTs each RW has."""

    slug: str
    dusun: tuple[str, ...]
    rw_of_dusun: tuple[tuple[int, ...], ...]
    rt_count: int


class NumberIssuer:
    """Issues unique 16-digit NIK and KK numbers: region(6) + date(6) + serial(4, never 0000)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last_serial: dict[str, int] = {}

    def issue(self, region: str, day: int, month: int, year: int) -> str:
        head = f"{region}{day:02d}{month:02d}{year % 100:02d}"
        serial = self._last_serial.get(head, 0) + 1
        if self._rng.random() < 0.15:
            serial += self._rng.randrange(1, 4)  # numbers issued to people elsewhere
        if serial > 9999:
            raise ValueError(f"more than 9999 numbers for region+date {head}: lower --people")
        self._last_serial[head] = serial
        return f"{head}{serial:04d}"


class PopulationBuilder:
    """Builds households one at a time from a seeded random source."""

    def __init__(self, rng: random.Random, kecamatan: Kecamatan) -> None:
        self.rng = rng
        self.kecamatan = kecamatan
        self.issuer = NumberIssuer(rng)
        self.home_place = kecamatan.kabupaten_nama.upper()
        self._places = [self.home_place] + [p for p, _ in vocab.OTHER_BIRTH_PLACES]
        self._place_weights = [vocab.HOME_BIRTH_PLACE_WEIGHT] + [
            w for _, w in vocab.OTHER_BIRTH_PLACES
        ]
        self._foreign_regions = self._foreign_region_table()
        self._person_seq = 0
        self._household_seq = 0

    def _foreign_region_table(self) -> tuple[list[tuple[str, int]], list[float]]:
        own_kab = self.kecamatan.kabupaten_kode.replace(".", "")
        own_kec = int(self.kecamatan.kode.split(".")[-1])
        entries = [(own_kab, vocab.OWN_KABUPATEN_KECAMATAN_COUNT, vocab.OWN_KABUPATEN_WEIGHT)]
        entries += [e for e in vocab.FOREIGN_KABUPATEN if e[0] != own_kab]
        regions: list[tuple[str, int]] = []
        weights: list[float] = []
        for kab, count, weight in entries:
            codes = [c for c in range(1, count + 1) if not (kab == own_kab and c == own_kec)]
            regions += [(f"{kab}{c:02d}", 0) for c in codes]
            weights += [weight / len(codes)] * len(codes)
        return regions, weights

    # -- values of one person ------------------------------------------------------------
    def birth_date(self, age: int) -> tuple[date, bool]:
        """A birth date for someone `age` years old; sometimes a placeholder like 01-07-YYYY."""
        year = REFERENCE_DATE.year - age
        born = date(year, 1, 1) + timedelta(days=self.rng.randrange(365))
        if born > REFERENCE_DATE:
            born = born.replace(year=year - 1)
        placeholder_rate = PLACEHOLDER_RATE * (1.6 if age >= 50 else 0.7)
        if self.rng.random() < placeholder_rate:
            day, month = self.rng.choices(PLACEHOLDER_DAYS, weights=(5, 3, 2))[0]
            candidate = date(born.year, month, day)
            return (candidate if candidate <= REFERENCE_DATE else date(born.year, 1, 1)), True
        return born, False

    def nik_region(self, age: int) -> str:
        foreign_share = 0.18 if age >= 20 else 0.05
        if self.rng.random() >= foreign_share:
            return self.kecamatan.nik_prefix
        regions, weights = self._foreign_regions
        return self.rng.choices(regions, weights=weights)[0][0]

    def nik(self, born: date, sex: str, age: int) -> str:
        day = born.day + (40 if sex == "P" else 0)
        return self.issuer.issue(self.nik_region(age), day, born.month, born.year)

    def job(self, sex: str, age: int) -> str:
        if age < 5:
            return "BELUM/TIDAK BEKERJA"
        if age < 19:
            return "PELAJAR/MAHASISWA" if self.rng.random() < 0.85 else "BELUM/TIDAK BEKERJA"
        if age >= 72 and self.rng.random() < 0.5:
            return "BELUM/TIDAK BEKERJA"
        table = vocab.JOBS_MALE if sex == "L" else vocab.JOBS_FEMALE
        return self.rng.choices([j for j, _ in table], weights=[w for _, w in table])[0]

    def person(
        self,
        household_id: str,
        sex: str,
        age: int,
        relation: str,
        status: str,
        mother: str | None = None,
        nama: str | None = None,
    ) -> Person:
        """One person; `mother` and `nama` default to freshly drawn names."""
        rng = self.rng
        age = max(0, age)
        born, placeholder = self.birth_date(age)
        self._person_seq += 1
        return Person(
            person_id=f"P{self._person_seq:07d}",
            household_id=household_id,
            nama=nama or names.person_name(rng, sex, born.year),
            jenis_kelamin=sex,
            tanggal_lahir=born,
            is_placeholder_date=placeholder,
            tempat_lahir=rng.choices(self._places, weights=self._place_weights)[0],
            nama_ibu_kandung=mother or names.person_name(rng, "P", born.year - 25),
            hubungan_keluarga=relation,
            status_kawin=status,
            pekerjaan=self.job(sex, age),
            nik=self.nik(born, sex, age),
            iddtks=f"ID{self.kecamatan.nik_prefix[:4]}{self._person_seq:09d}"
            if rng.random() < 0.92
            else None,
            padan_dukcapil=rng.random() < 0.86,
        )

    # -- one family ---------------------------------------------------------------------
    def household(self, village: VillageGeography) -> Household:
        """A KK family: head, spouse, children, sometimes a parent, in-law or grandchild."""
        rng = self.rng
        self._household_seq += 1
        hid = f"H{self._household_seq:07d}"
        kind = rng.choices(("couple", "single_parent", "single"), weights=(80, 12, 8))[0]
        if kind == "single":
            head_age = rng.randint(55, 92)
        else:
            head_age = 21 + int(rng.betavariate(2.2, 3.0) * 62)
        members = self._members(hid, kind, head_age)
        dusun, rt, rw, alamat = self.residence(village)
        return Household(
            household_id=hid,
            no_kk=self.kk_number(members[0]),
            village=village.slug,
            dusun=dusun,
            rt=rt,
            rw=rw,
            alamat=alamat,
            pkh=rng.random() < 0.2,
            bpnt=rng.random() < 0.4,
            pbi_jk=rng.random() < 0.65,
            bst=rng.random() < 0.1,
            members=members,
        )

    def _members(self, hid: str, kind: str, head_age: int) -> list[Person]:
        rng = self.rng
        head_sex = "L" if kind == "couple" else rng.choice("PPPL")
        female_head_with_husband = kind == "couple" and rng.random() < 0.02
        if female_head_with_husband:
            head_sex = "P"
        head_mother: str | None = None
        parent: Person | None = None
        if kind != "single" and head_age <= 55 and rng.random() < 0.08:
            parent_age = head_age + rng.randint(20, 35)
            parent = self.person(hid, "P", parent_age, "ORANG TUA", "CERAI MATI")
            head_mother = parent.nama
        head_status = (
            "KAWIN" if kind == "couple" else rng.choice(("CERAI MATI",) * 3 + ("CERAI HIDUP",))
        )
        head = self.person(hid, head_sex, head_age, vocab.HEAD, head_status, mother=head_mother)
        members = [head]
        spouse: Person | None = None
        if kind == "couple":
            spouse_sex = "L" if female_head_with_husband else "P"
            gap = rng.randint(-2, 9)
            spouse_age = max(17, head_age - gap if spouse_sex == "P" else head_age + gap)
            in_law: Person | None = None
            if rng.random() < 0.04:
                in_law = self.person(
                    hid, "P", spouse_age + rng.randint(20, 35), "MERTUA", "CERAI MATI"
                )
            relation = "ISTRI" if spouse_sex == "P" else "SUAMI"
            spouse = self.person(
                hid,
                spouse_sex,
                spouse_age,
                relation,
                "KAWIN",
                mother=in_law.nama if in_law else None,
            )
            members.append(spouse)
            if in_law:
                members.append(in_law)
        mother = self._mother_of_children(head, spouse)
        mother_age = self._age(mother) if mother else head_age
        members += self._children(hid, mother_age, mother.nama if mother else None, kind)
        if head_age >= 48 and kind != "single" and rng.random() < 0.18:
            members += self._in_law_and_grandchildren(hid, head_age, members)
        if parent:
            members.append(parent)
        if kind != "single" and rng.random() < 0.02:
            members.append(
                self.person(hid, rng.choice("LP"), rng.randint(5, 30), "FAMILI LAIN", "BELUM KAWIN")
            )
        if rng.random() < 0.004:
            members.append(
                self.person(hid, rng.choice("LP"), rng.randint(15, 70), "LAINNYA", "BELUM KAWIN")
            )
        return self._ordered(members)

    @staticmethod
    def _ordered(members: list[Person]) -> list[Person]:
        order = (
            "KEPALA KELUARGA",
            "ISTRI",
            "SUAMI",
            "ANAK",
            "MENANTU",
            "CUCU",
            "ORANG TUA",
            "MERTUA",
            "FAMILI LAIN",
            "LAINNYA",
        )
        rank = {r: i for i, r in enumerate(order)}
        return sorted(members, key=lambda p: (rank[p.hubungan_keluarga], p.tanggal_lahir))

    @staticmethod
    def _age(person: Person) -> int:
        return REFERENCE_DATE.year - person.tanggal_lahir.year

    @staticmethod
    def _mother_of_children(head: Person, spouse: Person | None) -> Person | None:
        if spouse is not None and spouse.jenis_kelamin == "P":
            return spouse
        if head.jenis_kelamin == "P":
            return head
        return None

    def _children(self, hid: str, mother_age: int, mother: str | None, kind: str) -> list[Person]:
        rng = self.rng
        if kind == "single":
            return []
        fertile_years = max(0, min(mother_age, 45) - 18)
        wanted = rng.choices((0, 1, 2, 3, 4, 5), weights=(14, 24, 28, 19, 10, 5))[0]
        count = min(wanted, fertile_years // 2 + (1 if fertile_years else 0))
        children = []
        for _ in range(count):
            age = mother_age - rng.randint(18, 42)
            if age < 0 or age > 32:
                continue
            status = "BELUM KAWIN" if age < 24 or rng.random() < 0.8 else "CERAI HIDUP"
            children.append(self.person(hid, rng.choice("LP"), age, "ANAK", status, mother=mother))
        return children

    def _in_law_and_grandchildren(
        self, hid: str, head_age: int, members: list[Person]
    ) -> list[Person]:
        rng = self.rng
        in_law_sex = "P" if rng.random() < 0.7 else "L"
        in_law_age = max(18, head_age - rng.randint(20, 30))
        in_law = self.person(hid, in_law_sex, in_law_age, "MENANTU", "KAWIN")
        daughters = [m for m in members if m.hubungan_keluarga == "ANAK" and m.jenis_kelamin == "P"]
        mother = in_law.nama if in_law_sex == "P" else (daughters[0].nama if daughters else None)
        grandchildren = [
            self.person(
                hid,
                rng.choice("LP"),
                rng.randint(0, max(0, in_law_age - 19)),
                "CUCU",
                "BELUM KAWIN",
                mother=mother,
            )
            for _ in range(rng.choice((1, 1, 2)))
        ]
        return [in_law, *grandchildren]

    def kk_number(self, head: Person, after: date | None = None) -> str:
        """A KK number issued to the head after they turned 17, between 2005 and last month.

        `after`: the issue date of the KK the head leaves (moved, or split off the parents'
        family): the new card is issued later. The one draw is made over the same span
        either way and then scaled into the later days, so the random source advances
        exactly as without `after` and nothing else the generator draws changes.
        """
        latest = REFERENCE_DATE - timedelta(days=30)
        earliest = min(latest, max(date(2005, 1, 1), head.tanggal_lahir + timedelta(days=17 * 365)))
        span = max(1, (latest - earliest).days)
        offset = self.rng.randrange(span)
        if after is not None and after >= earliest:
            earliest = after + timedelta(days=1)
            offset = offset * max(1, (latest - earliest).days) // span
        issued = earliest + timedelta(days=offset)
        region = self.kecamatan.nik_prefix if self.rng.random() < 0.95 else self.nik_region(40)
        return self.issuer.issue(region, issued.day, issued.month, issued.year)

    def alamat(self, dusun: str, rt: int, rw: int) -> str:
        style = self.rng.randrange(4)
        if style == 0:
            return f"DSN. {dusun}"
        if style == 1:
            return f"DUSUN {dusun} RT {rt:03d} RW {rw:03d}"
        if style == 2:
            return f"{dusun}, RT.{rt:02d}/RW.{rw:02d}"
        return f"JL. RAYA {self.kecamatan.nama.upper()}, DSN. {dusun}"

    def residence(self, village: VillageGeography) -> tuple[str, int, int, str]:
        """A random (dusun, rt, rw, alamat) in `village`."""
        rng = self.rng
        dusun_i = rng.randrange(len(village.dusun))
        rw = rng.choice(village.rw_of_dusun[dusun_i])
        rt = rng.randint(1, village.rt_count)
        dusun = village.dusun[dusun_i]
        return dusun, rt, rw, self.alamat(dusun, rt, rw)

    def single_household(
        self, person: Person, village: VillageGeography, leaves: Household | None = None
    ) -> Household:
        """A new KK with `person` as its only member (someone who moved and registered anew);
        issued after the KK of the family the person `leaves`."""
        self._household_seq += 1
        dusun, rt, rw, alamat = self.residence(village)
        after = kk_issue_date(leaves.no_kk) if leaves is not None else None
        return Household(
            household_id=f"H{self._household_seq:07d}",
            no_kk=self.kk_number(person, after),
            village=village.slug,
            dusun=dusun,
            rt=rt,
            rw=rw,
            alamat=alamat,
            pkh=False,
            bpnt=self.rng.random() < 0.3,
            pbi_jk=self.rng.random() < 0.5,
            bst=False,
        )


def kk_issue_date(no_kk: str) -> date:
    """The issue date in a KK number this generator issued (digits 7-12, DDMMYY, from 2005)."""
    return date(2000 + int(no_kk[10:12]), int(no_kk[8:10]), int(no_kk[6:8]))


def village_geography(rng: random.Random, slugs: list[str]) -> dict[str, VillageGeography]:
    """Hamlets (3-6 per village) and RW/RT numbering for every village."""
    result = {}
    for slug in slugs:
        dusun = tuple(rng.sample(vocab.DUSUN_NAMES, rng.randint(3, 6)))
        rw_numbers, next_rw = [], 1
        for _ in dusun:
            count = rng.randint(1, 3)
            rw_numbers.append(tuple(range(next_rw, next_rw + count)))
            next_rw += count
        result[slug] = VillageGeography(slug, dusun, tuple(rw_numbers), rng.randint(2, 5))
    return result


def village_weights(rng: random.Random, slugs: list[str]) -> list[float]:
    """Relative sizes of the villages: log-normal, so some are three times bigger than others."""
    return [rng.lognormvariate(0.0, 0.45) for _ in slugs]


def build_population(
    rng: random.Random, kecamatan: Kecamatan, people: int
) -> tuple[PopulationBuilder, dict[str, VillageGeography], list[Household]]:
    """Households with exactly `people` members in total, ordered by village, hamlet, RW, RT."""
    if people < 1:
        raise ValueError("people must be at least 1")
    slugs = kecamatan.slugs
    geography = village_geography(rng, slugs)
    weights = village_weights(rng, slugs)
    builder = PopulationBuilder(rng, kecamatan)
    households: list[Household] = []
    total = 0
    while total < people:
        village = geography[rng.choices(slugs, weights=weights)[0]]
        household = builder.household(village)
        household.members = household.members[: people - total]
        households.append(household)
        total += len(household.members)
    order = {slug: i for i, slug in enumerate(slugs)}
    households.sort(
        key=lambda h: (order[h.village], geography[h.village].dusun.index(h.dusun), h.rw, h.rt)
    )
    return builder, geography, households
