"""Stable ids: which group keeps which id when records are corrected, merged, split or re-exported."""

from __future__ import annotations

import polars as pl
import pytest

from dtks.reconcile.ids import PERSON_IDS, assign_ids, empty_registry, new_id

Row = tuple[str, str, str | None]  # group, record key, NIK


def members(*rows: Row) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "group": [g for g, _, _ in rows],
            "seed": [g for g, _, _ in rows],
            "record_key": [k for _, k, _ in rows],
            "nik": [n for _, _, n in rows],
        },
        schema={"group": pl.String, "seed": pl.String, "record_key": pl.String, "nik": pl.String},
    )


def first_run(*rows: Row) -> tuple[dict[str, str], pl.DataFrame]:
    """Ids of a first run (empty registry) by group, and the registry it leaves."""
    result = assign_ids(members(*rows), empty_registry(), PERSON_IDS)
    return dict(result.ids.select("group", "entity_id").iter_rows()), result.registry


def origins(rows: list[Row], registry: pl.DataFrame) -> dict[str, tuple[str, str, str | None]]:
    result = assign_ids(members(*rows), registry, PERSON_IDS)
    return {g: (i, o, r) for g, i, o, r in result.ids.iter_rows()}


BASE: list[Row] = [
    ("a", "D-1", "3528110101900001"),
    ("a", "N-2", None),
    ("a", "N-3", None),
    ("b", "D-4", "3528110202900001"),
    ("c", "N-5", "3528110303900001"),
]


def test_same_groups_keep_their_ids() -> None:
    ids, registry = first_run(*BASE)
    again = origins(BASE, registry)
    assert {g: v[0] for g, v in again.items()} == ids
    assert {v[1] for v in again.values()} == {"kept"}


def test_groups_are_relabelled_freely_between_runs() -> None:
    ids, registry = first_run(*BASE)
    relabelled = [("x" + g, key, nik) for g, key, nik in BASE]
    again = origins(relabelled, registry)
    assert {g[1:]: v[0] for g, v in again.items()} == ids


def test_a_corrected_record_key_keeps_the_id_through_the_nik() -> None:
    ids, registry = first_run(*BASE)
    corrected = [*BASE[:4], ("c", "N-5-corrected-name", "3528110303900001")]
    assert origins(corrected, registry)["c"][:2] == (ids["c"], "kept")


def test_a_nik_shared_by_two_ids_does_not_vote() -> None:
    rows: list[Row] = [("a", "N-1", "3528110101900001"), ("b", "N-2", "3528110101900001")]
    _, registry = first_run(*rows)
    again = origins([("z", "N-3", "3528110101900001")], registry)
    assert again["z"][1] == "new"


def test_merge_the_larger_share_survives_and_the_other_is_merged_into_it() -> None:
    ids, registry = first_run(*BASE)
    merged = [(("ab" if g in "ab" else g), k, n) for g, k, n in BASE]
    result = assign_ids(members(*merged), registry, PERSON_IDS)
    assert result.ids.filter(pl.col("group") == "ab")["entity_id"].to_list() == [ids["a"]]
    assert result.merges.select("merged_id", "into_id").rows() == [(ids["b"], ids["a"])]


def test_split_the_larger_part_keeps_the_id_and_the_other_names_it() -> None:
    ids, registry = first_run(*BASE)
    split = [("a1", "D-1", BASE[0][2]), ("a1", "N-2", None), ("a2", "N-3", None), *BASE[3:]]
    again = origins(split, registry)
    assert again["a1"] == (ids["a"], "kept", None)
    assert again["a2"][1:] == ("split", ids["a"])
    assert again["a2"][0] not in ids.values()


def test_undoing_a_merge_gives_both_their_old_ids_back() -> None:
    ids, registry = first_run(*BASE)
    merged = [(("a" if g in "ab" else g), k, n) for g, k, n in BASE]
    registry = assign_ids(members(*merged), registry, PERSON_IDS).registry
    again = origins(BASE, registry)
    assert {g: v[0] for g, v in again.items()} == ids


def test_keys_not_seen_in_a_run_keep_their_ids_for_later() -> None:
    ids, registry = first_run(*BASE)
    without_c = assign_ids(members(*BASE[:4]), registry, PERSON_IDS).registry
    assert origins(BASE, without_c)["c"][:2] == (ids["c"], "kept")


@pytest.mark.parametrize("seed", ["D-1", "N-abc~2"])
def test_new_ids_are_opaque_hashes_of_the_seed(seed: str) -> None:
    first = new_id("P-", seed, set())
    assert first.startswith("P-") and len(first) == 18 and seed not in first
    assert new_id("P-", seed, set()) == first
    assert new_id("P-", seed, {first}) not in {first}


def test_same_input_and_empty_registry_give_the_same_ids() -> None:
    assert first_run(*BASE)[0] == first_run(*reversed(BASE))[0]
