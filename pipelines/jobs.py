"""Jobs: the full reconciliation over every village, in one run, and the tags that scope it."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg

from assets.partitions import village_partitions

# Dagster's tags for a run over a contiguous range of partitions (a single-run backfill).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

reconcile_kecamatan = dg.define_asset_job(
    name="reconcile_kecamatan",
    selection=dg.AssetSelection.all(),
    partitions_def=village_partitions,
    # Every stage holds the work store lock, so steps cannot overlap anyway; one process
    # saves each step a process start and a fresh import of the stack (seconds each).
    executor_def=dg.in_process_executor,
    description=(
        "Ingest, clean, match, reconcile and publish. The run's partition range says which "
        "villages are read again; matching and publishing always cover the whole kecamatan."
    ),
)


def villages_range_tags(first: str, last: str) -> dict[str, str]:
    """Run tags that make one run cover the villages from `first` to `last` (partition order)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def all_villages_tags() -> dict[str, str]:
    """Run tags that make one run cover every village partition (single-run backfill)."""
    keys = village_partitions.get_partition_keys()
    return villages_range_tags(keys[0], keys[-1])


def villages_covering_tags(villages: Iterable[str]) -> dict[str, str]:
    """Run tags for the smallest partition range that holds every one of `villages`.

    A range is contiguous in partition order, so villages between them are read too; that
    costs little, because ingest skips files whose content hash did not change.
    """
    keys = village_partitions.get_partition_keys()
    positions = sorted(keys.index(v) for v in set(villages))
    if not positions:
        raise ValueError("at least one village is needed for a run")
    return villages_range_tags(keys[positions[0]], keys[positions[-1]])


def villages_in_run(tags: dict[str, str]) -> list[str]:
    """The villages (partition keys) a run with these tags covers, in partition order."""
    keys = village_partitions.get_partition_keys()
    start, end = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if start in keys and end in keys:
        return keys[keys.index(start) : keys.index(end) + 1]
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    return []
