"""Declarative comparisons: each has a name and ordered levels with a code and a human label.

A comparison looks at one aspect of a candidate pair (name, birth date, NIK, ...) and says which
of its levels the pair falls in: the first level whose condition holds, like Splink's
comparison levels. Conditions are Polars expressions over the pair frame, where every feature
appears twice, suffixed ``_l`` and ``_r``; string similarities are computed once per pair by
rapidfuzz into ``sim_<kind>_<column>`` columns (`compute_similarities`).

>>> nama = Comparison("nama", (null_level("nama_key"), exact_level("nama_key"),
...                            jaro_winkler_level("nama_key", 0.92), else_level()))
>>> [level.label for level in nama.levels][2]
'Jaro-Winkler of nama_key >= 0.92'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Hamming, JaroWinkler
from rapidfuzz.process import cpdist

NULL_LEVEL = 0  # index of the null level when a comparison has one


@dataclass(frozen=True)
class Similarity:
    """A string similarity computed for every pair: ``kind`` of ``column_l`` vs ``column_r``."""

    kind: str  # "jaro_winkler" (0..1), "token_set" (0..100), "hamming" / "osa" (edit counts)
    column: str

    @property
    def output(self) -> str:
        return f"sim_{self.kind}_{self.column}"


_SCORERS = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, np.float32),
    "token_set": (fuzz.token_set_ratio, np.float32),
    "hamming": (Hamming.distance, np.int32),
    "osa": (OSA.distance, np.int32),
}


@dataclass(frozen=True)
class Level:
    """One level of a comparison: a stable ``code`` for evidence, a ``label`` for people."""

    code: str
    label: str
    condition: pl.Expr | None  # None: always true (the "else" level)
    is_null: bool = False  # neither agreement nor disagreement: weight 0
    tf_column: str | None = None  # term-frequency adjustment on this feature (e.g. "tf_nama")
    similarities: tuple[Similarity, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A named aspect of a pair with ordered levels; the first level whose condition holds fires.

    Levels are listed strongest evidence first: a level never weighs more than the levels
    above it (`dtks.match.scoring.Parameters.weights` enforces this when data are thin).
    """

    name: str
    levels: tuple[Level, ...]
    description: str = ""
    similarities: tuple[Similarity, ...] = field(init=False)

    def __post_init__(self) -> None:
        sims = {s for level in self.levels for s in level.similarities}
        object.__setattr__(self, "similarities", tuple(sorted(sims, key=lambda s: s.output)))

    def level_expr(self) -> pl.Expr:
        """Index of the level that fires, as Int8, named after the comparison."""
        expr: pl.Expr | None = None
        chain = None
        for index, level in enumerate(self.levels):
            condition = pl.lit(True) if level.condition is None else level.condition
            if chain is None:
                chain = pl.when(condition.fill_null(False)).then(pl.lit(index, pl.Int8))
            else:
                chain = chain.when(condition.fill_null(False)).then(pl.lit(index, pl.Int8))
        expr = chain.otherwise(pl.lit(len(self.levels) - 1, pl.Int8))  # type: ignore[union-attr]
        return expr.alias(self.name)

    @property
    def codes(self) -> list[str]:
        return [level.code for level in self.levels]


def _l(column: str) -> pl.Expr:
    return pl.col(f"{column}_l")


def _r(column: str) -> pl.Expr:
    return pl.col(f"{column}_r")


def null_level(*columns: str) -> Level:
    """Either side missing any of ``columns``: no evidence either way."""
    cond = pl.any_horizontal([_l(c).is_null() | _r(c).is_null() for c in columns])
    return Level("null", f"{' or '.join(columns)} missing", cond, is_null=True)


def exact_level(column: str, tf_column: str | None = None, label: str | None = None) -> Level:
    """Both sides equal; with ``tf_column`` the weight is adjusted for how common the value is."""
    text = label or f"{column} equal"
    if tf_column:
        text += " (weighted by how common the value is)"
    return Level("exact", text, _l(column) == _r(column), tf_column=tf_column)


