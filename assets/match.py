"""Match: the same person found across and within villages, over all clean rows."""

import time

import dagster as dg

from assets.clean import village_clean_rows
from dtks.stages.match import match_kecamatan
from pipelines.resources import DtksSettings


@dg.asset(
    deps=[village_clean_rows],
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="match",
    kinds={"duckdb", "polars"},
    owners=["team:data-office"],
    description=(
        "Finds rows of the same person within and across villages: candidate pairs by "
        "blocking (NIK, truncated NIK, NIK typos, KK, names, birth dates), Fellegi-Sunter "
        "scores with the evidence of every comparison, safety rules that keep different "
        "people apart, and clusters. Pairs between the thresholds go to the review queue."
    ),
)
def person_matches(
    context: dg.AssetExecutionContext, settings: DtksSettings
) -> dg.MaterializeResult:
    started = time.monotonic()
    with settings.work_store().session() as con:
        summary = match_kecamatan(con)
    if summary.capped_blocks:
        context.log.info(
            f"blocks capped (too common to compare all pairs): {summary.capped_blocks}"
        )
    return dg.MaterializeResult(
        metadata={
            "rows": summary.rows,
            "persons": summary.persons,
            "persons_with_duplicates": summary.persons_with_duplicates,
            "pairs_merged": summary.pairs_by_decision.get("merged", 0),
            "pairs_review": summary.pairs_by_decision.get("review", 0),
            "pairs_distinct": summary.pairs_by_decision.get("distinct", 0),
            "merges_to_confirm": summary.needs_confirmation,
            "capped_blocks": dg.MetadataValue.json(summary.capped_blocks),
            "timings_s": dg.MetadataValue.json(summary.timings),
            "duration_s": round(time.monotonic() - started, 2),
        }
    )
