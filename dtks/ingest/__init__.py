"""Reading village DTKS exports (CSV/XLSX) into Raw rows: the first stage of the pipeline.

No Dagster and no DuckDB here: the functions return Polars frames and dataclasses, and a bad
file never raises, it comes back with status "error" and a message for the operator.

    folder = survey_village_folder(raw_dir, "kapong")        # exports, unsupported, still writing
    reads = [read_export(path, raw_dir) for path in folder.exports]
    reads += [refused_export(f.path, raw_dir, f.code, f.reason) for f in folder.refused]
    overlaps = detect_overlapping_exports(reads)             # two versions of one export?
    rows = raw_rows_frame(reads)                             # docs/architecture.md "Raw rows"
"""

from dtks.ingest.desil_rows import DESIL_ROWS_SCHEMA, empty_desil_rows
from dtks.ingest.discover import (
    KECAMATAN_FOLDER,
    MANUAL_SETTLE_SECONDS,
    RECOMMENDED_MIN_AGE_SECONDS,
    RECOMMENDED_SETTLE_SECONDS,
    FoundFile,
    VillageFolder,
    discover_exports,
    survey_village_folder,
    survey_village_folders,
)
from dtks.ingest.errors import ErrorCode, WarningCode
from dtks.ingest.export import read_export, refused_export
from dtks.ingest.file_checks import ReadLimits, file_sha256
from dtks.ingest.file_kinds import FILE_KINDS, classify_header
from dtks.ingest.model import ExportRead, SheetRead, SkippedSheet
from dtks.ingest.overlap import ExportOverlap, detect_overlapping_exports
from dtks.ingest.raw_rows import RAW_ROWS_SCHEMA, empty_raw_rows
from dtks.ingest.register_rows import REGISTER_ROWS_SCHEMA, empty_register_rows
from dtks.ingest.row_kinds import ROW_KINDS
from dtks.ingest.tables import (
    SOURCE_FILES_SCHEMA,
    SOURCE_SHEETS_SCHEMA,
    desil_rows_frame,
    raw_rows_frame,
    register_rows_frame,
    source_files_frame,
    source_sheets_frame,
)

__all__ = [
    "DESIL_ROWS_SCHEMA",
    "FILE_KINDS",
    "KECAMATAN_FOLDER",
    "classify_header",
    "desil_rows_frame",
    "empty_desil_rows",
    "RAW_ROWS_SCHEMA",
    "REGISTER_ROWS_SCHEMA",
    "empty_register_rows",
    "register_rows_frame",
    "MANUAL_SETTLE_SECONDS",
    "RECOMMENDED_MIN_AGE_SECONDS",
    "RECOMMENDED_SETTLE_SECONDS",
    "ROW_KINDS",
    "SOURCE_FILES_SCHEMA",
    "SOURCE_SHEETS_SCHEMA",
    "ErrorCode",
    "ExportOverlap",
    "ExportRead",
    "FoundFile",
    "ReadLimits",
    "SheetRead",
    "SkippedSheet",
    "VillageFolder",
    "WarningCode",
    "detect_overlapping_exports",
    "discover_exports",
    "empty_raw_rows",
    "file_sha256",
    "raw_rows_frame",
    "read_export",
    "refused_export",
    "source_files_frame",
    "source_sheets_frame",
    "survey_village_folder",
    "survey_village_folders",
]
