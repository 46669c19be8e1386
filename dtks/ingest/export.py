"""`read_export`: one CSV/XLSX export in, its status, sheets and Raw rows out; never raises."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dtks.ingest.csv_reader import (
    decode_csv_bytes,
    delimiter_name,
    read_csv_table,
    sniff_delimiter,
)
from dtks.ingest.errors import ErrorCode, ExportReadError, error_message
from dtks.ingest.file_checks import (
    ReadLimits,
    check_file_size,
    check_xlsx_container,
    sniff_format,
)
from dtks.ingest.header import csv_column_number, plan_columns
from dtks.ingest.model import ExportRead, ParsedSheet, SheetRead, SkippedSheet
from dtks.ingest.raw_rows import (
    build_raw_rows,
    empty_raw_rows,
    grid_width,
    positions_with_data,
)
from dtks.ingest.row_kinds import ROW_KINDS
from dtks.ingest.xlsx_reader import read_xlsx

_MAX_LISTED_LINES = 10


def read_export(path: Path, raw_dir: Path, limits: ReadLimits | None = None) -> ExportRead:
    """Read one export file into Raw rows (see docs/architecture.md).

    Never raises for a bad file: a file that cannot be read comes back with status "error", an
    `error_code` (see `dtks.ingest.errors.ErrorCode`) and an `error_message` in Bahasa Indonesia.

    >>> read = read_export(Path("data/raw/kapong/dtks.xlsx"), Path("data/raw"))  # doctest: +SKIP
    >>> read.status, read.rows_read == read.rows.height
    ('ok', True)
    """
    limits = limits or ReadLimits()
    source_file = _relative_posix(path, raw_dir)
    result = ExportRead(
        source_file=source_file,
        file_hash=None,
        size_bytes=0,
        modified_at=None,
        file_format=None,
    )
    try:
        _read_into(result, path, limits)
    except ExportReadError as exc:
        _mark_error(result, exc.code, exc.detail)
    except Exception as exc:  # a bad file must never stop the other files
        _mark_error(result, ErrorCode.UNEXPECTED_ERROR, f"{type(exc).__name__}: {exc}")
    return result


def _read_into(result: ExportRead, path: Path, limits: ReadLimits) -> None:
    try:
        stat = path.stat()
        result.size_bytes = stat.st_size
        result.modified_at = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        check_file_size(stat.st_size, limits)
        data = path.read_bytes()
    except OSError as exc:
        raise ExportReadError(
            ErrorCode.FILE_UNREADABLE, exc.strerror or type(exc).__name__
        ) from exc
    result.size_bytes = len(data)
    result.file_hash = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ExportReadError(ErrorCode.FILE_EMPTY)
    file_format = sniff_format(data, path.suffix.lower())
    result.file_format = file_format
    if file_format != path.suffix.lower().lstrip("."):
        result.warnings.append(
            f"File {result.source_file} bernama .{path.suffix.lower().lstrip('.')} tetapi isinya "
            f"{file_format.upper()}; dibaca sebagai {file_format.upper()}. Sebaiknya beri nama yang sesuai."
        )
    if file_format == "xlsx":
        check_xlsx_container(data, limits)
        parsed, skipped = read_xlsx(data)
    else:
        parsed, skipped = _read_csv(result, data)
    result.skipped_sheets = skipped
    if not parsed:
        checked = ", ".join(f"'{s.name}'" for s in skipped) or "tidak ada sheet"
        raise ExportReadError(ErrorCode.NO_HEADER, f"sheet diperiksa: {checked}")
    _collect_rows(result, parsed)
    if result.rows.height == 0:
        raise ExportReadError(
            ErrorCode.NO_ROWS, ", ".join(f"sheet '{s.name}'" if s.name else "CSV" for s in parsed)
        )


def _read_csv(result: ExportRead, data: bytes) -> tuple[list[ParsedSheet], list[SkippedSheet]]:
    decoded = decode_csv_bytes(data)
    result.encoding = decoded.encoding
    if decoded.fallback_lines:
        shown = ", ".join(map(str, decoded.fallback_lines[:_MAX_LISTED_LINES]))
        more = " dan lainnya" if len(decoded.fallback_lines) > _MAX_LISTED_LINES else ""
        result.warnings.append(
            f"File {result.source_file} mencampur dua pengodean huruf: baris {shown}{more} "
            "dibaca sebagai Windows-1252, sisanya UTF-8. Periksa ejaan nama pada baris itu; "
            "simpan ulang sebagai 'CSV UTF-8'."
        )
    delimiter = sniff_delimiter(decoded.text)
    result.delimiter = delimiter
    table = read_csv_table(decoded.text, delimiter)
    if table is None:
        reason = (
            "tidak ada baris judul kolom dengan NIK atau NAMA dalam 30 baris pertama "
            f"(pemisah kolom terbaca: {delimiter_name(delimiter)})"
        )
        return [], [SkippedSheet("", reason)]
    width = grid_width(table.grid)
    unnamed = [j for j in range(width) if j >= len(table.header_cells) or not table.header_cells[j]]
    used = positions_with_data(table.grid, unnamed)
    plan = plan_columns(table.header_cells, width, used, csv_column_number)
    return [ParsedSheet("", table.header_line, plan, table.grid)], []


def _collect_rows(result: ExportRead, parsed: list[ParsedSheet]) -> None:
    frames: list[pl.DataFrame] = []
    for sheet in parsed:
        rows, rows_read = build_raw_rows(sheet.grid, sheet.plan, result.source_file, sheet.name)
        if rows_read != rows.height:  # counted before classification: must agree with the frame
            raise AssertionError(
                f"sheet '{sheet.name}': {rows_read} baris terbaca, {rows.height} baris dihasilkan"
            )
        counts = dict.fromkeys(ROW_KINDS, 0) | dict(
            rows.group_by("row_kind").len().iter_rows()  # type: ignore[arg-type]
        )
        result.sheets.append(
            SheetRead(
                name=sheet.name,
                header_row=sheet.header_row,
                rows_read=rows_read,
                column_mapping=sheet.plan.column_mapping,
                unknown_headers=sheet.plan.unknown_headers,
                duplicate_headers=sheet.plan.duplicate_headers,
                row_kind_counts=counts,
                hidden=sheet.hidden,
            )
        )
        _warn_about_sheet(result, sheet)
        frames.append(rows)
    result.rows = pl.concat(frames, how="vertical") if frames else empty_raw_rows()


def _warn_about_sheet(result: ExportRead, sheet: ParsedSheet) -> None:
    where = f"File {result.source_file}" + (f", sheet '{sheet.name}'" if sheet.name else "")
    if sheet.plan.duplicate_headers:
        names = ", ".join(sheet.plan.duplicate_headers)
        result.warnings.append(
            f"{where}: kolom berulang ({names}) di baris {sheet.header_row}; yang pertama dipakai, "
            "sisanya disimpan sebagai kolom tambahan. Hapus kolom ganda bila tidak perlu."
        )
    if sheet.hidden:
        result.warnings.append(
            f"{where} tersembunyi tetapi ikut dibaca. Bila isinya data lama, hapus sheet itu."
        )


def _mark_error(result: ExportRead, code: ErrorCode, detail: str) -> None:
    result.status = "error"
    result.error_code = code.value
    result.error_message = error_message(code, result.source_file, detail)
    result.sheets = []
    result.rows = empty_raw_rows()


def _relative_posix(path: Path, raw_dir: Path) -> str:
    try:
        return path.resolve().relative_to(raw_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
