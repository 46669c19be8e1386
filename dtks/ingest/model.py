"""What reading an export returns: the file's status, its sheets, and the Raw rows frame."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import polars as pl

from dtks.ingest.desil_rows import empty_desil_rows
from dtks.ingest.header import ColumnPlan
from dtks.ingest.raw_rows import empty_raw_rows
from dtks.ingest.register_rows import empty_register_rows


@dataclass(frozen=True)
class SheetRead:
    """One sheet (or the single table of a CSV, named "") that had a recognised header."""

    name: str
    header_row: int  # 1-based row (Excel) or line (CSV) of the header
    rows_read: int  # non-empty rows below the header, counted independently of row_kind
    column_mapping: dict[str, str]  # header as written -> canonical column
    # keys in `extras`: unknown headers, and "(kolom F)" for unnamed columns with data
    unknown_headers: list[str]
    duplicate_headers: list[str]  # extras keys of columns repeating an already mapped column
    row_kind_counts: dict[str, int]
    hidden: bool = False
    # or "desil_list", "population_register" (see dtks.ingest.file_kinds)
    kind: str = "registry_export"
    kind_evidence: dict[str, str] = field(default_factory=dict)  # header -> column it names


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet that was not read, and why (in Bahasa Indonesia)."""

    name: str
    reason: str


@dataclass
class ExportRead:
    """The result of reading one export file. A refused file has status "error" and no rows."""

    source_file: str  # posix path relative to the raw folder, e.g. "kapong/dtks_kapong.xlsx"
    file_hash: str | None  # sha256 of the bytes read; None when the file could not be opened
    size_bytes: int
    modified_at: datetime | None  # file modification time (UTC)
    file_format: Literal["csv", "xlsx"] | None
    status: Literal["ok", "error"] = "ok"
    error_code: str | None = None
    error_message: str | None = None  # Bahasa Indonesia, names the file, says what to do
    encoding: str | None = None  # CSV only
    delimiter: str | None = None  # CSV only
    sheets: list[SheetRead] = field(default_factory=list)
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Bahasa Indonesia, non-fatal
    warning_codes: list[str] = field(default_factory=list)  # one `WarningCode` per warning
    rows: pl.DataFrame = field(default_factory=empty_raw_rows)
    # desil ranking lists: their rows never go to `rows` (they are families, not persons)
    desil_rows: pl.DataFrame = field(default_factory=empty_desil_rows)
    # village population registers: residents, read for the deliberation (dtks.musdes)
    register_rows: pl.DataFrame = field(default_factory=empty_register_rows)

    @property
    def file_kind(self) -> str:
        """registry_export, desil_list, both kinds joined by "+", or unknown (nothing read)."""
        kinds = sorted({sheet.kind for sheet in self.sheets})
        return "+".join(kinds) if kinds else "unknown"

    def warn(self, code: str, message: str) -> None:
        """Record a non-fatal remark about the file: its code and the message for the operator."""
        self.warning_codes.append(str(code))
        self.warnings.append(message)

    @property
    def rows_read(self) -> int:
        """Registry rows read from the file itself (sum over sheets); equals `rows.height`."""
        return sum(
            s.rows_read for s in self.sheets if s.kind not in ("desil_list", "population_register")
        )

    @property
    def desil_rows_read(self) -> int:
        """Desil list rows read from the file itself; equals `desil_rows.height`."""
        return sum(s.rows_read for s in self.sheets if s.kind == "desil_list")

    @property
    def register_rows_read(self) -> int:
        """Population register rows read from the file itself; equals `register_rows.height`."""
        return sum(s.rows_read for s in self.sheets if s.kind == "population_register")


@dataclass(frozen=True)
class ParsedSheet:
    """A sheet as a reader hands it over: its header plan and the trimmed cells below the header."""

    name: str
    header_row: int
    plan: ColumnPlan
    grid: pl.DataFrame  # see dtks.ingest.raw_rows.cell_grid
    hidden: bool = False
