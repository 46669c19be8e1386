"""The corpus of bad inputs: one case per defect, the file it writes and the outcome it must get.

Each case writes its file into a village folder (`write(path)`), and says what reading and
cleaning must report: a file refused with an `ErrorCode`, a file read with a `WarningCode`,
or a row rejected / flagged with a code of `dtks.clean`. Small text fixtures live in
`corpus/`; the binary ones that need other tools are made by `corpus/make_binary_fixtures.py`;
everything large (zip bomb, 200 MB line, 1,048,576 formatted rows) is generated here, cheaply.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from dtks.ingest import ErrorCode, WarningCode

CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
VILLAGE = "kapong"
HEADER = ["NIK", "NAMA", "NO KK", "TANGGAL LAHIR", "JENIS KELAMIN", "RT", "RW"]
PERSON = ["3528114506890001", "SITI AMINAH", "3528110101100003", "05-06-1989", "P", "1", "2"]
OTHER = ["3528110101900002", "MOH. ALI", "3528110101100003", "01-01-1990", "L", "1", "2"]
MIB = 1 << 20


@dataclass(frozen=True)
class Refused:
    """The whole file is refused with `code`; its message names the file and the `mentions`."""

    code: ErrorCode
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Warned:
    """The file is read (`rows_read` rows) with a warning `code` naming the file and `mentions`."""

    code: WarningCode
    rows_read: int
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowFlagged:
    """Row `source_row` ends rejected with reason `code`, or accepted with issue `code`."""

    code: str
    source_row: int
    rejected: bool = False
    sheet: str = ""
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Read:
    """The file is read as if nothing were odd: `rows_read` rows, every one accepted."""

    rows_read: int
    code: str = "read"


Outcome = Refused | Warned | RowFlagged | Read


@dataclass(frozen=True)
class Case:
    """One bad input: an id, the file name it gets in the village folder, how to write it."""

    id: str
    file_name: str
    write: Callable[[Path], None]
    expect: Outcome
    large: bool = False  # generated big file: kept out of the whole-pipeline run
    regular: bool = True  # False: a symlink, FIFO or folder, refused before it is opened
    notes: str = field(default="", compare=False)

    @property
    def code(self) -> str:
        return str(self.expect.code)


# --- writers -----------------------------------------------------------------------------


def data(payload: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(payload)


def fixture(name: str) -> Callable[[Path], None]:
    return lambda path: shutil.copyfile(CORPUS_DIR / name, path)


def csv_text(*lines: list[str] | str, encoding: str = "utf-8") -> bytes:
    rows = [line if isinstance(line, str) else ",".join(line) for line in lines]
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


def xlsx_bytes(build: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"strings_to_numbers": False}) as workbook:
        build(workbook)
    return buffer.getvalue()


def sheet_rows(*rows: list, name: str = "Data") -> Callable[[xlsxwriter.Workbook], None]:
    def build(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)

    return build


def good_xlsx() -> bytes:
    return xlsx_bytes(sheet_rows(HEADER, *([PERSON] * 300)))


def truncated_xlsx(path: Path) -> None:
    whole = good_xlsx()
    path.write_bytes(whole[: len(whole) * 2 // 3])


def corrupt_entry_xlsx(path: Path) -> None:
    """A workbook whose sheet member's compressed bytes are overwritten: the zip directory is fine."""
    whole = bytearray(good_xlsx())
    with zipfile.ZipFile(io.BytesIO(bytes(whole))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    name_length, extra_length = struct.unpack("<HH", whole[info.header_offset + 26 :][:4])
    start = info.header_offset + 30 + name_length + extra_length
    whole[start + 10 : start + 60] = b"\xff" * 50
    path.write_bytes(bytes(whole))


def hidden_sheet_xlsx(path: Path) -> None:
    def build(workbook: xlsxwriter.Workbook) -> None:
        visible = workbook.add_worksheet("Data")
        visible.write_row(0, 0, HEADER)
        visible.write_row(1, 0, PERSON)
        hidden = workbook.add_worksheet("LAMA")
        hidden.write_row(0, 0, HEADER)
        hidden.write_row(1, 0, OTHER)
        hidden.hide()

    path.write_bytes(xlsx_bytes(build))


def merged_header_xlsx(path: Path) -> None:
    """A title merged over the table, a group label merged over two header cells, and NAMA
    merged over two columns whose second one holds the family name."""

    def build(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet("Data")
        sheet.merge_range("A1:F1", "DATA DTKS DESA KAPONG 2026")
        sheet.merge_range("A2:B2", "IDENTITAS")
        sheet.write_row(2, 0, ["NIK", "NO KK"])
        sheet.merge_range("C3:D3", "NAMA")
        sheet.write_row(2, 4, ["JENIS KELAMIN", "RT"])
        sheet.write_row(3, 0, ["3528114506890001", "3528110101100003", "SITI", "AMINAH", "P", "1"])

    path.write_bytes(xlsx_bytes(build))


def chart_only_xlsx(path: Path) -> None:
    def build(workbook: xlsxwriter.Workbook) -> None:
        chart_sheet = workbook.add_chartsheet("Grafik")
        chart = workbook.add_chart({"type": "column"})
        chart.add_series({"values": "=Rekap!$A$1:$A$3"})  # a sheet that is not there
        chart_sheet.set_chart(chart)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # xlsxwriter: unknown sheet 'Rekap'
        path.write_bytes(xlsx_bytes(build))


def formula_cells_xlsx(path: Path) -> None:
    """Formula cells: calamine gives the value Excel saved; none saved reads as 0."""

    def build(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet("Data")
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, PERSON)
        sheet.write_formula(2, 0, '="3528110101900002"', None, "3528110101900002")
        sheet.write_formula(2, 1, '=UPPER("moh ali")')  # no saved value: read as 0
        sheet.write_row(2, 2, OTHER[2:])

    path.write_bytes(xlsx_bytes(build))


def macro_xlsm(path: Path) -> None:
    """An .xlsm: a workbook plus a VBA project that is never run (only the cells are read)."""
    whole = good_xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b'\xd0\xcf\x11\xe0 Sub AutoOpen(): Shell("x") End Sub')
    path.write_bytes(out.getvalue())


def zip_slip_xlsx(path: Path) -> None:
    """A good workbook with an extra member named ../../../tmp/dtks_zip_slip: never extracted."""
    whole = good_xlsx()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(whole)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("../../../tmp/dtks_zip_slip", b"ditulis keluar folder")
    path.write_bytes(out.getvalue())


def zip_of_exports(path: Path) -> None:
    """A WhatsApp-style .zip of an export, renamed .xlsx."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("dtks_kapong.xlsx", good_xlsx())
    path.write_bytes(out.getvalue())


def xlsb_like(path: Path) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    path.write_bytes(out.getvalue())


def wide_xlsx(path: Path) -> None:
    headers = ["NIK", "NAMA", *(f"KOLOM {i}" for i in range(1, 9_999))]
    path.write_bytes(xlsx_bytes(sheet_rows(headers, PERSON[:2])))


def year_3000_xlsx(path: Path) -> None:
    from datetime import datetime

    def build(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet("Data")
        date_format = workbook.add_format({"num_format": "dd-mm-yyyy"})
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, PERSON[:3])
        sheet.write_datetime(1, 3, datetime(3000, 1, 1), date_format)
        sheet.write_row(1, 4, PERSON[4:])

    path.write_bytes(xlsx_bytes(build))


def numeric_cells_xlsx(path: Path) -> None:
    """RT typed as the number -3 and a 40-digit NIK typed as a number (Excel shows 1E+39)."""

    def build(workbook: xlsxwriter.Workbook) -> None:
        sheet = workbook.add_worksheet("Data")
        sheet.write_row(0, 0, HEADER)
        sheet.write_row(1, 0, PERSON)
        sheet.write_number(1, 5, -3)
        sheet.write_row(2, 0, OTHER)
        sheet.write_number(2, 0, 1e39)

    path.write_bytes(xlsx_bytes(build))


def formatted_million_rows_xlsx(path: Path) -> None:
    """Two real rows, then every row down to 1,048,576 holding an empty formatted cell.

    The sheet XML (about 60 MB) is streamed into the zip in blocks; nothing big is held.
    """
    base = xlsx_bytes(sheet_rows(HEADER, PERSON))
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for item in source.infolist():
            body = source.read(item)
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, body)
                continue
            head, tail = body.decode().split("</sheetData>")
            head = head.replace('<dimension ref="A1:G2"/>', '<dimension ref="A1:G1048576"/>')
            with target.open(item.filename, "w") as sheet:
                sheet.write(head.encode())
                for first in range(3, 1_048_577, 4096):
                    block = "".join(
                        f'<row r="{r}"><c r="A{r}" s="1"/><c r="B{r}" s="1"/></row>'
                        for r in range(first, min(first + 4096, 1_048_577))
                    )
                    sheet.write(block.encode())
                sheet.write(("</sheetData>" + tail).encode())


def zip_bomb_xlsx(path: Path, unpacked_mib: int = 3815) -> None:
    """An XLSX whose sheet member unpacks to `unpacked_mib` MiB (default ~4 GB) of zero bytes.

    One MiB of zeros is deflated once and the full-flushed block repeated, so writing the
    ~4 MB file costs milliseconds. The CRC is left 0: nothing may ever read that far.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\0" * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    members = [
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.xml", b"<workbook/>"),
    ]
    with path.open("wb") as out:
        directory = b""
        for name, body in members:
            packed = zlib.compress(body)[2:-4]
            directory += _zip_member(out, name, packed, len(body), zlib.crc32(body))
        sheet_offset = out.tell()
        header = _local_header("xl/worksheets/sheet1.xml", 0, 0, 0)
        out.write(header)
        compressed = 0
        for _ in range(unpacked_mib):
            out.write(block)
            compressed += len(block)
        out.write(b"\x03\x00")  # the final, empty deflate block
        compressed += 2
        size = unpacked_mib * MIB
        out.seek(sheet_offset)
        out.write(_local_header("xl/worksheets/sheet1.xml", 0, compressed, size))
        out.seek(0, os.SEEK_END)
        directory += _central_entry("xl/worksheets/sheet1.xml", 0, compressed, size, sheet_offset)
        start = out.tell()
        out.write(directory)
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 3, 3, len(directory), start, 0))


