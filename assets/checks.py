"""Asset checks: the Great Expectations suites in expectations/ (run by assets.gx_suites) on
derived facts from the work store; each check reports pass/fail, counts and masked examples
to Dagster, and the validation results become data docs under $DTKS_CURATED_DIR/data_docs/.
"""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import polars as pl

from assets.clean import village_clean_rows
from assets.conventions import WORK_STORE_POOL
from assets.desil import desil_families
from assets.gx_suites import (
    CheckOutcome,
    check_outcomes,
    load_suite,
    validate,
    write_data_docs,
)
from assets.metadata import markdown_table
from assets.musdes import deliberation_items
from assets.reconcile import reconciled_persons
from assets.resources import DtksSettings
from dtks.desil.facts import desil_facts
from dtks.musdes.facts import musdes_facts
from dtks.quality import (
    DEFAULT_MAX_DROP_SHARE,
    baseline_counts,
    clean_row_facts,
    household_facts,
    person_facts,
    village_counts,
)
from dtks.quality.drift import has_baseline, villages_that_dropped
from dtks.quality.facts import (
    HOUSEHOLD_MEMBER_INPUTS,
    PERSON_FACT_INPUTS,
    RECONCILED_HOUSEHOLD_COLUMNS,
    SAFETY_LINE_INPUTS,
)
from dtks.store import quoted, read_table, table_exists

DATA_DOCS_DIR = "data_docs"
MAX_DROP_SHARE_ENV = "DTKS_MAX_ROW_DROP_SHARE"


# ---------------------------------------------------------------- what each suite validates


@dataclass
class SuiteInput:
    """The frame a suite validates, its parameters, and notes per check for the metadata."""

    frame: pl.DataFrame
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


def max_row_drop_share() -> float:
    """The share of rows a village may lose between published runs (DTKS_MAX_ROW_DROP_SHARE)."""
    value = os.environ.get(MAX_DROP_SHARE_ENV)
    return float(value) if value else DEFAULT_MAX_DROP_SHARE


def _villages_column(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    """Just the `village` column of a store table: one row per row (for counting)."""
    if not table_exists(con, table):
        return pl.DataFrame(schema={"village": pl.String})
    return con.sql(f"SELECT village FROM {quoted(table)}").pl()  # noqa: S608 - our identifier


def clean_rows_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    clean = read_table(con, "clean_rows")
    if clean is None:
        clean = pl.DataFrame()
    elif villages is not None:
        clean = clean.filter(pl.col("village").is_in(villages))
    return SuiteInput(clean_row_facts(clean, date.today()))


def persons_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    persons = read_table(con, "reconciled_persons", columns=PERSON_FACT_INPUTS)
    sources = read_table(con, "reconciled_sources", columns=SAFETY_LINE_INPUTS)
    return SuiteInput(
        person_facts(
            persons if persons is not None else pl.DataFrame(),
            sources if sources is not None else pl.DataFrame(),
        )
    )


def households_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    households = read_table(con, "reconciled_households", columns=RECONCILED_HOUSEHOLD_COLUMNS)
    persons = None
    if households is None or households.width < len(RECONCILED_HOUSEHOLD_COLUMNS):
        households = None  # derived from the persons' records instead
        persons = read_table(con, "reconciled_persons", columns=HOUSEHOLD_MEMBER_INPUTS)
    facts = household_facts(persons if persons is not None else pl.DataFrame(), households)
    source = "reconciled_households" if households is not None else "reconciled_persons (KK)"
    return SuiteInput(facts, notes={"every_household_has_one_head": {"households_from": source}})


def villages_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    files = read_table(con, "source_files")
    files = files.select("village", "rows_read") if files is not None else pl.DataFrame()
    baseline = baseline_counts(read_table(con, "run_history"))
    counts = village_counts(
        files,
        _villages_column(con, "reconciled_sources"),
        _villages_column(con, "clean_rejected"),
        baseline,
    )
    share = max_row_drop_share()
    drift_notes: dict[str, Any] = {"max_drop_share": share}
    if not has_baseline(counts):
        drift_notes["baseline"] = "no baseline"
        drift_description = "no baseline: no earlier published run to compare with"
    else:
        drift_notes["baseline"] = "last published run"
        dropped = villages_that_dropped(counts, share)
        drift_description = (
            "; ".join(
                f"{r['village']}: {r['rows_accepted_before']} -> {r['rows_accepted']} rows "
                f"(-{r['drop_share']:.0%}, limit {share:.0%})"
                for r in dropped.iter_rows(named=True)
            )
            or f"no village lost more than {share:.0%} of its rows"
        )
    gaps = counts.filter(pl.col("rows_read") != pl.col("rows_accounted_for"))
    accounting_description = (
        "; ".join(
            f"{r['village']}: read {r['rows_read']}, accepted {r['rows_accepted']}, "
            f"rejected {r['rows_rejected']}"
            for r in gaps.iter_rows(named=True)
        )
        or "every row read is accepted or rejected"
    )
    return SuiteInput(
        counts,
        parameters={"max_drop_share": share},
        notes={"village_row_count_did_not_drop": drift_notes},
        descriptions={
            "village_row_count_did_not_drop": drift_description,
            "rows_are_accounted_for": accounting_description,
        },
    )


# ---------------------------------------------------------------- Dagster checks


def _run_villages(context: dg.AssetCheckExecutionContext) -> list[str] | None:
    """The village partitions of this run, or None when the run is not partitioned."""
    op = context.op_execution_context
    if op.has_partition_key_range or op.has_partition_key:
        return list(op.partition_keys)
    return None


def _check_result(
    outcome: CheckOutcome, asset_key: dg.AssetKey, docs: Path, given: SuiteInput
) -> dg.AssetCheckResult:
    metadata: dict[str, Any] = {
        "rows_checked": outcome.rows,
        "rows_unexpected": outcome.unexpected,
        "expectations": dg.MetadataValue.md(
            markdown_table(
                outcome.expectations, ["expectation", "column", "success", "unexpected", "missing"]
            )
        ),
        "data_docs": dg.MetadataValue.path(str(docs)),
        **given.notes.get(outcome.check.name, {}),
    }
    if outcome.examples:
        metadata["examples_masked"] = dg.MetadataValue.md(
            markdown_table(outcome.examples, list(outcome.examples[0]))
        )
    description = given.descriptions.get(outcome.check.name) or (
        "passed" if outcome.passed else f"{outcome.unexpected} of {outcome.rows} rows do not pass"
    )
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=outcome.check.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR
        if outcome.check.critical
        else dg.AssetCheckSeverity.WARN,
        description=description,
        metadata=metadata,
    )


