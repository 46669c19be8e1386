"""Which KK the ranking lists name for a NIK: only plain rows, the newest period, never two."""

from __future__ import annotations

import polars as pl

from dtks.desil.named_kks import kks_named_by_lists
from dtks.ingest import DESIL_ROWS_SCHEMA

NIK_A, NIK_B = "3528111203800001", "3528115506820002"
KK_OLD, KK_NEW = "3528110101200001", "3528110303240003"


def _rows(*rows: tuple[str, str, str | None, str | None, str], kind: str = "data") -> pl.DataFrame:
    """(village, period, no_kk, nik, source_file) as the ingest stores desil rows."""
    records = [
        {
            "village": village,
            "source_file": source_file,
            "source_sheet": "",
            "source_row": number,
            "row_kind": kind,
            "row_unit": "keluarga",
            "no_kk": kk,
            "nik": nik,
            "desil_text": "3",
            "periode_text": period,
            "nik_was_numeric": False,
            "no_kk_was_numeric": False,
        }
        for number, (village, period, kk, nik, source_file) in enumerate(rows, 5)
    ]
    schema = {**DESIL_ROWS_SCHEMA, "village": pl.String()}
    return pl.DataFrame(records).select(
        pl.col(c).cast(t) if c in records[0] else pl.lit(None, t).alias(c)
        for c, t in schema.items()
    )


def _named(raw: pl.DataFrame) -> dict[str, str]:
    return dict(kks_named_by_lists(raw).iter_rows())


def test_a_row_with_a_nik_and_a_kk_names_that_family() -> None:
    raw = _rows(("kapong", "Juli 2026", KK_OLD, NIK_A, "kapong/desil.csv"))
    assert _named(raw) == {NIK_A: KK_OLD}


def test_the_newest_period_decides() -> None:
    raw = _rows(
        ("kapong", "Januari 2026", KK_OLD, NIK_A, "kapong/desil-2026-01.csv"),
        ("kapong", "Juli 2026", KK_NEW, NIK_A, "kapong/desil-2026-07.csv"),
    )
    assert _named(raw) == {NIK_A: KK_NEW}


def test_a_nik_named_under_two_kks_in_one_period_names_none() -> None:
    raw = _rows(
        ("kapong", "Juli 2026", KK_OLD, NIK_A, "kapong/desil.csv"),
        ("blaban", "Juli 2026", KK_NEW, NIK_A, "blaban/desil.csv"),
        ("blaban", "Juli 2026", KK_NEW, NIK_B, "blaban/desil.csv"),
    )
    assert _named(raw) == {NIK_B: KK_NEW}


def test_rows_that_do_not_say_it_plainly_name_nothing() -> None:
    raw = pl.concat(
        [
            _rows(("kapong", "Juli 2026", None, NIK_A, "kapong/desil.csv")),  # no KK
            _rows(("kapong", "Juli 2026", "3.52811E+15", NIK_A, "kapong/desil.csv")),
            _rows(("kapong", "Juli 2026", KK_OLD, "3.52811E+15", "kapong/desil.csv")),
            _rows(("_kecamatan", "Juli 2026", KK_OLD, NIK_A, "_kecamatan/desil.csv")),
            _rows(("kapong", "Juli 2026", KK_OLD, NIK_A, "kapong/desil.csv"), kind="totals"),
        ]
    )
    assert _named(raw) == {}
    assert kks_named_by_lists(None).is_empty()
