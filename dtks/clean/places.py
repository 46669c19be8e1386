"""Places: the row's village, the DESA column resolved against the region table, RT/RW, birth place."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl
from rapidfuzz import fuzz, process

from dtks.clean.issues import Check
from dtks.clean.names import SPELLING_FOLDS, ascii_upper
from dtks.region import Kecamatan

DESA_FUZZY_CUTOFF = 85.0
PLACE_FUZZY_CUTOFF = 88.0
PLACE_FUZZY_MIN_LENGTH = 5

# Birth places outside the region table that are common enough to correct typos against:
# provincial capitals and the kabupaten/kota of Jawa Timur (national facts, not one kecamatan).
KNOWN_PLACES: tuple[str, ...] = (
    "Jakarta",
    "Surabaya",
    "Bandung",
    "Semarang",
    "Yogyakarta",
    "Medan",
    "Makassar",
    "Denpasar",
    "Malang",
    "Batu",
    "Kediri",
    "Blitar",
    "Madiun",
    "Mojokerto",
    "Pasuruan",
    "Probolinggo",
    "Sidoarjo",
    "Gresik",
    "Lamongan",
    "Tuban",
    "Bojonegoro",
    "Ngawi",
    "Magetan",
    "Ponorogo",
    "Pacitan",
    "Trenggalek",
    "Tulungagung",
    "Nganjuk",
    "Jombang",
    "Lumajang",
    "Jember",
    "Bondowoso",
    "Situbondo",
    "Banyuwangi",
    "Bangkalan",
    "Sampang",
    "Pamekasan",
    "Sumenep",
    "Denpasar",
    "Balikpapan",
    "Samarinda",
    "Banjarmasin",
    "Pontianak",
    "Batam",
    "Palembang",
)

_DESA_PREFIX = r"^(?:DESA|DS|KELURAHAN|KEL)\.?\s+"
_PLACE_PREFIX = r"^(?:KABUPATEN|KAB|KOTA ADMINISTRASI|KOTA ADM|KOTA|KOTAMADYA|KODYA)\.?\s*"
_DOUBLED = {c * 2: c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def desa_key(column: pl.Expr) -> pl.Expr:
    """Village name reduced for lookup: "Ds. Bujur  Barat" -> "BUJURBARAT"."""
    return ascii_upper(column).str.replace(_DESA_PREFIX, "").str.replace_all(r"[^A-Z0-9]", "")


def _series_key(values: list[str], key_fn) -> list[str | None]:
    """`key_fn` (an expression builder) applied to a list of Python strings."""
    series = pl.Series("v", values, dtype=pl.String)
    return pl.DataFrame(series).select(key_fn(pl.col("v"))).to_series().to_list()


def _best_unique(key: str, choices: list[str], cutoff: float) -> int | None:
    """Index of the single best fuzzy match at or above `cutoff`, None if absent or tied."""
    found = process.extract(key, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
    if not found:
        return None
    if len(found) == 2 and found[0][1] == found[1][1]:
        return None
    return found[0][2]


def resolve_desa(written: Iterable[str | None], kecamatan: Kecamatan) -> dict[str, str]:
    """Map each distinct DESA text to the village code it names (exact, variant, code, then fuzzy)."""
    values = sorted({w for w in written if w is not None})
    names = [(d.kode, name) for d in kecamatan.desa for name in (d.nama, *d.variants)]
    name_keys = _series_key([n for _, n in names], desa_key)
    by_key = {k: kode for k, (kode, _) in zip(name_keys, names, strict=True) if k}
    codes = {d.kode.replace(".", ""): d.kode for d in kecamatan.desa}
    short_codes = {d.kode.rsplit(".", 1)[-1]: d.kode for d in kecamatan.desa}
    choices = list(by_key)
    result: dict[str, str] = {}
    for value, key in zip(values, _series_key(values, desa_key), strict=True):
        if not key:
            continue
        kode = by_key.get(key) or codes.get(key) or short_codes.get(key)
        if kode is None and not key.isdigit():
            index = _best_unique(key, choices, DESA_FUZZY_CUTOFF)
            kode = by_key[choices[index]] if index is not None else None
        if kode is not None:
            result[value] = kode
    return result


def add_desa(
    lf: pl.LazyFrame, kecamatan: Kecamatan, village: str, written: Iterable[str | None]
) -> pl.LazyFrame:
    """Add `desa_kode`, `desa_nama` (the folder's village), `desa_as_written`, `desa_tertulis_kode`."""
    desa = kecamatan.desa_by_slug(village)
    mapping = resolve_desa(written, kecamatan)
    return lf.with_columns(
        pl.lit(desa.kode).alias("desa_kode"),
        pl.lit(desa.nama).alias("desa_nama"),
        pl.col("desa").alias("desa_as_written"),
        pl.col("desa").str.contains(r"[\p{L}\p{N}]").fill_null(False).alias("_desa_written"),
        pl.col("desa")
        .replace_strict(mapping, default=None, return_dtype=pl.String)
        .alias("desa_tertulis_kode"),
    )


def neighbourhood_number(column: str) -> pl.Expr:
    """RT/RW as 3 digits: "1" -> "001", "RT 02" -> "002"; null when blank or not 1-999."""
    text = (
        pl.col(column)
        .str.to_uppercase()
        .str.strip_chars()
        .str.replace(r"^(?:RT|RW|NO)\.?\s*", "")
        .str.replace(r"^(\d+)\.0+$", "$1")
    )
    number = text.str.extract(r"^(\d{1,6})$", 1).cast(pl.Int32, strict=False)
    return pl.when(number.is_between(1, 999)).then(number.cast(pl.String).str.zfill(3))


def add_neighbourhood(lf: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Replace `rt` or `rw` by its 3-digit form; add `_{column}_written` and `_{column}_invalid`."""
    written = pl.col(column).str.strip_chars()
    lf = lf.with_columns(
        neighbourhood_number(column).alias(column), written.alias(f"_{column}_written")
    )
    invalid = pl.col(f"_{column}_written").fill_null("").ne("") & pl.col(column).is_null()
    return lf.with_columns(invalid.alias(f"_{column}_invalid"))


def neighbourhood_outputs(column: str) -> list[str]:
    """Columns `add_neighbourhood` adds or replaces."""
    return [column, f"_{column}_written", f"_{column}_invalid"]


def place_display(column: pl.Expr) -> pl.Expr:
    """Birth place display form: upper case ASCII, stray punctuation removed, single spaces."""
    text = (
        ascii_upper(column)
        .str.replace_all(r"[^A-Z0-9.\s]", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" .")
    )
    return pl.when(text.str.contains(r"[A-Z]")).then(text)


def place_key(column: pl.Expr) -> pl.Expr:
    """Birth place match form: KAB./KOTA dropped, letters only, old spellings and doubles folded."""
    return (
        place_display(column)
        .str.replace(_PLACE_PREFIX, "")
        .str.replace_all(r"[^A-Z]", "")
        .str.replace_many(SPELLING_FOLDS)
        .str.replace_many(_DOUBLED)
    )


def gazetteer(kecamatan: Kecamatan) -> list[str]:
    """Place keys that typos are corrected to: the region table's names and KNOWN_PLACES."""
    names = [kecamatan.kabupaten_nama, kecamatan.nama, *kecamatan.variants, *KNOWN_PLACES]
    names += [n for d in kecamatan.desa for n in (d.nama, *d.variants)]
    return sorted({k for k in _series_key(names, place_key) if k})


def correct_place_keys(keys: Iterable[str | None], kecamatan: Kecamatan) -> dict[str, str]:
    """Map distinct birth-place keys that are near-misses of a known place ("PAMEKSAN") to it."""
    known = gazetteer(kecamatan)
    known_set = set(known)
    result: dict[str, str] = {}
    for key in sorted({k for k in keys if k}):
        if key in known_set or len(key) < PLACE_FUZZY_MIN_LENGTH:
            continue
        index = _best_unique(key, known, PLACE_FUZZY_CUTOFF)
        if index is not None:
            result[key] = known[index]
    return result


def add_birth_place(lf: pl.LazyFrame, kecamatan: Kecamatan) -> pl.LazyFrame:
    """Replace `tempat_lahir` by its display form; add `tempat_lahir_key` with typos corrected.

    Collects the distinct keys once to find near-misses of known places ("PAMEKSAN").
    """
    lf = lf.with_columns(
        place_display(pl.col("tempat_lahir")).alias("tempat_lahir"),
        place_key(pl.col("tempat_lahir")).alias("tempat_lahir_key"),
    )
    keys = lf.select(pl.col("tempat_lahir_key").unique()).collect().to_series().to_list()
    corrections = correct_place_keys(keys, kecamatan)
    return lf.with_columns(pl.col("tempat_lahir_key").replace(corrections))


BIRTH_PLACE_OUTPUTS: tuple[str, ...] = ("tempat_lahir", "tempat_lahir_key")


def place_checks(kecamatan: Kecamatan, desa_kode: str) -> list[Check]:
    """Issues of the DESA column and RT/RW."""
    written = pl.col("desa_as_written")
    tertulis = pl.col("desa_tertulis_kode")
    labels = {d.kode: f"{d.nama} ({d.kode})" for d in kecamatan.desa}
    return [
        Check(
            "desa_lain",
            tertulis.is_not_null() & (tertulis != desa_kode),
            written,
            tertulis.replace_strict(labels, default=tertulis, return_dtype=pl.String),
        ),
        Check("desa_unknown", pl.col("_desa_written") & tertulis.is_null(), written),
        Check("rt_invalid", pl.col("_rt_invalid"), pl.col("_rt_written")),
        Check("rw_invalid", pl.col("_rw_invalid"), pl.col("_rw_written")),
    ]
