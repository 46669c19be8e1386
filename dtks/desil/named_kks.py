"""Which KK the SIKS-NG ranking lists name for a NIK: evidence of family membership.

DTSEN takes its families from Dukcapil, so a ranking row that carries a NIK and a Nomor KK says
that this person belongs to that family now. The reconcile stage uses it to complete a KK
that Excel wrote in scientific notation (`dtks.reconcile.households`).

It does not choose between two sound KKs a person is listed under: the lists of two villages
of one period may both name a person who moved, the old village's under the old KK (tried on
the sample: the old KK then won over the newer one more often than the list settled a move).

Only rows that say it plainly count: data rows of the village lists (a kecamatan-wide list is
read after reconciling), a 16-digit NIK and a 16-digit KK, neither possibly cut by Excel. Per
NIK the newest period decides; a NIK named under two KKs in it names none.
"""

from __future__ import annotations

import polars as pl

from dtks.desil.match import KECAMATAN_LISTS, prepare_rows

NAMED_KK_COLUMNS: dict[str, pl.DataType] = {"nik": pl.String(), "no_kk": pl.String()}


def kks_named_by_lists(raw: pl.DataFrame | None, files: pl.DataFrame | None = None) -> pl.DataFrame:
    """``nik`` -> the ``no_kk`` the newest ranking list naming it gives (one per NIK).

    ``raw``: the store's ``desil_raw_rows`` (None or empty: no evidence); ``files``:
    ``source_files``, for the period of a list that says none.
    """
    if raw is None or raw.is_empty():
        return pl.DataFrame(schema=NAMED_KK_COLUMNS)
    sound = (
        (pl.col("row_kind") == "data")
        & pl.col("nik").is_not_null()
        & ~pl.col("nik_possibly_truncated").fill_null(False)
        & pl.col("no_kk").is_not_null()
        & ~pl.col("no_kk_possibly_truncated").fill_null(False)
    )
    named = (
        prepare_rows(raw.filter(pl.col("village") != KECAMATAN_LISTS), files)
        .filter(sound)
        .select("nik", "no_kk", pl.col("desil_period").fill_null(pl.date(1900, 1, 1)))
        .unique()
    )
    newest = named.filter(pl.col("desil_period") == pl.col("desil_period").max().over("nik"))
    return (
        newest.filter(pl.col("no_kk").n_unique().over("nik") == 1)
        .select("nik", "no_kk")
        .unique()
        .sort("nik")
        .collect()
        .cast(NAMED_KK_COLUMNS)
    )
