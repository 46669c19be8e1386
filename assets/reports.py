"""Reports: a fix list for every village operator and the camat's summary, after publishing."""

import time
from datetime import UTC, datetime

import dagster as dg
import duckdb
import polars as pl

from assets.checks import DATA_DOCS_DIR
from assets.conventions import WORK_STORE_POOL, code_version
from assets.metadata import chart_metadata, markdown_table
from assets.publish import kecamatan_dataset
from assets.resources import DtksSettings
from dtks.charts import issues_per_village_png, village_issue_counts
from dtks.match.queue_limit import MINUTES_PER_PAIR, workload_text
from dtks.quality import ISSUE_HISTORY_TABLE
from dtks.quality.accounting import store_row_accounting
from dtks.reports import write_reports
from dtks.stages.desil import desil_distribution
from dtks.stages.match import review_queue_size
from dtks.store import read_table

REPORTS_DIR = "reports"
SHOWN = [
    "village",
    "rows_read",
    "count_error",
    "count_warning",
    "count_new",
    "count_still_open",
    "count_fixed",
]


def _published_issues(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The validation issues (with status) the publish stage kept for this run."""
    issues = read_table(con, ISSUE_HISTORY_TABLE)
    return issues if issues is not None else pl.DataFrame()


@dg.asset(
    deps=[kecamatan_dataset],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="publish",
    kinds={"excel"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.reports", "dtks.charts"),
    description=(
        "Writes reports/<village>.xlsx for every village (what its operator must fix in "
        "SIKS-NG: a summary with new / still open / fixed counts and a chart, one sheet per "
        "kind of problem, duplicates naming the other village) and reports/"
        "ringkasan-kecamatan.xlsx for the camat, in DTKS_CURATED_DIR. NIK and KK masked. "
        "Metadata: open errors and warnings, a table and a chart of issues per village "
        "(new / still open / fixed)."
    ),
)
def village_fix_lists(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        issues = _published_issues(con)
        accounting = store_row_accounting(con)
        source_files = read_table(con, "source_files")
        desil_rows = read_table(con, "desil_rows")
        distribution = desil_distribution(con)
        review_pairs = review_queue_size(con)
    written = write_reports(
        settings.curated_path / REPORTS_DIR,
        settings.kecamatan(),
        issues,
        accounting,
        datetime.now(UTC),
        source_files,
        desil_rows,
        distribution,
        workload_text(review_pairs),
    )
    villages = written.villages.select(*SHOWN).to_dicts()
    docs_index = settings.curated_path / DATA_DOCS_DIR / "index.html"
    charts = chart_metadata(
        context.log,
        {
            "issues_per_village_chart": lambda: issues_per_village_png(
                village_issue_counts(written.villages)
            )
        },
    )
    return dg.MaterializeResult(
        metadata={
            "reports_dir": dg.MetadataValue.path(str(settings.curated_path / REPORTS_DIR)),
            "summary": dg.MetadataValue.path(str(written.summary)),
            "fix_lists": len(written.fix_lists),
            "open_errors": int(written.villages["count_error"].sum()),
            "open_warnings": int(written.villages["count_warning"].sum()),
            "fixed_since_last_run": int(written.villages["count_fixed"].sum()),
            "review_queue_pairs": review_pairs,
            "review_queue_minutes_of_work": review_pairs * MINUTES_PER_PAIR,
            "villages": dg.MetadataValue.md(markdown_table(villages, SHOWN)),
            **charts,
            "data_docs": dg.MetadataValue.path(str(docs_index)),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
