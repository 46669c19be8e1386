"""The reconciled dataset of one run: persons, households, stable ids, deactivations, changes.

`reconcile_dataset` is a pure function of this run's clean rows and clusters and of the
state the last successful publish left behind (the id registry and the published snapshot);
the stage runner stores its result, and the publish stage commits the new state only once
the files are out.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dtks.match.identifiers import IDDTKS_PERSON
from dtks.match.keys import legacy_record_keys
from dtks.match.shared_nik import nik_fits_row_expr
from dtks.reconcile.changes import (
    TRACKED_HOUSEHOLD_FIELDS,
    TRACKED_PERSON_FIELDS,
    empty_changes,
    entity_changes,
)
from dtks.reconcile.deactivations import cancelled_duplicates, deactivations
from dtks.reconcile.golden import (
    LINEAGE,
    PERSON_ID,
    RECENCY,
    SOURCE_ROW_KEY,
    golden_persons,
    source_row_key_expr,
    with_recency,
)
from dtks.reconcile.households import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_KEY,
    build_households,
    household_keys,
    with_listed_roles,
)
from dtks.reconcile.ids import (
    FITTING_NIK,
    GROUP,
    HOUSEHOLD_IDS,
    IS_HEAD,
    LEGACY_RECORD_KEY,
    PERSON_IDS,
    SEED,
    IdAssignment,
    assign_ids,
    empty_registry,
)

MERGES_COLUMNS = ("entity", "merged_id", "into_id", "count_members", "run_id")


@dataclass(frozen=True)
class ReconciledDataset:
    """Everything reconcile hands to publish.

    - ``sources``: every clean row with ``person_id``, ``record_key`` and ``source_row_key``;
    - ``persons`` / ``households``: golden records with stable ids;
    - ``deactivations``: source rows to deactivate upward;
    - ``changes``: the change log against the previous publish;
    - ``registry`` / ``merges``: the id state to commit when the publish succeeds.
    """

    sources: pl.DataFrame
    persons: pl.DataFrame
    households: pl.DataFrame
    deactivations: pl.DataFrame
    changes: pl.DataFrame
    registry: pl.DataFrame
    merges: pl.DataFrame

    def person_snapshot(self) -> pl.DataFrame:
        """What the next run compares against: ids, tracked fields and the row kept upward
        (the next run's cancelled duplicates leave it out)."""
        return self.persons.select(PERSON_ID, *TRACKED_PERSON_FIELDS, "primary_source_row_key")

    def household_snapshot(self) -> pl.DataFrame:
        return self.households.select("household_id", *TRACKED_HOUSEHOLD_FIELDS)


def reconcile_dataset(
    clean: pl.DataFrame,
    clusters: pl.DataFrame,
    pairs: pl.DataFrame | None = None,
    source_files: pl.DataFrame | None = None,
    registry: pl.DataFrame | None = None,
    previous_persons: pl.DataFrame | None = None,
    previous_households: pl.DataFrame | None = None,
    run_id: str = "",
    named_kks: pl.DataFrame | None = None,
) -> ReconciledDataset:
    """Golden persons and households with stable ids, and what changed since the last publish.

    ``clean``: clean rows (docs/architecture.md); ``clusters``: the matcher's row ->
    ``record_key``, ``cluster_id``; ``pairs``: the match pairs (for ``needs_review``);
    ``source_files``: for the export date of each row; ``registry``, ``previous_*``: the
    state of the last successful publish (None before the first one); ``named_kks``: the KK
    the ranking lists name for each NIK (`dtks.desil.named_kks`), evidence of a person's family.
    """
    registry = registry if registry is not None else empty_registry()
    rows = _rows_with_clusters(clean, clusters)
    owners = (
        previous_persons.select(PERSON_ID, "nik").rename({PERSON_ID: "entity_id"})
        if previous_persons is not None and "nik" in previous_persons.columns
        else None
    )
    person_ids = assign_ids(_person_members(rows), registry, PERSON_IDS, owners)
    sources = _sources_with_ids(rows, person_ids)
    persons = golden_persons(with_recency(sources, source_files), pairs)

    keys = household_keys(persons, sources, named_kks)
    persons = with_listed_roles(persons, keys)
    households = build_households(persons, keys)
    household_ids = assign_ids(_household_members(keys), registry, HOUSEHOLD_IDS)
    households = _households_with_ids(households, household_ids)
    persons = persons.drop("household_id").join(
        keys.join(households.select(HOUSEHOLD_KEY, "household_id"), on=HOUSEHOLD_KEY).select(
            PERSON_ID, "household_id"
        ),
        on=PERSON_ID,
        how="left",
    )
    persons = persons.select(PERSON_ID, "household_id", pl.exclude(PERSON_ID, "household_id")).sort(
        PERSON_ID
    )
    households = households.drop(HOUSEHOLD_KEY).sort("household_id")

    changes = pl.concat(
        [
            empty_changes(),
            entity_changes(
                "person",
                PERSON_ID,
                TRACKED_PERSON_FIELDS,
                previous_persons,
                persons,
                person_ids.merges,
                _splits(person_ids),
                run_id,
            ),
            entity_changes(
                "household",
                "household_id",
                TRACKED_HOUSEHOLD_FIELDS,
                previous_households,
                households,
                household_ids.merges,
                _splits(household_ids),
                run_id,
            ),
        ]
    )
    return ReconciledDataset(
        sources=sources,
        persons=persons,
        households=households,
        deactivations=_with_cancellations(
            deactivations(sources, persons), sources, _splits(person_ids), previous_persons
        ),
        changes=changes,
        registry=pl.concat([person_ids.registry, household_ids.registry]),
        merges=pl.concat(
            [
                person_ids.merges.with_columns(pl.lit("person").alias("entity")),
                household_ids.merges.with_columns(pl.lit("household").alias("entity")),
            ]
        )
        .with_columns(pl.lit(run_id).alias("run_id"))
        .select(*MERGES_COLUMNS),
    )


def _rows_with_clusters(clean: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """Clean rows with their cluster, record key and person-level IDDTKS (the matcher's reading
    of the column, `dtks.match.identifiers`; the raw IDDTKS when the clusters lack it)."""
    clean = clean.drop(IDDTKS_PERSON, strict=False)
    if IDDTKS_PERSON not in clusters.columns:
        clean = clean.with_columns(pl.col("iddtks").alias(IDDTKS_PERSON))
        clusters = clusters.select(*LINEAGE, "record_key", "cluster_id")
    else:
        clusters = clusters.select(*LINEAGE, "record_key", "cluster_id", IDDTKS_PERSON)
    joined = clean.join(
        clusters,
        on=LINEAGE,
        how="left",
        maintain_order="left",
    )
    missing = joined.filter(pl.col("cluster_id").is_null()).height
    if missing:
        raise RuntimeError(f"{missing} clean rows have no cluster: matching lost rows")
    return joined.with_columns(source_row_key_expr())


def _person_members(rows: pl.DataFrame) -> pl.DataFrame:
    """Per row: its cluster, and the keys that carry a person id from one run to the next."""
    sound_nik = pl.col("nik_is_valid").fill_null(False) & ~pl.col(
        "nik_possibly_truncated"
    ).fill_null(False)
    # only an IDDTKS that identifies a person carries a person id; a family id never does,
    # but the record key it made finds the id a wrongly merged family was published under
    iddtks = pl.col(IDDTKS_PERSON).str.strip_chars()
    legacy = legacy_record_keys(rows["iddtks"], rows[IDDTKS_PERSON])
    fits = sound_nik & pl.col("nik").is_not_null() & nik_fits_row_expr()
    return rows.with_columns(legacy).select(
        LEGACY_RECORD_KEY,
        pl.when(fits).then(pl.col("nik")).alias(FITTING_NIK),
        (pl.col("hubungan_keluarga") == "KEPALA KELUARGA").fill_null(False).alias(IS_HEAD),
        pl.col("cluster_id").alias(GROUP),
        pl.col("cluster_id").alias(SEED),
        "record_key",
        pl.when(iddtks != "").then(iddtks).alias("iddtks"),
        pl.when(sound_nik).then(pl.col("nik")).alias("nik"),
    )


def _sources_with_ids(rows: pl.DataFrame, ids: IdAssignment) -> pl.DataFrame:
    with_ids = rows.join(
        ids.ids.select(pl.col(GROUP).alias("cluster_id"), pl.col("entity_id").alias(PERSON_ID)),
        on="cluster_id",
        how="left",
        maintain_order="left",
    )
    first = [PERSON_ID, *LINEAGE, "record_key", SOURCE_ROW_KEY]
    return with_ids.select(*first, pl.exclude(*first, "cluster_id", RECENCY, IDDTKS_PERSON)).sort(
        LINEAGE
    )


def _household_members(keys: pl.DataFrame) -> pl.DataFrame:
    return keys.select(
        pl.col(HOUSEHOLD_KEY).alias(GROUP),
        pl.col(PERSON_ID).min().over(HOUSEHOLD_KEY).alias(SEED),
        PERSON_ID,
        pl.col(HOUSEHOLD_KEY).alias("no_kk"),
    )


def _households_with_ids(households: pl.DataFrame, ids: IdAssignment) -> pl.DataFrame:
    return (
        households.drop("household_id")
        .join(
            ids.ids.select(
                pl.col(GROUP).alias(HOUSEHOLD_KEY), pl.col("entity_id").alias("household_id")
            ),
            on=HOUSEHOLD_KEY,
            how="left",
        )
        .select(HOUSEHOLD_KEY, *HOUSEHOLD_COLUMNS)
    )


def _with_cancellations(
    deactivated: pl.DataFrame,
    sources: pl.DataFrame,
    splits: pl.DataFrame,
    previous_persons: pl.DataFrame | None,
) -> pl.DataFrame:
    """The deactivations, and the cancelled duplicate requests of rows split off a person."""
    if previous_persons is None or previous_persons.is_empty():
        return deactivated
    cancelled = cancelled_duplicates(sources, deactivated, splits, previous_persons)
    return pl.concat([deactivated, cancelled]).sort(
        "village", "source_file", "source_sheet", "source_row"
    )


def _splits(ids: IdAssignment) -> pl.DataFrame:
    return ids.ids.filter(pl.col("origin") == "split").select("entity_id", "related_id")
