"""The ingest results as frames for the work store: `source_files`, `source_sheets`, `raw_rows`."""

from __future__ import annotations

import json

import polars as pl

from dtks.ingest.desil_rows import DESIL_ROWS_SCHEMA, empty_desil_rows
from dtks.ingest.model import ExportRead
from dtks.ingest.raw_rows import RAW_ROWS_SCHEMA, empty_raw_rows
from dtks.ingest.register_rows import REGISTER_ROWS_SCHEMA, empty_register_rows


def raw_rows_frame(reads: list[ExportRead]) -> pl.DataFrame:
    """Every read file's Raw rows, in the given file order."""
    frames = [r.rows for r in reads if r.rows.height]
    return pl.concat(frames, how="vertical") if frames else empty_raw_rows()


SOURCE_FILES_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "file_hash": pl.String(),
    "size_bytes": pl.Int64(),
    "modified_at": pl.Datetime("us", "UTC"),
    "file_format": pl.String(),
    "status": pl.String(),
    "error_code": pl.String(),
    "error_message": pl.String(),
    "encoding": pl.String(),
    "delimiter": pl.String(),
    "rows_read": pl.Int64(),
    "sheets_read": pl.Int64(),
    "skipped_sheets": pl.String(),  # JSON [{"name", "reason"}]
    "warnings": pl.String(),  # JSON list of messages
    # registry_export, desil_list, population_register or unknown (dtks.ingest.file_kinds)
    "file_kind": pl.String(),
    "file_kind_evidence": pl.String(),  # JSON [{"sheet", "kind", "headers": {header: column}}]
    "desil_rows_read": pl.Int64(),  # rows of desil ranking lists (never in raw_rows)
    "register_rows_read": pl.Int64(),  # rows of population registers (never in raw_rows)
}

SOURCE_SHEETS_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "header_row": pl.Int64(),
    "rows_read": pl.Int64(),
    "column_mapping": pl.String(),  # JSON {header: canonical}
    "unknown_headers": pl.String(),  # JSON list
    "duplicate_headers": pl.String(),  # JSON list
    "row_kind_counts": pl.String(),  # JSON {row_kind: count}
    "is_hidden": pl.Boolean(),
    "sheet_kind": pl.String(),  # registry_export, desil_list or population_register
}


def source_files_frame(reads: list[ExportRead]) -> pl.DataFrame:
    """One row per file, read or refused."""
    records = [
        {
            "source_file": r.source_file,
            "file_hash": r.file_hash,
            "size_bytes": r.size_bytes,
            "modified_at": r.modified_at,
            "file_format": r.file_format,
            "status": r.status,
            "error_code": r.error_code,
            "error_message": r.error_message,
            "encoding": r.encoding,
            "delimiter": r.delimiter,
            "rows_read": r.rows_read,
            "sheets_read": len(r.sheets),
            "skipped_sheets": json.dumps(
                [{"name": s.name, "reason": s.reason} for s in r.skipped_sheets], ensure_ascii=False
            ),
            "warnings": json.dumps(r.warnings, ensure_ascii=False),
            "file_kind": r.file_kind,
            "file_kind_evidence": json.dumps(
                [{"sheet": s.name, "kind": s.kind, "headers": s.kind_evidence} for s in r.sheets]
                or [
                    {"sheet": s.name, "kind": "unknown", "reason": s.reason}
                    for s in r.skipped_sheets
                ],
                ensure_ascii=False,
            ),
            "desil_rows_read": r.desil_rows_read,
            "register_rows_read": r.register_rows_read,
        }
        for r in reads
    ]
    return pl.DataFrame(records, schema=SOURCE_FILES_SCHEMA, orient="row")


def desil_rows_frame(reads: list[ExportRead]) -> pl.DataFrame:
    """Every read desil list's rows, in the given file order."""
    frames = [r.desil_rows for r in reads if r.desil_rows.height]
    return pl.concat(frames, how="vertical") if frames else empty_desil_rows()


def register_rows_frame(reads: list[ExportRead]) -> pl.DataFrame:
    """Every read population register's rows, in the given file order."""
    frames = [r.register_rows for r in reads if r.register_rows.height]
    return pl.concat(frames, how="vertical") if frames else empty_register_rows()


def source_sheets_frame(reads: list[ExportRead]) -> pl.DataFrame:
    """One row per sheet read (skipped sheets are listed in `source_files.skipped_sheets`)."""
    records = [
        {
            "source_file": r.source_file,
            "source_sheet": s.name,
            "header_row": s.header_row,
            "rows_read": s.rows_read,
            "column_mapping": json.dumps(s.column_mapping, ensure_ascii=False),
            "unknown_headers": json.dumps(s.unknown_headers, ensure_ascii=False),
            "duplicate_headers": json.dumps(s.duplicate_headers, ensure_ascii=False),
            "row_kind_counts": json.dumps(s.row_kind_counts),
            "is_hidden": s.hidden,
            "sheet_kind": s.kind,
        }
        for r in reads
        for s in r.sheets
    ]
    return pl.DataFrame(records, schema=SOURCE_SHEETS_SCHEMA, orient="row")


__all__ = [
    "DESIL_ROWS_SCHEMA",
    "RAW_ROWS_SCHEMA",
    "REGISTER_ROWS_SCHEMA",
    "register_rows_frame",
    "desil_rows_frame",
    "raw_rows_frame",
    "source_files_frame",
    "source_sheets_frame",
]
