"""Each SIKS-NG convention knob is recorded in the truth and shows in the written rows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from dtks.synth import generate
from dtks.synth.conventions import FAMILY_ID_OFFSET, Conventions
from dtks.synth.defects import DEFAULT_RATES, resolve_rates

FAMILY, MEMBER, ABSENT, NO_NIK = "bujur-barat", "pangereman", "kapong", "blaban"
CONVENTIONS = Conventions(
    iddtks={FAMILY: "family", MEMBER: "member", ABSENT: "absent"},
    nik_from_family=0.02,
    nik_from_other_family=0.01,
    villages_without_nik=(NO_NIK,),
    kk_changed=0.3,
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, pl.DataFrame, dict]:
    root = tmp_path_factory.mktemp("conventions")
    generate(
        3000,
        seed=12,
        out_dir=root / "raw",
        truth_path=root / "truth.parquet",
        conventions=CONVENTIONS,
        xlsx_share=0.0,
    )
    truth = pl.read_parquet(root / "truth.parquet").filter(pl.col("row_kind") == "data")
    manifest = json.loads((root / "raw" / ".synth.json").read_text("utf-8"))
    return root / "raw", truth, manifest


def _tagged(truth: pl.DataFrame, tag: str) -> pl.DataFrame:
    return truth.filter(pl.col("defects").list.contains(tag))


def _lent_niks(truth: pl.DataFrame, tag: str) -> pl.DataFrame:
    """Rows tagged `tag` whose NIK is written in full, with the digits written as `lent`."""
    rows = _tagged(truth, tag).filter(~pl.col("defects").list.contains("nik_numeric"))
    rows = rows.drop_nulls("nik_written")  # the village without NIK writes none
    return rows.with_columns(pl.col("nik_written").str.replace_all(r"\D", "").alias("lent"))


def _header_of(raw: Path, path: str) -> str:
    lines = (raw / path).read_text("utf-8-sig", errors="replace").splitlines()
    return next(line for line in lines if re.search("NAMA", line, re.IGNORECASE))


def test_manifest_records_the_conventions(generated) -> None:
    _, _, manifest = generated
    assert manifest["conventions"]["iddtks"][FAMILY] == "family"
    assert manifest["conventions"]["villages_without_nik"] == [NO_NIK]


def test_family_iddtks_is_one_id_per_kk_family_on_every_member(generated) -> None:
    _, truth, _ = generated
    rows = truth.filter((pl.col("village") == FAMILY) & pl.col("iddtks").is_not_null())
    rows = rows.filter(~pl.col("defects").list.contains("kk_changed"))
    per_family = rows.group_by("true_household_id").agg(pl.col("iddtks").n_unique().alias("n"))
    assert per_family["n"].max() == 1
    shared = rows.group_by("iddtks").agg(pl.col("true_person_id").n_unique().alias("people"))
    assert shared["people"].max() >= 3  # a family id names several people
    number = rows["iddtks"].str.slice(6).cast(pl.Int64)
    assert (number > FAMILY_ID_OFFSET).all()


def test_member_iddtks_is_the_family_id_plus_a_sequence_number(generated) -> None:
    _, truth, _ = generated
    rows = truth.filter((pl.col("village") == MEMBER) & pl.col("iddtks").is_not_null())
    assert (rows["iddtks"].str.len_chars() == 17).all()
    family = rows["iddtks"].str.slice(0, 15)
    heads = rows.filter(
        (pl.col("hubungan_keluarga") == "KEPALA KELUARGA")
        & ~pl.col("defects").list.contains("kk_changed")
    )
    assert (heads["iddtks"].str.slice(15) == "01").all()
    firsts = rows.filter(~pl.col("defects").list.contains("dup_in_village"))
    per_person = firsts.group_by("iddtks").agg(pl.col("true_person_id").n_unique().alias("n"))
    assert per_person["n"].max() == 1  # a member id names one person
    assert family.n_unique() < rows.height


def test_absent_iddtks_has_no_column_and_other_villages_keep_person_ids(generated) -> None:
    raw, truth, manifest = generated
    assert (
        truth.filter(pl.col("village") == ABSENT)["iddtks"].null_count()
        == truth.filter(pl.col("village") == ABSENT).height
    )
    for f in manifest["files"]:
        if f["path"].startswith(ABSENT + "/"):
            assert "IDDTKS" not in _header_of(raw, f["path"]).upper()
    person_mode = truth.filter(pl.col("village") == "tamberu").drop_nulls("iddtks")
    assert (person_mode["iddtks"].str.slice(6).cast(pl.Int64) < FAMILY_ID_OFFSET).all()


def test_village_without_nik_writes_no_nik_and_no_kk(generated) -> None:
    raw, truth, manifest = generated
    rows = truth.filter(pl.col("village") == NO_NIK)
    assert rows.height > 0
    assert rows["nik_written"].null_count() == rows.height
    assert rows["no_kk_written"].null_count() == rows.height
    assert _tagged(truth, "village_without_nik").height == rows.height
    for f in manifest["files"]:
        if f["path"].startswith(NO_NIK + "/"):
            header = _header_of(raw, f["path"]).upper()
            assert "NIK" not in header.replace("NAMA", "")
            assert "KK" not in header.replace("KEPALA", "")


def test_nik_borrowed_in_family_is_another_members_true_nik(generated) -> None:
    _, truth, _ = generated
    lent = _lent_niks(truth, "nik_borrowed_family")
    assert lent.height >= 20
    assert (lent["lent"] != lent["nik"]).all()
    members = truth.select(pl.col("nik").alias("lent"), "true_household_id").unique()
    same_family = lent.join(members, on=["lent", "true_household_id"], how="semi")
    # the lender is listed in the borrower's KK (unless the lender is an unlisted head)
    assert same_family.height >= 0.9 * lent.height


def test_nik_borrowed_from_another_family_is_that_familys_persons(generated) -> None:
    _, truth, _ = generated
    lent = _lent_niks(truth, "nik_borrowed_other")
    assert lent.height >= 10
    owners = truth.select(
        pl.col("nik").alias("lent"), pl.col("true_household_id").alias("owner_household")
    ).unique("lent")
    joined = lent.join(owners, on="lent")
    assert joined.height == lent.height
    assert (joined["owner_household"] != joined["true_household_id"]).all()


def test_kk_changed_child_heads_a_new_kk_sometimes_under_the_parents_iddtks(generated) -> None:
    _, truth, _ = generated
    moved = _tagged(truth, "kk_changed")
    assert moved.height >= 20
    assert (moved["hubungan_keluarga"] == "KEPALA KELUARGA").all()
    old = _tagged(truth, "kk_changed_old_listing")
    assert 0 < old.height < moved.height
    pairs = moved.join(old, on="true_person_id", suffix="_old")
    assert pairs.height == old.height
    assert (pairs["no_kk"] != pairs["no_kk_old"]).all()
    assert (_issued(pairs["no_kk"]) > _issued(pairs["no_kk_old"])).all()  # the new KK is newer


def _issued(no_kk: pl.Series) -> pl.Series:
    return no_kk.str.slice(6, 6).str.to_date("%d%m%y")


def test_kk_changed_child_keeps_the_parents_family_iddtks_sometimes(tmp_path: Path) -> None:
    generate(
        3000,
        seed=4,
        out_dir=tmp_path / "raw",
        truth_path=tmp_path / "t.parquet",
        conventions=Conventions(iddtks="family", kk_changed=0.5),
    )
    truth = pl.read_parquet(tmp_path / "t.parquet").filter(pl.col("row_kind") == "data")
    moved = _tagged(truth, "kk_changed").drop_nulls("iddtks")
    family_of_id = moved["iddtks"].str.slice(6).cast(pl.Int64) - FAMILY_ID_OFFSET
    own_new_kk = family_of_id == moved["true_household_id"].str.slice(1).cast(pl.Int64)
    assert 0.25 < own_new_kk.mean() < 0.55  # 40 % carry the new KK's id, 60 % the parents'


def test_defect_scale_multiplies_row_defect_rates_only() -> None:
    doubled = resolve_rates(None, 2.0)
    assert doubled["nik_typo"] == pytest.approx(2 * DEFAULT_RATES["nik_typo"])
    assert doubled["title_rows"] == DEFAULT_RATES["title_rows"]  # a layout rate
    assert resolve_rates({"nik_typo": 0.0}, 2.0)["nik_typo"] == 0.0  # overrides come last


def test_defect_scale_doubles_the_planted_rows(tmp_path: Path) -> None:
    counts = []
    for scale in (1.0, 2.0):
        summary = generate(
            2000,
            seed=3,
            out_dir=tmp_path / f"raw{scale}",
            truth_path=tmp_path / f"t{scale}.parquet",
            conventions=Conventions(defect_scale=scale),
        )
        counts.append(summary.defect_counts["nik_typo"])
    assert counts[1] == pytest.approx(2 * counts[0], rel=0.1)


def test_unknown_mode_or_village_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="IDDTKS mode"):
        Conventions(iddtks="household")
    with pytest.raises(ValueError, match="unknown village"):
        generate(
            100,
            seed=1,
            out_dir=tmp_path / "raw",
            truth_path=tmp_path / "t.parquet",
            conventions=Conventions(villages_without_nik=("atlantis",)),
        )


def test_cli_takes_the_conventions(tmp_path: Path) -> None:
    from dtks.synth.__main__ import main

    code = main(
        [
            "--people", "300", "--seed", "2", "--out", str(tmp_path / "raw"),
            "--truth", str(tmp_path / "t.parquet"), "--iddtks", "family",
            "--village-without-nik", NO_NIK, "--nik-from-family", "0.05",
        ]
    )  # fmt: skip
    assert code == 0
    manifest = json.loads((tmp_path / "raw" / ".synth.json").read_text("utf-8"))
    assert manifest["conventions"]["iddtks"] == "family"
    truth = pl.read_parquet(tmp_path / "t.parquet")
    assert _tagged(truth.filter(pl.col("row_kind") == "data"), "nik_borrowed_family").height > 0
