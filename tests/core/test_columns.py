"""Header spellings map to the canonical DTKS columns."""

from __future__ import annotations

import pytest

from dtks.columns import CANONICAL_COLUMNS, canonical_column


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("NIK", "nik"),
        ("No. NIK", "nik"),
        ("nomor nik", "nik"),
        ("NO KK", "no_kk"),
        ("NOKK", "no_kk"),
        ("Nomor Kartu Keluarga", "no_kk"),
        ("TGL LAHIR", "tanggal_lahir"),
        ("Tgl. Lahir", "tanggal_lahir"),
        ("JK", "jenis_kelamin"),
        ("L/P", "jenis_kelamin"),
        ("SHDK", "hubungan_keluarga"),
        ("HUB. KELUARGA", "hubungan_keluarga"),
        ("DESA/KELURAHAN", "desa"),
        ("Nama Ibu Kandung", "nama_ibu_kandung"),
        ("PBI-JK", "pbi_jk"),
        ("ID DTKS", "iddtks"),
    ],
)
def test_header_variants_map_to_canonical_column(header: str, column: str) -> None:
    assert canonical_column(header) == column


def test_unknown_header_is_an_extra_column() -> None:
    assert canonical_column("NO URUT") is None


def test_every_canonical_header_maps_to_itself() -> None:
    for column, header in CANONICAL_COLUMNS.items():
        assert canonical_column(header) == column