def _local_header(name: str, crc: int, compressed: int, size: int) -> bytes:
    encoded = name.encode()
    return (
        struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, compressed, size, len(encoded), 0
        )
        + encoded
    )


def _central_entry(name: str, crc: int, compressed: int, size: int, offset: int) -> bytes:
    encoded = name.encode()
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            compressed,
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )


def _zip_member(out: io.BufferedWriter, name: str, packed: bytes, size: int, crc: int) -> bytes:
    offset = out.tell()
    out.write(_local_header(name, crc, len(packed), size))
    out.write(packed)
    return _central_entry(name, crc, len(packed), size, offset)


def ods_named_xlsx(path: Path) -> None:
    shutil.copyfile(CORPUS_DIR / "spreadsheet.ods", path)


def long_line_csv(path: Path, line_mib: int = 200) -> None:
    """A header, then one 200 MB line (written in 1 MiB blocks)."""
    with path.open("wb") as out:
        out.write(csv_text(HEADER))
        out.write(b"3528114506890001,")
        block = b"A" * MIB
        for _ in range(line_mib):
            out.write(block)
        out.write(b"\r\n")


def repeated_header_csv(path: Path) -> None:
    lines: list[list[str]] = [HEADER]
    for _ in range(1000):
        lines += [PERSON, HEADER]
    path.write_bytes(csv_text(*lines))


