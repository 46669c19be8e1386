"""The deliberation workbook of one village (`reports/musdes/<village>.xlsx`), printed and signed
at the village office: a cover sheet for the minutes (Berita Acara) with the counts and the
signature lines, then one sheet per kind of item with a status column the operator fills.

NIK and KK are masked (the workbook is posted at the village office). Every item line carries
its `item_id` in the hidden column `kunci`: the next run reads the statuses back by it
(`dtks.musdes.status`), so they survive a new export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import polars as pl

from dtks.musdes.status import STATUS_LABELS, STATUSES, WORKBOOK_STATUSES
from dtks.privacy import mask_text
from dtks.reports.xlsx import PageHeader, row_height, set_print, text_lines, workbook_at, write_cell

KEY_HEADER = "kunci"
STATUS_HEADER = "Status"
NOTE_HEADER = "Catatan"
COVER_SHEET = "Berita Acara"


@dataclass(frozen=True)
class VillageHeading:
    """What the workbook says about where and when: the village, its kecamatan and kabupaten,
    the cut-offs in force and when the lists were made."""

    desa_nama: str
    kecamatan_nama: str
    kabupaten_nama: str
    cutoffs_text: str
    made_at: datetime


@dataclass(frozen=True)
class ItemSheet:
    """One sheet of items: its name, title, the kinds it holds and how to read it."""

    name: str
    kind: str
    title: str
    hint: str


ITEM_SHEETS = (
    ItemSheet(
        "Usulan Baru",
        "usulan",
        "USULAN KELUARGA BARU",
        "Keluarga yang tercatat di data penduduk desa tetapi belum ada di DTKS/DTSEN.",
    ),
    ItemSheet(
        "Sanggahan",
        "sanggah",
        "SANGGAHAN / USULAN KELUAR (MENINGGAL, PINDAH, GANDA, TIDAK LAYAK)",
        "Orang atau keluarga yang diusulkan keluar dari data, dengan buktinya.",
    ),
    ItemSheet(
        "Verifikasi",
        "verifikasi",
        "PERLU DIPERIKSA (TIDAK ADA DI DATA PENDUDUK DESA)",
        "Bukan usulan keluar: periksa dulu apakah orang ini masih tinggal di desa.",
    ),
    ItemSheet(
        "Cek Sasaran",
        "cek_sasaran",
        "CEK KETEPATAN SASARAN PROGRAM",
        "Penerima di atas batas desil program, dan keluarga desil rendah tanpa program.",
    ),
)
REASON_LABELS = {
    "KELUARGA_BARU": "Keluarga baru",
    "MENINGGAL": "MENINGGAL",
    "PINDAH": "PINDAH",
    "GANDA": "GANDA",
    "TIDAK LAYAK": "TIDAK LAYAK",
    "TIDAK_DI_REGISTER": "Tidak ada di data penduduk",
    "DI_ATAS_BATAS": "Di atas batas desil",
    "TANPA_PROGRAM": "Layak, tanpa program",
}
KIND_LABELS = {
    "usulan": "Usulan keluarga baru",
    "sanggah": "Sanggahan (usulan keluar)",
    "verifikasi": "Perlu diperiksa",
    "cek_sasaran": "Cek sasaran program",
}
# (header, width, item column or None for a computed value)
COLUMNS = (
    ("No", 4),
    ("Dusun", 10),
    ("RT/RW", 8),
    ("Nama", 20),
    ("NIK", 17),
    ("No. KK", 17),
    ("Alasan", 12),
    ("Desil", 5),
    ("Bukti", 40),
    ("Sumber (file, baris)", 22),
    (STATUS_HEADER, 11),
    (NOTE_HEADER, 16),
    (KEY_HEADER, 20),
)
HEADER_ROW = 3  # 0-based: title, hint, blank line, header


def write_village_workbook(path: Path, items: pl.DataFrame, heading: VillageHeading) -> None:
    """Write one village's workbook (items of that village, statuses as the ledger has them)."""
    desa_nama = heading.desa_nama
    page = PageHeader(f"Desa {desa_nama}", "Bahan Musyawarah Desa DTSEN")
    with workbook_at(path, f"bahan musyawarah desa {path.name}") as book:
        fmt = _formats(book)
        cover = book.add_worksheet(COVER_SHEET)
        _write_cover(cover, fmt, items, heading)
        set_print(cover, page, one_page=True)
        for spec in ITEM_SHEETS:
            sheet = book.add_worksheet(spec.name)
            of_kind = items.filter(pl.col("kind") == spec.kind)
            _write_items(sheet, fmt, spec, of_kind, desa_nama)
            set_print(sheet, page, repeat_row=HEADER_ROW)
            sheet.print_area(0, 0, HEADER_ROW + max(1, of_kind.height), len(COLUMNS) - 2)


