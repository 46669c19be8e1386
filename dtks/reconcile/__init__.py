"""Reconciliation: golden persons, KK households, stable ids, deactivations and the change log.

Library API (pure Polars, no Dagster, no store):

- `reconcile_dataset(clean, clusters, pairs, source_files, registry, previous_persons,
  previous_households, run_id) -> ReconciledDataset`: everything the publish stage needs.
- `SURVIVORSHIP` / `PRIMARY` (`dtks.reconcile.golden`): the survivorship rules, in one place.
- `assign_ids` (`dtks.reconcile.ids`): stable ids from the registry of the last publish.
- `entity_changes` (`dtks.reconcile.changes`): the change log of one entity.
"""

from dtks.reconcile.changes import (
    CHANGE_SCHEMA,
    TRACKED_HOUSEHOLD_FIELDS,
    TRACKED_PERSON_FIELDS,
    entity_changes,
)
from dtks.reconcile.dataset import ReconciledDataset, reconcile_dataset
from dtks.reconcile.deactivations import DEACTIVATION_COLUMNS, deactivations
from dtks.reconcile.golden import PERSON_COLUMNS, PRIMARY, SURVIVORSHIP, FieldRule, golden_persons
from dtks.reconcile.households import HOUSEHOLD_COLUMNS, build_households, household_keys
from dtks.reconcile.ids import (
    HOUSEHOLD_IDS,
    PERSON_IDS,
    REGISTRY_SCHEMA,
    IdAssignment,
    IdScheme,
    assign_ids,
)

__all__ = [
    "CHANGE_SCHEMA",
    "DEACTIVATION_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_IDS",
    "PERSON_COLUMNS",
    "PERSON_IDS",
    "PRIMARY",
    "REGISTRY_SCHEMA",
    "SURVIVORSHIP",
    "TRACKED_HOUSEHOLD_FIELDS",
    "TRACKED_PERSON_FIELDS",
    "FieldRule",
    "IdAssignment",
    "IdScheme",
    "ReconciledDataset",
    "assign_ids",
    "build_households",
    "deactivations",
    "entity_changes",
    "golden_persons",
    "household_keys",
    "reconcile_dataset",
]
