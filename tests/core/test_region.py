"""The region table: villages, codes and slugs come from data, not code."""

from __future__ import annotations

import pytest

from dtks.region import load_kecamatan, slugify


def test_pilot_kecamatan_has_thirteen_villages_in_code_order() -> None:
    kec = load_kecamatan("35.28.11")
    assert [d.kode for d in kec.desa] == [f"35.28.11.{2000 + i}" for i in range(1, 14)]
    assert kec.slugs[0] == "bujur-barat"
    assert kec.slugs[-1] == "bujur-timur"
    assert len(set(kec.slugs)) == 13


def test_nik_prefix_is_the_kecamatan_code_without_dots() -> None:
    assert load_kecamatan("35.28.11").nik_prefix == "352811"


def test_unknown_kecamatan_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="not in the region table"):
        load_kecamatan("35.28.99")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Lesong Laok", "lesong-laok"),
        ("Batu  Bintang", "batu-bintang"),
        ("Bangserreh", "bangserreh"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug
