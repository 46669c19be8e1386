"""Jobs: the full reconciliation over every village, in one run."""

from __future__ import annotations

import dagster as dg

from pipelines.partitions import village_partitions

reconcile_kecamatan = dg.define_asset_job(
    name="reconcile_kecamatan",
    selection=dg.AssetSelection.all(),
    partitions_def=village_partitions,
    description="Ingest, clean, match and publish every village of the kecamatan in one run.",
)


def all_villages_tags() -> dict[str, str]:
    """Run tags that make one run cover every village partition (single-run backfill)."""
    keys = village_partitions.get_partition_keys()
    return {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }
