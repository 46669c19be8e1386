"""One village's fix list (`reports/<village>.xlsx`): a summary sheet with counts and a chart,
one sheet per kind of problem with what the operator needs to find the record in SIKS-NG
and what to do, and the problems fixed since the last run. All text in Bahasa Indonesia;
NIK and KK only masked; no mother's name.

A defect on (nearly) every row of one file (every NIK saved as a number in scientific
notation) is said once, first on the summary, with the one action that fixes it; its rows
still follow on their sheet. Problems are ordered by severity, then by rows affected.
Every sheet prints A4 landscape, fitted to the page width, header row on every page; the
summary fits on one page.
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
from dtks.ingest.errors import angka
from dtks.reports.desil import write_desil_fix_sheet
from dtks.reports.labels import (
    PROBLEM_KINDS,
    SEVERITY_LABELS,
    SEVERITY_SHORT,
    STATUS_LABELS,
    file_action,
    problem_kind,
    problem_label,
)
from dtks.reports.xlsx import (
    Column,
    Formats,
    PageHeader,
    Workbook,
    formats,
    set_print,
    workbook_at,
    write_cell,
    write_frame,
    write_paragraph,
    write_table,
)

LOCAL_TIME = ZoneInfo("Asia/Jakarta")
FIXED_SHEET = "Sudah diperbaiki"

# Widths add up to about 230 characters (190 without the related columns): on A4
# landscape fitted to the page width that prints at about 65 % (75 %).
FIX_COLUMNS: tuple[Column, ...] = (
    Column("no", "No", 5),
    Column("status_label", "Status", 9),
    Column("severity_short", "Tingkat", 10),
    Column("problem", "Masalah", 22, wrap=True),
    Column("iddtks", "IDDTKS", 17),
    Column("nama", "Nama", 18, wrap=True),
    Column("nik_masked", "NIK (disamarkan)", 17),
    Column("source_file", "File", 24, wrap=True),
    Column("source_sheet", "Lembar", 8, wrap=True),
    Column("source_row", "Baris", 6),
    Column("column_label", "Kolom", 11, wrap=True),
    Column("related_village", "Desa lain", 11, wrap=True),
    Column("related_record", "Data lain (desa, file, baris, nama)", 30, wrap=True),
    Column("action", "Yang harus dilakukan", 50, wrap=True),
)
RELATED_KEYS = ("related_village", "related_record")

# The two summary tables share columns A-F: widths that suit both (labels and counts on
# one page, about 130 characters).
SUMMARY_KIND_COLUMNS: tuple[Column, ...] = (
    Column("kind", "Jenis masalah", 28),
    Column("count_error", "Kesalahan (wajib diperbaiki)", 40),
    Column("count_warning", "Peringatan (periksa)", 27),
    Column("count_new", "Baru", 10),
    Column("count_still_open", "Masih ada", 10),
    Column("count_fixed", "Sudah diperbaiki", 12, wrap=True),
)
SUMMARY_CODE_COLUMNS: tuple[Column, ...] = (
    Column("kind", "Jenis masalah", 28),
    Column("problem", "Masalah", 40, wrap=True),
    Column("severity_label", "Tingkat", 27),
    Column("count_new", "Baru", 10),
    Column("count_still_open", "Masih ada", 10),
    Column("count_fixed", "Sudah diperbaiki", 12, wrap=True),
)
FILE_WIDE_SHARE = 0.9  # a defect on at least this share of a file's rows is the file's
FILE_WIDE_MIN_ROWS = 10  # ... and on at least this many rows
FILE_WIDE_TITLE = "PERBAIKI SEKALI UNTUK SELURUH FILE (kerjakan ini dulu)"
CHART_ROWS = 19  # rows of the summary the chart covers (360 px)

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

    @property
    def page_header(self) -> PageHeader:
        return PageHeader(
            f"Desa {self.nama} ({self.kode}), Kecamatan {self.kecamatan}",
            "Daftar perbaikan data DTKS",
        )


def fix_list_rows(issues: pl.DataFrame) -> pl.DataFrame:
    """`validation_issues` rows with what the fix list shows: kind, labels, and the action
    (the message without the location, which has its own columns)."""
    if issues.is_empty():
        return issues.with_columns(
            *[pl.lit(None, pl.String).alias(c) for c in ("kind_key", "kind", "problem", "action")],
            *[
                pl.lit(None, pl.String).alias(c)
                for c in ("status_label", "severity_label", "severity_short", "column_label")
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
        pl.col("severity")
        .replace_strict(SEVERITY_SHORT, default=pl.col("severity"))
        .alias("severity_short"),
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
    file_rows: dict[str, int] | None = None,
    desil_rows: pl.DataFrame | None = None,
) -> dict[str, int]:
    """Write one village's fix list; return its counts (open errors/warnings, new, fixed...).

    `desil_rows` (`dtks.reports.desil.desil_fix_rows`): desil ranking rows that gave no
    family a desil, on their own sheet "Desil".

    `file_rows`: rows read per source file (`source_files.rows_read`), to tell a defect of a
    whole file; without it none is told.
    """
    rows = _ordered(fix_list_rows(issues))
    with workbook_at(path) as book:
        fmt = formats(book)
        whole_file = file_wide_defects(rows, file_rows or {})
        _summary_sheet(book, fmt, village, rows, whole_file, accounting, generated_at)
        open_rows = rows.filter(pl.col("status") != "fixed")
        for of_kind in open_rows.partition_by("kind_key", maintain_order=True):
            _issue_sheet(book, fmt, village, of_kind["kind"][0], of_kind)
        fixed = rows.filter(pl.col("status") == "fixed")
        if fixed.height:
            _issue_sheet(book, fmt, village, FIXED_SHEET, fixed)
        if desil_rows is not None:
            write_desil_fix_sheet(book, fmt, village.page_header, desil_rows)
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


def file_wide_defects(rows: pl.DataFrame, file_rows: dict[str, int]) -> pl.DataFrame:
    """Open defects on at least FILE_WIDE_SHARE of a file's rows, one line per file and action
    (a NIK and a KK both saved in scientific notation need one re-export): `source_file`,
    `problems` (their labels), `action`, `count_rows` (rows affected), `rows_read`,
    `severity`; errors first, then the most rows."""
    empty = pl.DataFrame(
        schema={
            "source_file": pl.String,
            "problems": pl.String,
            "action": pl.String,
            "count_rows": pl.Int64,
            "rows_read": pl.Int64,
            "severity": pl.String,
        }
    )
    if rows.is_empty() or not file_rows:
        return empty
    sizes = pl.DataFrame(
        {"source_file": list(file_rows), "rows_read": list(file_rows.values())},
        schema={"source_file": pl.String, "rows_read": pl.Int64},
    )
    per_code = (
        rows.filter(pl.col("status") != "fixed")
        .group_by("source_file", "code", "problem")
        .agg(
            pl.struct("source_sheet", "source_row").n_unique().cast(pl.Int64).alias("count_rows"),
            (pl.col("severity") == "error").any().alias("_error"),
        )
        .join(sizes, on="source_file", how="inner")
        .filter(
            (pl.col("count_rows") >= FILE_WIDE_MIN_ROWS)
            & (pl.col("count_rows") >= FILE_WIDE_SHARE * pl.col("rows_read"))
        )
    )
    if per_code.is_empty():
        return empty
    actions = pl.DataFrame(
        {"code": per_code["code"].unique().to_list()}, schema={"code": pl.String}
    ).with_columns(pl.col("code").map_elements(file_action, pl.String).alias("action"))
    return (
        per_code.join(actions, on="code")
        .sort("code")
        .group_by("source_file", "action", maintain_order=True)
        .agg(
            pl.col("problem").str.join(" dan ").alias("problems"),
            pl.col("count_rows").max(),
            pl.col("rows_read").first(),
            pl.col("_error").any(),
        )
        .sort(
            pl.col("_error").not_(),
            pl.col("count_rows"),
            "source_file",
            descending=[False, True, False],
        )
        .with_columns(
            pl.when(pl.col("_error"))
            .then(pl.lit("error"))
            .otherwise(pl.lit("warning"))
            .alias("severity")
        )
        .select(empty.columns)
    )


def _kind_order(rows: pl.DataFrame) -> pl.DataFrame:
    """Per kind: its place, by severity (a kind with open errors first), then open rows."""
    order = {k.key: i for i, k in enumerate(PROBLEM_KINDS)}
    is_open = pl.col("status") != "fixed"
    return (
        rows.group_by("kind_key")
        .agg(
            ((pl.col("severity") == "error") & is_open).sum().alias("_errors"),
            is_open.sum().alias("_open"),
        )
        .with_columns(pl.col("kind_key").replace_strict(order, default=len(order)).alias("_fixed"))
        .sort(pl.col("_errors") == 0, "_open", "_fixed", descending=[False, True, False])
        .with_row_index("_kind_order")
        .select("kind_key", "_kind_order")
    )


def _ordered(rows: pl.DataFrame) -> pl.DataFrame:
    """Kinds by severity then rows affected; in a kind, errors first, new first, file order."""
    if rows.is_empty():
        return rows
    return (
        rows.join(_kind_order(rows), on="kind_key", how="left")
        .with_columns(
            (pl.col("severity") != "error").alias("_warning_last"),
            (pl.col("status") != "new").alias("_new_first"),
        )
        .sort(
            "_kind_order",
            "_warning_last",
            "_new_first",
            "source_file",
            "source_sheet",
            "source_row",
            "code",
        )
        .drop("_kind_order", "_warning_last", "_new_first")
    )


def _summary_sheet(
    book: Workbook,
    fmt: Formats,
    village: VillageInfo,
    rows: pl.DataFrame,
    whole_file: pl.DataFrame,
    accounting: dict[str, Any] | None,
    generated_at: datetime,
) -> None:
    sheet = book.add_worksheet("Ringkasan")
    set_print(sheet, village.page_header, one_page=True)
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
    row = 5
    if whole_file.height:
        write_cell(sheet, row, 0, FILE_WIDE_TITLE, fmt.alert_title)
        row += 1
        for defect in whole_file.iter_rows(named=True):
            write_paragraph(sheet, row, SUMMARY_CODE_COLUMNS, _file_wide_line(defect), fmt.alert)
            row += 1
        row += 1
    for line in HOW_TO_READ:
        write_paragraph(sheet, row, SUMMARY_CODE_COLUMNS, line, fmt.paragraph)
        row += 1
    row += 1
    if rows.is_empty():
        write_cell(sheet, row, 0, "Tidak ada masalah yang ditemukan pada data desa ini.", fmt.title)
        return
    by_kind = _by_kind(rows)
    kind_table_row = row
    row = write_table(sheet, row, SUMMARY_KIND_COLUMNS, by_kind.to_dicts(), fmt)
    row = write_table(sheet, row + 1, SUMMARY_CODE_COLUMNS, _by_code(rows).to_dicts(), fmt)
    _kind_chart(book, sheet, kind_table_row, by_kind.height, row + 1)


def _file_wide_line(defect: dict[str, Any]) -> str:
    return (
        f"File {defect['source_file']}: {defect['problems']} pada {angka(defect['count_rows'])} "
        f"dari {angka(defect['rows_read'])} baris. Yang harus dilakukan: {defect['action']}"
    )


def _by_kind(rows: pl.DataFrame) -> pl.DataFrame:
    """Counts per kind, in the order of the sheets (`rows` are `_ordered`)."""
    return count_problems(rows, ["kind_key", "kind"]).drop("kind_key")


def _by_code(rows: pl.DataFrame) -> pl.DataFrame:
    """Counts per problem: errors first, then by rows affected (open, then fixed)."""
    counted = count_problems(rows, ["kind", "problem", "severity", "severity_label"])
    return counted.sort(
        pl.col("severity") != "error",
        pl.col("count_new") + pl.col("count_still_open"),
        "count_fixed",
        "problem",
        descending=[False, True, True, False],
    ).drop("severity")


def _kind_chart(book: Workbook, sheet: Any, header_row: int, count: int, at_row: int) -> None:
    """A stacked column chart of new / still open / fixed per kind (the table at
    `header_row`), put at `at_row` below the tables, within their width."""
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
    chart.set_size({"width": 760, "height": 360})
    sheet.insert_chart(at_row, 0, chart, {"object_position": 1})
    # the printed page takes the whole chart, not only the cells with values
    sheet.print_area(0, 0, at_row + CHART_ROWS, len(SUMMARY_CODE_COLUMNS) - 1)


def _issue_sheet(
    book: Workbook, fmt: Formats, village: VillageInfo, name: str, rows: pl.DataFrame
) -> None:
    sheet = book.add_worksheet(name)
    set_print(sheet, village.page_header, repeat_row=0)
    has_related = any(rows[c].drop_nulls().len() for c in RELATED_KEYS if c in rows.columns)
    columns = [c for c in FIX_COLUMNS if has_related or c.key not in RELATED_KEYS]
    numbered = rows.with_row_index("no", offset=1).with_columns(pl.col("no").cast(pl.Int64))
    write_frame(book, sheet, 0, columns, numbered, fmt, autofilter=True)
    sheet.freeze_panes(1, 0)
