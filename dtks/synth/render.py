"""Rendering a listing's values as cells of one file, the way its operator writes them."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from dtks.region import Kecamatan
from dtks.synth import vocab
from dtks.synth.defects import Listing
from dtks.synth.layout import EXTRA_PREFIX, FileStyle

# A cell: text, a number, an Excel date, or nothing.
Cell = str | int | float | date | None
Renderer = Callable[[Listing, int], Cell]

EXCEL_EPOCH = date(1899, 12, 30)


def excel_number(digits: str) -> int:
    """What Excel keeps of a 16-digit number typed into a cell: 15 significant digits."""
    return int(digits[:15]) * 10 ** (len(digits) - 15) if len(digits) > 15 else int(digits)


def scientific_text(digits: str) -> str:
    """How Excel shows a 16-digit number in a General cell (and saves it to CSV): 3.52811E+15."""
    return f"{int(digits):.5E}"


def number_cell(digits: str | None, numeric: bool, apostrophe: bool, fmt: str) -> Cell:
    """A NIK or KK number: text, an apostrophe-prefixed text, or a (truncated) number."""
    if digits is None:
        return None
    if numeric:
        return excel_number(digits) if fmt == "xlsx" else scientific_text(digits)
    if apostrophe:
        return "'" + digits
    return digits


class DateWriter:
    """Writes dates in one file's style, and the swapped / two-digit / impossible variants."""

    def __init__(self, style: str, fmt: str, rng: random.Random) -> None:
        self.style = style
        self.fmt = fmt
        self.rng = rng
        self.separator = "/" if style == "dmy_slash" else "-"

    def text(self, day: int, month: int, year: str, style: str | None = None) -> str:
        style = style or self.style
        if style == "iso":
            return f"{year}-{month:02d}-{day:02d}"
        if style == "d_month" and month <= 12:
            return f"{day} {vocab.MONTHS_FULL[month - 1]} {year}"
        if style == "d_mon" and month <= 12:
            return f"{day:02d} {self.rng.choice(vocab.MONTHS_SHORT[month - 1])} {year}"
        return f"{day:02d}{self.separator}{month:02d}{self.separator}{year}"

    def plain(self, value: date) -> Cell:
        if self.style == "excel_date":
            return value
        if self.style == "excel_serial":
            return (value - EXCEL_EPOCH).days
        return self.text(value.day, value.month, str(value.year))

    def swapped(self, value: date) -> Cell:
        if self.style == "excel_date" and value.day <= 12:
            return date(value.year, value.day, value.month)  # Excel read it the other way round
        style = "dmy_slash" if self.style.startswith("excel") else None
        return self.text(value.month, value.day, str(value.year), style)

    def two_digit_year(self, value: date) -> str:
        style = "dmy_dash" if self.style == "iso" or self.style.startswith("excel") else None
        return self.text(value.day, value.month, f"{value.year % 100:02d}", style)

    def impossible(self, value: date) -> str:
        if self.rng.random() < 0.3:
            return "00-00-0000"
        day, month = self.rng.choice(
            ((31, 2), (30, 2), (29, 2), (31, 4), (31, 6), (31, 9), (31, 11))
        )
        if (day, month) == (29, 2) and value.year % 4 == 0:
            day = 30
        return f"{day:02d}-{month:02d}-{value.year}"

    def birth_date(self, listing: Listing) -> Cell:
        born = listing.person.tanggal_lahir
        defects = listing.defects
        if "date_swapped" in defects:
            return self.swapped(born)
        if "date_two_digit_year" in defects:
            return self.two_digit_year(born)
        if "date_impossible" in defects:
            return self.impossible(born)
        return self.plain(born)


def _text(upper: bool, value: str) -> str:
    return value if upper else value.title()


