"""How each village's listings are laid out in files: formats, sheets, column headers and value styles."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from dtks.columns import CANONICAL_COLUMNS, canonical_column, header_spellings
from dtks.region import Kecamatan
from dtks.synth import vocab
from dtks.synth.conventions import Conventions
from dtks.synth.defects import Listing, pick
from dtks.synth.population import REFERENCE_DATE

# Columns every file has; the others are present in some files only (share of files).
CORE_COLUMNS = (
    "nik",
    "no_kk",
    "nama",
    "tanggal_lahir",
    "tempat_lahir",
    "jenis_kelamin",
    "nama_ibu_kandung",
    "hubungan_keluarga",
    "desa",
    "keterangan",
)
OPTIONAL_COLUMN_GROUPS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("iddtks",), 0.85),
    (("provinsi", "kabupaten", "kecamatan"), 0.5),
    (("alamat",), 0.8),
    (("dusun",), 0.7),
    (("rt", "rw"), 0.8),
    (("status_kawin",), 0.7),
    (("pekerjaan",), 0.7),
    (("padan_dukcapil",), 0.6),
    (("pkh", "bpnt", "pbi_jk", "bst"), 0.6),
    (("tanggal_update",), 0.4),
)
TEXT_DATE_STYLES = ("dmy_dash", "dmy_slash", "iso", "d_month", "d_mon")
XLSX_DATE_STYLES = ("excel_date", "excel_serial")
DELIMITERS = ((",", 35), (";", 35), ("\t", 15), ("|", 15))
EXTRA_PREFIX = "extra:"


@dataclass(frozen=True)
class Column:
    """One column of a file: a canonical key (or "extra:<name>") and the header text written."""

    key: str
    header: str


@dataclass
class FileStyle:
    """How one file writes its values."""

    columns: list[Column]
    date_style: str
    sex_style: str
    relationship_style: str
    flag_style: str
    rt_padded: bool
    upper_text: bool
    delimiter: str = ","
    encoding: str = "utf-8"
    line_end: str = "\r\n"
    pad_short_rows: bool = True
    tanggal_update: date = REFERENCE_DATE


@dataclass
class SheetPlan:
    """One sheet (the whole file for CSV): a data sheet, or a REKAP / PETUNJUK sheet."""

    name: str
    kind: str  # "data", "rekap", "petunjuk"
    rows: list[Listing] = field(default_factory=list)
    features: list[str] = field(default_factory=list)


@dataclass
class FilePlan:
    """One export file of one village."""

    village: str
    path: str  # relative to the output folder, posix
    fmt: str  # "csv" / "xlsx"
    style: FileStyle
    sheets: list[SheetPlan]
    features: list[str] = field(default_factory=list)


def header_aliases() -> dict[str, tuple[str, ...]]:
    """Header spellings per canonical column, keeping only those that map back to the column."""
    result = {}
    for key, official in CANONICAL_COLUMNS.items():
        spellings = [official] + [a for a in header_spellings(key) if a != official]
        result[key] = tuple(a for a in spellings if canonical_column(a) == key)
    return result


_HEADERS = header_aliases()


def header_text(rng: random.Random, key: str) -> str:
    """A header for `key` as operators write it: an alias, in some case, with some punctuation."""
    spellings = _HEADERS[key]
    text = spellings[0] if rng.random() < 0.45 else rng.choice(spellings)
    roll = rng.random()
    if roll < 0.12:
        text = text.title()
    elif roll < 0.17:
        text = text.lower()
    elif roll < 0.22:
        text = text.replace(" ", "_")
    elif roll < 0.25:
        text = text + " "
    return text


def choose_columns(rng: random.Random, with_extras: bool) -> list[Column]:
    """The columns of one file in DTKS order, sometimes with neighbours swapped and extras added."""
    keys = set(CORE_COLUMNS)
    for group, share in OPTIONAL_COLUMN_GROUPS:
        if rng.random() < share:
            keys.update(group)
    ordered = [k for k in CANONICAL_COLUMNS if k in keys]
    for _ in range(rng.choice((0, 0, 1, 2))):
        i = rng.randrange(len(ordered) - 1)
        ordered[i], ordered[i + 1] = ordered[i + 1], ordered[i]
    columns = [Column(k, header_text(rng, k)) for k in ordered]
    if with_extras:
        if rng.random() < 0.7:
            name = rng.choice(vocab.EXTRA_COLUMNS_FRONT)
            columns.insert(0, Column(EXTRA_PREFIX + name, name))
        for name in rng.sample(vocab.EXTRA_COLUMNS_BACK, rng.randint(1, 2)):
            columns.append(Column(EXTRA_PREFIX + name, name))
    return columns


def choose_style(rng: random.Random, fmt: str, with_extras: bool) -> FileStyle:
    """Random value styles for one file."""
    date_styles = TEXT_DATE_STYLES + (XLSX_DATE_STYLES * 2 if fmt == "xlsx" else ())
    return FileStyle(
        columns=choose_columns(rng, with_extras),
        date_style=rng.choice(date_styles),
        sex_style=rng.choices(list(vocab.SEX_STYLES), weights=(50, 25, 10, 15))[0],
        relationship_style=rng.choices(("text", "text_title", "code"), weights=(60, 10, 30))[0],
        flag_style=rng.choices(list(vocab.FLAG_STYLES), weights=(60, 30, 10))[0],
        rt_padded=rng.random() < 0.6,
        upper_text=rng.random() < 0.85,
        delimiter=rng.choices([d for d, _ in DELIMITERS], weights=[w for _, w in DELIMITERS])[0],
        line_end=rng.choice(("\r\n", "\r\n", "\n")),
        pad_short_rows=rng.random() < 0.6,
        tanggal_update=REFERENCE_DATE - timedelta(days=rng.randrange(120)),
    )


def _split(rows: list[Listing], parts: int, rng: random.Random) -> list[list[Listing]]:
    """Contiguous parts of a village's rows, cut at household boundaries where possible."""
    if parts <= 1 or len(rows) < parts * 2:
        return [rows]
    cuts = sorted(rng.sample(range(1, len(rows)), parts - 1))
    adjusted = []
    for cut in cuts:
        while 0 < cut < len(rows) - 1 and rows[cut].household is rows[cut - 1].household:
            cut += 1
        adjusted.append(cut)
    bounds = [0, *sorted(set(adjusted)), len(rows)]
    return [rows[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def _file_stem(rng: random.Random, nama: str, slug: str) -> str:
    month = f"{REFERENCE_DATE.year}{REFERENCE_DATE.month:02d}"
    upper = nama.upper().replace(" ", "_")
    return rng.choice(
        (
            f"DTKS_{upper}_{month}",
            f"dtks {nama.lower()}",
            f"DATA DTKS DESA {nama.upper()}",
            f"{slug}_verivali_{month}",
            f"Export_SIKS-NG_{upper}",
        )
    )


def plan_files(
    rng: random.Random,
    kecamatan: Kecamatan,
    villages: Mapping[str, list[Listing]],
    rates: Mapping[str, float],
    xlsx_share: float,
    conventions: Conventions | None = None,
) -> list[FilePlan]:
    """Every file of every village, with the layout features chosen at their rates; columns
    the village's conventions leave out (IDDTKS absent, no NIK and KK) are dropped."""
    slugs = kecamatan.slugs
    split = set(pick(rng, slugs, rates["split_submission"], len(slugs)))
    drafts: list[tuple[str, str, str, SheetPlan, bool]] = []
    for desa in kecamatan.desa:
        parts = rng.choice((2, 2, 3)) if desa.slug in split else 1
        chunks = _split(villages[desa.slug], parts, rng)
        stem = _file_stem(rng, desa.nama, desa.slug)
        suffix = rng.choice(("_bagian{}", " part {}", "_{}", " (hal {})"))
        for k, chunk in enumerate(chunks, start=1):
            fmt = "xlsx" if rng.random() < xlsx_share else "csv"
            name = stem + (suffix.format(k) if len(chunks) > 1 else "")
            sheet_name = "" if fmt == "csv" else _sheet_name(rng, desa.nama)
            sheet = SheetPlan(name=sheet_name, kind="data", rows=chunk)
            drafts.append((desa.slug, f"{desa.slug}/{name}.{fmt}", fmt, sheet, len(chunks) > 1))
    n = len(drafts)
    extras = set(pick(rng, range(n), rates["extra_columns"], n))
    files = []
    for i, (slug, path, fmt, sheet, is_split) in enumerate(drafts):
        plan = FilePlan(slug, path, fmt, choose_style(rng, fmt, i in extras), [sheet])
        plan.features += ["split_submission"] * is_split + ["extra_columns"] * (i in extras)
        if conventions is not None:
            dropped = set()
            if conventions.iddtks_mode(slug) == "absent":
                dropped.add("iddtks")
            if slug in conventions.villages_without_nik:
                dropped.update(("nik", "no_kk"))
            plan.style.columns = [c for c in plan.style.columns if c.key not in dropped]
        files.append(plan)
    _plan_file_features(rng, files, rates)
    _plan_sheet_features(rng, files, rates)
    return files


def _sheet_name(rng: random.Random, nama: str) -> str:
    return rng.choice(("Sheet1", "DATA", "DTKS", f"DESA {nama.upper()}"[:31], "DATA DTKS"))


def _plan_file_features(
    rng: random.Random, files: list[FilePlan], rates: Mapping[str, float]
) -> None:
    n = len(files)
    csv_files = [i for i in range(n) if files[i].fmt == "csv"]
    xlsx_files = [i for i in range(n) if files[i].fmt == "xlsx"]
    cp1252 = set(pick(rng, csv_files, rates["csv_cp1252"], len(csv_files)))
    bom = set(
        pick(rng, [i for i in csv_files if i not in cp1252], rates["csv_bom"], len(csv_files))
    )
    for i in cp1252 | bom:
        files[i].style.encoding = "cp1252" if i in cp1252 else "utf-8-sig"
        files[i].features.append("csv_cp1252" if i in cp1252 else "csv_bom")
    splittable = [i for i in xlsx_files if len(files[i].sheets[0].rows) >= 10]
    for i in pick(rng, splittable, rates["two_data_sheets"], len(xlsx_files)):
        plan = files[i]
        rows = plan.sheets[0].rows
        first, second = _split(rows, 2, rng)
        names = rng.choice(
            (
                ("DATA 1", "DATA 2"),
                ("HAL 1", "HAL 2"),
                ("Sheet1", "Sheet2"),
                ("BAGIAN 1", "BAGIAN 2"),
            )
        )
        plan.sheets = [SheetPlan(names[0], "data", first), SheetPlan(names[1], "data", second)]
        plan.features.append("two_data_sheets")
    for i in pick(rng, xlsx_files, rates["extra_sheet"], len(xlsx_files)):
        plan = files[i]
        if rng.random() < 0.5:
            plan.sheets.insert(0, SheetPlan("PETUNJUK", "petunjuk"))
        else:
            plan.sheets.append(SheetPlan("REKAP", "rekap"))
        plan.features.append("extra_sheet")


def _plan_sheet_features(
    rng: random.Random, files: list[FilePlan], rates: Mapping[str, float]
) -> None:
    sheets = [s for plan in files for s in plan.sheets if s.kind == "data"]
    n = len(sheets)
    for feature in ("title_rows", "totals_row", "blank_rows", "signature_block", "note_line"):
        for i in pick(rng, range(n), rates[feature], n):
            sheets[i].features.append(feature)
    long_sheets = [i for i in range(n) if len(sheets[i].rows) >= 10]
    for i in pick(rng, long_sheets, rates["repeated_header"], n):
        sheets[i].features.append("repeated_header")
