"""Safe spreadsheet writing: every text goes in as text (`write_string`, or an inline string
for big tables), so a name or value that starts with = + - @ stays text and never becomes a
formula; files appear atomically.

Big tables (`write_frame`) skip xlsxwriter's per-cell Python: xlsxwriter writes the header
row, column formats and filter; once it has closed the file, the rows are rendered as sheet
XML by Polars expressions and put into that sheet's `<sheetData>`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from dtks.files import replaced_atomically, temp_beside
from dtks.storage_errors import explain_storage_errors

MAX_CELL_TEXT = 32_767  # Excel's limit for one cell
MAX_ROWS = 1_048_576  # Excel's limit for one sheet
FRAME_CHUNK_ROWS = 20_000  # rows rendered to XML at a time
# zlib level of the sheets filled from frames: at 1M rows 56 MB of fix lists; 6 gives 49 MB
# and takes 60% longer.
FRAME_COMPRESSLEVEL = 3

# No automatic conversion of any string: formulas, links and numbers are never guessed.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,  # no temporary files per sheet
}


@dataclass(frozen=True)
class FrameTable:
    """Rows of a big table, put into the sheet's XML once xlsxwriter has closed the file."""

    part: str  # the sheet's file in the package, xl/worksheets/sheetN.xml
    first_row: int  # 0-based row of the header; the rows follow it
    frame: pl.DataFrame  # one column per table column, in order
    formats: tuple[Format, ...]  # one per column
    wrap_widths: tuple[float | None, ...] = ()  # per column: its width when it wraps


class Workbook(xlsxwriter.Workbook):
    """An xlsxwriter workbook that also holds the big tables written with `write_frame`."""

    def __init__(self, filename: str, options: dict[str, Any]) -> None:
        super().__init__(filename, options)
        self.frame_tables: list[FrameTable] = []


@contextmanager
def workbook_at(path: Path, what: str = "", kept: str = "") -> Iterator[Workbook]:
    """A workbook written beside `path` and renamed over it once closed without error
    (`dtks.files.replaced_atomically`: fsynced, mode 0640, folder fsynced).

    A full disk or a folder the service may not write fails as a `StorageError` that says
    so in Bahasa Indonesia: that `what` (default "laporan <name>") could not be written,
    and `kept` (default: the old file is intact).
    """
    what = what or f"laporan {path.name}"
    kept = kept or f"Tidak ada data yang hilang: {path.name} yang lama tetap utuh."
    with (
        explain_storage_errors(path.parent, what, kept),
        replaced_atomically(path) as staging,
    ):
        book = Workbook(str(staging), WORKBOOK_OPTIONS)
        yield book
        book.close()
        if book.frame_tables:
            filled = temp_beside(path, path.suffix)
            try:
                fill_frame_tables(staging, filled, book.frame_tables)
                os.replace(filled, staging)
            finally:
                filled.unlink(missing_ok=True)


A4_PAPER = 9  # xlsxwriter's paper code


@dataclass(frozen=True)
class PageHeader:
    """What every printed page says: `left` (the village or kecamatan) and `right` (what the
    workbook is), with the sheet's name in the middle and page numbers in the footer."""

    left: str
    right: str


def _header_text(text: str) -> str:
    """`text` for an Excel page header: `&` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def set_print(
    sheet: Worksheet,
    page: PageHeader,
    repeat_row: int | None = None,
    one_page: bool = False,
    gridlines: bool | None = None,
) -> None:
    """Print settings of a sheet operators print: A4 landscape, all columns on the page width
    (as many pages down as needed, or exactly one page with `one_page`), the header row
    `repeat_row` repeated on every page, grid lines printed (by default on sheets with a
    repeated header row, i.e. lists), the village (or kecamatan) and the sheet in the page
    header, "Halaman x dari y" in the footer."""
    sheet.set_landscape()
    sheet.set_paper(A4_PAPER)
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    sheet.center_horizontally()
    sheet.fit_to_pages(1, 1 if one_page else 0)
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)
    if gridlines if gridlines is not None else repeat_row is not None:
        sheet.hide_gridlines(0)  # shown and printed: rows stay readable on paper
    sheet.set_header(
        f"&L&B{_header_text(page.left)}&B&C&A&R{_header_text(page.right)}", {"margin": 0.3}
    )
    sheet.set_footer("&CHalaman &P dari &N", {"margin": 0.3})


def write_cell(sheet: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """One cell: numbers as numbers, everything else as text (never a formula)."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Ya" if value else "Tidak", fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime):
        sheet.write_string(row, col, value.strftime("%d-%m-%Y %H:%M"), fmt)
    elif isinstance(value, date):
        sheet.write_string(row, col, value.strftime("%d-%m-%Y"), fmt)
    else:
        sheet.write_string(row, col, str(value)[:MAX_CELL_TEXT], fmt)


