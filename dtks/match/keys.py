"""Stable record keys: ids of source rows that survive a re-export (never file row numbers).

A clerk's review decision must still apply after an operator re-exports the village with rows
in a different order. So rows are keyed by what identifies the record, not where it sits:

1. the registry's own id, IDDTKS, when it identifies a person -> ``D-<hash>`` (a family-level
   IDDTKS, `dtks.match.identifiers`, is no person's key: `find_duplicates` keys such rows
   by what follows)
2. else the NIK with the name (match form) and birth date  -> ``N-<hash>``
3. else name, birth date, mother's name, KK and village    -> ``R-<hash>``

The parts are hashed (BLAKE2b, 64 bits) so that a key, which ends up in the published
``person_id`` and in the masked database, never shows a NIK or a name.
"""

from __future__ import annotations

import hashlib

import polars as pl

RECORD_KEY = "record_key"

_SEP = "\x1f"  # unit separator: cannot occur in cleaned text


def _part(column: str) -> pl.Expr:
    """A column as text with nulls as the empty string (dates in ISO form)."""
    return pl.col(column).cast(pl.String).fill_null("")


def record_key_source_expr() -> pl.Expr:
    """The un-hashed text a record key is made of, with its kind letter first.

    Needs the clean-row columns ``iddtks``, ``nik``, ``nama_key``, ``tanggal_lahir``,
    ``nama_ibu_key``, ``no_kk`` and ``desa_kode``.
    """
    has_id = pl.col("iddtks").is_not_null() & (pl.col("iddtks").str.strip_chars() != "")
    by_id = pl.concat_str([pl.lit("D"), pl.col("iddtks").str.strip_chars()], separator=_SEP)
    by_nik = pl.concat_str(
        [pl.lit("N"), _part("nik"), _part("nama_key"), _part("tanggal_lahir")], separator=_SEP
    )
    by_row = pl.concat_str(
        [
            pl.lit("R"),
            _part("nama_key"),
            _part("tanggal_lahir"),
            _part("nama_ibu_key"),
            _part("no_kk"),
            _part("desa_kode"),
        ],
        separator=_SEP,
    )
    return (
        pl.when(has_id).then(by_id).when(pl.col("nik").is_not_null()).then(by_nik).otherwise(by_row)
    )


def _hash_key(text: str) -> str:
    """``"N\\x1f3528...\\x1fSITI\\x1f1980-01-02"`` -> ``"N-9c1d0e..."`` (kind letter kept).

    BLAKE2b in Python, one call per row (about 2 s at 1M rows), on purpose: record keys are
    stored in the id registry and in clerks' decisions, so they must not change with a
    library upgrade, and Polars does not promise a stable `hash()` across versions.
    """
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
    return f"{text[0]}-{digest}"


def record_keys(clean: pl.DataFrame) -> pl.Series:
    """The stable record key of every clean row, in row order, named ``record_key``.

    Two rows with the same IDDTKS (or, without one, the same NIK, name and birth date) get
    the same key, in this export and in the next one.

    >>> import datetime as dt
    >>> rows = pl.DataFrame({
    ...     "iddtks": [None, "ID-1"], "nik": ["3528114506890001", None],
    ...     "nama_key": ["SITI AMINAH", "ALI"], "tanggal_lahir": [dt.date(1989, 6, 5), None],
    ...     "nama_ibu_key": [None, None], "no_kk": [None, None], "desa_kode": ["a", "b"]})
    >>> [k[:2] for k in record_keys(rows)]
    ['N-', 'D-']
    """
    sources = clean.select(record_key_source_expr().alias(RECORD_KEY)).to_series()
    return pl.Series(RECORD_KEY, [_hash_key(s) for s in sources], dtype=pl.String)


def with_record_key(clean: pl.DataFrame) -> pl.DataFrame:
    """``clean`` with a ``record_key`` column added (or replaced)."""
    return clean.with_columns(record_keys(clean))


def legacy_record_keys(iddtks: pl.Series, iddtks_person: pl.Series) -> pl.Series:
    """The ``D-`` key a row had while its IDDTKS was taken for a person's id, for rows whose
    IDDTKS turned out to be a family id (null for the others).

    Every member of the family shared it, so it finds the id the family was published under
    (`dtks.reconcile.ids.LEGACY_RECORD_KEY`) and the clerks' decisions keyed on it.
    """
    raw = iddtks.cast(pl.String).str.strip_chars()
    demoted = (raw.is_not_null() & (raw != "") & iddtks_person.is_null()).to_list()
    return pl.Series(
        "legacy_record_key",
        [
            _hash_key(f"D{_SEP}{value}") if is_family else None
            for value, is_family in zip(raw.to_list(), demoted, strict=True)
        ],
        dtype=pl.String,
    )