def _formats(book) -> dict:  # noqa: ANN001 - an xlsxwriter Workbook
    return {
        "title": book.add_format({"bold": True, "font_size": 14, "align": "center"}),
        "subtitle": book.add_format({"bold": True, "font_size": 12, "align": "center"}),
        "text": book.add_format({"text_wrap": True, "valign": "top"}),
        "hint": book.add_format({"italic": True, "font_color": "#444444"}),
        "header": book.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        ),
        "cell": book.add_format({"border": 1, "text_wrap": True, "valign": "top"}),
        "status": book.add_format(
            {"border": 1, "valign": "top", "bg_color": "#FFF2CC", "locked": False}
        ),
        "count": book.add_format({"border": 1, "align": "center"}),
        "bold": book.add_format({"bold": True}),
        "center": book.add_format({"align": "center"}),
    }


def _write_cover(
    sheet,  # noqa: ANN001 - an xlsxwriter Worksheet
    fmt: dict,
    items: pl.DataFrame,
    heading: VillageHeading,
) -> None:
    desa_nama, kecamatan_nama = heading.desa_nama, heading.kecamatan_nama
    kabupaten_nama, cutoffs_text, now = (
        heading.kabupaten_nama,
        heading.cutoffs_text,
        heading.made_at,
    )
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 7, 11)
    last = 7
    sheet.merge_range(0, 0, 0, last, "BERITA ACARA MUSYAWARAH DESA", fmt["title"])
    sheet.merge_range(
        1,
        0,
        1,
        last,
        "PEMUTAKHIRAN DATA TUNGGAL SOSIAL DAN EKONOMI NASIONAL (DTSEN)",
        fmt["subtitle"],
    )
    sheet.merge_range(
        2,
        0,
        2,
        last,
        f"DESA {desa_nama.upper()} KECAMATAN {kecamatan_nama.upper()} "
        f"KABUPATEN {kabupaten_nama.upper()}",
        fmt["subtitle"],
    )
    sheet.set_row(4, 48)
    sheet.merge_range(
        4,
        0,
        4,
        last,
        "Pada hari ini ..................... tanggal ...... bulan .................... tahun "
        "........, bertempat di ........................................................, telah "
        f"dilaksanakan musyawarah desa untuk membahas usulan dan sanggahan data DTSEN Desa "
        f"{desa_nama}, dengan hasil sebagai berikut:",
        fmt["text"],
    )
    headers = ["Jenis", "Alasan", "Jumlah", *(STATUS_LABELS[s] for s in STATUSES)]
    sheet.set_row(6, 30)
    for c, text in enumerate(headers):
        sheet.write_string(6, c, text, fmt["header"])
    row = 7
    for spec in ITEM_SHEETS:
        of_kind = items.filter(pl.col("kind") == spec.kind)
        reasons = sorted(of_kind["reason"].unique().to_list()) or ["-"]
        for reason in reasons:
            these = of_kind.filter(pl.col("reason") == reason)
            counts = dict(these.group_by("status").len().iter_rows()) if these.height else {}
            write_cell(sheet, row, 0, KIND_LABELS[spec.kind], fmt["cell"])
            write_cell(sheet, row, 1, REASON_LABELS.get(reason, reason), fmt["cell"])
            write_cell(sheet, row, 2, these.height, fmt["count"])
            for c, status in enumerate(STATUSES, start=3):
                write_cell(sheet, row, c, counts.get(status, 0), fmt["count"])
            row += 1
    row += 1
    sheet.set_row(row, 45)
    sheet.merge_range(
        row,
        0,
        row,
        last,
        "Rincian tiap baris terlampir (sheet Usulan Baru, Sanggahan, Verifikasi, Cek Sasaran). "
        f"Batas desil program: {cutoffs_text}. NIK dan No. KK disamarkan. "
        f"Bahan disiapkan {now:%d-%m-%Y %H:%M} UTC oleh sistem rekonsiliasi kecamatan.",
        fmt["text"],
    )
    row += 2
    write_cell(sheet, row, 5, f"{desa_nama}, ....................", fmt["center"])
    row += 1
    signers = (
        (0, "Kepala Desa"),
        (2, "Ketua BPD"),
        (5, "Operator SIKS-NG Desa"),
    )
    for col, role in signers:
        sheet.merge_range(
            row, col, row, col + 1, role, fmt["center"]
        ) if col != 0 else sheet.write_string(row, col, role, fmt["center"])
    row += 5
    for col, _ in signers:
        blank = "(................................)"
        sheet.merge_range(
            row, col, row, col + 1, blank, fmt["center"]
        ) if col != 0 else sheet.write_string(row, col, blank, fmt["center"])
    row += 2
    sheet.merge_range(row, 2, row, 4, "Mengetahui,", fmt["center"])
    sheet.merge_range(row + 1, 2, row + 1, 4, f"Camat {kecamatan_nama}", fmt["center"])
    sheet.merge_range(row + 6, 2, row + 6, 4, "(................................)", fmt["center"])


