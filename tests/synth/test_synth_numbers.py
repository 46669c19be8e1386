"""True NIK and KK numbers follow the rules: region(6) + date(6) + serial(4, never 0000), unique."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from dtks.region import load_kecamatan
from dtks.synth import generate
from dtks.synth.population import PopulationBuilder, kk_issue_date


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    root = tmp_path_factory.mktemp("numbers")
    generate(4000, seed=3, out_dir=root / "raw", truth_path=root / "truth.parquet")
    truth = pl.read_parquet(root / "truth.parquet").filter(pl.col("row_kind") == "data")
    return truth.unique("true_person_id", keep="first", maintain_order=True)


def test_nik_is_16_digits_with_a_serial_that_is_never_0000(people: pl.DataFrame) -> None:
    nik = people.get_column("nik")
    assert nik.str.contains(r"^\d{16}$").all()
    assert not nik.str.ends_with("0000").any()


def test_nik_embeds_the_birth_date_with_40_added_for_women(people: pl.DataFrame) -> None:
    for nik, born, sex in people.select("nik", "tanggal_lahir", "jenis_kelamin").iter_rows():
        day = int(nik[6:8]) - (40 if sex == "P" else 0)
        assert (day, int(nik[8:10]), int(nik[10:12])) == (born.day, born.month, born.year % 100)


def test_nik_is_unique_per_person_and_never_equals_a_kk_number(people: pl.DataFrame) -> None:
    assert people.get_column("nik").n_unique() == people.height
    assert not set(people.get_column("nik")) & set(people.get_column("no_kk"))


def test_most_niks_carry_the_kecamatan_prefix_and_some_a_foreign_one(people: pl.DataFrame) -> None:
    prefix = load_kecamatan().nik_prefix
    local = people.get_column("nik").str.starts_with(prefix).mean()
    assert 0.7 < local < 0.97


def test_kk_number_is_region_issue_date_and_serial(people: pl.DataFrame) -> None:
    for kk in people.get_column("no_kk").unique().to_list():
        assert len(kk) == 16 and kk.isdigit() and not kk.endswith("0000")
        issued = date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))
        assert date(2005, 1, 1) <= issued <= date(2026, 12, 31)


def test_one_kk_per_household_and_one_household_per_kk(people: pl.DataFrame) -> None:
    pairs = people.select("true_household_id", "no_kk").unique()
    assert pairs.get_column("true_household_id").n_unique() == pairs.height
    assert pairs.get_column("no_kk").n_unique() == pairs.height


def test_placeholder_birth_dates_occur_at_a_realistic_rate(people: pl.DataFrame) -> None:
    share = people.get_column("tanggal_lahir_is_placeholder").mean()
    assert 0.03 < share < 0.15
    placeholders = people.filter(pl.col("tanggal_lahir_is_placeholder")).get_column("tanggal_lahir")
    assert set(zip(placeholders.dt.day(), placeholders.dt.month(), strict=True)) <= {
        (1, 1),
        (31, 12),
        (1, 7),
    }


def test_children_have_the_wife_as_mother(people: pl.DataFrame) -> None:
    wives = people.filter(pl.col("hubungan_keluarga") == "ISTRI").select(
        "true_household_id", wife="nama"
    )
    children = people.filter(pl.col("hubungan_keluarga") == "ANAK").join(
        wives, on="true_household_id"
    )
    assert children.height > 100
    assert (children.get_column("nama_ibu_kandung") == children.get_column("wife")).all()


def test_names_are_many_and_skewed(people: pl.DataFrame) -> None:
    names = people.get_column("nama")
    assert names.n_unique() > 0.5 * people.height
    first = names.str.split(" ").list.first().value_counts(sort=True)
    assert first.get_column("nama")[0] in {"SITI", "MOH.", "MUHAMMAD", "MOHAMMAD", "NUR", "ABDUL"}


@pytest.mark.parametrize(
    ("description", "after"),
    [
        ("old KK issued late: the new one comes later", date(2024, 5, 1)),
        ("old KK issued last month: the day after", date(2026, 10, 2)),
        ("old KK issued before the head turned 17: the draw as without it", date(2005, 3, 1)),
    ],
)
def test_a_new_kk_is_issued_after_the_old_one_without_changing_other_draws(
    description: str, after: date
) -> None:
    def builder() -> PopulationBuilder:
        return PopulationBuilder(random.Random(7), load_kecamatan())

    plain, later = builder(), builder()
    head = plain.person("H1", "P", 24, "KEPALA KELUARGA", "KAWIN")
    later.person("H1", "P", 24, "KEPALA KELUARGA", "KAWIN")
    kk_plain, kk_later = plain.kk_number(head), later.kk_number(head, after=after)
    assert kk_issue_date(kk_later) > after, description
    if kk_issue_date(kk_plain) > after:
        assert kk_later == kk_plain, description
    assert plain.rng.random() == later.rng.random(), description  # same draws from here on
