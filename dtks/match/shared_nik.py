"""One NIK, two people: a NIK carried by rows that are different people, and whose it is.

A NIK is shared when it is typed from the head's KTP onto another member, when a child is
registered under a parent's NIK, or when one NIK sits on people of two families. Rows with
one NIK that cross the safety line (`dtks.match.safety`: different sex, birth date or name)
are different people, and so are rows whose own birth date or sex contradicts the NIK
beside rows that do not (a son under his father's NIK, with a name alike); nothing read from that NIK (its birth date, its sex) is evidence for
either of them, and the matcher never merges them.

The NIK's embedded birth date and sex usually point at its owner: a row **fits** the NIK
when its typed birth date equals the NIK's and its typed sex (if any) does too. For the
matcher, a shared NIK on a row it does not fit is no NIK at all (`dtks.match.features`). The row that does not fit is
the one to correct; when neither or both fit, both are.

>>> import datetime as dt
>>> rows = pl.DataFrame({"nik": ["3528111405700001"] * 2, "nama_key": ["AHMAD", "SITI"],
...     "tanggal_lahir": [dt.date(1970, 5, 14), dt.date(1975, 3, 9)],
...     "tanggal_lahir_from_nik": [False, False], "tanggal_lahir_is_placeholder": [False, False],
...     "jenis_kelamin": ["L", "P"], "nik_birth_date": [dt.date(1970, 5, 14)] * 2,
...     "nik_sex": ["L", "L"]})
>>> mark_shared_niks(rows).select("nik_is_shared", "nik_fits_row").rows()
[(True, True), (True, False)]
"""

from __future__ import annotations

import polars as pl

from dtks.match.features import NIK_FITS_ROW, NIK_IS_SHARED
from dtks.match.safety import crossing_pairs, dates_agree

MAX_NIK_GROUP = 50  # rows: a NIK on more rows than this is shared (or junk) whatever they say
_INDEX = "_shared_nik_row"


def nik_fits_row_expr() -> pl.Expr:
    """The NIK's birth date equals the row's typed one (a filled-in date does not count), and
    its sex the typed sex when there is one."""
    typed_date = pl.when(~pl.col("tanggal_lahir_from_nik").fill_null(False)).then(
        pl.col("tanggal_lahir")
    )
    sex_fits = pl.col("jenis_kelamin").is_null() | (pl.col("nik_sex") == pl.col("jenis_kelamin"))
    return ((pl.col("nik_birth_date") == typed_date) & sex_fits).fill_null(False)


def nik_contradicted_expr() -> pl.Expr:
    """The row's typed birth date differs from the NIK's beyond a day/month swap or one
    digit, or its typed sex differs from the NIK's."""
    typed_date = pl.when(~pl.col("tanggal_lahir_from_nik").fill_null(False)).then(
        pl.col("tanggal_lahir")
    )
    date_differs = (
        typed_date.is_not_null()
        & ~pl.col("tanggal_lahir_is_placeholder").fill_null(False)
        & ~dates_agree(typed_date, pl.col("nik_birth_date")).fill_null(True)
    )
    sex_differs = (pl.col("jenis_kelamin") != pl.col("nik_sex")).fill_null(False)
    return date_differs | sex_differs


def mark_shared_niks(clean: pl.DataFrame) -> pl.DataFrame:
    """``clean`` with ``nik_is_shared`` (its NIK is also on a different person: a row it
    crosses the safety line with) and ``nik_fits_row`` (see the module docstring).

    Only 16-digit NIKs are looked at; rows without one get False for both.
    """
    for column, dtype in (
        ("tanggal_lahir", pl.Date),
        ("tanggal_lahir_is_placeholder", pl.Boolean),
        ("tanggal_lahir_from_nik", pl.Boolean),
        ("nik_birth_date", pl.Date),
        ("nik_sex", pl.String),
        ("jenis_kelamin", pl.String),
    ):
        if column not in clean.columns:
            clean = clean.with_columns(pl.lit(None, dtype=dtype).alias(column))
    frame = clean.with_row_index(_INDEX)
    nik = pl.col("nik").str.strip_chars()
    keyed = frame.filter(nik.str.contains(r"^\d{16}$").fill_null(False)).with_columns(
        nik.alias("_nik"), pl.len().over(nik).alias("_group_size")
    )
    many = keyed.filter(pl.col("_group_size") > MAX_NIK_GROUP).select(_INDEX)
    groups = keyed.filter(pl.col("_group_size").is_between(2, MAX_NIK_GROUP))
    crossing = crossing_pairs(groups, "_nik", keep=[_INDEX])
    # a row whose own birth date or sex contradicts the NIK, beside one that does not: the
    # NIK points at the other (a son under his father's NIK, names alike, sex the same)
    contradicts = nik_contradicted_expr()
    mixed = groups.filter(contradicts.any().over("_nik") & (~contradicts).any().over("_nik"))
    shared = pl.concat(
        [
            crossing.select(pl.col(f"{_INDEX}_l").alias(_INDEX)),
            crossing.select(pl.col(f"{_INDEX}_r").alias(_INDEX)),
            mixed.select(_INDEX),
            many,
        ]
    ).unique()
    is_shared = pl.col(_INDEX).is_in(shared[_INDEX].implode())
    return frame.with_columns(
        is_shared.alias(NIK_IS_SHARED),
        (nik.str.contains(r"^\d{16}$").fill_null(False) & nik_fits_row_expr()).alias(NIK_FITS_ROW),
    ).drop(_INDEX)
