"""Every defect class occurs when its rate is above zero, shows in the written values, and vanishes at zero."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from dtks.region import load_kecamatan
from dtks.synth import Summary, generate
from dtks.synth.defects import DEFECTS, resolve_rates
from dtks.synth.vocab import MONTHS_FULL, MONTHS_SHORT

ROW_DEFECTS = [d.name for d in DEFECTS if d.scope in ("row", "household")]
LAYOUT_DEFECTS = [d.name for d in DEFECTS if d.scope in ("sheet", "file", "village")]
KECAMATAN = load_kecamatan()
MONTH_NUMBER = {m.upper(): i for i, m in enumerate(MONTHS_FULL, 1)} | {
    a.upper(): i for i, group in enumerate(MONTHS_SHORT, 1) for a in group
}


def _generate(root: Path, **kwargs) -> tuple[pl.DataFrame, Summary]:
    summary = generate(out_dir=root / "raw", truth_path=root / "truth.parquet", **kwargs)
    return pl.read_parquet(root / "truth.parquet"), summary


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, Summary]:
    return _generate(tmp_path_factory.mktemp("defective"), people=4000, seed=2, xlsx_share=0.5)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, Summary]:
    return _generate(tmp_path_factory.mktemp("clean"), people=1500, seed=2, rates={"all": 0.0})


def data_rows(truth: pl.DataFrame, defect: str | None = None) -> pl.DataFrame:
    rows = truth.filter(pl.col("row_kind") == "data")
    return rows if defect is None else rows.filter(pl.col("defects").list.contains(defect))


def parse_written_date(text: str) -> tuple[int, int, int]:
    """(day, month, year) of a text date in any of the styles the generator writes."""
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
        return int(m[3]), int(m[2]), int(m[1])
    if m := re.fullmatch(r"(\d{1,2})[-/](\d{1,2})[-/](\d{2,4})", text):
        return int(m[1]), int(m[2]), int(m[3])
    m = re.fullmatch(r"(\d{1,2}) (\w+) (\d{2,4})", text)
    assert m, text
    return int(m[1]), MONTH_NUMBER[m[2].upper()], int(m[3])


@pytest.mark.parametrize("defect", ROW_DEFECTS)
def test_every_row_defect_occurs_at_about_its_rate(defective, defect: str) -> None:
    truth, summary = defective
    rate = resolve_rates()[defect]
    count = data_rows(truth, defect).height
    assert count > 0
    if defect not in ("kk_no_head", "kk_two_heads"):  # household rates count households
        assert 0.5 * rate * summary.data_rows <= count <= 2.5 * rate * summary.data_rows + 5


@pytest.mark.parametrize("defect", LAYOUT_DEFECTS)
def test_every_layout_defect_occurs_in_some_file(defective, defect: str) -> None:
    _, summary = defective
    assert any(defect in f["features"] for f in summary.files)


def test_no_defect_occurs_when_every_rate_is_zero(clean) -> None:
    truth, summary = clean
    rows = data_rows(truth)
    assert rows.get_column("defects").list.len().max() == 0
    assert (truth.get_column("row_kind") == "data").all()
    assert not any(f["features"] for f in summary.files)
    assert rows.get_column("true_person_id").is_unique().all()
    assert (rows.get_column("nik_written") == rows.get_column("nik")).all()
    assert (rows.get_column("no_kk_written") == rows.get_column("no_kk")).all()
    assert (rows.get_column("nama_written") == rows.get_column("nama")).all()
    assert (
        rows.get_column("nama_ibu_kandung_written") == rows.get_column("nama_ibu_kandung")
    ).all()
    assert rows.get_column("keterangan_written").is_null().all()
    heads = (
        rows.filter(pl.col("hubungan_keluarga") == "KEPALA KELUARGA")
        .group_by("true_household_id")
        .len()
    )
    assert heads.height == rows.get_column("true_household_id").n_unique()
    assert (heads.get_column("len") == 1).all()


def test_one_defect_at_zero_leaves_the_others(tmp_path: Path) -> None:
    truth, _ = _generate(
        tmp_path, people=1500, seed=4, rates={"nik_missing": 0.0, "name_case": 0.0}
    )
    defects = set(data_rows(truth).get_column("defects").explode().drop_nulls())
    assert "nik_missing" not in defects and "name_case" not in defects
    assert {"nik_typo", "dup_in_village", "hajj_name"} <= defects
    assert data_rows(truth).get_column("nik_written").null_count() == 0


def _is_typo(true: str, typed: str) -> bool:
    diff = [i for i in range(16) if true[i] != typed[i]]
    swapped = len(diff) == 2 and diff[1] == diff[0] + 1 and true[diff[0]] == typed[diff[1]]
    return len(typed) == 16 and (len(diff) == 1 or swapped)


def test_mistyped_nik_differs_by_one_digit_or_a_swap(defective) -> None:
    rows = data_rows(defective[0], "nik_typo").filter(
        ~pl.col("defects").list.contains("nik_numeric")
    )
    for true, typed in rows.select("nik", "nik_written").iter_rows():
        assert _is_typo(true, typed.lstrip("'"))


def test_missing_nik_is_written_empty(defective) -> None:
    assert data_rows(defective[0], "nik_missing").get_column("nik_written").is_null().all()


def test_numeric_nik_loses_its_16th_digit_or_shows_in_scientific_notation(defective) -> None:
    rows = data_rows(defective[0], "nik_numeric").filter(
        ~pl.col("defects").list.contains("nik_typo")
    )
    assert rows.get_column("nik_written_is_number").any()
    for nik, written, is_number in rows.select(
        "nik", "nik_written", "nik_written_is_number"
    ).iter_rows():
        if is_number:
            assert written == nik[:15] + "0"
        else:
            assert re.fullmatch(r"\d\.\d{5}E\+15", written) and written[:3] == f"{nik[0]}.{nik[1]}"


def test_apostrophe_nik_is_the_nik_behind_an_apostrophe(defective) -> None:
    rows = data_rows(defective[0], "nik_apostrophe").filter(
        ~pl.col("defects").list.contains("nik_typo")
    )
    assert (rows.get_column("nik_written") == "'" + rows.get_column("nik")).all()


def test_hajj_name_keeps_nik_birth_date_and_mother_but_changes_the_name(defective) -> None:
    rows = data_rows(defective[0], "hajj_name")
    assert rows.get_column("nama_written").str.contains(r"^\s*(h|hj|H|HJ|Hj)\.").mean() > 0.7
    assert (rows.get_column("nama_written").str.to_uppercase() != rows.get_column("nama")).all()
    copies = rows.filter(
        pl.col("defects").list.contains("dup_in_village")
        | pl.col("defects").list.contains("dup_across_villages")
    )
    assert copies.height > 0  # half of the hajj names sit on a second listing


def test_duplicates_list_the_same_person_again(defective) -> None:
    truth = data_rows(defective[0])
    listings = truth.group_by("true_person_id").agg(pl.col("village"))
    same = data_rows(truth, "dup_in_village").join(listings, on="true_person_id")
    assert all(
        villages.count(v) >= 2
        for v, villages in same.select("village", "village_right").iter_rows()
    )
    across = data_rows(truth, "dup_across_villages").join(listings, on="true_person_id")
    assert all(len(set(villages)) >= 2 for villages in across.get_column("village_right"))
    assert (across.get_column("true_household_id") != "").all()


def test_a_person_registered_anew_in_another_village_gets_a_kk_issued_after_the_old_one(
    defective,
) -> None:
    truth = data_rows(defective[0]).with_columns(
        pl.col("no_kk").str.slice(6, 6).str.to_date("%d%m%y").alias("issued")
    )
    anew = data_rows(truth, "dup_across_villages")
    old = truth.filter(~pl.col("defects").list.contains("dup_across_villages"))
    pairs = anew.join(old, on="true_person_id", suffix="_old").filter(
        pl.col("no_kk") != pl.col("no_kk_old")
    )
    assert pairs.height >= 20
    assert (pairs["issued"] > pairs["issued_old"]).all()


@pytest.mark.parametrize(
    ("defect", "code"),
    [
        ("deceased_listed", "MENINGGAL"),
        ("keterangan_pindah", "PINDAH"),
        ("keterangan_ganda", "GANDA"),
    ],
)
def test_keterangan_defects_write_their_status(defective, defect: str, code: str) -> None:
    rows = data_rows(defective[0], defect)
    assert (rows.get_column("keterangan_kode") == code).all()
    assert rows.get_column("keterangan_written").is_not_null().all()
    if code == "MENINGGAL":
        assert rows.get_column("is_deceased").all()


def test_kk_without_head_has_no_head_row(defective) -> None:
    truth = data_rows(defective[0])
    headless = data_rows(truth, "kk_no_head").get_column("true_household_id").unique()
    heads = truth.filter(
        pl.col("true_household_id").is_in(headless.implode())
        & (pl.col("hubungan_keluarga") == "KEPALA KELUARGA")
    )
    assert heads.height == 0


def test_second_head_is_written_as_head_but_is_not_one(defective) -> None:
    rows = data_rows(defective[0], "kk_two_heads")
    assert (rows.get_column("hubungan_keluarga") != "KEPALA KELUARGA").all()
    assert (
        rows.get_column("hubungan_keluarga_written")
        .is_in(["KEPALA KELUARGA", "Kepala Keluarga", "1"])
        .all()
    )


def test_desa_column_names_another_village_or_a_variant_of_its_own(defective) -> None:
    truth = data_rows(defective[0])
    by_kode = {d.kode: d for d in KECAMATAN.desa}
    for kode, written in (
        data_rows(truth, "desa_other_village").select("desa_kode", "desa_written").iter_rows()
    ):
        assert written.upper() in {d.nama.upper() for d in KECAMATAN.desa if d.kode != kode}
    for kode, written in (
        data_rows(truth, "desa_variant").select("desa_kode", "desa_written").iter_rows()
    ):
        assert written.upper() in {v.upper() for v in by_kode[kode].variants}


def test_name_defects_change_the_written_name(defective) -> None:
    truth = defective[0]
    for defect in (
        "name_abbreviation",
        "name_title",
        "name_case",
        "name_punctuation",
        "name_spelling",
    ):
        rows = data_rows(truth, defect)
        assert (rows.get_column("nama_written") != rows.get_column("nama")).all(), defect
    rows = data_rows(truth, "ibu_spelling")
    assert (
        rows.get_column("nama_ibu_kandung_written") != rows.get_column("nama_ibu_kandung")
    ).all()


def test_clean_text_dates_read_back_as_the_true_date(defective) -> None:
    date_defects = ["date_swapped", "date_two_digit_year", "date_impossible"]
    rows = data_rows(defective[0]).filter(
        ~pl.col("defects").list.eval(pl.element().is_in(date_defects)).list.any()
    )
    for born, written, kind in rows.select(
        "tanggal_lahir", "tanggal_lahir_written", "tanggal_lahir_written_kind"
    ).iter_rows():
        if kind == "text":
            assert parse_written_date(written) == (born.day, born.month, born.year)
        elif kind == "date":
            assert written == born.isoformat()
        else:
            assert date(1899, 12, 30).toordinal() + int(written) == born.toordinal()


def test_date_defects_show_in_the_written_date(defective) -> None:
    truth = defective[0]
    for born, written, kind in (
        data_rows(truth, "date_swapped")
        .select("tanggal_lahir", "tanggal_lahir_written", "tanggal_lahir_written_kind")
        .iter_rows()
    ):
        if kind == "date":
            assert written == date(born.year, born.day, born.month).isoformat()
        else:
            assert parse_written_date(written) == (born.month, born.day, born.year)
    for born, written in (
        data_rows(truth, "date_two_digit_year")
        .select("tanggal_lahir", "tanggal_lahir_written")
        .iter_rows()
    ):
        assert parse_written_date(written) == (born.day, born.month, born.year % 100)
    for written in data_rows(truth, "date_impossible").get_column("tanggal_lahir_written"):
        day, month, year = parse_written_date(written)
        with pytest.raises(ValueError):
            date(year, month, day)


@pytest.mark.parametrize("spec", DEFECTS, ids=lambda d: d.name)
def test_package_docstring_lists_every_defect_with_its_default_rate(spec) -> None:
    import dtks.synth

    assert re.search(rf"^\s+{spec.name}\s+{spec.default_rate:g}\s", dtks.synth.__doc__ or "", re.M)
