"""DTSEN desil on every family: SIKS-NG ranking lists matched through the reconciled persons.

Pure Polars, no Dagster and no DuckDB:

    desil_rows, households_desil = match_desil(desil_raw_rows, persons, households, source_files)

See `dtks.desil.match` for the order of trust and the conflicts, `dtks.desil.period` for a
list's period.
"""

from dtks.desil.match import (
    DESIL_ROWS_COLUMNS,
    HOUSEHOLD_DESIL_COLUMNS,
    MATCHED_BY,
    REASONS,
    STATUSES,
    UNTRUSTED_NIK_FLAGS,
    household_desil,
    match_desil,
    prepare_rows,
)
from dtks.desil.period import period_from_text

__all__ = [
    "DESIL_ROWS_COLUMNS",
    "HOUSEHOLD_DESIL_COLUMNS",
    "MATCHED_BY",
    "REASONS",
    "STATUSES",
    "UNTRUSTED_NIK_FLAGS",
    "household_desil",
    "match_desil",
    "period_from_text",
    "prepare_rows",
]
