"""The committed sample under data/raw agrees with data/sample_truth.parquet and stays small."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from test_synth_readback import (
    test_nik_and_name_of_each_data_row_sit_at_the_stated_row as check_rows_sit_where_stated,
)
from test_synth_readback import (
    test_truth_rows_are_exactly_the_non_empty_rows_below_each_header as check_no_row_is_lost,
)

ROOT = Path(__file__).resolve().parents[2]
RAW, TRUTH = ROOT / "data" / "raw", ROOT / "data" / "sample_truth.parquet"

pytestmark = pytest.mark.skipif(
    not (RAW / ".synth.json").exists() or not TRUTH.exists(), reason="sample not generated"
)


@pytest.fixture(scope="module")
def sample() -> tuple[Path, pl.DataFrame, dict]:
    manifest = json.loads((RAW / ".synth.json").read_text("utf-8"))
    return RAW, pl.read_parquet(TRUTH), {f["path"]: f for f in manifest["files"]}


def test_committed_sample_is_a_kecamatan_of_20_to_40_thousand_rows_under_10_mb(sample) -> None:
    raw, truth, files = sample
    assert 20_000 <= truth.filter(pl.col("row_kind") == "data").height <= 40_000
    assert sum((raw / path).stat().st_size for path in files) < 10_000_000


def test_committed_truth_matches_the_committed_files(sample) -> None:
    check_no_row_is_lost(sample)
    check_rows_sit_where_stated(sample)
