"""Writing planned files as operators do: CSV or XLSX with titles, blank rows, totals, signatures and notes."""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from dtks.region import Kecamatan
from dtks.synth import names, truth, vocab
from dtks.synth.layout import FilePlan, FileStyle, SheetPlan
from dtks.synth.population import REFERENCE_DATE
from dtks.synth.render import Cell, renderers

# Fixed workbook creation time, so the same seed gives byte-identical XLSX files.
XLSX_CREATED = datetime(REFERENCE_DATE.year, REFERENCE_DATE.month, REFERENCE_DATE.day, 8, 0, 0)
XLSX_DATE_FORMATS = ("dd-mm-yyyy", "dd/mm/yyyy", "d mmmm yyyy", "yyyy-mm-dd")


class CsvSink:
    """Rows of one CSV file; remembers the line number (1-based) of the last row written."""

    def __init__(self, path: Path, style: FileStyle, width: int) -> None:
        self._file = path.open("w", encoding=style.encoding, newline="")
        self._writer = csv.writer(
            self._file, delimiter=style.delimiter, lineterminator=style.line_end
        )
        self._pad = style.pad_short_rows
        self.width = width
        self.line = 0

    def row(self, cells: Sequence[Cell], *, bold: bool = False) -> int:
        values = ["" if c is None else str(c) for c in cells]
        if self._pad and len(values) < self.width:
            values += [""] * (self.width - len(values))
        self._writer.writerow(values)
        self.line += 1
        return self.line

    def title(self, text: str) -> int:
        return self.row([text])

    def blank(self) -> None:
        self.row([])

    def close(self) -> None:
        self._file.close()


class XlsxSink:
    """Rows of one worksheet in a constant-memory workbook (rows must be written in order)."""

    def __init__(
        self,
        workbook: xlsxwriter.Workbook,
        name: str,
        width: int,
        date_format: str,
        merge_titles: bool,
    ) -> None:
        self._sheet = workbook.add_worksheet(name)
        self._date = workbook.add_format({"num_format": date_format})
        self._bold = workbook.add_format({"bold": True, "border": 1})
        self._title = workbook.add_format({"bold": True, "align": "center"})
        self._merge = merge_titles
        self.width = width
        self.line = 0  # rows used so far; the next row index (0-based) equals it

    def row(self, cells: Sequence[Cell], *, bold: bool = False) -> int:
        sheet, r = self._sheet, self.line
        for c, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value, self._bold if bold else None)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day), self._date)
            else:
                sheet.write_number(r, c, value)
        self.line += 1
        return self.line

    def title(self, text: str) -> int:
        if self._merge and self.width > 1:
            self._sheet.merge_range(self.line, 0, self.line, self.width - 1, text, self._title)
        else:
            self._sheet.write_string(self.line, 0, text, self._title)
        self.line += 1
        return self.line

    def blank(self) -> None:
        self.line += 1

    def write_lines(self, lines: Sequence[Sequence[Cell]]) -> None:
        for line in lines:
            self.row(line)