def jaro_winkler_level(column: str, threshold: float) -> Level:
    """Jaro-Winkler similarity of ``column`` at least ``threshold``."""
    sim = Similarity("jaro_winkler", column)
    return Level(
        f"jaro_winkler>={threshold:g}",
        f"Jaro-Winkler of {column} >= {threshold:g}",
        pl.col(sim.output) >= threshold,
        similarities=(sim,),
    )


def token_subset_level(column: str) -> Level:
    """Every word of the shorter value appears in the longer one ("MOH ALI" in "MOH ALI AKBAR")."""
    sim = Similarity("token_set", column)
    return Level(
        "words_contained",
        f"all words of one {column} appear in the other",
        pl.col(sim.output) >= 100,
        similarities=(sim,),
    )


def else_level(label: str = "all other cases") -> Level:
    """The last level: nothing above held."""
    return Level("else", label, None)


def _date_levels() -> tuple[Level, ...]:
    tgl_l, tgl_r = _l("tgl"), _r("tgl")
    hamming = Similarity("hamming", "tgl_text")
    either_placeholder = _l("tgl_placeholder") | _r("tgl_placeholder")
    return (
        null_level("tgl"),
        Level(
            "exact",
            "birth date equal (weighted by how common the date is)",
            (tgl_l == tgl_r) & ~either_placeholder,
            tf_column="tf_tgl",
        ),
        Level(
            "exact_placeholder",
            "birth date equal but a placeholder (01-01, 31-12, 01-07)",
            tgl_l == tgl_r,
            tf_column="tf_tgl",
        ),
        Level(
            "day_month_swapped",
            "birth date equal with day and month swapped",
            (tgl_l.dt.day() == tgl_r.dt.month())
            & (tgl_l.dt.month() == tgl_r.dt.day())
            & (tgl_l.dt.year() == tgl_r.dt.year()),
        ),
        Level(
            "nik_date",
            "birth date of one equals the date in the other's NIK",
            (tgl_l == _r("nik_birth_date")) | (tgl_r == _l("nik_birth_date")),
        ),
        Level(
            "one_digit",
            "birth date differs in one digit",
            pl.col(hamming.output) == 1,
            similarities=(hamming,),
        ),
        Level(
            "same_year_placeholder",
            "same birth year, one date a placeholder",
            either_placeholder & (tgl_l.dt.year() == tgl_r.dt.year()),
        ),
        Level(
            "within_1_year",
            "birth dates within one year",
            (tgl_l - tgl_r).abs() <= pl.duration(days=366),
        ),
        else_level("birth dates differ"),
    )


def _nik_levels() -> tuple[Level, ...]:
    osa = Similarity("osa", "nik")
    return (
        null_level("nik"),
        Level("exact", "NIK equal", _l("nik") == _r("nik")),
        Level(
            "first_15_truncated",
            "NIK equal on the first 15 digits, one possibly truncated by Excel",
            (_l("nik15") == _r("nik15")) & (_l("nik_trunc") | _r("nik_trunc")),
        ),
        Level(
            "one_edit",
            "NIK differs in one digit or two adjacent digits swapped",
            pl.col(osa.output) == 1,
            similarities=(osa,),
        ),
        else_level("NIK differs"),
    )


