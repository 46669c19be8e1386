"""What a file is, read from its header: a registry export, a desil ranking list, a village
population register, or unknown.

A desil list ("Pemeringkatan Desil" from SIKS-NG) names families and their desil; it must
never become person rows. The header spellings live in `dtks/reference/desil_layouts.toml`.
A population register (the residents' list a village information system such as OpenSID
exports) names residents and their civil status; it is read beside the exports for the
village deliberation (`dtks.musdes`), never as person rows. Its spellings live in
`dtks/reference/register_layouts.toml`.

>>> classify_header(["NO KK", "NIK KEPALA KELUARGA", "NAMA KEPALA KELUARGA", "DESIL"]).kind
'desil_list'
>>> classify_header(["NIK", "NAMA", "TGL LAHIR", "JK"]).kind
'registry_export'
>>> classify_header(["NIK", "NAMA", "TGL LAHIR", "JK", "DESIL"]).kind  # a DTSEN export with desil
'registry_export'
>>> classify_header(["KK", "NIK", "NAMA", "STATUS DESIL (1-10)"]).kind  # a spelling not listed
'desil_list'
>>> classify_header(["Nama", "Nomor KK", "Nomor NIK", "Tanggal Lahir", "Agama", "Nama Ayah"]).kind
'population_register'
>>> classify_header(["IDDTKS", "NIK", "NAMA", "AGAMA", "NAMA AYAH"]).kind  # DTKS columns win
'registry_export'
>>> classify_header(["NO", "URAIAN", "JUMLAH"]).kind
'unknown'
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

from dtks.columns import canonical_column, normalise_header

FileKind = Literal["registry_export", "desil_list", "population_register", "unknown"]
FILE_KINDS: tuple[FileKind, ...] = (
    "registry_export",
    "desil_list",
    "population_register",
    "unknown",
)
REGISTRY_IDENTITY = ("nik", "nama")  # a registry header names one of these plus one more column
DESIL_KEYS = ("no_kk", "nik")  # a desil list header names one of these plus a desil column


@dataclass(frozen=True)
class DesilLayout:
    """The desil list header aliases, normalised."""

    desil_columns: dict[str, str]  # normalised header -> desil field (desil, periode)
    registry_columns: dict[str, str]  # normalised header -> registry column (desil lists only)
    person_columns: frozenset[str]


@cache
def desil_layout() -> DesilLayout:
    """The bundled `desil_layouts.toml`, read once."""
    text = resources.files("dtks.reference").joinpath("desil_layouts.toml").read_text("utf-8")
    table = tomllib.loads(text)

    def lookup(section: dict[str, list[str]]) -> dict[str, str]:
        return {
            normalise_header(alias): key for key, aliases in section.items() for alias in aliases
        }

    return DesilLayout(
        desil_columns=lookup(table["desil_columns"]),
        registry_columns=lookup(table["registry_columns"]),
        person_columns=frozenset(table["person_columns"]["columns"]),
    )


@dataclass(frozen=True)
class RegisterLayout:
    """The population register header spellings and status words, normalised."""

    markers: frozenset[str]  # normalised headers only a register has
    min_markers: int
    registry_markers: frozenset[str]  # canonical columns only a DTKS export has
    fields: dict[str, str]  # normalised header -> register field (status_dasar)
    status_values: dict[str, str]  # normalised status word -> HIDUP, MENINGGAL, PINDAH, ...


@cache
def register_layout() -> RegisterLayout:
    """The bundled `register_layouts.toml`, read once."""
    text = resources.files("dtks.reference").joinpath("register_layouts.toml").read_text("utf-8")
    table = tomllib.loads(text)
    markers = table["register_markers"]
    return RegisterLayout(
        markers=frozenset(normalise_header(c) for c in markers["columns"]),
        min_markers=int(markers["min_markers"]),
        registry_markers=frozenset(table["registry_markers"]["columns"]),
        fields={
            normalise_header(alias): key
            for key, aliases in table["register_fields"].items()
            for alias in aliases
        },
        status_values={
            normalise_header(word): status
            for status, words in table["status_values"].items()
            for word in words
        },
    )


@dataclass(frozen=True)
class HeaderKind:
    """A header row's kind and the evidence for it (header as written -> column it names)."""

    kind: FileKind
    registry: dict[int, str] = field(default_factory=dict)  # position -> registry column
    desil: dict[int, str] = field(default_factory=dict)  # position -> desil field
    register: dict[int, str] = field(default_factory=dict)  # position -> register field
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def row_unit(self) -> str | None:
        """For a desil list: "anggota" when it lists members (has a relationship column)."""
        if self.kind != "desil_list":
            return None
        return "anggota" if "hubungan_keluarga" in self.registry.values() else "keluarga"


