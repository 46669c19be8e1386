"""Telling person rows from the totals, signatures, notes and repeated headers around them.

Rules (applied in this order; the first that holds wins):

1. `data` when the row has a NAMA with a letter and a NIK with a digit: a person, whatever else
   it says, unless the NAMA is itself a totals label (JUMLAH, TOTAL, ...): nobody is called that.
2. `repeated_header`: at least half (and at least 2) of the recognised header cells are repeated
   at their own positions (a header printed again after a page break), or the row numbers the
   columns ("1", "2", "3" or "(1)", "(2)", ... under the header cells, at least 3 filled).
3. `totals`: the first filled cell of the row, or the NAMA cell, starts with JUMLAH / JML /
   TOTAL / SUB TOTAL / GRAND TOTAL, and the NAMA cell is empty or is that label. A NIK-like
   number does not save it (Excel's SUM over the NIK column looks like one).
4. `note`: the first filled cell starts with CATATAN / KETERANGAN: / KET: / NB / SUMBER / "*)",
   at most 3 filled cells, no NIK/KK-like value.
5. `signature`: at most 2 filled cells, no NIK/KK-like value, and either a cell looks like a
   signature line (Mengetahui, Kepala Desa, Operator, Petugas, NIP, "Pamekasan, 12 Oktober 2026",
   ...) or the row follows such a line with only such small rows in between (the signer's name
   and the dotted line under "Kepala Desa").
6. `data` otherwise: when in doubt a row is kept as a person and judged by cleaning.

A NIK/KK-like value is 15-16 digits (spaces, dots, apostrophes ignored) or a number in
scientific notation, in the NIK or NOMOR KK column. An 18-digit NIP is not NIK-like.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import polars as pl

from dtks.columns import normalise_header

ROW_KINDS = ("data", "totals", "signature", "note", "repeated_header")

_MONTHS = (
    "JANUARI|FEBRUARI|PEBRUARI|MARET|APRIL|MEI|JUNI|JULI|AGUSTUS|SEPTEMBER|OKTOBER"
    "|NOPEMBER|NOVEMBER|DESEMBER"
)
TOTALS_PATTERN = r"(?i)^(SUB\s*-?\s*TOTAL|GRAND\s*TOTAL|TOTAL|JUMLAH|JML\.?)(\W|$)"
NOTE_PATTERN = (
    r"(?i)^(CATATAN|KETERANGAN\s*:|KET\s*:|KET\.\s*:|N\.?\s?B\.?(\s|:|$)|SUMBER(\s|:|$)|\*\))"
)
SIGNATURE_PATTERN = (
    r"(?i)^(MENGETAHUI|KEPALA\s+DESA|KEPALA\s+KELURAHAN|KADES\b|LURAH\b|PJ\.?\s+KEPALA|PLT\.?\s"
    r"|OPERATOR|PETUGAS|PENDAMPING|SEKRETARIS|SEKDES\b|CAMAT\b|NIP\b|NIP\.|TTD\b|TTD\."
    r"|TANDA\s+TANGAN|DIBUAT\s+OLEH|DIPERIKSA|DISETUJUI|DISAHKAN|YANG\s+MEMBUAT|A\.\s?N\.\s|A/N\s"
    r"|\(?\s*\.{4,}|\(?\s*_{4,})"
    r"|^[A-Z][A-Z .'-]*,\s*\d{1,2}\s+(" + _MONTHS + r")\s+\d{4}\s*$"
    r"|^[A-Z][A-Z .'-]*,\s*\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\s*$"
)
ID_DIGITS_PATTERN = r"^\d{15,16}$"
SCIENTIFIC_PATTERN = r"(?i)^'?\s*\d([.,]\d+)?\s*E\s*\+?\s*\d+$"


def _cell(position: int) -> pl.Expr:
    return pl.col(f"c{position}")


def _id_like(position: int) -> pl.Expr:
    value = _cell(position)
    digits = value.str.replace_all(r"[\s'.`]", "")
    return (
        digits.str.contains(ID_DIGITS_PATTERN) | value.str.contains(SCIENTIFIC_PATTERN)
    ).fill_null(False)


def _normalised(expr: pl.Expr) -> pl.Expr:
    """`dtks.columns.normalise_header` as an expression (without the accent folding)."""
    return expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")


def _is_person(canonical: dict[int, str]) -> pl.Expr:
    """A NAMA with a letter and a NIK with a digit: always a person (rule 1)."""
    position = {name: j for j, name in canonical.items()}
    if "nama" not in position or "nik" not in position:
        return pl.lit(False)
    nik, nama = _cell(position["nik"]), _cell(position["nama"])
    has_name = nama.str.contains(r"[^\W\d_]").fill_null(False)
    is_label = nama.str.contains(TOTALS_PATTERN).fill_null(False)
    return has_name & ~is_label & nik.str.contains(r"\d").fill_null(False)


def classify_rows(
    grid: pl.DataFrame, width: int, headers: Sequence[str], canonical: dict[int, str]
) -> pl.DataFrame:
    """`grid` (trimmed cells `c0..c{width-1}`, null = empty, sheet order, no empty rows) plus `row_kind`.

    Rows that are plainly persons (rule 1) skip the costlier rules, which only run on the rest.
    """
    cells = [_cell(j) for j in range(width)]
    position = {name: j for j, name in canonical.items()}
    id_positions = [position[k] for k in ("nik", "no_kk") if k in position]
    id_like = (
        pl.any_horizontal([_id_like(j) for j in id_positions]) if id_positions else pl.lit(False)
    )
    filled = pl.sum_horizontal([c.is_not_null() for c in cells])
    grid = grid.with_row_index("_row").with_columns(
        _is_person(canonical).alias("_is_person"),
        id_like.alias("_id_like"),
        filled.alias("_filled"),
    )
    small_row = (pl.col("_filled") <= 2) & ~pl.col("_id_like") & ~pl.col("_is_person")
    grid = grid.with_columns(small_row.alias("_small"), (~small_row).cum_sum().alias("_block"))
    others = grid.filter(~pl.col("_is_person"))
    if others.height == 0:
        kinds = grid.with_columns(pl.lit("data").alias("row_kind"))
    else:
        kinds = others.select("_row", _other_row_kind(cells, headers, canonical))
        kinds = grid.join(kinds, on="_row", how="left", maintain_order="left").with_columns(
            pl.col("row_kind").fill_null("data")
        )
    return kinds.drop("_row", "_is_person", "_id_like", "_filled", "_small", "_block")


def _numbers_the_columns(cells: list[pl.Expr], headers: Sequence[str]) -> pl.Expr:
    """The row under many Indonesian headers that numbers the columns: (1) (2) (3) ..."""
    named = [j for j, header in enumerate(headers) if header]
    if not named:
        return pl.lit(False)
    first = named[0]
    matches = [
        c.is_null() | (c.str.strip_chars("()[]. ") == str(j - first + 1)).fill_null(False)
        for j, c in enumerate(cells)
    ]
    return pl.all_horizontal(matches) & (pl.col("_filled") >= 3)


def _other_row_kind(
    cells: list[pl.Expr], headers: Sequence[str], canonical: dict[int, str]
) -> pl.Expr:
    """Rules 2-6 for rows that are not plainly persons; needs the helper columns of `classify_rows`."""
    position = {name: j for j, name in canonical.items()}
    first_cell = pl.coalesce(cells)
    nama = _cell(position["nama"]) if "nama" in position else pl.lit(None, pl.String)
    id_like = pl.col("_id_like")

    repeated = [
        (_normalised(_cell(j)) == pl.lit(normalise_header(headers[j]))).fill_null(False)
        for j in canonical
    ]
    needed = max(2, math.ceil(len(repeated) / 2))
    is_repeated_header = pl.sum_horizontal(repeated) >= needed if repeated else pl.lit(False)
    is_repeated_header = is_repeated_header | _numbers_the_columns(cells, headers)

    nama_is_label = nama.str.contains(TOTALS_PATTERN).fill_null(False)
    is_totals = (first_cell.str.contains(TOTALS_PATTERN).fill_null(False) | nama_is_label) & (
        nama.is_null() | nama_is_label
    )
    is_note = (
        first_cell.str.contains(NOTE_PATTERN).fill_null(False) & (pl.col("_filled") <= 3) & ~id_like
    )
    signature_line = pl.col("_small") & pl.any_horizontal(
        [c.str.contains(SIGNATURE_PATTERN).fill_null(False) for c in cells]
    )
    in_signature_block = pl.col("_small") & signature_line.cum_max().over("_block")

    return (
        pl.when(is_repeated_header)
        .then(pl.lit("repeated_header"))
        .when(is_totals)
        .then(pl.lit("totals"))
        .when(is_note)
        .then(pl.lit("note"))
        .when(in_signature_block)
        .then(pl.lit("signature"))
        .otherwise(pl.lit("data"))
        .alias("row_kind")
    )
