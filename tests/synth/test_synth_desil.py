"""Synthetic desil ranking lists: consistent with the families, defects at their stated rates,
read back by the ingest exactly where the truth says, and the exports untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from dtks.ingest import read_export
from dtks.synth import generate
from dtks.synth.__main__ import main
from dtks.synth.desil import DesilOptions, desil_truth_path

OPTIONS = DesilOptions(
    older_lists=("kapong",), member_lists=("blaban",), xlsx_villages=("kapong", "tamberu")
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, Path]:
    root = tmp_path_factory.mktemp("desil")
    plain, with_desil = root / "plain", root / "with"
    generate(2500, seed=11, out_dir=plain / "raw", truth_path=plain / "truth.parquet")
    generate(
        2500,
        seed=11,
        out_dir=with_desil / "raw",
        truth_path=with_desil / "truth.parquet",
        desil=OPTIONS,
    )
    return plain / "raw", plain / "truth.parquet", with_desil / "raw", with_desil / "truth.parquet"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_switching_the_lists_on_changes_no_export_and_no_registry_truth(generated) -> None:
    plain_raw, plain_truth, raw, truth = generated
    manifest = json.loads((raw / ".synth.json").read_text("utf-8"))
    exports = [f["path"] for f in manifest["files"]]
    assert exports == [
        f["path"] for f in json.loads((plain_raw / ".synth.json").read_text())["files"]
    ]
    for path in exports:
        assert _digest(raw / path) == _digest(plain_raw / path), path
    assert pl.read_parquet(truth).equals(pl.read_parquet(plain_truth))
    assert len(manifest["desil_files"]) == 14  # 13 villages, kapong twice


def test_defects_at_their_stated_rates(generated) -> None:
    *_, raw, truth = generated
    registry = pl.read_parquet(truth).filter(pl.col("row_kind") == "data")
    families = registry["true_household_id"].n_unique()
    desil = pl.read_parquet(desil_truth_path(truth))
    current = desil.filter(pl.col("periode") == pl.col("periode").max())

    def rows_with(defect: str, frame: pl.DataFrame = current) -> pl.DataFrame:
        return frame.filter(pl.col("defects").list.contains(defect))

    assert rows_with("kk_split").height >= 0.03 * families
    family_rows = current.filter(
        pl.col("row_unit") == "keluarga", pl.col("true_household_id").is_not_null()
    )
    assert rows_with("head_nik_only", family_rows).height >= 0.20 * family_rows.height
    assert rows_with("member_nik").height > 0 and rows_with("dot_zero").height > 0
    assert rows_with("absent_family").height > 0
    # rows of families absent from the exports carry no family id; every other row names one
    absent = current.filter(pl.col("true_household_id").is_null())
    assert set(absent["defects"].list.first()) <= {"kk_split", "absent_family"}
    ranked = set(current["true_household_id"].drop_nulls())
    assert 0.85 * families <= len(ranked) < families  # some families are not ranked
    # one desil per family in the current lists; the older list differs for some families
    per_family = (
        current.drop_nulls("true_household_id")
        .group_by("true_household_id")
        .agg(pl.col("desil").n_unique())
    )
    assert per_family["desil"].max() == 1
    assert rows_with("desil_changed_since", desil).height > 0
    assert desil["desil"].is_between(1, 10).all()


def test_the_ingest_reads_every_list_row_where_the_truth_says(generated) -> None:
    *_, raw, truth = generated
    registry = pl.read_parquet(truth).filter(pl.col("row_kind") == "data")
    kk_of = dict(registry.select("true_household_id", "no_kk").unique().iter_rows())
    desil = pl.read_parquet(desil_truth_path(truth))
    for source_file, expected in desil.group_by("source_file"):
        read = read_export(raw / str(source_file[0]), raw)
        assert read.status == "ok" and read.file_kind == "desil_list", read.error_message
        assert read.rows.height == 0
        got = read.desil_rows.filter(pl.col("row_kind") == "data").sort("source_row")
        expected = expected.sort("source_row")
        assert got["source_row"].to_list() == expected["source_row"].to_list()
        assert got["desil_text"].cast(pl.Int64).to_list() == expected["desil"].to_list()
        assert got["no_kk"].to_list() == expected["no_kk_written"].to_list()
        assert got["nik"].to_list() == expected["nik_written"].to_list()
        for kk, household in expected.select("no_kk_written", "true_household_id").iter_rows():
            if kk is not None and household is not None:
                assert kk.removesuffix(".0") == kk_of[household]


def test_the_command_line_writes_the_lists_only_when_asked(tmp_path: Path) -> None:
    args = ["--people", "300", "--seed", "3", "--truth", str(tmp_path / "t.parquet")]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert not list((tmp_path / "a").glob("*/Pemeringkatan*"))
    assert (
        main([*args, "--out", str(tmp_path / "b"), "--desil-lists", "--desil-xlsx", "kapong"]) == 0
    )
    assert list((tmp_path / "b" / "kapong").glob("Pemeringkatan Desil *.xlsx"))
    assert (tmp_path / "t_desil.parquet").exists()
    # a second generation into the same folder replaces its own lists without complaint
    assert main([*args, "--out", str(tmp_path / "b"), "--desil-lists"]) == 0
    assert not list((tmp_path / "b" / "kapong").glob("Pemeringkatan Desil *.xlsx"))