LINE_HEIGHT_PT = 15.0  # one line of 11 pt text
MAX_ROW_HEIGHT_PT = 409.0  # Excel's limit
# Characters of mixed text that fit one line of a column `width` characters wide (the width
# counts digits; word wrap leaves the ends of lines short).
CHARS_PER_WIDTH = 1.05


def text_lines(text: str, width: float) -> int:
    """Lines `text` takes wrapped in a column `width` characters wide (an estimate on the
    safe side). Rows get this height written: LibreOffice keeps a row one line tall
    otherwise, and wrapped text prints over the next row."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def lines_expr(column: str, width: float) -> pl.Expr:
    """`text_lines` of a text column, as an expression (null counts as one line)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    return (
        pl.col(column)
        .str.split("\n")
        .list.eval((pl.element().str.len_chars() + per_line - 1) // per_line)
        .list.eval(pl.element().clip(lower_bound=1))
        .list.sum()
        .fill_null(1)
        .clip(lower_bound=1)
    )


def row_height(lines: int) -> float:
    return min(MAX_ROW_HEIGHT_PT, LINE_HEIGHT_PT * lines)


def write_paragraph(
    sheet: Worksheet,
    row: int,
    columns: Sequence[Column],
    text: str,
    fmt: Format,
) -> None:
    """`text` wrapped over the width of `columns` (merged cells), the row tall enough for it:
    a long line stays on the printed page instead of running past the last column."""
    width = sum(column.width for column in columns)
    sheet.merge_range(row, 0, row, len(columns) - 1, text[:MAX_CELL_TEXT], fmt)
    sheet.set_row(row, row_height(text_lines(text, width)))


@dataclass(frozen=True)
class Column:
    """A table column: the key in each row dict, its header and its width in characters."""

    key: str
    header: str
    width: float = 14
    wrap: bool = False


@dataclass
class Formats:
    title: Format
    subtitle: Format
    header: Format
    text: Format
    wrapped: Format
    paragraph: Format  # wrapped text across merged cells
    alert_title: Format
    alert: Format  # one defect of a whole file: said once, first


def formats(book: Workbook) -> Formats:
    return Formats(
        title=book.add_format({"bold": True, "font_size": 14}),
        subtitle=book.add_format({"italic": True}),
        header=book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        text=book.add_format({"valign": "top"}),
        wrapped=book.add_format({"text_wrap": True, "valign": "top"}),
        paragraph=book.add_format({"text_wrap": True, "valign": "top", "align": "left"}),
        alert_title=book.add_format({"bold": True, "font_size": 12, "font_color": "#C00000"}),
        alert=book.add_format(
            {
                "text_wrap": True,
                "valign": "top",
                "align": "left",
                "bg_color": "#FCE4D6",
                "border": 1,
                "border_color": "#C00000",
            }
        ),
    )


def write_table(
    sheet: Worksheet,
    first_row: int,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]] | Iterable[tuple[Any, ...]],
    fmt: Formats,
    autofilter: bool = False,
) -> int:
    """A header row and the rows below it at `first_row`; returns the first row after them.

    `rows` are dicts keyed by `Column.key`, or tuples in the order of `columns`. Text goes in
    with `write_string`, numbers with `write_number`. For big tables use `write_frame`.
    """
    cell_formats = _write_header(sheet, first_row, columns, fmt)
    keys = [column.key for column in columns]
    wrapped = [(c, column.width) for c, column in enumerate(columns) if column.wrap]
    write_string, write_number = sheet.write_string, sheet.write_number
    r = first_row
    for row in rows:
        r += 1
        values = [row.get(k) for k in keys] if isinstance(row, dict) else row
        lines = max(
            (text_lines(values[c], w) for c, w in wrapped if isinstance(values[c], str)),
            default=1,
        )
        if lines > 1:
            sheet.set_row(r, row_height(lines))
        for c, value in enumerate(values):
            if value is None:
                continue  # empty cell (the column format applies)
            if type(value) is str:
                write_string(r, c, value[:MAX_CELL_TEXT], cell_formats[c])
            elif type(value) is int or type(value) is float:
                write_number(r, c, value, cell_formats[c])
            else:
                write_cell(sheet, r, c, value, cell_formats[c])
    if autofilter and columns:
        sheet.autofilter(first_row, 0, max(r, first_row), len(columns) - 1)
    return r + 1


