"""Reading CSV exports: encoding, delimiter, quoted fields with line breaks, exact line numbers."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dtks.ingest.errors import ErrorCode, ExportReadError
from dtks.ingest.header import find_header_row, header_matches
from dtks.ingest.raw_rows import cell_grid, cell_name, trim_cells

DELIMITERS = (",", ";", "\t", "|")
SNIFF_RECORDS = 60  # records parsed per candidate delimiter to find the header
_HEAD_CHARS = 200_000
_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
_DELIMITER_NAMES = {",": "koma", ";": "titik koma", "\t": "tab", "|": "garis tegak"}


@dataclass
class DecodedText:
    """A CSV file's text and how it was decoded."""

    text: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1252" or "utf-8+windows-1252"
    fallback_lines: list[int] = field(default_factory=list)  # lines decoded as Windows-1252


@dataclass
class CsvTable:
    """A CSV file's header and the trimmed cells below it (see `dtks.ingest.raw_rows.cell_grid`)."""

    header_cells: list[str]
    header_line: int  # 1-based line of the header
    grid: pl.DataFrame


def decode_csv_bytes(data: bytes) -> DecodedText:
    """UTF-8 (with or without BOM) first, else Windows-1252; a file mixing both is decoded per line.

    UTF-16 with a BOM (Excel's "Unicode Text") is accepted. NUL bytes without a UTF-16 BOM mean
    a binary or UTF-16 file we cannot trust: `unreadable_encoding`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return DecodedText(data.decode("utf-16"), "utf-16")
        except UnicodeDecodeError as exc:
            raise ExportReadError(
                ErrorCode.UNREADABLE_ENCODING, f"UTF-16 rusak: {exc.reason}"
            ) from exc
    if b"\x00" in data[:65536]:
        raise ExportReadError(
            ErrorCode.UNREADABLE_ENCODING, "berisi karakter biner (NUL); bukan teks CSV biasa"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        return DecodedText(data.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_per_line(data)


def _decode_per_line(data: bytes) -> DecodedText:
    lines = data.split(b"\n")
    decoded: list[str] = []
    fallback: list[int] = []
    utf8_non_ascii = False
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded.append(decode_windows_1252(line))
            fallback.append(number)
            continue
        decoded.append(text)
        utf8_non_ascii = utf8_non_ascii or not line.isascii()
    text = "\n".join(decoded)
    if utf8_non_ascii:
        return DecodedText(text, "utf-8+windows-1252", fallback)
    return DecodedText(text, "windows-1252")


def _windows_1252_table() -> dict[int, str]:
    """Latin-1 code point -> Windows-1252 character for 0x80-0x9F (5 undefined bytes stay Latin-1)."""
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            continue
    return table


_WINDOWS_1252 = _windows_1252_table()


def decode_windows_1252(data: bytes) -> str:
    """Windows-1252 that never fails: the 5 undefined bytes are kept as their Latin-1 characters."""
    return data.decode("latin-1").translate(_WINDOWS_1252)


def sniff_delimiter(text: str) -> str:
    """The delimiter that turns a line near the top into the best header; title lines are ignored.

    Each candidate parses the first records; the one whose header row names the most canonical
    columns wins. Without any header, the delimiter giving the most consistent field count > 1.
    """
    best: tuple[int, str] | None = None
    for delimiter in DELIMITERS:
        records = [record for _, _, record in _head_records(text, delimiter)]
        index = find_header_row(records)
        if index is not None:
            score = len(set(header_matches(records[index]).values()))
            if best is None or score > best[0]:
                best = (score, delimiter)
    if best is not None:
        return best[1]
    return _most_consistent_delimiter(text)


def _head_records(text: str, delimiter: str) -> list[tuple[int, int, list[str]]]:
    """The first records as (first line, last line, cells)."""
    reader = _reader(text[:_HEAD_CHARS], delimiter)
    records: list[tuple[int, int, list[str]]] = []
    previous_line = 0
    try:
        for record in reader:
            records.append((previous_line + 1, reader.line_num, record))
            previous_line = reader.line_num
            if len(records) >= SNIFF_RECORDS:
                break
    except csv.Error:
        pass
    return records


def _most_consistent_delimiter(text: str) -> str:
    def consistency(delimiter: str) -> int:
        counts = Counter(len(r) for _, _, r in _head_records(text, delimiter) if len(r) > 1)
        return counts.most_common(1)[0][1] if counts else 0

    return max(DELIMITERS, key=consistency)


def _reader(text: str, delimiter: str) -> Any:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def read_csv_table(text: str, delimiter: str) -> CsvTable | None:
    """The header and the trimmed cell grid below it; None when no header is found.

    Polars parses the body when it can prove the row numbers (no record spans two lines and
    no row is wider than the top of the file); otherwise Python's csv module does, tracking
    the line each record starts on.
    """
    head = _head_records(text, delimiter)
    index = find_header_row([record for _, _, record in head])
    if index is None:
        return None
    header_line, header_end_line, header = head[index]
    width = max(len(record) for _, _, record in head[index:])
    grid = _polars_body(text, delimiter, header_end_line, width)
    if grid is None:
        grid = _python_body(text, delimiter, header_end_line)
    return CsvTable([cell.strip() for cell in header], header_line, grid)


def _polars_body(
    text: str, delimiter: str, header_end_line: int, width: int
) -> pl.DataFrame | None:
    if _LONE_CARRIAGE_RETURN.search(text):
        return None  # old Mac line ends: let the csv module count lines
    offset = 0
    for _ in range(header_end_line):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return _empty_grid(width)
    body = text[offset:]
    if not body.strip():
        return _empty_grid(width)
    lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    try:
        grid = pl.read_csv(
            body.encode("utf-8"),
            has_header=False,
            separator=delimiter,
            quote_char='"',
            schema={cell_name(j): pl.String for j in range(width)},
            infer_schema=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):
        return None  # a row wider than the top of the file, or a quote the parsers disagree on
    if grid.height != lines:
        return None  # a quoted field spans lines: row numbers must come from the csv module
    first = header_end_line + 1
    grid = grid.with_columns(
        pl.int_range(first, first + grid.height, dtype=pl.Int64).alias("source_row")
    )
    return trim_cells(grid)


def _python_body(text: str, delimiter: str, header_end_line: int) -> pl.DataFrame:
    csv.field_size_limit(1 << 24)
    reader = _reader(text, delimiter)
    records: list[list[str]] = []
    starts: list[int] = []
    previous_line = 0
    try:
        for record in reader:
            if previous_line >= header_end_line:
                starts.append(previous_line + 1)
                records.append(record)
            previous_line = reader.line_num
    except csv.Error as exc:
        raise ExportReadError(ErrorCode.CORRUPT_CSV, f"baris {previous_line + 1}: {exc}") from exc
    width = max(map(len, records), default=0)
    if records and min(map(len, records)) < width:
        records = [r if len(r) == width else r + [""] * (width - len(r)) for r in records]
    columns = list(zip(*records, strict=True)) if records else []
    return cell_grid(columns, starts)


def _empty_grid(width: int) -> pl.DataFrame:
    return cell_grid([[] for _ in range(width)], [])


def delimiter_name(delimiter: str) -> str:
    """The delimiter as a clerk would name it ("titik koma")."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))
