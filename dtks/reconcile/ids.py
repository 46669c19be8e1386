"""Stable person and household ids: an id, once published, stays with the same person or family.

Every run regroups source rows into clusters (persons) and persons into KK families
(households). The groups of this run get their ids from the registry of the last successful
publish, which maps keys that survive a re-export to the id they belonged to:

- persons: the row's ``record_key`` first, then its IDDTKS, then its NIK (so a corrected
  name, which changes the record key of a row without IDDTKS, keeps the id);
- households: each member's ``person_id`` first, then the KK number.

Each member of a group votes for the id its first known key points at (keys that pointed at
several ids are ambiguous and do not vote). Ids are then handed out greedily, largest vote
first: an id goes to the group holding most of its members, so when a cluster splits **the
larger part keeps the id**; a group holding several ids keeps the one it holds most of, and
**the others are recorded as merged into it**. Ties go to the group whose seed made the id,
then to the smaller id, then the smaller group, so the same input always gives the same ids.

A group without an id gets a new one: ``P-`` / ``H-`` and 16 hex digits of a BLAKE2b hash of
the group's seed (a cluster id, itself a hash of record keys, or the smallest member id), so
ids are opaque (no NIK inside) and deterministic even for a fresh work store.

>>> members = pl.DataFrame({"group": ["c1", "c1", "c2"], "seed": ["c1", "c1", "c2"],
...                         "record_key": ["D-a", "D-b", "D-c"]})
>>> previous = registry_rows("person", "record_key", pl.Series(["D-a", "D-b", "D-c"]),
...                          pl.Series(["P-1", "P-2", "P-3"]))
>>> result = assign_ids(members, previous, PERSON_IDS)
>>> result.ids.sort("group").rows()
[('c1', 'P-1', 'kept', None), ('c2', 'P-3', 'kept', None)]
>>> result.merges.rows()
[('P-2', 'P-1', 1)]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

GROUP = "group"
SEED = "seed"
REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "entity": pl.String(),
    "key_kind": pl.String(),
    "key_value": pl.String(),
    "entity_id": pl.String(),
}
IDS_SCHEMA: dict[str, pl.DataType] = {
    GROUP: pl.String(),
    "entity_id": pl.String(),
    "origin": pl.String(),  # kept, new, split
    "related_id": pl.String(),  # for split: the id it split from
}
MERGES_SCHEMA: dict[str, pl.DataType] = {
    "merged_id": pl.String(),
    "into_id": pl.String(),
    "count_members": pl.UInt32(),
}


@dataclass(frozen=True)
class IdScheme:
    """Which entity, which keys in which order of trust, and the prefix of new ids.

    ``lookup_only`` key kinds find a member's previous id but are not registered again: the
    record key a row had when a family-level IDDTKS was taken for a person's id (the whole
    family shared it), which only tells where the row's id came from.
    """

    entity: str
    key_kinds: tuple[str, ...]
    prefix: str
    lookup_only: tuple[str, ...] = ()


# The record key of a row whose IDDTKS turned out to be a family id, as the code before that
# was known made it (``D-`` + the family id): the id every member of the family was given.
LEGACY_RECORD_KEY = "legacy_record_key"
REGISTERED_AS = {LEGACY_RECORD_KEY: "record_key"}  # a lookup-only kind -> where the registry has it
# Optional member columns deciding who keeps an id several groups claim (`assign_ids`): the
# member's NIK when it fits their birth date and sex, and whether they head a family.
FITTING_NIK = "fitting_nik"
IS_HEAD = "is_head"
PRIORITY = "_priority"
PERSON_IDS = IdScheme(
    "person", ("record_key", "iddtks", "nik", LEGACY_RECORD_KEY), "P-", (LEGACY_RECORD_KEY,)
)
HOUSEHOLD_IDS = IdScheme("household", ("person_id", "no_kk"), "H-")


@dataclass(frozen=True)
class IdAssignment:
    """The ids of this run's groups, the merges they imply, and the registry to commit.

    - ``ids``: one row per group: ``group``, ``entity_id``, ``origin`` (``kept`` an id of the
      registry, ``new``, or ``split`` off an id that stayed with a larger part) and
      ``related_id`` (for ``split``: that id).
    - ``merges``: ``merged_id`` -> ``into_id`` for every registered id that lost all its
      votes to a group that kept another id, with the members it brought.
    - ``registry``: the registry after this run: every key seen now -> its group's id, plus
      the keys not seen now (a village that skipped a night keeps its ids), merged ids
      redirected to their survivor.
    """

    ids: pl.DataFrame
    merges: pl.DataFrame
    registry: pl.DataFrame


def empty_registry() -> pl.DataFrame:
    return pl.DataFrame(schema=REGISTRY_SCHEMA)


def registry_rows(entity: str, key_kind: str, keys: pl.Series, ids: pl.Series) -> pl.DataFrame:
    """Registry rows ``key -> id`` of one key kind (nulls dropped)."""
    return (
        pl.DataFrame({"key_value": keys.cast(pl.String), "entity_id": ids.cast(pl.String)})
        .drop_nulls()
        .select(
            pl.lit(entity).alias("entity"),
            pl.lit(key_kind).alias("key_kind"),
            "key_value",
            "entity_id",
        )
    )


def new_id(prefix: str, seed: str, taken: set[str]) -> str:
    """``prefix`` + 16 hex digits of BLAKE2b(seed); re-hashed with ``#2``, ``#3``.. while taken."""
    attempt = 1
    while True:
        text = seed if attempt == 1 else f"{seed}#{attempt}"
        candidate = prefix + hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
        if candidate not in taken:
            return candidate
        attempt += 1


