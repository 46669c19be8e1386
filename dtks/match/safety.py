"""The safety line: two rows that differ in two of sex, birth date and name are two people.

Whatever identifiers two rows share (IDDTKS, NIK, KK), they are a cannot-link when they
differ in any two of:

- **sex**, as typed (a sex read from the NIK is not the row's own: a borrowed NIK gives the
  owner's);
- **birth date**, as typed, beyond a day/month swap or one digit (a date filled in from the
  NIK is unknown, not agreement; a placeholder such as 01-01 in the same year says nothing);
- **name**, beyond spelling, abbreviation and titles (the name comparison's levels
  ``exact``, ``sounds_alike``, Jaro-Winkler >= 0.88 and ``words_contained`` agree; the
  others, the hajj level included, differ).

Null never counts as agreement: a pair with one aspect that differs and none that agrees
(the others unknown) crosses the line too.

The matcher applies the line as its first hard rule (`dtks.match.rules`), before clustering,
and re-checks every pair inside the clusters it builds; `crossing_pairs` verifies the result
afterwards (the blocking check on ``reconciled_persons``).

>>> import datetime as dt
>>> rows = pl.DataFrame({"group": ["p", "p"], "nama_key": ["AHMAD FAUZI", "SITI AMINAH"],
...     "tanggal_lahir": [dt.date(1970, 1, 5), dt.date(1975, 3, 9)],
...     "tanggal_lahir_from_nik": [False, True], "tanggal_lahir_is_placeholder": [False, False],
...     "jenis_kelamin": ["L", "P"]})
>>> crossing_pairs(rows, "group").select("differ_nama", "differ_tgl", "differ_sex").rows()
[(True, False, True)]
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dtks.match.comparisons import Comparison, compute_similarities, default_comparisons
from dtks.match.features import SAFETY_FEATURES, hajji_expr, safety_feature_exprs, sound_key

NAME_COMPARISON = "nama"
# Levels of the name comparison that mean "the same name up to spelling, abbreviation, titles".
NAME_AGREES = (
    "exact",
    "sounds_alike",
    "jaro_winkler>=0.95",
    "jaro_winkler>=0.88",
    "words_contained",
)
ASPECTS = ("nama", "tgl", "sex")


def _l(column: str) -> pl.Expr:
    return pl.col(f"{column}_l")


def _r(column: str) -> pl.Expr:
    return pl.col(f"{column}_r")


def _as_number(date: pl.Expr) -> pl.Expr:
    """A date as the integer YYYYMMDD."""
    return date.dt.year().cast(pl.Int32) * 10_000 + date.dt.month() * 100 + date.dt.day()


def _digits_differing(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """How many decimal digits of two ``width``-digit integers differ (Hamming distance)."""
    return pl.sum_horizontal(
        ((left // 10**i) % 10 != (right // 10**i) % 10).cast(pl.Int8) for i in range(width)
    )


def dates_agree(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """Equal up to a day/month swap or one digit (null when either is unknown)."""
    swapped = (
        (left.dt.day() == right.dt.month())
        & (left.dt.month() == right.dt.day())
        & (left.dt.year() == right.dt.year())
    )
    one_digit = _digits_differing(_as_number(left), _as_number(right), 8) <= 1
    return (left == right) | swapped | one_digit


def date_states() -> tuple[pl.Expr, pl.Expr]:
    """(agrees, differs) of the typed birth dates; both false when unknown."""
    left, right = _l("dob_typed"), _r("dob_typed")
    known = left.is_not_null() & right.is_not_null()
    agrees = known & dates_agree(left, right)
    # A placeholder (01-01-1980) only says the year: same year is no evidence either way.
    placeholder = _l("dob_typed_placeholder") | _r("dob_typed_placeholder")
    same_year = left.dt.year() == right.dt.year()
    differs = known & ~agrees & ~(placeholder & same_year)
    return agrees.fill_null(False), differs.fill_null(False)


def sex_states() -> tuple[pl.Expr, pl.Expr]:
    left, right = _l("sex_typed"), _r("sex_typed")
    return (left == right).fill_null(False), (left != right).fill_null(False)


def name_states(comparisons: Sequence[Comparison]) -> tuple[pl.Expr, pl.Expr]:
    """(agrees, differs) of the names, read from the name comparison's level."""
    comparison = next(c for c in comparisons if c.name == NAME_COMPARISON)
    agree_idx = [i for i, code in enumerate(comparison.codes) if code in NAME_AGREES]
    null_idx = [i for i, level in enumerate(comparison.levels) if level.is_null]
    level = pl.col(f"level_{NAME_COMPARISON}")
    agrees = level.is_in(agree_idx)
    return agrees.fill_null(False), (~agrees & ~level.is_in(null_idx)).fill_null(False)


def state_columns(comparisons: Sequence[Comparison]) -> list[pl.Expr]:
    """``differ_*`` / ``agree_*`` columns for name, birth date and sex, over a pair frame."""
    exprs = []
    states = (name_states(comparisons), date_states(), sex_states())
    for name, (agrees, differs) in zip(ASPECTS, states, strict=True):
        exprs += [agrees.alias(f"agree_{name}"), differs.alias(f"differ_{name}")]
    return exprs


