"""Stage runners: each stage reads its input from the work store, calls the core, writes back.

These are what the Dagster assets call; they take an open work-store connection and plain
parameters, so they run and test without Dagster.
"""

import hashlib

from dtks.clean import CLEAN_SCHEMA, ISSUE_SCHEMA, REJECTED_SCHEMA
from dtks.ingest import (
    DESIL_ROWS_SCHEMA,
    RAW_ROWS_SCHEMA,
    REGISTER_ROWS_SCHEMA,
    SOURCE_FILES_SCHEMA,
    SOURCE_SHEETS_SCHEMA,
)


def _layout_fingerprint(*schemas: object) -> str:
    return hashlib.sha256(repr(schemas).encode()).hexdigest()[:16]


# Changes whenever a cache table of the work store changes shape (see dtks.store.WorkStore).
STORE_LAYOUT = _layout_fingerprint(
    RAW_ROWS_SCHEMA,
    SOURCE_FILES_SCHEMA,
    SOURCE_SHEETS_SCHEMA,
    DESIL_ROWS_SCHEMA,
    REGISTER_ROWS_SCHEMA,
    CLEAN_SCHEMA,
    ISSUE_SCHEMA,
    REJECTED_SCHEMA,
)