def assign_ids(
    members: pl.DataFrame,
    registry: pl.DataFrame,
    scheme: IdScheme,
    owners: pl.DataFrame | None = None,
) -> IdAssignment:
    """Ids for the groups of ``members`` (see the module docstring for the rules).

    ``members``: one row per member: ``group`` (this run's grouping, e.g. a cluster id),
    ``seed`` (text a new id is derived from; the same for every member of a group) and one
    column per key kind of ``scheme`` (null, or left out, when the member has no such key);
    optionally ``fitting_nik`` and ``is_head``. ``registry``: rows of ``REGISTRY_SCHEMA``
    (other entities are ignored). ``owners``: ``entity_id`` -> ``nik`` as last published.

    When several groups claim one id (a published person turned out to be several people),
    the group holding the member whose fitting NIK is the NIK the id was published with
    keeps it; else a group holding a head of family; then the largest vote.
    """
    missing = [k for k in scheme.key_kinds if k not in members.columns]
    members = members.with_columns(pl.lit(None, dtype=pl.String).alias(k) for k in missing)
    previous = registry.filter(pl.col("entity") == scheme.entity)
    voted = _previous_ids(members, previous, scheme.key_kinds)
    votes = (
        voted.drop_nulls("previous_id")
        .group_by(GROUP, "previous_id")
        .agg(pl.len().alias("votes"))
        .sort(GROUP, "previous_id")
    )
    votes = _with_priority(votes, members, owners)
    groups = members.group_by(GROUP).agg(pl.col(SEED).min()).sort(GROUP)
    kept = _hand_out(votes, groups, scheme.prefix)
    ids = _with_new_ids(groups, kept, votes.drop(PRIORITY), scheme.prefix)
    merges = _merges(votes, kept, ids)
    pending = _next_registry(members, ids, merges, previous, scheme)
    return IdAssignment(ids=ids, merges=merges, registry=pending)


def _previous_ids(
    members: pl.DataFrame, previous: pl.DataFrame, key_kinds: tuple[str, ...]
) -> pl.DataFrame:
    """``members`` with ``previous_id``: the id of its first key kind the registry knows."""
    unambiguous = previous.group_by("key_kind", "key_value").agg(
        pl.col("entity_id").unique().alias("ids")
    )
    unambiguous = unambiguous.filter(pl.col("ids").list.len() == 1).select(
        "key_kind", "key_value", pl.col("ids").list.first().alias("entity_id")
    )
    frame = members.select(GROUP, *key_kinds)
    found = []
    for kind in key_kinds:
        registered_as = REGISTERED_AS.get(kind, kind)
        lookup = unambiguous.filter(pl.col("key_kind") == registered_as).select(
            pl.col("key_value").alias(kind), pl.col("entity_id").alias(f"_id_{kind}")
        )
        frame = frame.join(lookup, on=kind, how="left", maintain_order="left")
        found.append(f"_id_{kind}")
    return frame.select(GROUP, pl.coalesce(*found).alias("previous_id"))


def _with_priority(
    votes: pl.DataFrame, members: pl.DataFrame, owners: pl.DataFrame | None
) -> pl.DataFrame:
    """``votes`` with `PRIORITY`: 2 when the group holds the fitting NIK the id was published
    with, 1 when it holds a head of family, else 0."""
    heads = (
        members.group_by(GROUP).agg(pl.col(IS_HEAD).fill_null(False).any().alias("_head"))
        if IS_HEAD in members.columns
        else pl.DataFrame(schema={GROUP: pl.String, "_head": pl.Boolean})
    )
    frame = votes.join(heads, on=GROUP, how="left")
    owns = pl.lit(False)
    if owners is not None and FITTING_NIK in members.columns and owners.height:
        fitting = members.select(GROUP, pl.col(FITTING_NIK).alias("_nik")).drop_nulls().unique()
        owned = (
            frame.select(GROUP, "previous_id")
            .join(
                owners.select(
                    pl.col("entity_id").alias("previous_id"), pl.col("nik").alias("_nik")
                ),
                on="previous_id",
            )
            .join(fitting, on=[GROUP, "_nik"], how="semi")
            .select(GROUP, "previous_id", pl.lit(True).alias("_owns"))
            .unique()
        )
        frame = frame.join(owned, on=[GROUP, "previous_id"], how="left")
        owns = pl.col("_owns").fill_null(False)
    return frame.with_columns(
        pl.when(owns)
        .then(2)
        .when(pl.col("_head").fill_null(False))
        .then(1)
        .otherwise(0)
        .cast(pl.Int8)
        .alias(PRIORITY)
    ).drop("_head", "_owns", strict=False)


