"""`read_export`: one CSV/XLSX export in, its status, sheets and Raw rows out; never raises."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dtks.ingest.csv_reader import (
    decode_csv_bytes,
    delimiter_name,
    read_csv_table,
    sniff_delimiter,
)
from dtks.ingest.desil_rows import build_desil_rows, empty_desil_rows
from dtks.ingest.errors import (
    ErrorCode,
    ExportReadError,
    WarningCode,
    angka,
    display_text,
    error_message,
    ukuran,
)
from dtks.ingest.file_checks import (
    CFB_MAGIC,
    READ_CHUNK_BYTES,
    FileFormat,
    ReadLimits,
    check_file_size,
    check_xlsx_container,
    classify_compound_file,
    open_regular_file,
    sniff_format,
)
from dtks.ingest.file_kinds import classify_header
from dtks.ingest.header import csv_column_number, excel_column_letter, plan_columns
from dtks.ingest.model import ExportRead, ParsedSheet, SheetRead, SkippedSheet
from dtks.ingest.raw_rows import (
    build_raw_rows,
    cut_long_cells,
    empty_raw_rows,
    formula_like_cells,
    grid_width,
    positions_with_data,
)
from dtks.ingest.register_rows import build_register_rows, empty_register_rows
from dtks.ingest.row_kinds import ROW_KINDS
from dtks.ingest.xlsx_reader import read_xlsx

_MAX_LISTED_LINES = 10
_MAX_LISTED_CELLS = 3


def read_export(path: Path, raw_dir: Path, limits: ReadLimits | None = None) -> ExportRead:
    r"""Read one export file into Raw rows (see docs/architecture.md).

    Never raises for a bad file: a file that cannot be read comes back with status "error", an
    `error_code` (see `dtks.ingest.errors.ErrorCode`) and an `error_message` in Bahasa Indonesia.
    The file is opened only when its real location is inside `raw_dir` and it is a regular
    file; it is read once, in chunks, and what is parsed is exactly what was hashed.

    >>> import tempfile
    >>> raw_dir = Path(tempfile.mkdtemp())
    >>> (raw_dir / "kapong").mkdir()
    >>> _ = (raw_dir / "kapong" / "a.csv").write_text("NIK;NAMA\n3528114506890001;SITI\n")
    >>> read = read_export(raw_dir / "kapong" / "a.csv", raw_dir)
    >>> read.status, read.source_file, read.rows_read == read.rows.height == 1
    ('ok', 'kapong/a.csv', True)
    >>> read.rows.select("source_row", "nik", "nama").rows()
    [(2, '3528114506890001', 'SITI')]
    """
    limits = limits or ReadLimits()
    result = _unread(path, raw_dir)
    try:
        _read_into(result, path, raw_dir, limits)
    except ExportReadError as exc:
        _mark_error(result, exc.code, exc.detail)
    except Exception as exc:  # a bad file must never stop the other files
        _mark_error(result, ErrorCode.UNEXPECTED_ERROR, f"{type(exc).__name__}: {exc}")
    return result


def refused_export(path: Path, raw_dir: Path, code: ErrorCode, detail: str = "") -> ExportRead:
    """The record of a file refused without opening it (see `survey_village_folder().refused`)."""
    result = _unread(path, raw_dir)
    _mark_error(result, code, detail)
    return result


def _unread(path: Path, raw_dir: Path) -> ExportRead:
    """The record of `path` before anything of it is known."""
    return ExportRead(
        source_file=relative_source_file(path, raw_dir),
        file_hash=None,
        size_bytes=0,
        modified_at=None,
        file_format=None,
    )


def _read_into(result: ExportRead, path: Path, raw_dir: Path, limits: ReadLimits) -> None:
    descriptor, info = open_regular_file(path, raw_dir)
    try:
        result.size_bytes = info.st_size
        result.modified_at = datetime.fromtimestamp(info.st_mtime, tz=UTC)
        check_file_size(info.st_size, limits)
        file_format, data = _read_once(result, descriptor, info, path.suffix.lower(), limits)
    finally:
        os.close(descriptor)
    if not data.strip():
        raise ExportReadError(ErrorCode.FILE_EMPTY)
    suffix = path.suffix.lower().lstrip(".")
    if file_format != suffix and not (file_format == "xlsx" and suffix == "xlsm"):
        result.warn(
            WarningCode.RENAMED_FORMAT,
            f"File {display_text(result.source_file)} bernama .{display_text(suffix)} tetapi "
            f"isinya {file_format.upper()}; dibaca sebagai {file_format.upper()}. Ganti nama "
            f"filenya menjadi .{file_format} agar tidak keliru dibuka.",
        )
    if file_format == "xlsx":
        workbook = check_xlsx_container(data, limits)
        if workbook.has_macros:
            result.warn(
                WarningCode.MACRO_WORKBOOK,
                f"File {display_text(result.source_file)} berisi makro (VBA); makronya tidak "
                "dijalankan, hanya isi selnya yang dibaca. Sebaiknya simpan sebagai .xlsx biasa.",
            )
        parsed, skipped = read_xlsx(data, limits.max_columns)
    else:
        parsed, skipped = _read_csv(result, data, limits)
    del data
    result.skipped_sheets = skipped
    if not parsed:
        checked = ", ".join(f"'{s.name}'" for s in skipped) or "tidak ada sheet"
        raise ExportReadError(ErrorCode.NO_HEADER, f"sheet diperiksa: {checked}")
    _collect_rows(result, parsed, limits)
    if (
        result.rows.height == 0
        and result.desil_rows.height == 0
        and result.register_rows.height == 0
    ):
        raise ExportReadError(
            ErrorCode.NO_ROWS, ", ".join(f"sheet '{s.name}'" if s.name else "CSV" for s in parsed)
        )


def _read_once(
    result: ExportRead, descriptor: int, info: os.stat_result, suffix: str, limits: ReadLimits
) -> tuple[FileFormat, bytes]:
    """The file's bytes and format, hashing as it streams in; nothing is read past `st_size`.

    A CSV line longer than `limits.max_line_bytes` stops the collecting (the rest is only
    hashed), so memory stays bounded; a file whose size or time changes meanwhile is refused.
    """
    digest = hashlib.sha256()
    parts: list[bytes] = []
    file_format: FileFormat | None = None
    compound = False
    line_bytes, line_number, too_long_at = 0, 1, 0
    remaining = info.st_size
    while remaining > 0:
        chunk = os.read(descriptor, min(READ_CHUNK_BYTES, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        digest.update(chunk)
        if file_format is None and not compound:
            compound = chunk.startswith(CFB_MAGIC)  # classified once its directory is in
            if not compound:
                file_format = sniff_format(chunk, suffix)
                result.file_format = file_format
        if too_long_at:
            continue
        if file_format == "csv":
            line_bytes, line_number, too_long_at = _scan_lines(
                chunk, line_bytes, line_number, limits.max_line_bytes
            )
            if too_long_at:
                parts.clear()
                continue
        parts.append(chunk)
    after = os.fstat(descriptor)
    if remaining or (after.st_size, after.st_mtime_ns) != (info.st_size, info.st_mtime_ns):
        raise ExportReadError(
            ErrorCode.FILE_CHANGING,
            f"ukuran {angka(info.st_size)} byte saat dibuka, {angka(after.st_size)} byte setelah dibaca",
        )
    result.file_hash = digest.hexdigest()
    if compound:
        raise ExportReadError(*classify_compound_file(b"".join(parts)))
    if too_long_at:
        raise ExportReadError(
            ErrorCode.LINE_TOO_LONG,
            f"baris {too_long_at} lebih panjang dari {ukuran(limits.max_line_bytes)}",
        )
    return file_format or "csv", b"".join(parts)


def _scan_lines(
    chunk: bytes, line_bytes: int, line_number: int, max_line_bytes: int
) -> tuple[int, int, int]:
    """Carry the length of the current line over `chunk`.

    Returns the new (current line length, current line number, line number over the limit or 0).
    """
    pieces = chunk.split(b"\n")
    if line_bytes + len(pieces[0]) <= max_line_bytes and (
        len(pieces) == 1 or max(map(len, pieces[1:])) <= max_line_bytes
    ):
        current = line_bytes + len(pieces[0]) if len(pieces) == 1 else len(pieces[-1])
        return current, line_number + len(pieces) - 1, 0
    for offset, piece in enumerate(pieces):
        line_bytes = (line_bytes if offset == 0 else 0) + len(piece)
        if line_bytes > max_line_bytes:
            return line_bytes, line_number + offset, line_number + offset
    raise AssertionError("a piece over the limit was found above")


def _read_csv(
    result: ExportRead, data: bytes, limits: ReadLimits
) -> tuple[list[ParsedSheet], list[SkippedSheet]]:
    decoded = decode_csv_bytes(data)
    if not decoded.text.strip(" \t\r\n\ufeff"):
        raise ExportReadError(ErrorCode.FILE_EMPTY)
    result.encoding = decoded.encoding
    where = f"File {display_text(result.source_file)}"
    if decoded.fallback_lines:
        result.warn(
            WarningCode.MIXED_ENCODING,
            f"{where} mencampur dua pengodean huruf: baris {_lines(decoded.fallback_lines)} "
            "dibaca sebagai Windows-1252, sisanya UTF-8. Periksa ejaan nama pada baris itu; "
            "simpan ulang sebagai 'CSV UTF-8'.",
        )
    if decoded.nul_lines:
        result.warn(
            WarningCode.NUL_REMOVED,
            f"{where}: karakter kosong (NUL) dibuang dari baris {_lines(decoded.nul_lines)}. "
            "Periksa isi baris itu; bila file hasil salinan, salin ulang dari komputer operator.",
        )
    delimiter = sniff_delimiter(decoded.text)
    result.delimiter = delimiter
    table = read_csv_table(decoded.text, delimiter, limits.max_columns)
    del decoded
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


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:_MAX_LISTED_LINES]))
    return shown + (" dan lainnya" if len(numbers) > _MAX_LISTED_LINES else "")


def _collect_rows(result: ExportRead, parsed: list[ParsedSheet], limits: ReadLimits) -> None:
    frames: list[pl.DataFrame] = []
    desil_frames: list[pl.DataFrame] = []
    register_frames: list[pl.DataFrame] = []
    for sheet in parsed:
        grid, cut = cut_long_cells(sheet.grid, limits.max_cell_chars)
        is_desil = sheet.plan.kind == "desil_list"
        is_register = sheet.plan.kind == "population_register"
        if is_register:  # residents of the village: read for the deliberation (dtks.musdes)
            rows, rows_read = build_register_rows(grid, sheet.plan, result.source_file, sheet.name)
        elif is_desil:  # a ranking list names families: never person rows
            unit = classify_header(sheet.plan.headers).row_unit or "keluarga"
            rows, rows_read = build_desil_rows(
                grid, sheet.plan, result.source_file, sheet.name, unit
            )
        else:
            rows, rows_read = build_raw_rows(grid, sheet.plan, result.source_file, sheet.name)
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
                kind=sheet.plan.kind,
                kind_evidence=sheet.plan.kind_evidence,
            )
        )
        _warn_about_sheet(result, sheet, cut, formula_like_cells(grid), limits)
        (register_frames if is_register else desil_frames if is_desil else frames).append(rows)
    result.rows = pl.concat(frames, how="vertical") if frames else empty_raw_rows()
    result.desil_rows = (
        pl.concat(desil_frames, how="vertical") if desil_frames else empty_desil_rows()
    )
    result.register_rows = (
        pl.concat(register_frames, how="vertical") if register_frames else empty_register_rows()
    )


def _warn_about_sheet(
    result: ExportRead,
    sheet: ParsedSheet,
    cut: list[tuple[int, int]],
    formula_like: list[tuple[int, int]],
    limits: ReadLimits,
) -> None:
    where = f"File {display_text(result.source_file)}" + (
        f", sheet '{display_text(sheet.name)}'" if sheet.name else ""
    )
    is_csv = result.file_format == "csv"
    if sheet.plan.duplicate_headers:
        names = display_text(", ".join(sheet.plan.duplicate_headers))
        result.warn(
            WarningCode.DUPLICATE_HEADERS,
            f"{where}: kolom berulang ({names}) di baris {sheet.header_row}; yang pertama dipakai, "
            "sisanya disimpan sebagai kolom tambahan. Hapus kolom ganda bila tidak perlu.",
        )
    if sheet.hidden:
        result.warn(
            WarningCode.HIDDEN_SHEET,
            f"{where} tersembunyi tetapi ikut dibaca. Bila isinya data lama, hapus sheet itu.",
        )
    if cut:
        result.warn(
            WarningCode.CELL_TRUNCATED,
            f"{where}: {angka(len(cut))} sel lebih panjang dari {angka(limits.max_cell_chars)} karakter "
            f"(batas Excel) dan dipotong, di {_cells(sheet, cut, is_csv)}. Periksa isi sel itu.",
        )
    if formula_like:
        result.warn(
            WarningCode.FORMULA_LIKE_TEXT,
            f"{where}: {angka(len(formula_like))} sel diawali = + - atau @ seperti rumus Excel, di "
            f"{_cells(sheet, formula_like, is_csv)}. Isinya disimpan sebagai teks apa adanya dan tidak "
            "dihitung; bila bukan data yang benar, perbaiki sel itu.",
        )


def _cells(sheet: ParsedSheet, cells: list[tuple[int, int]], is_csv: bool) -> str:
    """'baris 5 kolom NAMA (C), baris 9 kolom ALAMAT (F) dan lainnya' for the first few cells."""
    label = csv_column_number if is_csv else excel_column_letter
    shown = []
    for row, position in cells[:_MAX_LISTED_CELLS]:
        header = sheet.plan.headers[position] if position < len(sheet.plan.headers) else ""
        column = f"{display_text(header)} ({label(position)})" if header else label(position)
        shown.append(f"baris {row} kolom {column}")
    return ", ".join(shown) + (" dan lainnya" if len(cells) > _MAX_LISTED_CELLS else "")


def _mark_error(result: ExportRead, code: ErrorCode, detail: str) -> None:
    result.status = "error"
    result.error_code = code.value
    result.error_message = error_message(code, result.source_file, detail)
    result.sheets = []
    result.rows = empty_raw_rows()
    result.desil_rows = empty_desil_rows()
    result.register_rows = empty_register_rows()


def relative_source_file(path: Path, raw_dir: Path) -> str:
    """`path` relative to the raw folder, posix, without following symlinks (lineage is where
    the file was found, not where a link points)."""
    absolute, root = Path(os.path.abspath(path)), Path(os.path.abspath(raw_dir))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