def renderers(
    style: FileStyle, fmt: str, kecamatan: Kecamatan, rng: random.Random
) -> list[Renderer]:
    """One function per column of the file: (listing, row sequence number) -> cell."""
    dates = DateWriter(style.date_style, fmt, rng)
    male, female = vocab.SEX_STYLES[style.sex_style]
    yes, no = vocab.FLAG_STYLES[style.flag_style]
    upper = style.upper_text

    def flag(value: bool) -> Cell:
        return yes if value else no

    def region_number(value: int) -> Cell:
        if style.rt_padded:
            return f"{value:03d}"
        return value if fmt == "xlsx" else str(value)

    def relationship(listing: Listing) -> Cell:
        written = listing.hubungan_written
        if style.relationship_style == "code":
            return vocab.RELATIONSHIP_CODES[written]
        return written.title() if style.relationship_style == "text_title" else written

    update = dates.plain(style.tanggal_update)
    table: dict[str, Renderer] = {
        "iddtks": lambda lst, _: lst.iddtks,
        "provinsi": lambda lst, _: _text(upper, kecamatan.provinsi_nama.upper()),
        "kabupaten": lambda lst, _: _text(upper, kecamatan.kabupaten_nama.upper()),
        "kecamatan": lambda lst, _: _text(upper, kecamatan.nama.upper()),
        "desa": lambda lst, _: lst.desa_written,
        "alamat": lambda lst, _: lst.household.alamat,
        "dusun": lambda lst, _: lst.household.dusun,
        "rt": lambda lst, _: region_number(lst.household.rt),
        "rw": lambda lst, _: region_number(lst.household.rw),
        "no_kk": lambda lst, _: number_cell(
            lst.household.no_kk, "kk_numeric" in lst.defects, "kk_apostrophe" in lst.defects, fmt
        ),
        "nik": lambda lst, _: number_cell(
            lst.nik, "nik_numeric" in lst.defects, "nik_apostrophe" in lst.defects, fmt
        ),
        "nama": lambda lst, _: lst.nama_written,
        "tanggal_lahir": lambda lst, _: dates.birth_date(lst),
        "tempat_lahir": lambda lst, _: _text(upper, lst.person.tempat_lahir),
        "jenis_kelamin": lambda lst, _: male if lst.person.jenis_kelamin == "L" else female,
        "nama_ibu_kandung": lambda lst, _: lst.ibu_written,
        "hubungan_keluarga": lambda lst, _: relationship(lst),
        "status_kawin": lambda lst, _: _text(upper, lst.person.status_kawin),
        "pekerjaan": lambda lst, _: _text(upper, lst.person.pekerjaan),
        "padan_dukcapil": lambda lst, _: "YA" if lst.person.padan_dukcapil else "TIDAK",
        "pkh": lambda lst, _: flag(lst.household.pkh),
        "bpnt": lambda lst, _: flag(lst.household.bpnt),
        "pbi_jk": lambda lst, _: flag(lst.household.pbi_jk),
        "bst": lambda lst, _: flag(lst.household.bst),
        "keterangan": lambda lst, _: lst.keterangan_written,
        "tanggal_update": lambda lst, _: update,
    }
    kode_of = {d.slug: d.kode for d in kecamatan.desa}
    return [table.get(c.key) or _extra_renderer(c.key, fmt, rng, kode_of) for c in style.columns]


def _extra_renderer(key: str, fmt: str, rng: random.Random, kode_of: dict[str, str]) -> Renderer:
    name = key.removeprefix(EXTRA_PREFIX)
    if name.startswith("NO") and name != "NO HP":
        return lambda _, seq: seq if fmt == "xlsx" else str(seq)
    if name == "NO HP":
        return lambda _, __: f"08{rng.randrange(10**9, 10**10)}" if rng.random() < 0.2 else None
    if name == "PENDIDIKAN TERAKHIR":
        levels = ("TIDAK/BELUM SEKOLAH", "SD/SEDERAJAT", "SLTP/SEDERAJAT", "SLTA/SEDERAJAT")
        return lambda _, __: rng.choice(levels)
    if name == "KODE DESA":
        return lambda lst, _: kode_of[lst.village]
    return lambda _, __: "cek ulang" if rng.random() < 0.01 else None