def wide_csv(path: Path) -> None:
    headers = ["NIK", "NAMA", *(f"KOLOM {i}" for i in range(1, 9_999))]
    path.write_bytes(csv_text(headers, PERSON[:2] + ["x"] * 9_998))


def trailing_empty_columns_csv(path: Path) -> None:
    path.write_bytes(csv_text(HEADER + [""] * 9_993, PERSON + [""] * 9_993))


def long_cell_csv(path: Path) -> None:
    path.write_bytes(csv_text(HEADER, ["3528114506890001", "SITI " + "A" * 100_000, *PERSON[2:]]))


def symlink_outside(path: Path) -> None:
    """A link to a file outside the raw folder (the test's own source file)."""
    path.symlink_to(Path(__file__).resolve())


def dangling_symlink(path: Path) -> None:
    path.symlink_to(path.parent / "tidak-ada-di-mana-mana.csv")


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder_named_like_export(path: Path) -> None:
    path.mkdir()
    (path / "xl").mkdir()
    (path / "xl" / "workbook.xml").write_text("<workbook/>")


# --- the corpus --------------------------------------------------------------------------

NIK_CSV_ROW = 2  # the first data line below a one-line header

CASES: list[Case] = [
    # the whole file is refused
    Case("empty file", "kosong.csv", data(b""), Refused(ErrorCode.FILE_EMPTY)),
    Case("spaces only", "spasi.csv", data(b" \r\n\t\r\n"), Refused(ErrorCode.FILE_EMPTY)),
    Case("CSV with only a BOM", "bom.csv", fixture("bom_only.csv"), Refused(ErrorCode.FILE_EMPTY)),
    Case("UTF-16 BOM only", "bom16.csv", data(b"\xff\xfe"), Refused(ErrorCode.FILE_EMPTY)),
    Case("header only", "judul_saja.csv", fixture("header_only.csv"), Refused(ErrorCode.NO_ROWS)),
    Case(
        "header only in xlsx",
        "judul_saja.xlsx",
        lambda p: p.write_bytes(xlsx_bytes(sheet_rows(HEADER))),
        Refused(ErrorCode.NO_ROWS, ("'Data'",)),
    ),
    Case(
        "no header at all",
        "tanpa_judul.csv",
        fixture("no_header.csv"),
        Refused(ErrorCode.NO_HEADER),
    ),
    Case(
        "binary garbage named .xlsx",
        "sampah.xlsx",
        data(bytes(range(256)) * 40),
        Refused(ErrorCode.NOT_A_SPREADSHEET, (".xlsx",)),
    ),
    Case(
        "binary garbage named .csv",
        "sampah.csv",
        data(b"\x00\x01\x02\x03NIK\x00NAMA\x00" * 500),
        Refused(ErrorCode.UNREADABLE_ENCODING, ("NUL",)),
    ),
    Case("truncated xlsx", "terpotong.xlsx", truncated_xlsx, Refused(ErrorCode.CORRUPT_XLSX)),
    Case(
        "corrupt xlsx: bad zip entry",
        "rusak.xlsx",
        corrupt_entry_xlsx,
        Refused(ErrorCode.CORRUPT_XLSX, ("Data",)),
    ),
    Case(
        "password-protected xlsx (OLE2 container)",
        "bersandi.xlsx",
        fixture("encrypted.xlsx"),
        Refused(ErrorCode.ENCRYPTED_XLSX, ("kata sandi",)),
    ),
    Case("legacy .xls", "lama.xls", fixture("legacy.xls"), Refused(ErrorCode.LEGACY_XLS)),
    Case(
        "legacy .xls renamed .xlsx",
        "lama_diganti_nama.xlsx",
        fixture("legacy.xls"),
        Refused(ErrorCode.LEGACY_XLS, ("97-2003",)),
    ),
    Case(
        "OpenDocument .ods",
        "libreoffice.ods",
        fixture("spreadsheet.ods"),
        Refused(ErrorCode.UNSUPPORTED_FORMAT, (".ods",)),
    ),
    Case(
        ".ods renamed .xlsx",
        "ods_diganti_nama.xlsx",
        ods_named_xlsx,
        Refused(ErrorCode.UNSUPPORTED_FORMAT, (".ods",)),
    ),
    Case(
        "binary workbook .xlsb",
        "biner.xlsb",
        xlsb_like,
        Refused(ErrorCode.UNSUPPORTED_FORMAT, (".xlsb",)),
    ),
    Case(
        ".zip of an export renamed .xlsx",
        "kiriman_wa.xlsx",
        zip_of_exports,
        Refused(ErrorCode.NOT_A_SPREADSHEET, ("dtks_kapong.xlsx", "ekstrak")),
    ),
    Case(
        "web page saved as .xls",
        "unduhan.xls",
        fixture("web_page.xls"),
        Refused(ErrorCode.NOT_A_SPREADSHEET, ("HTML",)),
    ),
    Case(
        "chart sheet only",
        "grafik.xlsx",
        chart_only_xlsx,
        Refused(ErrorCode.NO_HEADER, ("'Grafik'",)),
    ),
    Case(
        "zip bomb: ~4 GB declared, refused from the zip directory",
        "bom_zip.xlsx",
        zip_bomb_xlsx,
        Refused(ErrorCode.ZIP_BOMB, ("rasio kompresi",)),
    ),
    Case(
        "a 200 MB CSV line",
        "baris_panjang.csv",
        long_line_csv,
        Refused(ErrorCode.LINE_TOO_LONG, ("baris 2",)),
        large=True,
    ),
    Case(
        "10,000 columns in a CSV",
        "lebar.csv",
        wide_csv,
        Refused(ErrorCode.TOO_MANY_COLUMNS, ("10.000 kolom",)),
    ),
    Case(
        "10,000 columns in an XLSX",
        "lebar.xlsx",
        wide_xlsx,
        Refused(ErrorCode.TOO_MANY_COLUMNS, ("'Data'", "10.000 kolom")),
    ),
    Case(
        "copy cut short: NUL padding at the end",
        "salinan_terputus.csv",
        fixture("nul_padded.csv"),
        Refused(ErrorCode.CORRUPT_CSV, ("NUL",)),
    ),
    Case(
        "symlink pointing outside the raw folder",
        "tautan_keluar.csv",
        symlink_outside,
        Refused(ErrorCode.OUTSIDE_RAW_FOLDER),
        regular=False,
    ),
    Case(
        "dangling symlink",
        "tautan_rusak.csv",
        dangling_symlink,
        Refused(ErrorCode.FILE_UNREADABLE, ("tidak ditemukan",)),
        regular=False,
    ),
    Case(
        "FIFO named like an export",
        "pipa.csv",
        fifo,
        Refused(ErrorCode.NOT_A_REGULAR_FILE, ("FIFO",)),
        regular=False,
    ),
    Case(
        "a directory named like a file",
        "folder.xlsx",
        folder_named_like_export,
        Refused(ErrorCode.NOT_A_REGULAR_FILE, ("folder",)),
        regular=False,
    ),
    # read, with a warning for the operator
    Case(
        "mixed encodings in one file",
        "campur.csv",
        fixture("mixed_encoding.csv"),
        Warned(WarningCode.MIXED_ENCODING, 3, ("baris 3",)),
    ),
    Case(
        "NUL bytes inside the text",
        "nul.csv",
        fixture("nul_bytes.csv"),
        Warned(WarningCode.NUL_REMOVED, 3, ("baris 2, 4",)),
    ),
    Case(
        "duplicate header names",
        "kolom_ganda.csv",
        fixture("duplicate_headers.csv"),
        Warned(WarningCode.DUPLICATE_HEADERS, 2, ("NIK (2)", "NAMA (2)")),
    ),
    Case(
        "hidden sheet",
        "tersembunyi.xlsx",
        hidden_sheet_xlsx,
        Warned(WarningCode.HIDDEN_SHEET, 2, ("'LAMA'",)),
    ),
    Case(
        "extremely long cell",
        "sel_panjang.csv",
        long_cell_csv,
        Warned(WarningCode.CELL_TRUNCATED, 1, ("baris 2 kolom NAMA (2)", "32.767")),
    ),
    Case(
        "CSV cells starting with = + - @",
        "rumus.csv",
        fixture("formulas.csv"),
        Warned(WarningCode.FORMULA_LIKE_TEXT, 4, ("baris 2 kolom NAMA (2)",)),
    ),
    Case(
        "macro workbook .xlsm",
        "makro.xlsm",
        macro_xlsm,
        Warned(WarningCode.MACRO_WORKBOOK, 300, ("makro",)),
    ),
    Case(
        "CSV saved with an .xls name",
        "teks.xls",
        fixture("csv_text.xls"),
        Warned(WarningCode.RENAMED_FORMAT, 2, (".xls", "CSV")),
    ),
    # read; a row is rejected or flagged by cleaning
    Case(
        "a header row repeated 1,000 times",
        "judul_berulang.csv",
        repeated_header_csv,
        RowFlagged("repeated_header", 3, rejected=True),
    ),
    Case(
        "totals row holding a NIK-like number",
        "jumlah.csv",
        fixture("totals_with_nik.csv"),
        RowFlagged("totals", 4, rejected=True),
    ),
    Case(
        "a name that is only emoji",
        "emoji_saja.csv",
        fixture("emoji_only_name.csv"),
        RowFlagged("nama_no_letters", 2, rejected=True),
    ),
    Case(
        "formula cell without a saved value",
        "rumus_sel.xlsx",
        formula_cells_xlsx,
        RowFlagged("nama_no_letters", 3, rejected=True, sheet="Data"),
    ),
    Case(
        "birth date in the year 3000",
        "tahun_3000.csv",
        fixture("year_3000.csv"),
        RowFlagged("tanggal_lahir_future", 2, mentions=("01-01-3000",)),
    ),
    Case(
        "update date in the year 3000",
        "update_3000.csv",
        fixture("update_3000.csv"),
        RowFlagged("tanggal_update_unreadable", 2, mentions=("3000",)),
    ),
    Case(
        "date cell in the year 3000",
        "tahun_3000.xlsx",
        year_3000_xlsx,
        RowFlagged("tanggal_lahir_future", 2, sheet="Data", mentions=("3000",)),
    ),
    Case(
        "negative RT",
        "rt_negatif.csv",
        fixture("negative_rt.csv"),
        RowFlagged("rt_invalid", 2, mentions=("'-3'",)),
    ),
    Case(
        "negative RT typed as a number",
        "rt_angka.xlsx",
        numeric_cells_xlsx,
        RowFlagged("rt_invalid", 2, sheet="Data", mentions=("'-3'",)),
    ),
    Case(
        "a NIK of 40 digits",
        "nik_40.csv",
        fixture("nik_40_digits.csv"),
        RowFlagged("nik_wrong_length", 2, mentions=("352811",)),
    ),
    Case(
        "a 40-digit NIK typed as a number",
        "nik_40_angka.xlsx",
        numeric_cells_xlsx,
        RowFlagged("nik_wrong_length", 3, sheet="Data"),
    ),
    Case(
        "emoji inside a name",
        "emoji.csv",
        fixture("emoji_name.csv"),
        RowFlagged("nama_odd_characters", 2, mentions=("SITI AMINAH",)),
    ),
    Case(
        "right-to-left (Arabic) name",
        "arab.csv",
        fixture("rtl_name.csv"),
        RowFlagged("nama_not_latin", 2, mentions=("huruf Latin",)),
    ),
    Case(
        "right-to-left override hidden in a name",
        "rlo.csv",
        fixture("rtl_override_name.csv"),
        RowFlagged("nama_odd_characters", 2, mentions=("\ufffd",)),
    ),
    Case(
        "NIK with thousand separators ending in 0",
        "nik_titik.csv",
        fixture("nik_thousand_separators.csv"),
        RowFlagged("nik_possibly_truncated", 3),
    ),
    Case(
        "a sheet with 1,048,576 empty formatted rows",
        "sejuta_baris.xlsx",
        formatted_million_rows_xlsx,
        Read(1),
        large=True,
    ),
    Case(
        "merged cells across the header",
        "gabung.xlsx",
        merged_header_xlsx,
        Read(1),
    ),
    Case(
        "10,000 empty columns at the right",
        "kolom_kosong.csv",
        trailing_empty_columns_csv,
        Read(1),
    ),
    Case(
        "zip member named ../../ inside a good workbook",
        "zip_slip.xlsx",
        zip_slip_xlsx,
        Read(300),
    ),
    Case("UTF-16 CSV (Excel Unicode text)", "unicode.csv", fixture("utf16_bom.csv"), Read(2)),
    Case(
        "UTF-16 CSV without a BOM",
        "utf16.csv",
        fixture("utf16_no_bom.csv"),
        RowFlagged("nama_abbreviated", 3, mentions=("MOH. ALI",)),
    ),
    Case(
        "SQL in a name",
        "sql.csv",
        fixture("sql_in_cells.csv"),
        RowFlagged("nama_odd_characters", 2, mentions=("DROP TABLE raw_rows",)),
    ),
]
