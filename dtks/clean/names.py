"""Person names: display form, titles moved to `nama_gelar`, and a match key with spellings folded."""

from __future__ import annotations

from functools import cache

import polars as pl

from dtks.clean.issues import Check
from dtks.privacy import mask_name_expr

# Titles written in front of a name: written form (dots and spaces removed) -> canonical.
PREFIX_TITLES: dict[str, str] = {
    **dict.fromkeys(("H", "HAJI"), "H."),
    **dict.fromkeys(("HJ", "HJH", "HAJJAH", "HAJAH"), "HJ."),
    "KH": "K.H.",
    **dict.fromkeys(("KYAI", "KIAI"), "KYAI"),
    **dict.fromkeys(("UST", "USTADZ", "USTAZ"), "UST."),
    **dict.fromkeys(("USTADZAH", "USTAZAH", "USTZ"), "USTZ."),
    "DRS": "DRS.",
    "DRA": "DRA.",
    "DR": "DR.",
    "IR": "IR.",
    "PROF": "PROF.",
    "NY": "NY.",
}
# Regex alternatives for the prefix titles, longest first so HJ wins over H.
_PREFIX_ALTERNATIVES = (
    r"K\.?\s?H",
    "HAJJAH",
    "HAJAH",
    "HAJI",
    "HJH",
    "HJ",
    "USTADZAH",
    "USTAZAH",
    "USTADZ",
    "USTAZ",
    "USTZ",
    "UST",
    "KYAI",
    "KIAI",
    "PROF",
    "DRS",
    "DRA",
    "DR",
    "IR",
    "NY",
    "H",
)
_PREFIX_TITLE = "(?:" + "|".join(_PREFIX_ALTERNATIVES) + r")(?:\.\s*|\s+)"
_PREFIX_RUN = rf"^((?:{_PREFIX_TITLE})+)"

# Academic degrees written after a name, canonical dotted form.
DEGREES: tuple[str, ...] = (
    "S.PD.I.",
    "S.PD.",
    "S.AG.",
    "S.H.I.",
    "S.H.",
    "S.E.",
    "S.KM.",
    "S.KEP.",
    "S.SOS.",
    "S.IP.",
    "S.I.KOM.",
    "S.KOM.",
    "S.T.",
    "S.SI.",
    "S.HUM.",
    "S.AP.",
    "S.PSI.",
    "S.KED.",
    "S.TP.",
    "S.P.",
    "S.FARM.",
    "S.ST.",
    "S.AK.",
    "S.KG.",
    "S.SY.",
    "S.TR.",
    "M.PD.I.",
    "M.PD.",
    "M.SI.",
    "M.AG.",
    "M.M.",
    "M.H.",
    "M.KES.",
    "M.HUM.",
    "M.KOM.",
    "M.T.",
    "M.SC.",
    "M.A.",
    "A.MD.KEB.",
    "A.MD.KEP.",
    "A.MD.",
    "A.MA.PD.",
    "A.MA.",
    "A.MK.",
)
DEGREE_BY_KEY: dict[str, str] = {d.replace(".", ""): d for d in DEGREES}


def _degree_pattern(degree: str, *, dotted: bool) -> str:
    groups = [g for g in degree.split(".") if g]
    first_sep = r"\.\s?" if dotted else r"\.?\s?"
    return groups[0] + first_sep + r"\.?\s?".join(groups[1:]) + r"\.?"


_ORDERED_DEGREES = sorted(DEGREES, key=len, reverse=True)
_DOTTED_DEGREE = "(?:" + "|".join(_degree_pattern(d, dotted=True) for d in _ORDERED_DEGREES) + ")"
_ANY_DEGREE = "(?:" + "|".join(_degree_pattern(d, dotted=False) for d in _ORDERED_DEGREES) + ")"
# Dotted degrees may follow a space; undotted ones (SE, SPD) only a comma.
_SUFFIX_RUN = (
    rf"(?:\s*,\s*((?:{_ANY_DEGREE}(?:[\s,]+|$))+)|\s+((?:{_DOTTED_DEGREE}(?:[\s,]+|$))+))$"
)