def write_frame(
    book: Workbook,
    sheet: Worksheet,
    first_row: int,
    columns: Sequence[Column],
    frame: pl.DataFrame,
    fmt: Formats,
    autofilter: bool = False,
) -> int:
    """`write_table` for a big table: the same cells, rendered from `frame` (one column per
    `Column.key`) when the workbook closes. It must be the last thing on the sheet.
    Returns the first row after it."""
    last = first_row + frame.height
    if last >= MAX_ROWS:
        raise ValueError(f"{sheet.name}: {frame.height} rows do not fit in one Excel sheet")
    cell_formats = _write_header(sheet, first_row, columns, fmt)
    if autofilter and columns:
        sheet.autofilter(first_row, 0, last, len(columns) - 1)
    if frame.height:
        book.frame_tables.append(
            FrameTable(
                part=_worksheet_part(book, sheet),
                first_row=first_row,
                frame=frame.select(*[column.key for column in columns]),
                formats=tuple(cell_formats),
                wrap_widths=tuple(c.width if c.wrap else None for c in columns),
            )
        )
    return last + 1


def _worksheet_part(book: Workbook, sheet: Worksheet) -> str:
    """The sheet's file in the package: xlsxwriter numbers worksheets (not chartsheets) from 1."""
    number = sum(not s.is_chartsheet for s in book.worksheets()[: sheet.index + 1])
    return f"xl/worksheets/sheet{number}.xml"


def _write_header(
    sheet: Worksheet, row: int, columns: Sequence[Column], fmt: Formats
) -> list[Format]:
    """The header row and column widths; returns the format of each column's cells."""
    cell_formats = [fmt.wrapped if column.wrap else fmt.text for column in columns]
    for c, column in enumerate(columns):
        write_cell(sheet, row, c, column.header, fmt.header)
        sheet.set_column(c, c, column.width, cell_formats[c])
    lines = max((text_lines(c.header, c.width) for c in columns), default=1)
    sheet.set_row(row, row_height(lines))
    return cell_formats


def fill_frame_tables(closed: Path, target: Path, tables: Sequence[FrameTable]) -> None:
    """Copy the closed package `closed` to `target`, with the rows of `tables` in their
    sheets."""
    by_part = {table.part: table for table in tables}
    with (
        ZipFile(closed) as source,
        ZipFile(target, "w", ZIP_DEFLATED, compresslevel=FRAME_COMPRESSLEVEL) as package,
    ):
        for info in source.infolist():
            xml = source.read(info)
            table = by_part.get(info.filename)
            if table is None:
                package.writestr(info, xml)
                continue
            head, tail = _split_sheet_xml(xml.decode("utf-8"), table)
            with package.open(info.filename, "w") as part:
                part.write(head.encode("utf-8"))
                for chunk in _rows_xml(table):
                    part.write(chunk)
                part.write(tail.encode("utf-8"))


DIMENSION = re.compile(r'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"/>')


def _split_sheet_xml(xml: str, table: FrameTable) -> tuple[str, str]:
    """The sheet XML before and after where the rows go (the end of `<sheetData>`), with
    the dimension widened to the table. Rows must come in order: nothing may be below it."""
    last_row = table.first_row + table.frame.height
    last_col = table.frame.width - 1

    def widened(match: re.Match[str]) -> str:
        top = match.group(1)
        row, col = xl_cell_to_rowcol(match.group(2) or top)
        if row > table.first_row:
            raise ValueError(f"{table.part}: cells below a table written from a frame")
        return f'<dimension ref="{top}:{xl_rowcol_to_cell(last_row, max(col, last_col))}"/>'

    xml = DIMENSION.sub(widened, xml, count=1)
    end = xml.index("</sheetData>")
    return xml[:end], xml[end:]


def _rows_xml(table: FrameTable) -> Iterator[bytes]:
    """`<row>` elements of the table, FRAME_CHUNK_ROWS at a time, as UTF-8."""
    first = table.first_row + 2  # 1-based number of the first row under the header
    schema = table.frame.schema
    cells = [
        _cell_xml(name, schema[name], xl_col_to_name(c), fmt._get_xf_index())
        for c, (name, fmt) in enumerate(zip(schema, table.formats, strict=True))
    ]
    row = pl.concat_str(
        pl.lit('<row r="'), pl.col(ROW_NUMBER), pl.col(ROW_HEIGHT), *cells, pl.lit("</row>")
    )
    wrapped = {
        name: width
        for name, width in zip(schema, table.wrap_widths, strict=False)
        if width is not None and not _is_number(schema[name])
    }
    for offset in range(0, table.frame.height, FRAME_CHUNK_ROWS):
        chunk = table.frame.slice(offset, FRAME_CHUNK_ROWS)
        texts = chunk.select(*[_as_text(n, d) for n, d in schema.items() if not _is_number(d)])
        heights = texts.select(_height_attribute(wrapped)).to_series()
        prepared = chunk.with_columns(
            heights,
            *[_text_element(texts[name]) for name in texts.columns],
            pl.int_range(first + offset, first + offset + chunk.height)
            .cast(pl.String)
            .alias(ROW_NUMBER),
        )
        yield prepared.select(row.str.join("").cast(pl.Binary)).item()


