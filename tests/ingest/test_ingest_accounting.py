"""Row accounting: rows_read is counted from the file, equals the rows handed on, row numbers exact."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from pathlib import Path

import polars as pl
import xlsxwriter

from dtks.ingest import (
    RAW_ROWS_SCHEMA,
    SOURCE_FILES_SCHEMA,
    SOURCE_SHEETS_SCHEMA,
    raw_rows_frame,
    read_export,
    source_files_frame,
    source_sheets_frame,
)


def _messy_rows(seed: int) -> tuple[list[list[str]], dict[int, str]]:
    """A sheet with title rows, blank rows, persons, totals and a signature; expected row -> NIK."""
    rng = random.Random(seed)
    rows: list[list[str]] = [["DATA DTKS DESA KAPONG"], [], ["NO", "NIK", "NAMA", "ALAMAT"]]
    expected: dict[int, str] = {}
    for i in range(300):
        if rng.random() < 0.1:
            rows.append([])
        nik = f"3528114506{i:06d}"
        rows.append([str(i + 1), nik, f"ORANG {i}", "DSN"])
        expected[len(rows)] = nik
    rows += [["JUMLAH", "", "", "300"], [], ["", "", "Mengetahui,"], ["", "", "Kepala Desa"]]
    return rows, expected


def test_rows_read_equals_rows_and_row_numbers_are_exact_in_xlsx(tmp_path: Path) -> None:
    rows, expected = _messy_rows(1)
    path = tmp_path / "kapong" / "hitung.xlsx"
    path.parent.mkdir()
    with xlsxwriter.Workbook(path) as wb:
        ws = wb.add_worksheet("DTKS")
        for r, values in enumerate(rows):
            ws.write_row(r, 0, values)
    read = read_export(path, tmp_path)
    assert read.rows_read == read.rows.height == len(expected) + 3
    data = read.rows.filter(pl.col("row_kind") == "data")
    assert dict(data.select("source_row", "nik").rows()) == expected
    assert read.sheets[0].row_kind_counts["totals"] == 1
    assert read.sheets[0].row_kind_counts["signature"] == 2


def test_rows_read_equals_rows_and_row_numbers_are_exact_in_csv(tmp_path: Path) -> None:
    rows, expected = _messy_rows(2)
    path = tmp_path / "kapong" / "hitung.csv"
    path.parent.mkdir()
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    read = read_export(path, tmp_path)
    assert read.rows_read == read.rows.height == len(expected) + 3
    data = read.rows.filter(pl.col("row_kind") == "data")
    assert dict(data.select("source_row", "nik").rows()) == expected


def test_work_store_frames_describe_every_file_and_sheet(tmp_path: Path) -> None:
    good = tmp_path / "kapong" / "a.csv"
    good.parent.mkdir()
    good.write_text("NIK,NAMA\n3528114506890001,SITI\n", encoding="utf-8")
    bad = tmp_path / "kapong" / "b.xlsx"
    bad.write_bytes(b"")
    reads = [read_export(good, tmp_path), read_export(bad, tmp_path)]
    files = source_files_frame(reads)
    sheets = source_sheets_frame(reads)
    rows = raw_rows_frame(reads)
    assert dict(files.schema) == SOURCE_FILES_SCHEMA
    assert dict(sheets.schema) == SOURCE_SHEETS_SCHEMA
    assert dict(rows.schema) == RAW_ROWS_SCHEMA
    assert files.select("source_file", "status", "error_code", "rows_read").rows() == [
        ("kapong/a.csv", "ok", None, 1),
        ("kapong/b.xlsx", "error", "file_empty", 0),
    ]
    assert json.loads(sheets.item(0, "column_mapping")) == {"NIK": "nik", "NAMA": "nama"}
    assert files.get_column("rows_read").sum() == rows.height
    assert raw_rows_frame([]).height == 0


def test_file_hash_and_size_describe_the_bytes_read(tmp_path: Path) -> None:
    data = b"NIK,NAMA\n3528114506890001,SITI\n"
    path = tmp_path / "kapong" / "a.csv"
    path.parent.mkdir()
    path.write_bytes(data)
    read = read_export(path, tmp_path)
    assert read.size_bytes == len(data)
    assert read.file_hash == hashlib.sha256(data).hexdigest()
    assert read.source_file == "kapong/a.csv"
    assert read.modified_at is not None