class FileWriter:
    """Writes one planned file and returns its truth rows."""

    def __init__(self, out_dir: Path, kecamatan: Kecamatan, rng: random.Random) -> None:
        self.out_dir = out_dir
        self.kecamatan = kecamatan
        self.rng = rng
        self.desa_kode = {d.slug: d.kode for d in kecamatan.desa}
        self.desa_nama = {d.slug: d.nama for d in kecamatan.desa}

    def write(self, plan: FilePlan) -> list[tuple]:
        path = self.out_dir / plan.path
        path.parent.mkdir(parents=True, exist_ok=True)
        width = len(plan.style.columns)
        rows: list[tuple] = []
        if plan.fmt == "csv":
            sink = CsvSink(path, plan.style, width)
            try:
                self._data_sheet(sink, plan, plan.sheets[0], rows)
            finally:
                sink.close()
            return rows
        workbook = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        workbook.set_properties({"created": XLSX_CREATED, "author": "operator siks-ng"})
        date_format = self.rng.choice(XLSX_DATE_FORMATS)
        merge = self.rng.random() < 0.75
        try:
            for sheet in plan.sheets:
                sink = XlsxSink(workbook, sheet.name, width, date_format, merge)
                if sheet.kind == "data":
                    self._data_sheet(sink, plan, sheet, rows)
                else:
                    sink.write_lines(self._info_sheet(sheet.kind, plan))
        finally:
            workbook.close()
        return rows

    # -- a data sheet -----------------------------------------------------------------------
    def _data_sheet(
        self, sink: CsvSink | XlsxSink, plan: FilePlan, sheet: SheetPlan, out: list[tuple]
    ) -> None:
        rng, style, features = self.rng, plan.style, sheet.features
        village = plan.village
        headers = [c.header for c in style.columns]
        keys = [c.key for c in style.columns]
        render = renderers(style, plan.fmt, self.kecamatan, rng)
        desa_kode = self.desa_kode[village]
        if "title_rows" in features:
            for line in self._titles(village):
                sink.title(line) if line else sink.blank()
        sink.row(headers, bold=True)
        n = len(sheet.rows)
        blank_after = (
            set(rng.sample(range(n), max(1, n // 150))) if "blank_rows" in features and n else set()
        )
        repeat_at = rng.randrange(1, n) if "repeated_header" in features and n > 1 else -1
        for seq, listing in enumerate(sheet.rows, start=1):
            if seq - 1 == repeat_at:
                where = (plan.path, sheet.name, sink.row(headers))
                out.append(truth.other_row(where, village, "repeated_header", headers))
            cells = [f(listing, seq) for f in render]
            where = (plan.path, sheet.name, sink.row(cells))
            out.append(
                truth.data_row(listing, where, desa_kode, dict(zip(keys, cells, strict=True)))
            )
            if seq - 1 in blank_after:
                for _ in range(rng.choice((1, 1, 2))):
                    sink.blank()
        if "totals_row" in features:
            self._footer(
                sink,
                plan,
                sheet,
                "totals",
                [[rng.choice(("JUMLAH", "TOTAL", "Jumlah")), n]],
                out,
                blank=rng.random() < 0.5,
            )
        if "signature_block" in features:
            self._footer(
                sink,
                plan,
                sheet,
                "signature",
                self._signature(village, sink.width),
                out,
                blank=True,
            )
        if "note_line" in features:
            self._footer(
                sink,
                plan,
                sheet,
                "note",
                [[rng.choice(vocab.NOTE_LINES)]],
                out,
                blank=rng.random() < 0.5,
            )

    def _footer(
        self,
        sink: CsvSink | XlsxSink,
        plan: FilePlan,
        sheet: SheetPlan,
        kind: str,
        lines: list[list[Cell]],
        out: list[tuple],
        *,
        blank: bool,
    ) -> None:
        if blank:
            sink.blank()
        for line in lines:
            if not any(c not in (None, "") for c in line):
                sink.blank()
                continue
            out.append(
                truth.other_row((plan.path, sheet.name, sink.row(line)), plan.village, kind, line)
            )

    def _titles(self, village: str) -> list[str]:
        rng, kec = self.rng, self.kecamatan
        desa = self.desa_nama[village].upper()
        lines = [rng.choice(vocab.TITLE_LINES)]
        if rng.random() < 0.8:
            lines.append(
                f"DESA {desa} KECAMATAN {kec.nama.upper()} KABUPATEN {kec.kabupaten_nama.upper()}"
            )
        if rng.random() < 0.4:
            lines.append(
                f"KONDISI {vocab.MONTHS_FULL[REFERENCE_DATE.month - 1].upper()} {REFERENCE_DATE.year}"
            )
        if rng.random() < 0.6:
            lines.append("")
        return lines

    def _signature(self, village: str, width: int) -> list[list[Cell]]:
        column = max(1, width - 4)
        pad: list[Cell] = [None] * column
        desa = self.desa_nama[village]
        kades = names.person_name(self.rng, "L", 1975)
        first: list[Cell] = [None] * column + ["Mengetahui,"]
        if self.rng.random() < 0.4:
            first[0] = "Operator Desa"
        return [
            first,
            [*pad, f"Kepala Desa {desa}"],
            [],
            [],
            [*pad, kades if self.rng.random() < 0.5 else f"( {kades} )"],
        ]

    def _info_sheet(self, kind: str, plan: FilePlan) -> list[list[Cell]]:
        """A REKAP or PETUNJUK sheet: text without a DTKS header row."""
        desa = self.desa_nama[plan.village].upper()
        if kind == "petunjuk":
            return [
                ["PETUNJUK PENGISIAN"],
                [],
                ["1. Kolom NIK dan nomor kartu keluarga diisi 16 digit angka."],
                ["2. Tanggal lahir ditulis hari-bulan-tahun."],
                ["3. Jenis kelamin diisi L atau P."],
                ["4. Warga yang meninggal diberi keterangan MENINGGAL."],
            ]
        rows = [r for s in plan.sheets for r in s.rows]
        households = len({r.household.no_kk for r in rows})
        men = sum(r.person.jenis_kelamin == "L" for r in rows)
        return [
            [f"REKAPITULASI DTKS DESA {desa}"],
            [],
            ["URAIAN", "JUMLAH"],
            ["Jumlah Keluarga", households],
            ["Jumlah Jiwa", len(rows)],
            ["Laki-laki", men],
            ["Perempuan", len(rows) - men],
        ]
