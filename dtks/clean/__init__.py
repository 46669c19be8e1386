"""Cleaning of one village's raw rows into clean rows, issues for the operator and rejected rows.

    >>> from datetime import date
    >>> from dtks.region import load_kecamatan
    >>> raw = pl.DataFrame({
    ...     "source_file": ["kapong/a.csv"] * 3, "source_sheet": ["", "", ""],
    ...     "source_row": [2, 3, 4], "row_kind": ["data", "data", "totals"],
    ...     "nik": ["3528114506890001", "3.52811E+15", None],
    ...     "nama": ["Hj. Siti Aminah", "MOH. ALI", "JUMLAH"],
    ...     "nik_was_numeric": [False, True, False]})
    >>> result = clean_rows(raw, load_kecamatan("35.28.11"), "kapong",
    ...                     reference_date=date(2026, 11, 30))
    >>> result.clean.select("source_row", "nama", "nama_gelar", "nik_possibly_truncated").rows()
    [(2, 'SITI AMINAH', 'HJ.', False), (3, 'MOH. ALI', None, True)]
    >>> result.issues.filter(pl.col("column") == "nik").select("source_row", "code").rows()
    [(3, 'nik_scientific_truncated')]
    >>> result.rejected.select("source_row", "reason_code").rows()
    [(4, 'totals')]

Every input row ends in exactly one of `clean` (a person row, possibly with issues) and
`rejected` (totals, signatures, notes, repeated headers, and data rows without a name).
Whole-column Polars expressions throughout; Python only touches the few distinct values
of the DESA and TEMPAT LAHIR columns (for fuzzy matching against the region table).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

import polars as pl

from dtks.clean import codes, dates, identifiers, names, places
from dtks.clean.distinct import with_distinct
from dtks.clean.issues import (
    ISSUE_CATALOGUE,
    ISSUE_SCHEMA,
    ISSUE_TYPES,
    LINEAGE_COLUMNS,
    REJECTION_REASONS,
    ROW_INDEX,
    Check,
    IssueType,
    build_issues,
    catalogue_frame,
)
from dtks.columns import CANONICAL_COLUMNS
from dtks.region import Kecamatan

__all__ = [
    "CLEAN_SCHEMA",
    "ISSUE_CATALOGUE",
    "ISSUE_SCHEMA",
    "ISSUE_TYPES",
    "REJECTED_SCHEMA",
    "CleanResult",
    "IssueType",
    "catalogue_frame",
    "clean_rows",
]

NON_PERSON_ROW_KINDS: tuple[str, ...] = ("totals", "signature", "note", "repeated_header")

CLEAN_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "iddtks": pl.String(),
    "nik": pl.String(),
    "nik_as_written": pl.String(),
    "nik_is_valid": pl.Boolean(),
    "nik_possibly_truncated": pl.Boolean(),
    "nik_birth_date": pl.Date(),
    "nik_sex": pl.String(),
    "nik_region_is_local": pl.Boolean(),
    "no_kk": pl.String(),
    "no_kk_as_written": pl.String(),
    "no_kk_is_valid": pl.Boolean(),
    "no_kk_possibly_truncated": pl.Boolean(),
    "no_kk_issue_date": pl.Date(),
    "nama": pl.String(),
    "nama_gelar": pl.String(),
    "nama_key": pl.String(),
    "nama_ibu_kandung": pl.String(),
    "nama_ibu_key": pl.String(),
    "tempat_lahir": pl.String(),
    "tempat_lahir_key": pl.String(),
    "tanggal_lahir": pl.Date(),
    "tanggal_lahir_as_written": pl.String(),
    "tanggal_lahir_is_placeholder": pl.Boolean(),
    "tanggal_lahir_from_nik": pl.Boolean(),
    "jenis_kelamin": pl.String(),
    "hubungan_keluarga": pl.String(),
    "status_kawin": pl.String(),
    "pekerjaan": pl.String(),
    "padan_dukcapil": pl.Boolean(),
    "pkh": pl.Boolean(),
    "bpnt": pl.Boolean(),
    "pbi_jk": pl.Boolean(),
    "bst": pl.Boolean(),
    "keterangan": pl.String(),
    "keterangan_kode": pl.String(),
    "desa_kode": pl.String(),
    "desa_nama": pl.String(),
    "desa_as_written": pl.String(),
    "desa_tertulis_kode": pl.String(),
    "alamat": pl.String(),
    "dusun": pl.String(),
    "rt": pl.String(),
    "rw": pl.String(),
    "tanggal_update": pl.Date(),
    "extras": pl.String(),
}

REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "row_kind": pl.String(),
    "reason_code": pl.String(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class CleanResult:
    """Output of `clean_rows`: accepted rows, one issue per problem, rejected rows with a reason."""

    clean: pl.DataFrame
    issues: pl.DataFrame
    rejected: pl.DataFrame


def _conform(raw: pl.DataFrame | pl.LazyFrame, village: str) -> pl.DataFrame:
    """The raw rows with every contract column present and typed, plus the `village` lineage."""
    frame = raw.collect() if isinstance(raw, pl.LazyFrame) else raw
    frame = frame.with_row_index(ROW_INDEX)
    present = set(frame.columns)
    text_columns = [*CANONICAL_COLUMNS, "source_file", "source_sheet", "row_kind", "extras"]
    return frame.with_columns(
        pl.lit(village).alias("village"),
        *(
            (pl.col(c) if c in present else pl.lit(None)).cast(pl.String).alias(c)
            for c in text_columns
        ),
        *(
            (pl.col(c) if c in present else pl.lit(False)).cast(pl.Boolean).alias(c)
            for c in ("nik_was_numeric", "no_kk_was_numeric")
        ),
        (pl.col("source_row") if "source_row" in present else pl.lit(None))
        .cast(pl.Int64)
        .alias("source_row"),
    )


def _rejection_reason() -> pl.Expr:
    """reason_code for rows that cannot be a person, null for rows to clean."""
    kind = pl.col("row_kind").str.strip_chars().str.to_lowercase()
    name = pl.col("nama").str.strip_chars()
    return (
        pl.when(kind.is_in(NON_PERSON_ROW_KINDS))
        .then(kind)
        .when(kind.is_not_null() & (kind != "") & (kind != "data"))
        .then(pl.lit("row_kind_unknown"))
        .when(name.is_null() | (name == ""))
        .then(pl.lit("nama_missing"))
        .when(~name.str.contains(r"\p{L}"))
        .then(pl.lit("nama_no_letters"))
    )


def _clean_distinct_values(
    frame: pl.DataFrame, kecamatan: Kecamatan, reference: date
) -> pl.DataFrame:
    """Steps that depend on one cell only, computed once per distinct written value."""
    frame = codes.keep_written(frame.lazy()).collect()
    for source, output, expr in codes.lookups():
        step = codes.derive_code(source, output, expr)
        frame = with_distinct(frame, source, step, codes.code_outputs(source, output))
    frame = with_distinct(
        frame,
        "keterangan",
        lambda lf: lf.with_columns(codes.keterangan_kode().alias("keterangan_kode")),
        ["keterangan_kode"],
    )
    for column, prefix in (("tanggal_lahir", "_tl"), ("tanggal_update", "_tu")):
        step = partial(dates.add_date_parts, column=column, prefix=prefix, reference=reference)
        frame = with_distinct(frame, column, step, dates.part_columns(prefix))
    for column, display, gelar, key in (
        ("nama", "nama", "nama_gelar", "nama_key"),
        ("nama_ibu_kandung", "nama_ibu_kandung", None, "nama_ibu_key"),
    ):
        step = partial(names.add_person_name, column=column, display=display, gelar=gelar, key=key)
        frame = with_distinct(frame, column, step, names.person_name_outputs(display, gelar, key))
    step = partial(places.add_birth_place, kecamatan=kecamatan)
    frame = with_distinct(frame, "tempat_lahir", step, places.BIRTH_PLACE_OUTPUTS)
    for column in ("rt", "rw"):
        step = partial(places.add_neighbourhood, column=column)
        frame = with_distinct(frame, column, step, places.neighbourhood_outputs(column))
    return frame


def _clean(
    frame: pl.DataFrame, kecamatan: Kecamatan, village: str, reference: date
) -> pl.DataFrame:
    """All cleaning steps in dependency order (the NIK century needs the typed year, and the
    typed date's day/month swap needs the NIK date)."""
    frame = frame.with_columns(
        pl.col("nama").alias("_nama_written"),
        pl.col("nama_ibu_kandung").alias("_nama_ibu_written"),
        pl.col("iddtks").str.strip_chars().str.strip_chars_start("'"),
    )
    frame = _clean_distinct_values(frame, kecamatan, reference)
    lf = codes.resolve_spouse(frame.lazy())
    lf = identifiers.add_number(lf, "nik", "nik_was_numeric")
    lf = identifiers.add_number(lf, "no_kk", "no_kk_was_numeric")
    lf = identifiers.add_nik_fields(lf, kecamatan, pl.col("_tl_y"), reference)
    lf = identifiers.add_kk_fields(lf, kecamatan, reference)
    lf = dates.add_birth_date(lf, reference)
    lf = dates.add_update_date(lf, reference)
    lf = places.add_desa(lf, kecamatan, village, frame.get_column("desa").unique().to_list())
    return lf.with_columns(pl.col("_tu_date").alias("tanggal_update")).collect()


def _checks(kecamatan: Kecamatan, desa_kode: str) -> list[Check]:
    return [
        *identifiers.nik_checks(),
        *identifiers.kk_checks(),
        *dates.birth_date_checks(),
        *dates.update_date_checks(),
        *codes.code_checks(),
        *names.name_checks(),
        *places.place_checks(kecamatan, desa_kode),
    ]


def _rejected(frame: pl.DataFrame) -> pl.DataFrame:
    reasons = pl.col("_reason").replace_strict(REJECTION_REASONS, return_dtype=pl.String)
    return (
        frame.filter(pl.col("_reason").is_not_null())
        .select(
            *LINEAGE_COLUMNS,
            pl.col("row_kind"),
            pl.col("_reason").alias("reason_code"),
            reasons.alias("reason"),
        )
        .cast(REJECTED_SCHEMA)
    )


def _rejection_checks() -> list[Check]:
    """Data rows rejected for their name also go on the operator's fix list."""
    return [
        Check("nama_missing", pl.col("_reason") == "nama_missing"),
        Check("nama_no_letters", pl.col("_reason") == "nama_no_letters", pl.col("nama")),
    ]


def clean_rows(
    raw: pl.DataFrame | pl.LazyFrame,
    kecamatan: Kecamatan,
    village: str,
    *,
    reference_date: date | None = None,
) -> CleanResult:
    """Clean one village's raw rows (the "Raw rows" contract of docs/architecture.md).

    `village` is the folder slug; it decides `desa_kode`/`desa_nama`. `reference_date`
    (default today) is "now" for future dates, ages and two-digit years; pass it for
    reproducible runs. A row with a missing or bad NIK is kept and flagged, never dropped.
    """
    reference = reference_date or date.today()
    desa = kecamatan.desa_by_slug(village)
    frame = _conform(raw, village).with_columns(_rejection_reason().alias("_reason"))
    accepted = frame.filter(pl.col("_reason").is_null())
    work = _clean(accepted, kecamatan, village, reference)
    issues = build_issues(
        frame,
        (work.lazy(), _checks(kecamatan, desa.kode)),
        (frame.lazy().filter(pl.col("_reason").is_not_null()), _rejection_checks()),
    )
    return CleanResult(
        clean=work.select(list(CLEAN_SCHEMA)).cast(CLEAN_SCHEMA),
        issues=issues,
        rejected=_rejected(frame),
    )
