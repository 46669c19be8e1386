"""How right the desil matching is, against the generator's truth (`dtks.synth.desil`).

- `families`: ranked families of the newest lists that the exports hold;
- `right`: of those, families whose registry family (the pipeline's household holding most of
  their rows) carries the true desil;
- `wrong_family_rows`: matched ranking rows whose family is not the row's true family (a
  desil given to another family), including rows of families absent from the exports;
- `families_folded`: of `families`, those the reconciled registry holds no household for:
  every member is one person with another family's member (a person listed in two villages
  under two KKs keeps one), so the list's row for them can only be flagged (`nik_di_dua_kk`);
  `share_right_held` is the share right among the others.
"""

from __future__ import annotations

import polars as pl


def true_family_of_households(
    persons: pl.DataFrame, sources: pl.DataFrame, truth: pl.DataFrame, households: pl.DataFrame
) -> pl.DataFrame:
    """Pipeline household_id -> its true family: the one whose true KK it carries, else the one
    most of its members' source rows belong to (a person listed in two families, merged, has
    rows of both)."""
    lineage = ["source_file", "source_sheet", "source_row"]
    data = truth.filter(pl.col("row_kind") == "data")
    by_rows = (
        sources.select("person_id", *lineage)
        .join(data.select(*lineage, "true_household_id"), on=lineage)
        .join(persons.select("person_id", "household_id"), on="person_id")
        .drop_nulls("household_id")
        .group_by("household_id")
        .agg(pl.col("true_household_id").mode().sort().first().alias("_by_rows"))
    )
    kk_owner = (
        data.select("no_kk", "true_household_id")
        .unique()
        .filter(pl.len().over("no_kk") == 1)
        .rename({"true_household_id": "_by_kk"})
    )
    return (
        households.select("household_id", "no_kk")
        .join(kk_owner, on="no_kk", how="left")
        .join(by_rows, on="household_id", how="left")
        .select("household_id", pl.coalesce("_by_kk", "_by_rows").alias("true_household_id"))
    )


def evaluate_desil(
    desil_rows: pl.DataFrame,
    households_desil: pl.DataFrame,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    sources: pl.DataFrame,
    truth: pl.DataFrame,
    desil_truth: pl.DataFrame,
) -> dict[str, float]:
    """Counts and shares of right and wrong desils (see the module docstring)."""
    owners = true_family_of_households(persons, sources, truth, households)
    lineage = ["source_file", "source_sheet", "source_row"]
    rows = desil_rows.join(
        desil_truth.select(*lineage, pl.col("true_household_id").alias("_truth_family")),
        on=lineage,
        how="left",
    ).join(owners, on="household_id", how="left")
    matched = rows.filter(pl.col("status") == "cocok")
    wrong = matched.filter(
        pl.col("_truth_family").is_null()
        | (pl.col("_truth_family") != pl.col("true_household_id")).fill_null(True)
    )
    newest = desil_truth.drop_nulls("true_household_id").filter(
        pl.col("periode") == pl.col("periode").max().over("true_household_id")
    )
    expected = newest.group_by("true_household_id").agg(pl.col("desil").first())
    got = (
        households_desil.join(owners, on="household_id")
        .drop_nulls("desil")
        .group_by("true_household_id")
        .agg(pl.col("desil").unique())
    )
    scored = expected.join(got, on="true_household_id", how="left", suffix="_got")
    right = scored.filter(pl.col("desil_got").list.len().fill_null(0) == 1).filter(
        pl.col("desil_got").list.first() == pl.col("desil")
    )
    families = expected.height
    held = expected.join(owners.drop_nulls("true_household_id"), on="true_household_id", how="semi")
    return {
        "families": families,
        "right": right.height,
        "share_right": right.height / families if families else 1.0,
        "families_folded": families - held.height,
        "share_right_held": right.height / held.height if held.height else 1.0,
        "families_without_desil": scored.filter(pl.col("desil_got").is_null()).height,
        "wrong_family_rows": wrong.height,
        "absent_family_rows_matched": matched.filter(pl.col("_truth_family").is_null()).height,
    }


def misplaced_persons(
    persons: pl.DataFrame, sources: pl.DataFrame, truth: pl.DataFrame, households: pl.DataFrame
) -> int:
    """Reconciled persons whose household is not a family any of their rows belongs to in the
    truth: a KK completed into the wrong family, or a person merged across families."""
    lineage = ["source_file", "source_sheet", "source_row"]
    data = truth.filter(pl.col("row_kind") == "data")
    families = (
        sources.join(data.select(*lineage, "true_household_id"), on=lineage)
        .group_by("person_id")
        .agg(pl.col("true_household_id").unique().alias("_families"))
    )
    owners = true_family_of_households(persons, sources, truth, households)
    placed = (
        persons.drop_nulls("household_id")
        .join(owners, on="household_id")
        .join(families, on="person_id")
    )
    return placed.filter(~pl.col("_families").list.contains(pl.col("true_household_id"))).height
