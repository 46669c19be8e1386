"""Musdes: the village deliberation package (usulan, sanggah, verifikasi, cek sasaran) and its
workbooks, with the statuses operators gave each line carried over."""

import os
import time
from pathlib import Path

import dagster as dg

from assets.conventions import WORK_STORE_POOL, code_version
from assets.desil import desil_families
from assets.metadata import markdown_table
from assets.resources import DtksSettings
from assets.table_metadata import table_metadata
from dtks.musdes import programme_cutoffs
from dtks.stages.musdes import musdes_kecamatan, village_counts

# Desil cut-offs per programme for one deployment, e.g. "pkh=3,bpnt=4,tidak_layak=7"
# (defaults: dtks/reference/musdes_programmes.toml).
CUTOFFS_ENV = "DTKS_DESIL_CUTOFFS"


@dg.asset(
    deps=[desil_families],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="reconcile",
    kinds={"duckdb", "polars", "excel"},
    owners=["team:data-office"],
    pool=WORK_STORE_POOL,
    code_version=code_version(__name__, "dtks.stages.musdes", "dtks.musdes"),
    description=(
        "Village deliberation (musyawarah desa): matches each village's population register "
        "to the reconciled persons (trusted NIK, or name + birth date + mother's name), and "
        "lists families to propose, persons to remove (MENINGGAL, PINDAH, GANDA, TIDAK LAYAK), "
        "persons to verify and targeting checks per programme's desil cut-off, each with its "
        "evidence and source rows. Reads back the statuses operators wrote in "
        "reports/musdes/<village>.xlsx, then writes those workbooks again."
    ),
)
def deliberation_items(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    cutoffs = programme_cutoffs(os.environ.get(CUTOFFS_ENV))
    with settings.work_store().session() as con:
        summary = musdes_kecamatan(
            con,
            settings.kecamatan(),
            settings.curated_path,
            Path(settings.review_dir),
            cutoffs,
        )
        counts = village_counts(con)
        table_meta = table_metadata(con, "deliberation_items")
    for problem in summary.status_problems:  # file, sheet, row: no personal data
        context.log.warning(
            f"{problem['workbook']} sheet {problem['sheet']} baris {problem['row']}: "
            f"{problem['message']}"
        )
    return dg.MaterializeResult(
        metadata={
            **table_meta,
            "register_rows": summary.register_rows,
            "register_outcomes": dg.MetadataValue.json(summary.register_outcomes),
            "items": dg.MetadataValue.json(summary.items),
            "statuses": dg.MetadataValue.json(summary.statuses),
            "statuses_read": summary.statuses_read,
            "status_problems": len(summary.status_problems),
            "cutoffs": cutoffs.describe(),
            "workbooks": len(summary.workbooks),
            "items_per_village": dg.MetadataValue.md(
                markdown_table(counts.to_dicts(), counts.columns) if counts.height else ""
            ),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
