"""Masking of personal identifiers (NIK, KK number, mother's name) for logs, metadata and reports."""

from __future__ import annotations

import re
import secrets

import duckdb
import polars as pl

from dtks.store import quoted


def mask_number(value: str | None) -> str | None:
    """Keep the 6-digit region prefix and the last 2 characters: "3528114506890001" -> "352811********01".

    Anything shorter than 9 characters is masked whole, so no short identifier leaks.
    """
    if value is None:
        return None
    text = str(value)
    if len(text) < 9:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 8) + text[-2:]


_LONG_NUMBER = re.compile(r"\d{9,}")


def mask_text(text: str) -> str:
    """Free text with every run of 9+ digits (a NIK, a KK number) masked.

    >>> mask_text("Status '3528114506890001' tidak dikenal")
    "Status '352811********01' tidak dikenal"
    """
    return _LONG_NUMBER.sub(lambda m: mask_number(m.group()) or "", text)


def mask_name(value: str | None) -> str | None:
    """First letter of each word, the rest starred: "SITI AMINAH" -> "S*** A*****"."""
    if value is None:
        return None
    return " ".join(w[:1] + "*" * (len(w) - 1) for w in str(value).split())


# Longer than any identifier we mask; sliced to the number of hidden characters.
_STARS = "*" * 64


def mask_number_expr(column: str | pl.Expr) -> pl.Expr:
    """`mask_number` as a Polars expression over a whole column."""
    col = (pl.col(column) if isinstance(column, str) else column).cast(pl.String)
    length = col.str.len_chars()
    stars = pl.lit(_STARS).str.slice(0, length)
    return (
        pl.when(length < 9)
        .then(stars)
        .otherwise(col.str.slice(0, 6) + stars.str.slice(8) + col.str.slice(-2, 2))
    )


def mask_text_expr(column: str | pl.Expr) -> pl.Expr:
    """`mask_text` as a Polars expression: every run of 9+ digits keeps its first 6 and last 2
    digits, the rest starred (8 stars, so a NIK or KK reads as `mask_number` shows it).

    >>> pl.select(mask_text_expr(pl.lit("PINDAH KE KK 3528110101900002"))).item()
    'PINDAH KE KK 352811********02'
    """
    col = pl.col(column) if isinstance(column, str) else column
    return col.str.replace_all(r"(\d{6})\d+(\d{2})", "${1}********${2}")


def mask_name_expr(column: str | pl.Expr) -> pl.Expr:
    """`mask_name` as a Polars expression over a whole column."""
    col = pl.col(column) if isinstance(column, str) else column
    return col.str.replace_all(r"(\S)\S", "$1*").str.replace_all(r"\*\S", "**")


def mask_number_sql(column: str) -> str:
    """`mask_number_expr` as a DuckDB expression over one of our own columns, for tables
    that are masked inside DuckDB (the masked published file) without passing through Python."""
    value = f"CAST({quoted(column)} AS VARCHAR)"
    shown = f"least(length({value}), {len(_STARS)})"
    return (
        f"CASE WHEN length({value}) < 9 THEN repeat('*', length({value})) "
        f"ELSE left({value}, 6) || repeat('*', {shown} - 8) || right({value}, 2) END"
    )


def mask_text_sql(column: str) -> str:
    """`mask_text_expr` as a DuckDB expression over one of our own columns (free text)."""
    return f"regexp_replace({quoted(column)}, '(\\d{{6}})\\d+(\\d{{2}})', '\\1********\\2', 'g')"


def mask_name_sql(column: str) -> str:
    """`mask_name_expr` as a DuckDB expression over one of our own columns."""
    return (
        f"regexp_replace(regexp_replace({quoted(column)}, '(\\S)\\S', '\\1*', 'g'), "
        "'\\*\\S', '**', 'g')"
    )


# The work store's random secret for keyed hashes of identifiers (never published).
SECRET_TABLE = "identifier_secret"


def identifier_secret(con: duckdb.DuckDBPyConnection) -> str:
    """The work store's secret (64 hex digits), made once on first use and kept with the
    store: keys derived from a NIK or KK (record keys, register family keys) are hashed
    again with it in the masked file, so nobody can recover the number by hashing the
    candidates the masked digits and the birth date leave (about 100 for a record key)."""
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {SECRET_TABLE} AS SELECT ? AS secret",  # noqa: S608
        [secrets.token_hex(32)],
    ).fetchall()
    return con.execute(f"SELECT secret FROM {SECRET_TABLE}").fetchall()[0][0]  # noqa: S608


def rekey_sql(column: str, secret: str) -> str:
    """A key column hashed again with `secret` (hex only), as a DuckDB expression: the same
    key gives the same value across the tables of a file and across runs, and reveals
    nothing without the secret.

    >>> import duckdb
    >>> key = duckdb.sql(f"SELECT {rekey_sql('k', 'ab')} FROM (SELECT 'N-1' AS k)").fetchall()[0][0]
    >>> key[:2], len(key), any(c.isdigit() for c in key)
    ('k-', 18, False)
    """
    if not re.fullmatch(r"[0-9a-f]+", secret):
        raise ValueError("the secret must be hex digits")
    value = f"CAST({quoted(column)} AS VARCHAR)"
    # hex digits written as letters (a-p): a key never looks like a NIK to a reader or a scan
    digest = f"translate(left(sha256('{secret}' || {value}), 16), '0123456789', 'ghijklmnop')"
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE 'k-' || {digest} END"
