"""Data quality beyond single rows: the facts the expectation suites validate, drift against
the previous run, cross-record findings, and the published `validation_issues` with their
status (new / still open / fixed). Pure Polars: no Great Expectations, no Dagster.
"""

from dtks.quality.drift import DEFAULT_MAX_DROP_SHARE, baseline_counts, village_drift
from dtks.quality.facts import (
    clean_row_facts,
    household_facts,
    person_facts,
    village_counts,
)
from dtks.quality.findings import FINDING_CATALOGUE, FINDING_TYPES, cross_record_issues
from dtks.quality.status import STATUS_FIXED, STATUS_NEW, STATUS_STILL_OPEN, STATUSES
from dtks.quality.validation import (
    VALIDATION_ISSUE_COLUMN_COMMENTS,
    VALIDATION_ISSUE_SCHEMA,
    open_issues,
    validation_issues,
)

# Work-store table where the publish stage keeps the last published validation issues, so
# the next run can tell new, still open and fixed apart (persistent: survives layout changes).
ISSUE_HISTORY_TABLE = "validation_issue_history"

__all__ = [
    "DEFAULT_MAX_DROP_SHARE",
    "FINDING_CATALOGUE",
    "FINDING_TYPES",
    "ISSUE_HISTORY_TABLE",
    "STATUSES",
    "STATUS_FIXED",
    "STATUS_NEW",
    "STATUS_STILL_OPEN",
    "VALIDATION_ISSUE_COLUMN_COMMENTS",
    "VALIDATION_ISSUE_SCHEMA",
    "baseline_counts",
    "clean_row_facts",
    "cross_record_issues",
    "household_facts",
    "open_issues",
    "person_facts",
    "validation_issues",
    "village_counts",
    "village_drift",
]
