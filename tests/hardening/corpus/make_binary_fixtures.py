"""Regenerate the binary fixtures of the corpus that need tools the project does not depend on.

Not run by the tests (they use the committed files). To regenerate, in a throwaway venv:

    python -m venv /tmp/fixtures && /tmp/fixtures/bin/pip install msoffcrypto-tool xlwt odfpy xlsxwriter
    /tmp/fixtures/bin/python tests/hardening/corpus/make_binary_fixtures.py

- encrypted.xlsx   a real password-protected workbook (password "rahasia"): an OLE2 container
- legacy.xls       a real Excel 97-2003 (BIFF8) workbook
- spreadsheet.ods  a real OpenDocument spreadsheet
All three hold the same two people under a NIK/NAMA header, so only the format is at fault.
"""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

HERE = Path(__file__).resolve().parent
ROWS = [
    ["NIK", "NAMA", "TANGGAL LAHIR"],
    ["3528114506890001", "SITI AMINAH", "05-06-1989"],
    ["3528110101900002", "MOH. ALI", "01-01-1990"],
]


def encrypted_xlsx() -> bytes:
    plain = io.BytesIO()
    with xlsxwriter.Workbook(plain) as workbook:
        sheet = workbook.add_worksheet("Data")
        for r, row in enumerate(ROWS):
            sheet.write_row(r, 0, row)
    plain.seek(0)
    encrypted = io.BytesIO()
    office = OOXMLFile(plain)
    office.encrypt("rahasia", encrypted)
    return encrypted.getvalue()


def legacy_xls() -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def spreadsheet_ods() -> bytes:
    document = OpenDocumentSpreadsheet()
    table = Table(name="Data")
    for row in ROWS:
        table_row = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


if __name__ == "__main__":
    (HERE / "encrypted.xlsx").write_bytes(encrypted_xlsx())
    (HERE / "legacy.xls").write_bytes(legacy_xls())
    (HERE / "spreadsheet.ods").write_bytes(spreadsheet_ods())
