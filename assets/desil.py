"""Desil: the SIKS-NG desil ranking lists matched to the reconciled families (DTSEN)."""

import time

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.metadata import chart_metadata, markdown_table
from assets.reconcile import reconciled_persons
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.charts import desil_per_village_png
from dtks.ingest.errors import display_text
from dtks.stages.desil import desil_distribution, desil_kecamatan, per_village


@dg.asset(
    deps=[reconciled_persons],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="reconcile",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.desil", "dtks.desil"),
    description=(
        "Matches every desil ranking list (SIKS-NG 'Pemeringkatan Desil', found in the "
        "village folders and in _kecamatan/) to the reconciled families: by Nomor KK, then "
        "the head's NIK, then a member's NIK (trusted NIKs only), then, for a row whose NIK "
        "the exports lack, cut or mistype, the one person with its name and birth date in "
        "the list's village. The newest list wins, older "
        "desils are kept as history; conflicts are flagged for the operators, never guessed."
    ),
)
def desil_families(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        summary = desil_kecamatan(con, settings.raw_path)
        distribution = per_village(desil_distribution(con))
        table_meta = table_metadata(con, "desil_rows")
    for source_file, message in summary.kecamatan_files_refused.items():
        context.log.warning(f"{display_text(source_file)}: {message}")
    table = (
        distribution.pivot(on="desil", index="village", values="families").fill_null(0)
        if distribution.height
        else distribution
    )
    charts = chart_metadata(
        context.log, {"desil_per_village_chart": lambda: desil_per_village_png(distribution)}
    )
    return dg.MaterializeResult(
        metadata={
            **table_meta,
            "lists": summary.lists,
            "rows": summary.rows,
            "statuses": dg.MetadataValue.json(summary.statuses),
            "matched_by": dg.MetadataValue.json(summary.matched_by),
            "flagged": dg.MetadataValue.json(summary.reasons),
            "families_with_desil": summary.families_with_desil,
            "families_desil_changed": summary.families_changed,
            "families_per_desil": dg.MetadataValue.md(
                markdown_table(table.to_dicts(), table.columns) if table.height else ""
            ),
            **charts,
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