ROW_NUMBER = "_xlsx_row"
ROW_HEIGHT = "_xlsx_row_height"


def _height_attribute(wrapped: dict[str, float]) -> pl.Expr:
    """The rest of each `<row` start tag: `">` or, for a row whose wrapped text takes more
    than one line, its height (`" ht="45" customHeight="1">`)."""
    if not wrapped:
        return pl.lit('">').alias(ROW_HEIGHT)
    lines = pl.max_horizontal(*[lines_expr(name, width) for name, width in wrapped.items()])
    height = (lines.cast(pl.Float64) * LINE_HEIGHT_PT).clip(upper_bound=MAX_ROW_HEIGHT_PT)
    tall = pl.concat_str(pl.lit('" ht="'), height.cast(pl.String), pl.lit('" customHeight="1">'))
    return pl.when(lines > 1).then(tall).otherwise(pl.lit('">')).alias(ROW_HEIGHT)


# How Excel (and xlsxwriter) escape a string: a literal _xHHHH_ gets its underscore escaped
# (so it is not read as an escape), control characters and non-characters become _xHHHH_,
# then & < > are escaped for XML.
LITERAL_ESCAPE = r"(_x[0-9a-fA-F]{4}_)"
CONTROL_CHARACTERS = r"[\x00-\x08\x0b-\x1f\ufffe\uffff]"
CONTROL_ESCAPES = {
    chr(c): f"_x{c:04X}_" for c in [*range(0x00, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF]
}
MARKUP_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _text_element(values: pl.Series) -> pl.Series:
    """Each string as a `<t>` element (null stays null), escaped as Excel does. Each escape
    runs only on a chunk that needs it: most text needs none."""
    text = values.str.slice(0, MAX_CELL_TEXT)
    if text.str.contains("_x", literal=True).any():
        text = text.str.replace_all(LITERAL_ESCAPE, "_x005F${1}")
    if text.str.contains(CONTROL_CHARACTERS).any():
        text = text.str.replace_many(CONTROL_ESCAPES)
    if text.str.contains_any(list(MARKUP_ESCAPES)).any():
        text = text.str.replace_many(MARKUP_ESCAPES)
    # leading or trailing white space must be kept (cheaper than a regex with ^ and $)
    spaced = text.str.len_bytes() != text.str.strip_chars().str.len_bytes()
    element = pl.concat_str(pl.lit("<t>"), pl.col("t"), pl.lit("</t>"))
    if spaced.any():
        kept = pl.concat_str(pl.lit('<t xml:space="preserve">'), pl.col("t"), pl.lit("</t>"))
        element = pl.when(spaced).then(kept).otherwise(element)
    return text.to_frame("t").select(element.alias(values.name)).to_series()


def _cell_xml(name: str, dtype: pl.DataType, letter: str, style: int) -> pl.Expr:
    """One `<c>` element per row for a column (empty for null or not finite): a number, or
    an inline string from the column's `<t>` elements."""
    ref = (pl.lit(f'<c r="{letter}'), pl.col(ROW_NUMBER), pl.lit(f'" s="{style}"'))
    value = pl.col(name)
    if not _is_number(dtype):
        cell = pl.concat_str(*ref, pl.lit(' t="inlineStr"><is>'), value, pl.lit("</is></c>"))
        return cell.fill_null("")
    cell = pl.concat_str(*ref, pl.lit("><v>"), value.cast(pl.String), pl.lit("</v></c>"))
    if dtype.is_float():
        cell = pl.when(value.is_finite()).then(cell)
    return cell.fill_null("")


def _is_number(dtype: pl.DataType) -> bool:
    return dtype.is_integer() or dtype.is_float()


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """A column's values as `write_cell` shows them: Ya/Tidak, dd-mm-yyyy, or the text."""
    value = pl.col(name)
    if dtype == pl.Boolean:
        text = pl.when(value).then(pl.lit("Ya")).when(value.not_()).then(pl.lit("Tidak"))
    elif dtype == pl.Datetime:
        text = value.dt.strftime("%d-%m-%Y %H:%M")
    elif dtype == pl.Date:
        text = value.dt.strftime("%d-%m-%Y")
    else:
        text = value.cast(pl.String)
    return text.alias(name)
