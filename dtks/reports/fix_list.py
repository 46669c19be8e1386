"""One village's fix list (`reports/<village>.xlsx`): a summary sheet with counts and a chart,
one sheet per kind of problem with what the operator needs to find the record in SIKS-NG
and what to do, and the problems fixed since the last run. All text in Bahasa Indonesia;
NIK and KK only masked; no mother's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from dtks.clean.issues import location_expr
from dtks.columns import CANONICAL_COLUMNS
from dtks.reports.labels import (
    PROBLEM_KINDS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    problem_kind,
    problem_label,
)
from dtks.reports.xlsx import (
    Column,
    Formats,
    Workbook,
    formats,
    workbook_at,
    write_cell,
    write_frame,
    write_table,
)

LOCAL_TIME = ZoneInfo("Asia/Jakarta")
FIXED_SHEET = "Sudah diperbaiki"

FIX_COLUMNS: tuple[Column, ...] = (
    Column("no", "No", 5),
    Column("status_label", "Status", 11),
    Column("severity_label", "Tingkat", 14, wrap=True),
    Column("problem", "Masalah", 28, wrap=True),
    Column("iddtks", "IDDTKS", 18),
    Column("nama", "Nama", 24, wrap=True),
    Column("nik_masked", "NIK (disamarkan)", 19),
    Column("source_file", "File", 28, wrap=True),
    Column("source_sheet", "Lembar", 12),
    Column("source_row", "Baris", 7),
    Column("column_label", "Kolom", 16),
    Column("related_village", "Desa lain", 16),
    Column("related_record", "Data lain (desa, file, baris, nama)", 44, wrap=True),
    Column("action", "Yang harus dilakukan", 70, wrap=True),
)
RELATED_KEYS = ("related_village", "related_record")

SUMMARY_KIND_COLUMNS: tuple[Column, ...] = (
    Column("kind", "Jenis masalah", 30),
    Column("count_error", "Kesalahan (wajib diperbaiki)", 14),
    Column("count_warning", "Peringatan (periksa)", 14),
    Column("count_new", "Baru", 10),
    Column("count_still_open", "Masih ada", 10),
    Column("count_fixed", "Sudah diperbaiki", 12),
)
SUMMARY_CODE_COLUMNS: tuple[Column, ...] = (
    Column("kind", "Jenis masalah", 30),
    Column("problem", "Masalah", 44, wrap=True),
    Column("severity_label", "Tingkat", 14),
    Column("count_new", "Baru", 10),
    Column("count_still_open", "Masih ada", 10),
    Column("count_fixed", "Sudah diperbaiki", 12),
)

HOW_TO_READ = (
    "Cara memakai: setiap lembar berisi satu jenis masalah. Cari datanya di SIKS-NG dengan "
    "IDDTKS atau nama (file dan baris menunjukkan letaknya di file export), lalu lakukan "
    "yang tertulis di kolom 'Yang harus dilakukan'.",
    "Kesalahan wajib diperbaiki sebelum batas waktu; peringatan perlu diperiksa dan "
    "diperbaiki jika memang salah.",
    "Status: Baru = muncul pertama kali pada pemeriksaan ini; Masih ada = sudah ada pada "
    "pemeriksaan sebelumnya; Sudah diperbaiki = ada pada pemeriksaan sebelumnya dan sekarang "
    "tidak ada lagi.",
    "NIK dan Nomor KK ditampilkan tersamar (contoh 352811********01) untuk melindungi data "
    "pribadi.",
)


@dataclass(frozen=True)
class VillageInfo:
    """What the title of a fix list says about the village."""

    slug: str
    kode: str
    nama: str
    kecamatan: str


def fix_list_rows(issues: pl.DataFrame) -> pl.DataFrame:
    """`validation_issues` rows with what the fix list shows: kind, labels, and the action
    (the message without the location, which has its own columns)."""
    if issues.is_empty():
        return issues.with_columns(
            *[pl.lit(None, pl.String).alias(c) for c in ("kind_key", "kind", "problem", "action")],
            *[
                pl.lit(None, pl.String).alias(c)
                for c in ("status_label", "severity_label", "column_label")
            ],
        )
    kinds = code_kinds(issues["code"].unique().to_list())
    prefix = location_expr() + pl.lit(": ")
    return issues.join(kinds, on="code", how="left", maintain_order="left").with_columns(
        pl.col("message").str.strip_prefix(prefix).alias("action"),
        pl.col("status")
        .replace_strict(STATUS_LABELS, default=pl.col("status"))
        .alias("status_label"),
        pl.col("severity")
        .replace_strict(SEVERITY_LABELS, default=pl.col("severity"))
        .alias("severity_label"),
        pl.col("column")
        .replace_strict(CANONICAL_COLUMNS, default=pl.col("column").str.to_uppercase())
        .alias("column_label"),
    )


def code_kinds(codes: list[str]) -> pl.DataFrame:
    """One row per issue code: its kind (`kind_key`, `kind` = sheet name) and `problem` label."""
    return pl.DataFrame(
        {
            "code": codes,
            "kind_key": [problem_kind(c).key for c in codes],
            "kind": [problem_kind(c).sheet for c in codes],
            "problem": [problem_label(c) for c in codes],
        },
        schema={"code": pl.String, "kind_key": pl.String, "kind": pl.String, "problem": pl.String},
    )


def count_problems(rows: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Counts per group: errors and warnings still open, and new / still open / fixed."""
    is_open = pl.col("status") != "fixed"
    return rows.group_by(*by, maintain_order=True).agg(
        ((pl.col("severity") == "error") & is_open).sum().cast(pl.Int64).alias("count_error"),
        ((pl.col("severity") == "warning") & is_open).sum().cast(pl.Int64).alias("count_warning"),
        *[
            (pl.col("status") == s).sum().cast(pl.Int64).alias(f"count_{s}")
            for s in ("new", "still_open", "fixed")
        ],
    )


