"""Desil in the reports: each village's ranking rows to fix (in its fix list) and the
distribution of families per desil for the camat (in the kecamatan summary, with a chart).

NIK and KK are masked, as everywhere in the reports.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from dtks.privacy import mask_number_expr
from dtks.reports.xlsx import Column, Formats, Workbook, set_print, write_cell, write_table

DESIL_SHEET = "Desil"
FIXABLE = ("konflik", "tidak_cocok", "ditolak")
DESIL_FIX_COLUMNS = (
    Column("no", "No", 5),
    Column("source_file", "File daftar desil", 30, wrap=True),
    Column("source_row", "Baris", 7),
    Column("no_kk", "Nomor KK", 19),
    Column("nik", "NIK", 19),
    Column("nama", "Nama", 22, wrap=True),
    Column("desil", "Desil", 6),
    Column("status", "Status", 11),
    Column("reason_text", "Masalah", 46, wrap=True),
    Column("todo", "Yang perlu dilakukan", 40, wrap=True),
)
TODO: dict[str, str] = {
    "kk_nik_beda_keluarga": "Periksa KK dan NIK di SIKS-NG: salah satunya milik keluarga lain",
    "kk_pecah": "Perbarui keluarga ini di SIKS-NG: anggota sudah punya KK baru",
    "kk_ganda": "Periksa kedua keluarga dengan KK ini di data desa",
    "kk_tidak_pasti": "Periksa Nomor KK keluarga ini di data desa (simpan sebagai teks)",
    "nik_di_dua_kk": "Pastikan orang ini anggota KK yang mana; perbaiki data ganda di SIKS-NG",
    "dua_desil": "Tanyakan ke dinas sosial desil yang berlaku untuk keluarga ini",
    "tidak_cocok": "Cari keluarga ini; bila tinggal di desa, usulkan masuk data desa",
    "desil_tidak_sah": "Periksa nilai desil di file (harus 1 sampai 10)",
    "tanpa_kk_nik": "Isi Nomor KK atau NIK (sebagai teks, 16 angka)",
}


def desil_fix_rows(desil_rows: pl.DataFrame | None, village: str) -> pl.DataFrame:
    """The village's ranking rows that gave no desil to a family, NIK and KK masked."""
    if desil_rows is None or desil_rows.is_empty():
        return pl.DataFrame()
    return (
        desil_rows.filter(pl.col("village") == village, pl.col("status").is_in(FIXABLE))
        .sort("source_file", "source_sheet", "source_row")
        .with_row_index("no", offset=1)
        .select(
            pl.col("no").cast(pl.Int64),
            "source_file",
            "source_row",
            mask_number_expr("no_kk").alias("no_kk"),
            mask_number_expr("nik").alias("nik"),
            "nama",
            "desil",
            "status",
            "reason_text",
            pl.col("reason").replace_strict(TODO, default="", return_dtype=pl.String).alias("todo"),
        )
    )


def write_desil_fix_sheet(book: Workbook, fmt: Formats, page: Any, rows: pl.DataFrame) -> None:
    """The "Desil" sheet of a fix list (only when the village has rows to fix)."""
    if rows.is_empty():
        return
    sheet = book.add_worksheet(DESIL_SHEET)
    set_print(sheet, page, repeat_row=0)
    write_table(sheet, 0, DESIL_FIX_COLUMNS, rows.to_dicts(), fmt, autofilter=True)
    sheet.freeze_panes(1, 0)


def write_desil_summary_sheet(
    book: Workbook, fmt: Formats, page: Any, distribution: pl.DataFrame | None
) -> None:
    """Families per desil per village (and per dusun below), with a stacked bar chart."""
    if distribution is None or distribution.is_empty():
        return
    sheet = book.add_worksheet(DESIL_SHEET)
    set_print(sheet, page, repeat_row=2)
    write_cell(sheet, 0, 0, "Keluarga per desil DTSEN (1 = paling miskin) per desa", fmt.title)
    desils = [str(d) for d in range(1, 11)] + ["-"]
    wide = (
        distribution.group_by("desa_nama", "desil", maintain_order=True)
        .agg(pl.col("families").sum())
        .pivot(on="desil", index="desa_nama", values="families")
    )
    for d in desils:
        if d not in wide.columns:
            wide = wide.with_columns(pl.lit(0, pl.Int64).alias(d))
    wide = wide.select("desa_nama", *desils).fill_null(0)
    columns = [Column("desa_nama", "Desa", 18)] + [
        Column(d, f"Desil {d}" if d != "-" else "Tanpa desil", 8) for d in desils
    ]
    end = write_table(sheet, 2, columns, wide.to_dicts(), fmt, autofilter=False)
    chart = book.add_chart({"type": "bar", "subtype": "stacked"})
    for c in range(1, len(columns)):
        chart.add_series(
            {
                "name": [DESIL_SHEET, 2, c],
                "categories": [DESIL_SHEET, 3, 0, end - 1, 0],
                "values": [DESIL_SHEET, 3, c, end - 1, c],
            }
        )
    chart.set_title({"name": "Keluarga per desil per desa"})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 720, "height": 380})
    sheet.insert_chart(end + 1, 0, chart, {"object_position": 1})
    per_dusun = distribution.sort("desa_nama", "dusun", "desil").rename({"families": "count"})
    start = end + 22
    write_cell(sheet, start, 0, "Per dusun", fmt.subtitle)
    write_table(
        sheet,
        start + 1,
        [
            Column("desa_nama", "Desa", 18),
            Column("dusun", "Dusun", 18),
            Column("desil", "Desil", 8),
            Column("count", "Keluarga", 10),
        ],
        per_dusun.to_dicts(),
        fmt,
        autofilter=True,
    )