def _hand_out(votes: pl.DataFrame, seeds: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """``group`` -> ``previous_id`` kept, each id and each group used once: the group of
    highest ``priority`` first (a person whose NIK fits their birth date and sex, then the
    head of a family: who keeps the id of a person that held a whole family), then the
    largest vote.

    Between equal votes, the group whose seed made the id in the first place wins (so a
    merge that is undone gives both persons their old ids back), then the smaller id, then
    the smaller group. Uncontested pairs (the group votes for one id only and nobody else
    votes for it) are settled in bulk; the rest go through a greedy pass in that order.
    """
    contested_group = pl.len().over(GROUP) > 1
    contested_id = pl.len().over("previous_id") > 1
    marked = votes.with_columns((contested_group | contested_id).alias("_contested"))
    settled = marked.filter(~pl.col("_contested")).select(GROUP, "previous_id")
    contested = marked.filter(pl.col("_contested")).join(seeds, on=GROUP, how="left")
    native = [
        new_id(prefix, seed, set()) == previous_id
        for seed, previous_id in zip(contested[SEED], contested["previous_id"], strict=True)
    ]
    contested = contested.with_columns(pl.Series("_native", native, dtype=pl.Boolean)).sort(
        [PRIORITY, "votes", "_native", "previous_id", GROUP],
        descending=[True, True, True, False, False],
    )
    used_groups: set[str] = set()
    used_ids: set[str] = set()
    won: list[tuple[str, str]] = []
    for group, previous_id in zip(contested[GROUP], contested["previous_id"], strict=True):
        if group in used_groups or previous_id in used_ids:
            continue
        won.append((group, previous_id))
        used_groups.add(group)
        used_ids.add(previous_id)
    winners = pl.DataFrame(won, schema={GROUP: pl.String, "previous_id": pl.String}, orient="row")
    return pl.concat([settled, winners])


def _with_new_ids(
    groups: pl.DataFrame, kept: pl.DataFrame, votes: pl.DataFrame, prefix: str
) -> pl.DataFrame:
    """One row per group: its kept id, or a new id (``split`` when its members had an id)."""
    parents = (
        votes.sort(["votes", "previous_id"], descending=[True, False])
        .unique(GROUP, keep="first")
        .select(GROUP, pl.col("previous_id").alias("_parent"))
    )
    named = groups.join(kept, on=GROUP, how="left").join(parents, on=GROUP, how="left")
    unnamed = named.filter(pl.col("previous_id").is_null())
    taken = set(kept["previous_id"])
    fresh = []
    for seed in unnamed[SEED]:
        fresh.append(new_id(prefix, seed, taken))
        taken.add(fresh[-1])
    fresh_ids = unnamed.select(GROUP).with_columns(pl.Series("_fresh", fresh, dtype=pl.String))
    is_new = pl.col("_fresh").is_not_null()
    return named.join(fresh_ids, on=GROUP, how="left").select(
        GROUP,
        pl.coalesce("previous_id", "_fresh").alias("entity_id"),
        pl.when(~is_new)
        .then(pl.lit("kept"))
        .when(pl.col("_parent").is_null())
        .then(pl.lit("new"))
        .otherwise(pl.lit("split"))
        .alias("origin"),
        pl.when(is_new).then(pl.col("_parent")).alias("related_id"),
    )


def _merges(votes: pl.DataFrame, kept: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """Registered ids no group kept whose members now sit in a group that kept another id."""
    lost = votes.join(kept.select("previous_id"), on="previous_id", how="anti")
    survivors = ids.filter(pl.col("origin") == "kept").select(GROUP, "entity_id")
    return (
        lost.join(survivors, on=GROUP, how="inner")
        .sort(["votes", "entity_id"], descending=[True, False])
        .unique("previous_id", keep="first")
        .select(
            pl.col("previous_id").alias("merged_id"),
            pl.col("entity_id").alias("into_id"),
            pl.col("votes").cast(pl.UInt32).alias("count_members"),
        )
        .sort("merged_id")
    )


def _next_registry(
    members: pl.DataFrame,
    ids: pl.DataFrame,
    merges: pl.DataFrame,
    previous: pl.DataFrame,
    scheme: IdScheme,
) -> pl.DataFrame:
    with_ids = members.join(ids.select(GROUP, "entity_id"), on=GROUP, how="left")
    current = pl.concat(
        [
            registry_rows(scheme.entity, kind, with_ids[kind], with_ids["entity_id"])
            for kind in scheme.key_kinds
            if kind not in scheme.lookup_only
        ]
    ).unique(maintain_order=True)
    redirect = merges.select(pl.col("merged_id").alias("entity_id"), "into_id")
    unseen = (
        previous.join(current, on=["key_kind", "key_value"], how="anti")
        .join(redirect, on="entity_id", how="left")
        .with_columns(pl.coalesce("into_id", "entity_id").alias("entity_id"))
    )
    # `current` is unique and `unseen` holds no key of it: only redirects can repeat a row
    return pl.concat([current, unseen.select(*REGISTRY_SCHEMA).unique(maintain_order=True)])
