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
    """One level of a comparison: a stable ``code`` for evidence, a ``label`` for analysts and a
    ``label_id`` in Bahasa Indonesia for clerks (the review workbook)."""

    code: str
    label: str
    condition: pl.Expr | None  # None: always true (the "else" level)
    is_null: bool = False  # neither agreement nor disagreement: weight 0
    tf_column: str | None = None  # term-frequency adjustment on this feature (e.g. "tf_nama")
    similarities: tuple[Similarity, ...] = ()
    label_id: str = ""
    neutral: bool = False  # a real level (m and u estimated) whose weight is 0 by design
    # Ordered with the levels above it (its weight is capped by theirs); False for a level of
    # another kind, such as "names differ, but one carries a hajj title".
    monotone: bool = True


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


# What a feature column is called for clerks (Bahasa Indonesia), in generated labels.
KATA: dict[str, str] = {
    "iddtks": "IDDTKS",
    "nik": "NIK",
    "nama_key": "nama",
    "nama_ibu_key": "nama ibu kandung",
    "tempat_lahir_key": "tempat lahir",
    "tgl": "tanggal lahir",
    "no_kk": "No KK",
    "sex": "jenis kelamin",
    "desa_kode": "desa",
    "alamat_key": "alamat",
    "dusun": "dusun",
}


def _kata(column: str) -> str:
    return KATA.get(column, column)


def null_level(*columns: str) -> Level:
    """Either side missing any of ``columns``: no evidence either way."""
    cond = pl.any_horizontal([_l(c).is_null() | _r(c).is_null() for c in columns])
    label_id = f"{' atau '.join(_kata(c) for c in columns)} kosong di salah satu data"
    return Level("null", f"{' or '.join(columns)} missing", cond, is_null=True, label_id=label_id)


def exact_level(
    column: str,
    tf_column: str | None = None,
    label: str | None = None,
    label_id: str | None = None,
) -> Level:
    """Both sides equal; with ``tf_column`` the weight is adjusted for how common the value is."""
    text = label or f"{column} equal"
    text_id = label_id or f"{_kata(column)} sama"
    if tf_column:
        text += " (weighted by how common the value is)"
    return Level("exact", text, _l(column) == _r(column), tf_column=tf_column, label_id=text_id)


def jaro_winkler_level(column: str, threshold: float) -> Level:
    """Jaro-Winkler similarity of ``column`` at least ``threshold``."""
    sim = Similarity("jaro_winkler", column)
    return Level(
        f"jaro_winkler>={threshold:g}",
        f"Jaro-Winkler of {column} >= {threshold:g}",
        pl.col(sim.output) >= threshold,
        similarities=(sim,),
        label_id=f"{_kata(column)} mirip (kemiripan ejaan {threshold:.0%} atau lebih)",
    )


def token_subset_level(column: str) -> Level:
    """Every word of the shorter value appears in the longer one ("MOH ALI" in "MOH ALI AKBAR")."""
    sim = Similarity("token_set", column)
    return Level(
        "words_contained",
        f"all words of one {column} appear in the other",
        pl.col(sim.output) >= 100,
        similarities=(sim,),
        label_id=f"semua kata {_kata(column)} yang pendek ada di {_kata(column)} yang lain",
    )


def sounds_alike_level(column: str, words: str) -> Level:
    """Spelt differently but equal once folded to how it sounds (``column``: a sound key)."""
    return Level(
        "sounds_alike",
        f"{column} equal: spelt differently, sounds the same (e/i, o/u, f/p, kh/h, ...)",
        _l(column) == _r(column),
        label_id=f"{words} ejaannya beda tetapi bunyinya sama (e/i, o/u, f/p, kh/h, ...)",
    )


def else_level(label: str = "all other cases", label_id: str = "lain-lain") -> Level:
    """The last level: nothing above held."""
    return Level("else", label, None, label_id=label_id)


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
            label_id="tanggal lahir sama",
        ),
        Level(
            "exact_placeholder",
            "birth date equal but a placeholder (01-01, 31-12, 01-07)",
            tgl_l == tgl_r,
            tf_column="tf_tgl",
            label_id="tanggal lahir sama, tetapi tanggal pengganti (01-01, 31-12, 01-07)",
        ),
        Level(
            "day_month_swapped",
            "birth date equal with day and month swapped",
            (tgl_l.dt.day() == tgl_r.dt.month())
            & (tgl_l.dt.month() == tgl_r.dt.day())
            & (tgl_l.dt.year() == tgl_r.dt.year()),
            label_id="tanggal lahir sama bila tanggal dan bulan ditukar",
        ),
        Level(
            "nik_date",
            "birth date of one equals the date in the other's NIK",
            (tgl_l == _r("nik_birth_date")) | (tgl_r == _l("nik_birth_date")),
            label_id="tanggal lahir yang satu sama dengan tanggal di NIK yang lain",
        ),
        Level(
            "one_digit",
            "birth date differs in one digit",
            pl.col(hamming.output) == 1,
            similarities=(hamming,),
            label_id="tanggal lahir beda satu angka",
        ),
        Level(
            "same_year_placeholder",
            "same birth year, one date a placeholder",
            either_placeholder & (tgl_l.dt.year() == tgl_r.dt.year()),
            label_id="tahun lahir sama, satu tanggal pengganti",
        ),
        Level(
            "within_1_year",
            "birth dates within one year",
            (tgl_l - tgl_r).abs() <= pl.duration(days=366),
            label_id="tanggal lahir berbeda (selisih kurang dari satu tahun)",
        ),
        else_level("birth dates differ", "tanggal lahir berbeda"),
    )


