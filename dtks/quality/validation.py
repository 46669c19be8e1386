"""The published `validation_issues`: cleaning issues and cross-record findings, each with
the record it concerns (IDDTKS, name, masked NIK), a key that survives re-exports, and its
status against the previous published run.

    >>> sources = pl.DataFrame({  # reconciled_sources: SITI is listed in two villages
    ...     "person_id": ["P-1", "P-1"], "village": ["kapong", "blaban"],
    ...     "source_file": ["kapong/a.csv", "blaban/b.csv"], "source_sheet": ["", ""],
    ...     "source_row": [2, 7], "nama": ["SITI", "SITI"], "nik": ["3528114506890001"] * 2})
    >>> persons = pl.DataFrame({"person_id": ["P-1"], "no_kk": [None], "hubungan_keluarga": [None]})
    >>> first = validation_issues(None, sources, persons, None, previous=None)
    >>> first.select("village", "code", "nik_masked", "status").rows()[0]
    ('blaban', 'duplicate_other_village', '352811********01', 'new')
    >>> blaban_fixed = sources.filter(pl.col("village") == "kapong")  # next run: one row left
    >>> validation_issues(None, blaban_fixed, persons, None, previous=first)["status"].to_list()
    ['fixed', 'fixed']
"""

from __future__ import annotations

import polars as pl

from dtks.clean.issues import ISSUE_SCHEMA
from dtks.privacy import mask_number_expr
from dtks.quality.facts import LINEAGE
from dtks.quality.findings import FINDING_SCHEMA, cross_record_issues
from dtks.quality.status import STATUS_FIXED, with_issue_keys, with_status

VALIDATION_ISSUE_SCHEMA: dict[str, pl.DataType] = {
    **FINDING_SCHEMA,
    "iddtks": pl.String(),
    "nama": pl.String(),
    "nik_masked": pl.String(),
    "record_key": pl.String(),
    "issue_key": pl.String(),
    "status": pl.String(),
}

# For the `validation_issues` declaration of dtks.publish.tables (the columns cleaning did not have).
VALIDATION_ISSUE_COLUMN_COMMENTS: dict[str, str] = {
    "related_village": "Other villages involved (duplicates, shared NIK, heads of one KK), by slug",
    "related_record": "Where the other records are: village, file, sheet, row and name",
    "iddtks": "IDDTKS of the row, to find it in SIKS-NG",
    "nama": "Name on the row, to find it in SIKS-NG",
    "nik_masked": "NIK of the row, masked (352811********01)",
    "record_key": "Stable key of the row (IDDTKS, else NIK + name + birth date), hashed",
    "issue_key": "Identifies the same problem across runs (village, code, column, record)",
    "status": "new (first seen this run), still_open (seen in the previous run too) or fixed "
    "(open in the previous run, gone now; location as it was then)",
}


def record_context(issues: pl.DataFrame, sources: pl.DataFrame | None) -> pl.DataFrame:
    """`issues` with the record each one is on: record_key, IDDTKS, name, masked NIK.

    Issues on rejected rows have no record: those columns stay null.
    """
    wanted = {"record_key": pl.String, "iddtks": pl.String, "nama": pl.String, "nik": pl.String}
    if sources is None or sources.is_empty() or not set(LINEAGE) <= set(sources.columns):
        context = pl.DataFrame(schema={**{c: ISSUE_SCHEMA[c] for c in LINEAGE}, **wanted})
    else:
        present = set(sources.columns)
        # a NIK cut by Excel is not a valid NIK, but it still helps to find the record
        nik = pl.coalesce("nik", "nik_as_written") if "nik_as_written" in present else pl.col("nik")
        columns = {c: pl.col(c) if c in present else pl.lit(None, t) for c, t in wanted.items()}
        columns["nik"] = nik if "nik" in present else columns["nik"]
        context = sources.join(issues.select(LINEAGE).unique(), on=LINEAGE, how="semi").select(
            *LINEAGE, *[expr.alias(c) for c, expr in columns.items()]
        )
        context = context.unique(LINEAGE, keep="first")
    context = context.with_columns(mask_number_expr("nik").alias("nik_masked")).drop("nik")
    return issues.join(context, on=LINEAGE, how="left", maintain_order="left")


def validation_issues(
    clean_issues: pl.DataFrame | None,
    sources: pl.DataFrame | None,
    persons: pl.DataFrame | None,
    pairs: pl.DataFrame | None,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every problem to publish, with status new / still_open / fixed against `previous`.

    `clean_issues`: the `clean_issues` store table; `sources`, `persons`, `pairs`: the
    `reconciled_sources`, `reconciled_persons` and `match_pairs` store tables; `previous`:
    what this function returned for the last published run (None on the first run).
    Open issues come first (in file order), then the fixed ones.
    """
    clean = (
        clean_issues
        if clean_issues is not None and clean_issues.width
        else pl.DataFrame(schema=ISSUE_SCHEMA)
    )
    findings = cross_record_issues(sources, persons, pairs)
    combined = pl.concat(
        [clean.cast(ISSUE_SCHEMA).select(list(ISSUE_SCHEMA)), findings], how="diagonal_relaxed"
    )
    keyed = with_issue_keys(record_context(combined, sources))
    marked = with_status(keyed, previous)
    return (
        marked.select(list(VALIDATION_ISSUE_SCHEMA))
        .cast(VALIDATION_ISSUE_SCHEMA)
        .with_row_index("_order")
        .sort(pl.col("status") == STATUS_FIXED, "_order")
        .drop("_order")
    )


def open_issues(issues: pl.DataFrame) -> pl.DataFrame:
    """The issues an operator still has to act on (not fixed)."""
    return issues.filter(pl.col("status") != STATUS_FIXED)