def crossing(agrees: Sequence[pl.Expr], differs: Sequence[pl.Expr]) -> pl.Expr:
    """The line, from per-aspect agreement and difference: two differ, or one with none agreeing."""
    differ = pl.sum_horizontal(d.cast(pl.Int8) for d in differs)
    agree = pl.sum_horizontal(a.cast(pl.Int8) for a in agrees)
    return (differ >= 2) | ((differ >= 1) & (agree == 0))


def crosses_expr(comparisons: Sequence[Comparison]) -> pl.Expr:
    """True for a pair on the far side of the line (needs ``level_nama`` and safety features)."""
    states = [name_states(comparisons), date_states(), sex_states()]
    return crossing([a for a, _ in states], [d for _, d in states])


def crossing_pairs(
    rows: pl.DataFrame,
    group: str,
    comparisons: Sequence[Comparison] | None = None,
    keep: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every pair of rows in one ``group`` (e.g. one ``person_id``) that crosses the line.

    ``rows``: clean rows (``nama_key``, ``tanggal_lahir``, ``tanggal_lahir_from_nik``,
    ``tanggal_lahir_is_placeholder``, ``jenis_kelamin``, ``nama_gelar``; missing ones count
    as unknown) with ``group``. Returns the pairs as ``<column>_l`` / ``<column>_r`` of the
    ``keep`` columns (default: every input column), ``group_l``, and ``differ_nama``,
    ``differ_tgl``, ``differ_sex`` with their ``agree_*``.
    """
    comparisons = list(comparisons or default_comparisons())
    name = next(c for c in comparisons if c.name == NAME_COMPARISON)
    kept = list(dict.fromkeys([group, *(rows.columns if keep is None else keep)]))
    frame = rows.filter(pl.len().over(group) > 1).with_row_index("_row")
    for column, dtype in (
        ("nama_key", pl.String),
        ("tanggal_lahir", pl.Date),
        ("tanggal_lahir_from_nik", pl.Boolean),
        ("tanggal_lahir_is_placeholder", pl.Boolean),
        ("jenis_kelamin", pl.String),
        ("nama_gelar", pl.String),
    ):
        present = column in frame.columns
        value = pl.col(column).cast(dtype) if present else pl.lit(None, dtype=dtype)
        frame = frame.with_columns(value.alias(column))
    working = ["nama_key", *SAFETY_FEATURES, "nama_sound", "is_hajji"]
    frame = frame.with_columns(
        *safety_feature_exprs(), sound_key("nama_key").alias("nama_sound"), hajji_expr()
    ).select("_row", *kept, *[c for c in working if c not in kept])
    pairs = (
        frame.select(pl.all().name.suffix("_l"))
        .join(frame.select(pl.all().name.suffix("_r")), left_on=f"{group}_l", right_on=f"{group}_r")
        .filter(pl.col("_row_l") < pl.col("_row_r"))
    )
    states = [f"{k}_{a}" for a in ASPECTS for k in ("agree", "differ")]
    dropped = [
        "_row_l",
        "_row_r",
        *[f"{c}_{s}" for c in working if c not in kept for s in "lr"],
    ]
    if pairs.is_empty():
        return pairs.with_columns(pl.lit(False).alias(c) for c in states).drop(dropped)
    pairs = compute_similarities(pairs, name.similarities)
    pairs = pairs.with_columns(name.level_expr().alias(f"level_{NAME_COMPARISON}"))
    agrees = [pl.col(f"agree_{a}") for a in ASPECTS]
    differs = [pl.col(f"differ_{a}") for a in ASPECTS]
    return (
        pairs.with_columns(*state_columns(comparisons))
        .filter(crossing(agrees, differs))
        .drop(*dropped, f"level_{NAME_COMPARISON}")
        .drop([c for c in pairs.columns if c.startswith("sim_")])
    )


def crossing_groups(rows: pl.DataFrame, group: str) -> pl.Series:
    """The values of ``group`` holding at least one pair across the line (as `crossing_pairs`).

    Cheaper than listing the pairs: a pair that differs in both birth date and sex crosses
    whatever the names say, so the groups holding one are settled without comparing names;
    only the other groups go through `crossing_pairs`.
    """
    frame = rows.filter(pl.col(group).is_not_null() & (pl.len().over(group) > 1))
    for column, dtype in (
        ("tanggal_lahir", pl.Date),
        ("tanggal_lahir_from_nik", pl.Boolean),
        ("tanggal_lahir_is_placeholder", pl.Boolean),
        ("jenis_kelamin", pl.String),
    ):
        value = pl.col(column).cast(dtype) if column in frame.columns else pl.lit(None, dtype)
        frame = frame.with_columns(value.alias(column))
    slim = frame.with_row_index("_row").select("_row", group, *safety_feature_exprs())
    pairs = (
        slim.select(pl.all().name.suffix("_l"))
        .join(slim.select(pl.all().name.suffix("_r")), left_on=f"{group}_l", right_on=f"{group}_r")
        .filter(pl.col("_row_l") < pl.col("_row_r"))
    )
    (_, date_differs), (_, sex_differs) = date_states(), sex_states()
    settled = pairs.filter(date_differs & sex_differs)[f"{group}_l"].unique()
    rest = frame.filter(~pl.col(group).is_in(settled.implode()))
    named = crossing_pairs(rest, group, keep=[group])[f"{group}_l"].unique()
    return pl.concat([settled, named]).unique().alias(group)