def _source_text(source_rows: str | None) -> str:
    """'dtks_kapong.csv: 12, 40; penduduk.xlsx: 7' from the item's source rows."""
    if not source_rows:
        return ""
    by_file: dict[str, list[str]] = {}
    for row in json.loads(source_rows):
        name = PurePosixPath(row["source_file"]).name
        by_file.setdefault(name, []).append(str(row["source_row"]))
    return "; ".join(f"{name}: {', '.join(rows)}" for name, rows in by_file.items())


def _write_items(
    sheet,  # noqa: ANN001 - an xlsxwriter Worksheet
    fmt: dict,
    spec: ItemSheet,
    items: pl.DataFrame,
    desa_nama: str,
) -> None:
    last = len(COLUMNS) - 2  # the key column is hidden, outside the print area
    sheet.merge_range(0, 0, 0, last, f"{spec.title} - DESA {desa_nama.upper()}", fmt["subtitle"])
    sheet.merge_range(
        1,
        0,
        1,
        last,
        f"{spec.hint} Isi kolom Status: {' / '.join(WORKBOOK_STATUSES)}. "
        "Jangan mengubah kolom kunci (tersembunyi).",
        fmt["hint"],
    )
    sheet.set_row(HEADER_ROW, 30)
    for c, (header, width) in enumerate(COLUMNS):
        sheet.set_column(c, c, width, None, {"hidden": header == KEY_HEADER})
        sheet.write_string(HEADER_ROW, c, header, fmt["header"])
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    for i, item in enumerate(items.iter_rows(named=True)):
        row = HEADER_ROW + 1 + i
        rt_rw = "/".join(x for x in (item["rt"], item["rw"]) if x)
        reason = REASON_LABELS.get(item["reason"], item["reason"])
        if item["programme"]:
            reason = f"{reason} ({item['programme'].upper().replace('_', '-')})"
        values = (
            i + 1,
            item["dusun"],
            rt_rw or None,
            item["nama"],
            item["nik_masked"],
            item["no_kk_masked"],
            reason,
            item["desil"],
            item["evidence"],
            _source_text(item["source_rows"]),
        )
        lines = 1
        for c, value in enumerate(values):
            write_cell(sheet, row, c, value, fmt["cell"])
            if isinstance(value, str):
                lines = max(lines, text_lines(value, COLUMNS[c][1]))
        sheet.set_row(row, row_height(lines))
        status = item["status"] if item["status"] in WORKBOOK_STATUSES else None
        write_cell(sheet, row, len(values), status, fmt["status"])
        note = item.get("catatan")  # the operator's own words, posted at the village office
        write_cell(sheet, row, len(values) + 1, note and mask_text(note), fmt["cell"])
        write_cell(sheet, row, len(values) + 2, item["item_id"])
    if items.height:
        status_col = len(COLUMNS) - 3
        sheet.data_validation(
            HEADER_ROW + 1,
            status_col,
            HEADER_ROW + items.height,
            status_col,
            {
                "validate": "list",
                "source": list(WORKBOOK_STATUSES),
                "error_title": "Status tidak dikenal",
                "error_message": "Pilih salah satu: " + ", ".join(WORKBOOK_STATUSES),
            },
        )
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + items.height, last)
    else:
        sheet.write_string(HEADER_ROW + 1, 0, "(tidak ada)", fmt["hint"])