SuiteInputFn = Callable[[duckdb.DuckDBPyConnection, list[str] | None], SuiteInput]


def suite_check_specs(suite_name: str, asset: dg.AssetsDefinition | str) -> list[dg.AssetCheckSpec]:
    """One Dagster check per check of the suite, on `asset`."""
    return [
        dg.AssetCheckSpec(c.name, asset=asset, blocking=c.blocking, description=c.description)
        for c in load_suite(suite_name).checks
    ]


def evaluate_suite(
    suite_name: str, given: SuiteInput, asset_key: dg.AssetKey, docs_dir: Path, log: Any
) -> list[dg.AssetCheckResult]:
    """Validate `suite_name` on `given`, write its data docs, and report each of its checks."""
    current = load_suite(suite_name)
    result = validate(current, given.frame, given.parameters, docs_dir)
    outcomes = check_outcomes(current, result, given.frame)
    docs = write_data_docs(docs_dir, current, result, outcomes)
    results = []
    for outcome in outcomes:
        check_result = _check_result(outcome, asset_key, docs, given)
        if not outcome.passed:
            report = log.error if outcome.check.blocking else log.warning
            report(f"{outcome.check.name} did not pass: {check_result.description}")
        results.append(check_result)
    return results


def suite_checks(
    suite_name: str, asset: dg.AssetsDefinition, build: SuiteInputFn
) -> dg.AssetChecksDefinition:
    """One multi-asset check that validates `suite_name` once and reports each of its checks."""
    suite = load_suite(suite_name)

    @dg.multi_asset_check(
        specs=suite_check_specs(suite_name, asset),
        name=f"{suite_name}_suite",
        description=f"Great Expectations suite expectations/{suite_name}.json. {suite.description}",
        pool=WORK_STORE_POOL,
    )
    def _suite(
        context: dg.AssetCheckExecutionContext, settings: DtksSettings
    ) -> Iterator[dg.AssetCheckResult]:
        with settings.work_store().session() as con:
            given = build(con, _run_villages(context))
        docs_dir = settings.curated_path / DATA_DOCS_DIR
        yield from evaluate_suite(suite_name, given, asset.key, docs_dir, context.log)

    return _suite


clean_rows_suite = suite_checks("clean_rows", village_clean_rows, clean_rows_input)
persons_suite = suite_checks("persons", reconciled_persons, persons_input)
households_suite = suite_checks("households", reconciled_persons, households_input)


def desil_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    return SuiteInput(
        desil_facts(
            read_table(con, "desil_rows"),
            read_table(con, "desil_households"),
            read_table(con, "source_files"),
        )
    )


desil_suite = suite_checks("desil", desil_families, desil_input)


def musdes_input(con: duckdb.DuckDBPyConnection, villages: list[str] | None) -> SuiteInput:
    return SuiteInput(
        musdes_facts(
            read_table(con, "deliberation_items"),
            read_table(con, "register_rows"),
            read_table(con, "reconciled_sources"),
            read_table(con, "source_files"),
        )
    )


musdes_suite = suite_checks("musdes", deliberation_items, musdes_input)

# The villages suite (row accounting, row drop) guards the publish itself: it runs inside
# kecamatan_dataset before the files are swapped (assets.publish_guard).
ASSET_CHECKS = [clean_rows_suite, persons_suite, households_suite, desil_suite, musdes_suite]
