"""The sample has exactly the people asked for; rows, households and villages follow from them."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dtks.region import load_kecamatan
from dtks.synth import generate


@pytest.mark.parametrize("people", [1, 40, 2000])
def test_every_person_is_listed_except_the_dropped_heads(tmp_path: Path, people: int) -> None:
    summary = generate(people, seed=9, out_dir=tmp_path / "raw", truth_path=tmp_path / "t.parquet")
    rows = pl.read_parquet(tmp_path / "t.parquet").filter(pl.col("row_kind") == "data")
    copies = rows.filter(
        pl.col("defects").list.contains("dup_in_village")
        | pl.col("defects").list.contains("dup_across_villages")
    ).height
    assert summary.people == people
    assert rows.get_column("true_person_id").n_unique() == people - summary.unlisted_heads
    assert rows.height == summary.data_rows == people - summary.unlisted_heads + copies
    assert sum(summary.rows_per_village.values()) == rows.height


def test_a_kecamatan_sample_spreads_over_all_villages_in_families(tmp_path: Path) -> None:
    summary = generate(6000, seed=9, out_dir=tmp_path / "raw", truth_path=tmp_path / "t.parquet")
    kecamatan = load_kecamatan()
    assert sorted(summary.rows_per_village) == sorted(kecamatan.slugs)
    assert min(summary.rows_per_village.values()) > 0.02 * summary.data_rows
    assert 2.8 < summary.people / summary.households < 4.2
    for slug in kecamatan.slugs:
        assert 1 <= sum(f["path"].startswith(slug + "/") for f in summary.files) <= 3
        assert (tmp_path / "raw" / slug).is_dir()
