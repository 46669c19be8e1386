"""Reading CSV exports: encoding, delimiter, quoted fields with line breaks, exact line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dtks.ingest.errors import ErrorCode, ExportReadError, angka
from dtks.ingest.file_checks import ReadLimits
from dtks.ingest.header import find_header_row, header_matches
from dtks.ingest.raw_rows import cell_grid, cell_name, grid_width, trim_cells

DEFAULT_MAX_COLUMNS = ReadLimits.max_columns
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
    nul_lines: list[int] = field(default_factory=list)  # lines whose NUL bytes were removed


@dataclass
class CsvTable:
    """A CSV file's header and the trimmed cells below it (see `dtks.ingest.raw_rows.cell_grid`)."""

    header_cells: list[str]
    header_line: int  # 1-based line of the header
    grid: pl.DataFrame


MAX_NUL_SHARE = 0.01  # more NUL bytes than this share of the file: binary, not text


def decode_csv_bytes(data: bytes) -> DecodedText:
    """UTF-8 (with or without BOM) first, else Windows-1252; a file mixing both is decoded per line.

    UTF-16 (Excel's "Unicode Text"), with or without a BOM, is accepted. NUL bytes elsewhere:
    a run of them at the end is a copy that did not finish (`corrupt_csv`); a few stray ones are
    removed and their lines reported; many mean a binary file (`unreadable_encoding`).
    """
    utf16 = _utf16_codec(data)
    if utf16 is not None:
        try:
            return DecodedText(data.decode(utf16), "utf-16")
        except UnicodeDecodeError as exc:
            raise ExportReadError(
                ErrorCode.UNREADABLE_ENCODING, f"UTF-16 rusak: {exc.reason}"
            ) from exc
    data, nul_lines = _without_nul_bytes(data)
    if data.startswith(b"\xef\xbb\xbf"):
        data, bom = data[3:], True
    else:
        bom = False
    try:
        decoded = DecodedText(data.decode("utf-8"), "utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        decoded = _decode_per_line(data)
    decoded.nul_lines = nul_lines
    return decoded


def _utf16_codec(data: bytes) -> str | None:
    """ "utf-16" for a BOM, "utf-16-le"/"-be" when every other byte of the start is NUL."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = data[:4096]
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _without_nul_bytes(data: bytes) -> tuple[bytes, list[int]]:
    """`data` without stray NUL bytes, and the 1-based lines they were on."""
    count = data.count(0)
    if count == 0:
        return data, []
    body = data.rstrip(b"\x00")
    inside = body.count(0)
    if inside > max(16, MAX_NUL_SHARE * len(body)):
        raise ExportReadError(
            ErrorCode.UNREADABLE_ENCODING,
            f"berisi {angka(count)} karakter biner (NUL); bukan teks CSV biasa",
        )
    if len(body) < len(data):
        raise ExportReadError(
            ErrorCode.CORRUPT_CSV,
            f"file diakhiri {angka(len(data) - len(body))} byte kosong (NUL): penyalinan file "
            "tidak selesai",
        )
    lines: list[int] = []
    line, previous, position = 1, 0, data.find(0)
    while position != -1:
        line += data.count(b"\n", previous, position)
        if not lines or lines[-1] != line:
            lines.append(line)
        previous, position = position, data.find(0, position + 1)
    return data.replace(b"\x00", b""), lines


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


def _undefined_as_latin_1(error: UnicodeError) -> tuple[str, int]:
    """Decoding error handler: a byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90,
    0x9D) becomes its Latin-1 character."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("dtks-undefined-as-latin-1", _undefined_as_latin_1)


def decode_windows_1252(data: bytes) -> str:
    """Windows-1252 that never fails: the 5 undefined bytes are kept as their Latin-1 characters.

    >>> decode_windows_1252(b"Ma\\x92ruf \\x81")
    'Ma’ruf \\x81'
    """
    return data.decode("cp1252", errors="dtks-undefined-as-latin-1")


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


def read_csv_table(
    text: str, delimiter: str, max_columns: int = DEFAULT_MAX_COLUMNS
) -> CsvTable | None:
    """The header and the trimmed cell grid below it; None when no header is found.

    Polars parses the body when it can prove the row numbers (no record spans two lines and
    no row is wider than the top of the file); otherwise Python's csv module does, tracking
    the line each record starts on. Empty columns at the right are dropped; a table with
    more than `max_columns` columns holding a header or data is refused (`too_many_columns`).
    """
    head = _head_records(text, delimiter)
    index = find_header_row([record for _, _, record in head])
    if index is None:
        return None
    header_line, header_end_line, header = head[index]
    width = max(len(record) for _, _, record in head[index:])
    grid = _polars_body(text, delimiter, header_end_line, width) if width <= max_columns else None
    if grid is None:
        grid = _python_body(text, delimiter, header_end_line, header, max_columns)
    if len(header) > max_columns:  # the empty columns at the right were dropped from the grid
        header = header[: grid_width(grid)]
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


def _python_body(
    text: str, delimiter: str, header_end_line: int, header: list[str], max_columns: int
) -> pl.DataFrame:
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
    if width > max_columns:
        width = used_width([header, *records])
        if width > max_columns:
            raise ExportReadError(
                ErrorCode.TOO_MANY_COLUMNS,
                f"{angka(width)} kolom berisi judul atau data, batas {angka(max_columns)} kolom",
            )
        records = [r[:width] for r in records]
    if records and min(map(len, records)) < width:
        records = [r if len(r) == width else r + [""] * (width - len(r)) for r in records]
    columns = list(zip(*records, strict=True)) if records else []
    return cell_grid(columns, starts)


def used_width(rows: Sequence[Sequence[object]]) -> int:
    """Columns up to the last one holding any non-blank cell, over all `rows`."""
    width = 0
    for row in rows:
        for position in range(len(row) - 1, width - 1, -1):
            cell = row[position]
            if cell is not None and (not isinstance(cell, str) or cell.strip()):
                width = position + 1
                break
    return width


def _empty_grid(width: int) -> pl.DataFrame:
    return cell_grid([[] for _ in range(width)], [])


def delimiter_name(delimiter: str) -> str:
    """The delimiter as a clerk would name it ("titik koma")."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))
