"""The camat's summary (`reports/ringkasan-kecamatan.xlsx`): one line per village with its
rows and open problems, a chart, and the open problems per village and kind. Prints A4
landscape; the first sheet (table and chart) on one page.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl

from dtks.reports.desil import write_desil_summary_sheet
from dtks.reports.fix_list import LOCAL_TIME
from dtks.reports.labels import PROBLEM_KINDS
from dtks.reports.xlsx import (
    Column,
    PageHeader,
    formats,
    set_print,
    workbook_at,
    write_cell,
    write_table,
)

SUMMARY_FILE = "ringkasan-kecamatan.xlsx"
CHART_ROWS = 22  # rows the chart covers (420 px)

VILLAGE_COLUMNS: tuple[Column, ...] = (
    Column("no", "No", 5),
    Column("desa_kode", "Kode desa", 15),
    Column("desa_nama", "Desa", 18),
    Column("export", "Export", 16),
    Column("rows_read", "Baris dibaca", 10),
    Column("rows_accepted", "Diterima", 10),
    Column("rows_rejected", "Ditolak", 10),
    Column("count_error", "Kesalahan terbuka", 11),
    Column("count_warning", "Peringatan terbuka", 11),
    Column("count_new", "Baru", 9),
    Column("count_still_open", "Masih ada", 9),
    Column("count_fixed", "Sudah diperbaiki", 11),
    Column("count_duplicate_other_village", "Ganda dengan desa lain", 11),
    Column("fix_list", "Daftar perbaikan", 26),
)


def write_kecamatan_summary(
    path: Path,
    kecamatan_nama: str,
    villages: pl.DataFrame,
    by_kind: pl.DataFrame,
    generated_at: datetime,
    desil_distribution: pl.DataFrame | None = None,
    review_note: str | None = None,
) -> Path:
    """`villages`: one row per village with the VILLAGE_COLUMNS keys; `by_kind`: village x kind
    open counts (`desa_nama`, `kind`, `count_open`); `review_note`: one line on the clerks'
    review queue (`dtks.match.queue_limit.workload_text`)."""
    page = PageHeader(f"Kecamatan {kecamatan_nama}", "Ringkasan data DTKS untuk camat")
    with workbook_at(path) as book:
        fmt = formats(book)
        sheet = book.add_worksheet("Ringkasan")
        header = 3
        set_print(sheet, page, repeat_row=header, one_page=True, gridlines=False)
        write_cell(sheet, 0, 0, f"Ringkasan data DTKS - Kecamatan {kecamatan_nama}", fmt.title)
        when = generated_at.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M WIB")
        write_cell(sheet, 1, 0, f"Hasil pemeriksaan {when}; satu baris per desa.", fmt.subtitle)
        if review_note:
            write_cell(sheet, 2, 0, review_note, fmt.subtitle)
        rows = villages.with_row_index("no", offset=1).with_columns(pl.col("no").cast(pl.Int64))
        end = write_table(sheet, header, VILLAGE_COLUMNS, rows.to_dicts(), fmt, autofilter=True)
        totals = {
            c.key: int(villages[c.key].sum())
            for c in VILLAGE_COLUMNS
            if c.key.startswith(("rows_", "count_"))
        }
        for c, column in enumerate(VILLAGE_COLUMNS):
            value = "JUMLAH" if column.key == "desa_nama" else totals.get(column.key)
            write_cell(sheet, end, c, value, fmt.header)
        sheet.freeze_panes(header + 1, 3)
        chart = book.add_chart({"type": "bar", "subtype": "stacked"})
        for col in (7, 8):  # open errors, open warnings
            chart.add_series(
                {
                    "name": ["Ringkasan", header, col],
                    "categories": ["Ringkasan", header + 1, 2, header + villages.height, 2],
                    "values": ["Ringkasan", header + 1, col, header + villages.height, col],
                }
            )
        chart.set_title({"name": "Masalah terbuka per desa"})
        chart.set_y_axis({"reverse": True})  # villages top-down, as in the table
        chart.set_size({"width": 720, "height": 420})
        sheet.insert_chart(end + 2, 1, chart, {"object_position": 1})
        sheet.print_area(0, 0, end + 2 + CHART_ROWS, len(VILLAGE_COLUMNS) - 1)
        matrix = book.add_worksheet("Per jenis masalah")
        set_print(matrix, page, repeat_row=2)
        _kind_matrix(matrix, fmt, villages, by_kind)
        write_desil_summary_sheet(book, fmt, page, desil_distribution)
    return path


def _kind_matrix(sheet, fmt, villages: pl.DataFrame, by_kind: pl.DataFrame) -> None:  # noqa: ANN001
    kinds = [k.sheet for k in PROBLEM_KINDS]
    columns = [Column("desa_nama", "Desa", 18)] + [Column(k, k, 14) for k in kinds]
    counts = {(r["desa_nama"], r["kind"]): r["count_open"] for r in by_kind.iter_rows(named=True)}
    rows = [
        {"desa_nama": v, **{k: counts.get((v, k), 0) for k in kinds}}
        for v in villages["desa_nama"].to_list()
    ]
    write_cell(sheet, 0, 0, "Masalah terbuka per desa dan jenis masalah", fmt.title)
    write_table(sheet, 2, columns, rows, fmt)