def default_comparisons() -> list[Comparison]:
    """The comparisons of the matcher; each pair records the level each one fired."""
    return [
        Comparison(
            "iddtks",
            (
                null_level("iddtks"),
                exact_level("iddtks", label="same IDDTKS (the registry's record id)"),
                else_level("IDDTKS differs"),
            ),
            "the registry's own record id",
        ),
        Comparison(
            "nik",
            _nik_levels(),
            "NIK closeness",
        ),
        Comparison(
            "nama",
            (
                null_level("nama_key"),
                exact_level("nama_key", tf_column="tf_nama", label="name equal"),
                jaro_winkler_level("nama_key", 0.95),
                jaro_winkler_level("nama_key", 0.88),
                token_subset_level("nama_key"),
                jaro_winkler_level("nama_key", 0.75),
                else_level("names differ"),
            ),
            "name, match form (abbreviations and spelling variants folded)",
        ),
        Comparison("tanggal_lahir", _date_levels(), "birth date (typed, or from the NIK)"),
        Comparison(
            "nama_ibu",
            (
                null_level("nama_ibu_key"),
                exact_level("nama_ibu_key", tf_column="tf_ibu", label="mother's name equal"),
                jaro_winkler_level("nama_ibu_key", 0.9),
                jaro_winkler_level("nama_ibu_key", 0.75),
                else_level("mother's names differ"),
            ),
            "mother's name, match form",
        ),
        Comparison(
            "no_kk",
            (
                null_level("no_kk"),
                exact_level("no_kk", label="KK number equal"),
                else_level("KK differs"),
            ),
            "family card number",
        ),
        Comparison(
            "jenis_kelamin",
            (null_level("sex"), exact_level("sex", label="sex equal"), else_level("sex differs")),
            "sex (typed, or from the NIK)",
        ),
        Comparison(
            "tempat_lahir",
            (
                null_level("tempat_lahir_key"),
                exact_level("tempat_lahir_key", tf_column="tf_tempat", label="birth place equal"),
                jaro_winkler_level("tempat_lahir_key", 0.88),
                else_level("birth places differ"),
            ),
            "birth place, match form",
        ),
        Comparison(
            "desa",
            (
                null_level("desa_kode"),
                exact_level("desa_kode", label="same village"),
                else_level("different villages"),
            ),
            "village the row belongs to",
        ),
        Comparison(
            "alamat",
            (
                null_level("dusun"),
                Level(
                    "same_rt",
                    "same village, dusun, RT and RW",
                    (_l("desa_kode") == _r("desa_kode"))
                    & (_l("dusun") == _r("dusun"))
                    & (_l("rt") == _r("rt"))
                    & (_l("rw") == _r("rw")),
                ),
                Level(
                    "same_dusun",
                    "same village and dusun",
                    (_l("desa_kode") == _r("desa_kode")) & (_l("dusun") == _r("dusun")),
                ),
                else_level("addresses differ"),
            ),
            "address within the village",
        ),
    ]


def compute_similarities(
    pairs: pl.DataFrame, similarities: Sequence[Similarity], workers: int = -1
) -> pl.DataFrame:
    """``pairs`` with one ``sim_<kind>_<column>`` column per similarity (rapidfuzz, vectorised).

    Pairs where either side is null get a null similarity.
    """
    columns = []
    for sim in similarities:
        scorer, dtype = _SCORERS[sim.kind]
        left = pairs[f"{sim.column}_l"]
        right = pairs[f"{sim.column}_r"]
        valid = (left.is_not_null() & right.is_not_null()).to_numpy()
        values = np.zeros(pairs.height, dtype=dtype)
        if valid.any():
            lv = left.filter(pl.Series(valid)).to_list()
            rv = right.filter(pl.Series(valid)).to_list()
            values[valid] = cpdist(lv, rv, scorer=scorer, dtype=dtype, workers=workers)
        series = pl.Series(sim.output, values)
        columns.append(pl.when(pl.Series(valid)).then(series).otherwise(None).alias(sim.output))
    return pairs.with_columns(columns) if columns else pairs


def all_similarities(comparisons: Sequence[Comparison]) -> list[Similarity]:
    """Every similarity the comparisons need, once."""
    sims = {s for comparison in comparisons for s in comparison.similarities}
    return sorted(sims, key=lambda s: s.output)


def comparison_levels(pairs: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.DataFrame:
    """One Int8 column per comparison: the index of the level each pair falls in."""
    return pairs.select([c.level_expr() for c in comparisons])
