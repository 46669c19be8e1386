"""Masking of personal identifiers (NIK, KK number, mother's name) for logs, metadata and reports."""

from __future__ import annotations

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


def mask_name_sql(column: str) -> str:
    """`mask_name_expr` as a DuckDB expression over one of our own columns."""
    return (
        f"regexp_replace(regexp_replace({quoted(column)}, '(\\S)\\S', '\\1*', 'g'), "
        "'\\*\\S', '**', 'g')"
    )
