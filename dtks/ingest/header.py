"""Finding the header row of a sheet and planning which column feeds which canonical column."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from dtks.ingest.file_kinds import classify_header

HEADER_SCAN_ROWS = 30  # non-empty rows searched for the header, title rows included
IDENTITY_COLUMNS = ("nik", "nama")  # a header must name at least one of these


@dataclass(frozen=True)
class ColumnPlan:
    """Where each column of a sheet goes.

    `canonical` maps a 0-based column position to its canonical column (first occurrence only);
    `extras` maps every other position that has a header or data to its key in the `extras` JSON.
    """

    headers: tuple[str, ...]  # header texts as written (trimmed), one per position
    canonical: dict[int, str]
    extras: dict[int, str]
    column_mapping: dict[str, str]  # header as written -> canonical column
    unknown_headers: list[str] = field(default_factory=list)
    duplicate_headers: list[str] = field(default_factory=list)  # extras keys of repeated columns
    # what the header says the file is (see dtks.ingest.file_kinds) and why
    kind: str = "registry_export"
    kind_evidence: dict[str, str] = field(default_factory=dict)
    desil_fields: dict[int, str] = field(default_factory=dict)  # desil lists: position -> field
    # population registers: position -> register field (status_dasar)
    register_fields: dict[int, str] = field(default_factory=dict)


def header_matches(cells: Sequence[str]) -> dict[int, str]:
    """Canonical column of every cell that names one (all occurrences, by position).

    In a desil list header, "NIK KEPALA KELUARGA" and the like name the NIK column too.
    """
    return dict(classify_header(cells).registry)


def is_header_row(cells: Sequence[str]) -> bool:
    """A registry export header (NIK or NAMA plus at least one more canonical column) or a
    desil list header (a DESIL column plus NOMOR KK or NIK), see `dtks.ingest.file_kinds`."""
    return classify_header(cells).kind != "unknown"


def find_header_row(
    records: Iterable[Sequence[str]], scan_rows: int = HEADER_SCAN_ROWS
) -> int | None:
    """Index of the first record that is a header among the first `scan_rows` non-empty records.

    Title rows, merged title cells (whose text sits in one cell only) and blank rows above the
    header do not qualify: they never name NIK/NAMA plus another canonical column.
    """
    seen = 0
    for index, cells in enumerate(records):
        if not any(cells):
            continue
        if is_header_row(cells):
            return index
        seen += 1
        if seen >= scan_rows:
            return None
    return None


def plan_columns(
    header_cells: Sequence[str],
    width: int,
    used_positions: set[int],
    column_label: Callable[[int], str],
) -> ColumnPlan:
    """Map each header cell to a canonical column or an extras key.

    Duplicates (a second NIK, or NAMA and NAMA LENGKAP) keep the first mapping and go to extras
    with a " (2)", " (3)" suffix. Positions with no header text but with data (`used_positions`)
    become extras named after the column, e.g. "(kolom F)".
    """
    headers = tuple(
        (header_cells[i] if i < len(header_cells) else "").strip() for i in range(width)
    )
    kind = classify_header(headers)
    desil_fields: dict[int, str] = {}
    canonical: dict[int, str] = {}
    extras: dict[int, str] = {}
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: list[str] = []
    occurrences: dict[str, int] = {}
    used_keys: set[str] = set()

    def unique_key(base: str) -> str:
        key, n = base, 1
        while key in used_keys:
            n += 1
            key = f"{base} ({n})"
        used_keys.add(key)
        return key

    for position, header in enumerate(headers):
        column = kind.registry.get(position)
        desil = kind.desil.get(position)
        if position in kind.register:  # read by dtks.ingest.register_rows
            mapping[header] = kind.register[position]
            used_keys.add(header)
            continue
        if desil is not None and desil not in desil_fields.values():
            desil_fields[position] = desil
            mapping[header] = desil
            used_keys.add(header)
            continue
        if column is not None:
            occurrences[column] = occurrences.get(column, 0) + 1
            if occurrences[column] == 1:
                canonical[position] = column
                mapping[header] = column
                used_keys.add(header)
                continue
            key = unique_key(f"{header} ({occurrences[column]})")
            extras[position] = key
            duplicates.append(key)
        elif header:
            key = unique_key(header)
            extras[position] = key
            unknown.append(key)
        elif position in used_positions:
            extras[position] = unique_key(f"(kolom {column_label(position)})")
            unknown.append(extras[position])
    return ColumnPlan(
        headers=headers,
        canonical=canonical,
        extras=extras,
        column_mapping=mapping,
        unknown_headers=unknown,
        duplicate_headers=duplicates,
        kind=kind.kind,
        kind_evidence=kind.evidence,
        desil_fields=desil_fields,
        register_fields=dict(kind.register),
    )


def excel_column_letter(position: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    n = position + 1
    while n:
        n, remainder = divmod(n - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def csv_column_number(position: int) -> str:
    """0 -> "1": CSV columns are numbered as a text editor user would count them."""
    return str(position + 1)