# A header not among the aliases still names the desil when it holds the word DESIL and none of
# these (which name a date, a source or a note about it, not the value).
_NOT_THE_DESIL_VALUE = ("PERIODE", "TANGGAL", "TGL", "BULAN", "TAHUN", "SUMBER", "KETERANGAN")


def desil_field(header: str) -> str | None:
    """The desil-only field (desil, periode) a header names, or None."""
    key = normalise_header(header)
    return desil_layout().desil_columns.get(key) or _named_desil(key)


def _named_desil(key: str) -> str | None:
    if "DESIL" in key and not any(word in key for word in _NOT_THE_DESIL_VALUE):
        return "desil"
    return None


def classify_header(cells: Sequence[str]) -> HeaderKind:
    """Registry export, desil list or unknown, from one candidate header row."""
    layout = desil_layout()
    desil: dict[int, str] = {}
    registry: dict[int, str] = {}
    desil_registry: dict[int, str] = {}
    for position, cell in enumerate(cells):
        if not cell:
            continue
        key = normalise_header(cell)
        named = layout.desil_columns.get(key) or _named_desil(key)
        if named is not None:
            desil.setdefault(position, named)
            continue
        column = canonical_column(cell)
        if column is not None:
            registry[position] = column
            desil_registry[position] = column
        elif key in layout.registry_columns:
            desil_registry[position] = layout.registry_columns[key]
    found = set(registry.values())
    is_registry = bool(found & set(REGISTRY_IDENTITY)) and len(found) >= 2
    person = found & layout.person_columns
    has_desil = "desil" in desil.values()
    if has_desil and set(desil_registry.values()) & set(DESIL_KEYS) and len(person) <= 1:
        evidence = {cells[j]: c for j, c in sorted({**desil_registry, **desil}.items())}
        return HeaderKind("desil_list", desil_registry, desil, evidence=evidence)
    register = _register_kind(cells, registry)
    if is_registry and register is not None:
        return register
    if is_registry:
        evidence = {cells[j]: c for j, c in sorted(registry.items())}
        for j, name in desil.items():  # a DTSEN export may carry its desil per person
            evidence[cells[j]] = f"{name} (kolom tambahan)"
        return HeaderKind("registry_export", registry, {}, evidence=evidence)
    return HeaderKind("unknown")


def _register_kind(cells: Sequence[str], registry: dict[int, str]) -> HeaderKind | None:
    """A population register header (`register_layouts.toml`), or None."""
    layout = register_layout()
    if set(registry.values()) & layout.registry_markers:
        return None
    markers = [
        j for j, cell in enumerate(cells) if cell and normalise_header(cell) in layout.markers
    ]
    if len(markers) < layout.min_markers:
        return None
    fields: dict[int, str] = {}
    for j, cell in enumerate(cells):
        name = layout.fields.get(normalise_header(cell)) if cell else None
        if name is not None and name not in fields.values():
            fields[j] = name
    evidence = {cells[j]: c for j, c in sorted(registry.items())}
    evidence |= {cells[j]: "penanda register penduduk" for j in markers if j not in fields}
    evidence |= {cells[j]: name for j, name in fields.items()}
    return HeaderKind("population_register", registry, {}, fields, evidence)


def register_status(text: str | None) -> str | None:
    """HIDUP, MENINGGAL, PINDAH, HILANG or TIDAK_VALID from a status cell; None when unknown.

    >>> register_status("Meninggal Dunia"), register_status("2"), register_status("Tetap")
    ('MENINGGAL', 'MENINGGAL', 'HIDUP')
    """
    if text is None:
        return None
    return register_layout().status_values.get(normalise_header(text))