# Token variants folded in the match key: raw spellings -> canonical.
NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "MUHAMMAD": (
        "M",
        "MOH",
        "MOCH",
        "MUH",
        "MUCH",
        "MOHD",
        "MUHD",
        "MHD",
        "MOHAMAD",
        "MOHAMMAD",
        "MUHAMAD",
        "MUHAMMAD",
        "MOHAMMED",
        "MOHAMED",
        "MUHAMMED",
        "MUHAMED",
        "MUCHAMMAD",
        "MUCHAMAD",
        "MOCHAMMAD",
        "MOCHAMAD",
        "MOHAMAT",
        "MOCHAMAT",
        "MUCHAMAT",
        "MOKHAMAD",
        "MUKHAMAD",
    ),
    "ABDUL": ("ABD", "ABDUL", "ABDOEL", "ABDOL"),
    "AHMAD": ("ACH", "ACHMAD", "AHMAD", "ACHMAT", "AHMAT", "AHMED", "ACHMED", "AKHMAD"),
    "SITI": ("ST", "SITI", "SITTI"),
    "NUR": ("NUR", "NOER", "NOOR", "NURR"),
}
ABBREVIATIONS: tuple[str, ...] = (
    "MOH",
    "MOCH",
    "MUH",
    "MUCH",
    "MOHD",
    "MUHD",
    "MHD",
    "ABD",
    "ACH",
    "ST",
)
_ABBREVIATED = r"(?:^|\s)(?:[A-Z]\.?|[A-Z]+\.|" + "|".join(ABBREVIATIONS) + r")(?:\s|$)"
# Old (pre-1972) spellings and consonant variants folded in the key.
SPELLING_FOLDS: dict[str, str] = {"OE": "U", "DJ": "J", "TJ": "C", "SJ": "SY", "CH": "KH"}
_DOUBLED = {c * 2: c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_UNKNOWN_NAME = r"^(?:TIDAK|TDK|BELUM|BLM) ?(?:TAHU|TAU|DIKETAHUI|ADA)$"


def ascii_upper(column: pl.Expr) -> pl.Expr:
    """Upper case ASCII letters: NFKD with accents dropped, curly quotes as apostrophes."""
    return (
        column.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_uppercase()
        .str.replace_all(r"[\u2018\u2019\u02bc`\u00b4]", "'")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _tidy(text: pl.Expr) -> pl.Expr:
    """Stray punctuation removed: only letters, spaces, dots after letters, apostrophes in words."""
    return (
        text.str.replace_all(r"[^A-Z\s.']", " ")
        .str.replace_all(r"\.+", ".")
        .str.replace_all(r"\.([A-Z])", ". $1")
        .str.replace_all(r"(^|[^A-Z])\.", "$1 ")
        .str.replace_all(r"'+", "'")
        .str.replace_all(r"(^|[^A-Z])'", "$1 ")
        .str.replace_all(r"'([^A-Z]|$)", " $1")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _title_list(text: pl.Expr, pattern: str, table: dict[str, str]) -> pl.Expr:
    """Titles found in `text`, canonicalised, as a list of strings."""
    return (
        text.str.extract_all(pattern)
        .list.eval(pl.element().str.replace_all(r"[.\s,]", "").replace_strict(table, default=None))
        .list.drop_nulls()
    )


def add_person_name(
    lf: pl.LazyFrame, column: str, display: str, gelar: str | None, key: str
) -> pl.LazyFrame:
    """Add the display form, titles (when `gelar` is given) and match key of a name column.

    Helper columns `_{display}_odd` (digits or odd punctuation) and `_{display}_abbreviated`
    are added for the issue checks.
    """
    text = ascii_upper(pl.col(column))
    text = pl.when(text.str.contains(_UNKNOWN_NAME)).then(None).otherwise(text)
    prefix = text.str.extract(_PREFIX_RUN, 1)
    suffix = pl.coalesce(text.str.extract(_SUFFIX_RUN, 1), text.str.extract(_SUFFIX_RUN, 2))
    body = text.str.replace(_PREFIX_RUN, "").str.replace(_SUFFIX_RUN, "")
    has_body = body.str.contains(r"[A-Z]").fill_null(False)
    tmp = f"_{display}_text"
    lf = lf.with_columns(
        pl.when(has_body).then(body).otherwise(text).alias(tmp),
        pl.when(has_body).then(prefix).alias(f"_{display}_prefix"),
        pl.when(has_body).then(suffix).alias(f"_{display}_suffix"),
    )
    name = _tidy(pl.col(tmp))
    name = pl.when(name.str.contains(r"[A-Z]")).then(name)
    titles = pl.concat_list(
        _title_list(pl.col(f"_{display}_prefix").fill_null(""), _PREFIX_TITLE, PREFIX_TITLES),
        _title_list(pl.col(f"_{display}_suffix").fill_null(""), _ANY_DEGREE, DEGREE_BY_KEY),
    ).list.join(" ")
    not_latin = pl.col(column).str.contains(r"\p{L}") & ~text.str.contains(r"[A-Z]")
    columns = [
        name.alias(display),
        pl.col(tmp).str.contains(r"[^A-Z\s.']").fill_null(False).alias(f"_{display}_odd"),
        not_latin.fill_null(False).alias(f"_{display}_not_latin"),
    ]
    if gelar is not None:
        columns.append(pl.when(titles != "").then(titles).alias(gelar))
    lf = lf.with_columns(columns)
    return lf.with_columns(
        name_key(pl.col(display)).alias(key),
        pl.col(display)
        .str.contains(_ABBREVIATED)
        .fill_null(False)
        .alias(f"_{display}_abbreviated"),
    )


def person_name_outputs(display: str, gelar: str | None, key: str) -> list[str]:
    """Columns `add_person_name` adds (for computing them on distinct values)."""
    helpers = [f"_{display}_odd", f"_{display}_not_latin", f"_{display}_abbreviated"]
    return [display, *([gelar] if gelar else []), key, *helpers]


def _fold_spelling(text: pl.Expr) -> pl.Expr:
    return (
        text.str.replace_all(r"[.']", "")
        .str.replace_many(SPELLING_FOLDS)
        .str.replace_many(_DOUBLED)
        .str.replace_many(_DOUBLED)
    )


@cache
def folded_variants() -> dict[str, str]:
    """NAME_VARIANTS after spelling folds, so they can be looked up on folded tokens."""
    raw = [(variant, canonical) for canonical, vs in NAME_VARIANTS.items() for variant in vs]
    folded = pl.select(_fold_spelling(pl.Series([v for v, _ in raw]))).to_series().to_list()
    return {f: canonical for f, (_, canonical) in zip(folded, raw, strict=True)}


def name_key(display: pl.Expr) -> pl.Expr:
    """Match key: spelling folded (OE->U, DJ->J, TJ->C, CH->KH, doubles), variant tokens canonical.

    "MOCH. MA'RUF" -> "MUHAMMAD MARUF"; "ST. AMINAH" -> "SITI AMINAH".
    """
    return (
        _fold_spelling(display)
        .str.split(" ")
        .list.eval(pl.element().replace(folded_variants()))
        .list.join(" ")
    )


def name_checks() -> list[Check]:
    """Issues of the person's and the mother's name (rows without a name are rejected earlier)."""
    written = pl.col("_nama_written")
    return [
        Check("nama_abbreviated", pl.col("_nama_abbreviated"), written),
        Check(
            "nama_has_title",
            pl.col("nama_gelar").is_not_null(),
            written,
            pl.col("nama_gelar"),
        ),
        Check("nama_not_latin", pl.col("_nama_not_latin"), written),
        Check(
            "nama_odd_characters",
            pl.col("_nama_odd") & ~pl.col("_nama_not_latin"),
            written,
            pl.col("nama"),
        ),
        Check(
            "nama_ibu_kandung_missing",
            pl.col("nama_ibu_kandung").is_null(),
            mask_name_expr(pl.col("_nama_ibu_written")),
        ),
    ]