def _nik_levels() -> tuple[Level, ...]:
    osa = Similarity("osa", "nik")
    return (
        null_level("nik"),
        Level(
            "exact",
            "NIK equal (neither possibly truncated by Excel)",
            (_l("nik") == _r("nik")) & ~(_l("nik_trunc") | _r("nik_trunc")),
            label_id="NIK sama",
        ),
        Level(
            "first_15_truncated",
            "NIK equal on the first 15 digits, one possibly truncated by Excel",
            (_l("nik15") == _r("nik15")) & (_l("nik_trunc") | _r("nik_trunc")),
            label_id="15 angka pertama NIK sama (angka terakhir hilang karena Excel)",
        ),
        Level(
            "one_edit",
            "NIK differs in one digit or two adjacent digits swapped, in its region or date part",
            (pl.col(osa.output) == 1) & (_l("nik").str.slice(12) == _r("nik").str.slice(12)),
            similarities=(osa,),
            label_id="NIK beda satu angka atau dua angka bersebelahan tertukar (di kode wilayah "
            "atau tanggal)",
        ),
        # People born the same day in one kecamatan have NIKs that differ only in the serial
        # (0001, 0002, ...): a one-digit difference there is common between two people.
        Level(
            "one_edit_serial",
            "NIK differs in one digit of its serial (last 4 digits)",
            pl.col(osa.output) == 1,
            similarities=(osa,),
            label_id="NIK beda satu angka di nomor urut (4 angka terakhir)",
        ),
        else_level("NIK differs", "NIK berbeda"),
    )


def same_kk() -> pl.Expr:
    """Both KK numbers equal, or equal on 15 digits when Excel may have cut one's last digit."""
    exact = _l("no_kk") == _r("no_kk")
    truncated = (_l("kk15") == _r("kk15")) & (_l("kk_trunc") | _r("kk_trunc"))
    return (exact | truncated).fill_null(False)


def _same(*columns: str) -> pl.Expr:
    return pl.all_horizontal([(_l(c) == _r(c)).fill_null(False) for c in columns])


def _both_known(*columns: str) -> pl.Expr:
    return pl.all_horizontal([_l(c).is_not_null() & _r(c).is_not_null() for c in columns])


def _household_levels() -> tuple[Level, ...]:
    """Family card and place of residence as ONE comparison, because they are nested.

    A KK belongs to one address, an RT to one dusun, a dusun to one village: separate KK,
    village and address comparisons would count "moved away" (or "same home") three times.
    A family/household IDDTKS (`dtks.match.identifiers`) shared with another KK says the two
    live together, as an RT does, only more closely. Beyond the RT, where someone else lives
    says little: a person listed twice may sit in
    another KK of the same village (a married daughter) or in another village (moved), so
    "same village" and "other village" are one level.
    """
    same_rt = _same("desa_kode", "dusun", "rt", "rw")
    rt_known = _both_known("rt", "rw")
    kk_known = _both_known("no_kk")
    address_known = _both_known("alamat_key")
    address = Similarity("jaro_winkler", "alamat_key")
    address_words = Similarity("token_set", "alamat_key")
    return (
        Level(
            "null",
            "village missing, or neither KK nor address known on both rows",
            _l("desa_kode").is_null()
            | _r("desa_kode").is_null()
            | ~(rt_known | kk_known | address_known),
            is_null=True,
            label_id="desa, atau No KK dan alamat, kosong di salah satu data",
        ),
        Level(
            "same_kk_same_rt",
            "same KK number and same address (village, dusun, RT, RW)",
            same_kk() & same_rt,
            label_id="No KK sama dan alamat sama (desa, dusun, RT, RW)",
        ),
        Level(
            "same_kk",
            "same KK number, address differs",
            same_kk(),
            label_id="No KK sama, alamat berbeda",
        ),
        Level(
            "same_family_id",
            "other KK, same family/household IDDTKS (co-residence)",
            (_l("iddtks_family") == _r("iddtks_family")).fill_null(False),
            label_id="KK berbeda, IDDTKS keluarga/rumah tangga sama",
        ),
        Level(
            "same_rt",
            "other KK, same village, dusun, RT and RW",
            same_rt,
            label_id="KK berbeda, alamat sama (desa, dusun, RT, RW)",
        ),
        # Exports without RT/RW (an address typed as one line): the line itself, spelt alike.
        Level(
            "same_address_text",
            "RT/RW unknown, address (ALAMAT) Jaro-Winkler >= 0.9",
            ~rt_known & (pl.col(address.output) >= 0.9),
            similarities=(address,),
            monotone=False,
            label_id="RT/RW kosong, alamat (ALAMAT) mirip",
        ),
        Level(
            "address_words_alike",
            "RT/RW unknown, address (ALAMAT) shares most words (token set ratio >= 80)",
            ~rt_known & (pl.col(address_words.output) >= 80),
            similarities=(address_words,),
            monotone=False,
            label_id="RT/RW kosong, sebagian besar kata alamat (ALAMAT) sama",
        ),
        else_level("other KK and address", "KK dan alamat berbeda"),
    )