def write_fix_list(
    path: Path,
    village: VillageInfo,
    issues: pl.DataFrame,
    accounting: dict[str, Any] | None,
    generated_at: datetime,
) -> dict[str, int]:
    """Write one village's fix list; return its counts (open errors/warnings, new, fixed...)."""
    rows = _ordered(fix_list_rows(issues))
    with workbook_at(path) as book:
        fmt = formats(book)
        _summary_sheet(book, fmt, village, rows, accounting, generated_at)
        open_rows = rows.filter(pl.col("status") != "fixed")
        for kind in PROBLEM_KINDS:
            of_kind = open_rows.filter(pl.col("kind_key") == kind.key)
            if of_kind.height:
                _issue_sheet(book, fmt, kind.sheet, of_kind)
        fixed = rows.filter(pl.col("status") == "fixed")
        if fixed.height:
            _issue_sheet(book, fmt, FIXED_SHEET, fixed)
    counts = count_problems(rows.with_columns(pl.lit(1).alias("_all")), ["_all"])
    return (
        {k: int(v) for k, v in counts.drop("_all").row(0, named=True).items()}
        if rows.height
        else {
            c: 0
            for c in (
                "count_error",
                "count_warning",
                "count_new",
                "count_still_open",
                "count_fixed",
            )
        }
    )


def _ordered(rows: pl.DataFrame) -> pl.DataFrame:
    if rows.is_empty():
        return rows
    order = {k.key: i for i, k in enumerate(PROBLEM_KINDS)}
    return rows.with_columns(
        pl.col("kind_key").replace_strict(order, default=len(order)).alias("_kind_order"),
        (pl.col("severity") != "error").alias("_warning_last"),
        (pl.col("status") != "new").alias("_new_first"),
    ).sort(
        "_kind_order",
        "_warning_last",
        "_new_first",
        "source_file",
        "source_sheet",
        "source_row",
        "code",
    )


def _summary_sheet(
    book: Workbook,
    fmt: Formats,
    village: VillageInfo,
    rows: pl.DataFrame,
    accounting: dict[str, Any] | None,
    generated_at: datetime,
) -> None:
    sheet = book.add_worksheet("Ringkasan")
    write_cell(sheet, 0, 0, f"Daftar perbaikan data DTKS - Desa {village.nama}", fmt.title)
    write_cell(
        sheet, 1, 0, f"Kode desa {village.kode}, Kecamatan {village.kecamatan}", fmt.subtitle
    )
    when = generated_at.astimezone(LOCAL_TIME).strftime("%d-%m-%Y %H:%M WIB")
    write_cell(sheet, 2, 0, f"Hasil pemeriksaan {when}", fmt.subtitle)
    if accounting:
        write_cell(
            sheet,
            3,
            0,
            f"Baris dibaca dari file: {accounting.get('rows_read', 0)}; diterima: "
            f"{accounting.get('rows_accepted', 0)}; ditolak: {accounting.get('rows_rejected', 0)}",
        )
    for i, line in enumerate(HOW_TO_READ, start=5):
        write_cell(sheet, i, 0, line)
    row = 6 + len(HOW_TO_READ)
    if rows.is_empty():
        write_cell(sheet, row, 0, "Tidak ada masalah yang ditemukan pada data desa ini.", fmt.title)
        return
    by_kind = _by_kind(rows)
    kind_table_row = row
    row = write_table(sheet, row, SUMMARY_KIND_COLUMNS, by_kind.to_dicts(), fmt)
    by_code = count_problems(rows, ["kind", "problem", "severity_label"]).to_dicts()
    row = write_table(sheet, row + 1, SUMMARY_CODE_COLUMNS, by_code, fmt)
    _kind_chart(book, sheet, kind_table_row, by_kind.height)


def _by_kind(rows: pl.DataFrame) -> pl.DataFrame:
    counted = count_problems(rows, ["kind_key", "kind"])
    order = pl.DataFrame({"kind_key": [k.key for k in PROBLEM_KINDS]}).with_row_index("_order")
    return counted.join(order, on="kind_key", how="left").sort("_order").drop("_order", "kind_key")


def _kind_chart(book: Workbook, sheet: Any, header_row: int, count: int) -> None:
    """A stacked column chart of new / still open / fixed per kind (the table above it)."""
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    first, last = header_row + 1, header_row + count
    colours = {3: "#C00000", 4: "#ED7D31", 5: "#70AD47"}  # new, still open, fixed
    for col, colour in colours.items():
        chart.add_series(
            {
                "name": ["Ringkasan", header_row, col],
                "categories": ["Ringkasan", first, 0, last, 0],
                "values": ["Ringkasan", first, col, last, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": "Masalah per jenis"})
    chart.set_y_axis({"name": "Jumlah"})
    chart.set_size({"width": 720, "height": 360})
    sheet.insert_chart(header_row, len(SUMMARY_KIND_COLUMNS) + 1, chart)


def _issue_sheet(book: Workbook, fmt: Formats, name: str, rows: pl.DataFrame) -> None:
    sheet = book.add_worksheet(name)
    has_related = any(rows[c].drop_nulls().len() for c in RELATED_KEYS if c in rows.columns)
    columns = [c for c in FIX_COLUMNS if has_related or c.key not in RELATED_KEYS]
    numbered = rows.with_row_index("no", offset=1).with_columns(pl.col("no").cast(pl.Int64))
    write_frame(book, sheet, 0, columns, numbered, fmt, autofilter=True)
    sheet.freeze_panes(1, 0)