HOUSEHOLD = "kk_domisili"  # the comparison whose same-KK levels condition the others' u


def default_comparisons() -> list[Comparison]:
    """The comparisons of the matcher; each pair records the level each one fired."""
    return [
        Comparison(
            "iddtks",
            (
                null_level("iddtks"),
                exact_level(
                    "iddtks",
                    label="same IDDTKS (the registry's record id)",
                    label_id="IDDTKS sama",
                ),
                # A person registered twice gets a second IDDTKS: that is the very duplicate
                # we look for, so a different IDDTKS is no evidence either way.
                Level(
                    "differs",
                    "IDDTKS differs (no evidence: a second registration gets its own id)",
                    None,
                    neutral=True,
                    label_id="IDDTKS berbeda (bukan bukti: pendaftaran ganda mendapat ID baru)",
                ),
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
                sounds_alike_level("nama_sound", "nama"),
                jaro_winkler_level("nama_key", 0.95),
                jaro_winkler_level("nama_key", 0.88),
                token_subset_level("nama_key"),
                jaro_winkler_level("nama_key", 0.75),
                Level(
                    "differs_hajji",
                    "names differ, one with a hajj title (H., HJ., K.H.): a new name after the hajj?",
                    _l("is_hajji") | _r("is_hajji"),
                    monotone=False,
                    label_id="nama berbeda, satu bergelar haji (H., HJ., K.H.): nama baru "
                    "sesudah haji?",
                ),
                else_level("names differ", "nama berbeda"),
            ),
            "name, match form (abbreviations and spelling variants folded)",
        ),
        Comparison("tanggal_lahir", _date_levels(), "birth date (typed, or from the NIK)"),
        Comparison(
            "nama_ibu",
            (
                null_level("nama_ibu_key"),
                exact_level("nama_ibu_key", tf_column="tf_ibu", label="mother's name equal"),
                sounds_alike_level("ibu_sound", "nama ibu kandung"),
                jaro_winkler_level("nama_ibu_key", 0.9),
                jaro_winkler_level("nama_ibu_key", 0.75),
                else_level("mother's names differ", "nama ibu kandung berbeda"),
            ),
            "mother's name, match form",
        ),
        Comparison(
            "jenis_kelamin",
            (
                null_level("sex"),
                exact_level("sex", label="sex equal"),
                else_level("sex differs", "jenis kelamin berbeda"),
            ),
            "sex (typed, or from the NIK)",
        ),
        Comparison(
            "tempat_lahir",
            (
                null_level("tempat_lahir_key"),
                exact_level("tempat_lahir_key", tf_column="tf_tempat", label="birth place equal"),
                jaro_winkler_level("tempat_lahir_key", 0.88),
                else_level("birth places differ", "tempat lahir berbeda"),
            ),
            "birth place, match form",
        ),
        Comparison(
            HOUSEHOLD,
            _household_levels(),
            "family card (KK) and address, nested: same KK, same RT, same dusun, same village",
        ),
    ]


_EQUAL_VALUE = {"jaro_winkler": 1.0, "token_set": 100.0, "hamming": 0, "osa": 0}


def compute_similarities(
    pairs: pl.DataFrame, similarities: Sequence[Similarity], workers: int = -1
) -> pl.DataFrame:
    """``pairs`` with one ``sim_<kind>_<column>`` column per similarity (rapidfuzz, vectorised).

    Pairs where either side is null get a null similarity; equal values get the score of
    equality without calling the scorer (blocking makes many candidate pairs share a name).
    """
    columns = []
    for sim in similarities:
        scorer, dtype = _SCORERS[sim.kind]
        left = pairs[f"{sim.column}_l"]
        right = pairs[f"{sim.column}_r"]
        valid = (left.is_not_null() & right.is_not_null()).to_numpy()
        equal = (left == right).fill_null(False).to_numpy()
        values = np.full(pairs.height, _EQUAL_VALUE[sim.kind], dtype=dtype)
        todo = valid & ~equal
        if todo.any():
            mask = pl.Series(todo)
            lv = left.filter(mask).to_list()
            rv = right.filter(mask).to_list()
            values[todo] = cpdist(lv, rv, scorer=scorer, dtype=dtype, workers=workers)
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
