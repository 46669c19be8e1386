"""Problems that span records, found after matching: duplicates (within and across villages),
NIKs shared by different persons, and KK families without or with several heads.

Each finding is an issue row like those of cleaning (`dtks.clean.issues.ISSUE_SCHEMA`), with
a message in Bahasa Indonesia that starts with the row's location, plus `related_village`
(the other villages involved, by slug) and `related_record` (where the other records are:
village, file, row, name), so an operator knows whom to call.

    >>> sources = pl.DataFrame({  # reconciled_sources: SITI is listed in two villages
    ...     "person_id": ["P-1", "P-1", "P-2"], "village": ["kapong", "blaban", "kapong"],
    ...     "source_file": ["kapong/a.csv", "blaban/b.csv", "kapong/a.csv"],
    ...     "source_sheet": ["", "", ""], "source_row": [2, 7, 3],
    ...     "desa_nama": ["Kapong", "Blaban", "Kapong"], "nama": ["SITI", "SITI", "ALI"]})
    >>> persons = pl.DataFrame({"person_id": ["P-1", "P-2"], "no_kk": [None, None],
    ...                         "hubungan_keluarga": [None, None]})
    >>> found = cross_record_issues(sources, persons, pairs=None)
    >>> found.select("village", "code", "related_village").rows()
    [('blaban', 'duplicate_other_village', 'kapong'), ('kapong', 'duplicate_other_village', 'blaban')]
    >>> found["related_record"][1]
    'Desa Blaban, file blaban/b.csv, baris 7 (SITI)'
"""

from __future__ import annotations

import re

import polars as pl

from dtks.clean.issues import ISSUE_SCHEMA, IssueType, location_expr
from dtks.privacy import mask_number_expr
from dtks.quality.facts import HEAD_OF_FAMILY, LINEAGE, household_members

FINDING_SCHEMA: dict[str, pl.DataType] = {
    **ISSUE_SCHEMA,
    "related_village": pl.String(),
    "related_record": pl.String(),
}
MAX_RELATED = 5  # other records named in one message; the rest are counted

# Templates: {nilai} masked value, {lain} the other records, {jumlah} a count, {persen} a score.
FINDING_TYPES: tuple[IssueType, ...] = (
    IssueType(
        "duplicate_other_village",
        "warning",
        "nama",
        "Orang yang sama juga terdaftar di desa lain: {lain}. Hubungi operator desa tersebut, "
        "pastikan di desa mana orang ini tinggal sekarang, lalu usulkan nonaktif (pindah/ganda) "
        "data di desa yang bukan tempat tinggalnya.",
    ),
    IssueType(
        "duplicate_in_village",
        "warning",
        "nama",
        "Orang yang sama tercatat lebih dari sekali di desa ini: {lain}. Pertahankan satu data "
        "yang paling lengkap dan usulkan nonaktif (ganda) data lainnya.",
    ),
    IssueType(
        "possible_duplicate",
        "warning",
        "nama",
        "Mungkin orang yang sama dengan {lain} (kemiripan {persen} %). Periksa KTP/KK: jika "
        "orang yang sama, usulkan nonaktif (ganda) salah satu data; jika berbeda, tidak perlu "
        "diubah.",
    ),
    IssueType(
        "nik_shared",
        "warning",
        "nik",
        "NIK dipakai orang lain: NIK '{nilai}' juga tercatat untuk {lain}. {siapa} Satu NIK "
        "hanya untuk satu orang: periksa KTP/KK lalu perbaiki NIK yang salah di SIKS-NG.",
    ),
    IssueType(
        "kk_no_head",
        "warning",
        "hubungan_keluarga",
        "KK '{nilai}' tidak punya KEPALA KELUARGA ({jumlah} anggota tercatat di desa ini). "
        "Isi hubungan keluarga anggota yang menjadi kepala keluarga sesuai Kartu Keluarga.",
    ),
    IssueType(
        "kk_two_heads",
        "warning",
        "hubungan_keluarga",
        "KK '{nilai}' punya {jumlah} KEPALA KELUARGA; yang lain: {lain}. Satu KK hanya punya satu "
        "kepala keluarga: perbaiki hubungan keluarga sesuai Kartu Keluarga.",
    ),
)
FINDING_CATALOGUE: dict[str, IssueType] = {t.code: t for t in FINDING_TYPES}


def render_message(code: str, **values: pl.Expr) -> pl.Expr:
    """The location, then the code's template with its {placeholders} filled from `values`."""
    pieces = re.split(r"\{(\w+)\}", FINDING_CATALOGUE[code].template)
    parts: list[pl.Expr] = [location_expr(), pl.lit(": ")]
    for i, piece in enumerate(pieces):
        parts.append(values[piece].cast(pl.String).fill_null("-") if i % 2 else pl.lit(piece))
    return pl.concat_str(parts)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def _has(frame: pl.DataFrame | None, *columns: str) -> bool:
    return frame is not None and not frame.is_empty() and set(columns) <= set(frame.columns)


def place_expr(suffix: str = "") -> pl.Expr:
    """Where a record is, for an operator: "Desa Kapong, file kapong/a.csv, baris 12 (NAMA)"."""
    sheet = pl.col(f"source_sheet{suffix}")
    sheet_part = (
        pl.when(sheet.is_null() | (sheet == ""))
        .then(pl.lit(""))
        .otherwise(pl.lit(", lembar ") + sheet)
    )
    return pl.concat_str(
        [
            pl.lit("Desa "),
            pl.coalesce(pl.col(f"desa_nama{suffix}"), pl.col(f"village{suffix}")),
            pl.lit(", file "),
            pl.col(f"source_file{suffix}").fill_null("?"),
            sheet_part,
            pl.lit(", baris "),
            pl.col(f"source_row{suffix}").cast(pl.String).fill_null("?"),
            pl.lit(" ("),
            pl.col(f"nama{suffix}").fill_null("tanpa nama"),
            pl.lit(")"),
        ]
    )


def _records(sources: pl.DataFrame) -> pl.DataFrame:
    """The columns findings need from `reconciled_sources`, with a row number to tell rows apart."""
    extra = [
        c for c in ("desa_nama", "nama", "nik", "nik_is_valid", "_fit") if c in sources.columns
    ]
    frame = sources.select("person_id", *LINEAGE, *extra).with_row_index("_row")
    for column in ("desa_nama", "nama", "nik"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(column))
    return frame


def _related_per_row(pairs: pl.DataFrame) -> pl.DataFrame:
    """Per row (`_row`): the other rows' places and villages, from (row, other row) pairs."""
    others_ordered = pairs.sort("_row", "village_o", "source_file_o", "source_row_o")
    return (
        others_ordered.group_by("_row", maintain_order=True)
        .agg(
            pl.col("_place_o").head(MAX_RELATED).str.join("; ").alias("_shown"),
            pl.len().alias("_count_others"),
            pl.col("village_o")
            .filter(pl.col("village_o") != pl.col("village"))
            .unique()
            .sort()
            .str.join(", ")
            .alias("related_village"),
        )
        .with_columns(
            pl.when(pl.col("_count_others") > MAX_RELATED)
            .then(
                pl.col("_shown")
                + pl.lit("; dan ")
                + (pl.col("_count_others") - MAX_RELATED).cast(pl.String)
                + pl.lit(" data lain")
            )
            .otherwise(pl.col("_shown"))
            .alias("related_record"),
            pl.when(pl.col("related_village") == "")
            .then(None)
            .otherwise(pl.col("related_village"))
            .alias("related_village"),
        )
    )


def _self_pairs(records: pl.DataFrame, on: str) -> pl.DataFrame:
    """Every (row, other row) sharing `on`, with the other row's place as `_place_o`."""
    other = records.rename({c: f"{c}_o" for c in records.columns if c != on}).with_columns(
        place_expr("_o").alias("_place_o")
    )
    return records.join(other, on=on).filter(pl.col("_row") != pl.col("_row_o"))


def _finding_rows(frame: pl.DataFrame, code: pl.Expr | str, message: pl.Expr) -> pl.DataFrame:
    """Rows of `frame` as issue rows; `frame` has lineage, value_masked and related columns."""
    code_expr = pl.lit(code) if isinstance(code, str) else code
    types = pl.DataFrame(
        {
            "code": [t.code for t in FINDING_TYPES],
            "severity": [t.severity for t in FINDING_TYPES],
            "column": [t.column for t in FINDING_TYPES],
        }
    )
    return (
        frame.with_columns(code_expr.alias("code"), message.alias("message"))
        .join(types, on="code", how="left")
        .with_columns(pl.lit(None, pl.String).alias("suggested_value"))
        .select(list(FINDING_SCHEMA))
        .cast(FINDING_SCHEMA)
    )


def duplicate_issues(sources: pl.DataFrame) -> pl.DataFrame:
    """One issue per source row of a person listed more than once, naming the other rows.

    `duplicate_other_village` when any other row is in another village (that village is
    named), else `duplicate_in_village`.
    """
    if not _has(sources, "person_id", *LINEAGE):
        return _empty()
    records = _records(sources).filter(pl.len().over("person_id") > 1)
    if records.is_empty():
        return _empty()
    related = _related_per_row(_self_pairs(records, "person_id"))
    rows = records.join(related, on="_row").with_columns(
        mask_number_expr("nik").alias("value_masked")
    )
    other_village = pl.col("related_village").is_not_null()
    code = (
        pl.when(other_village)
        .then(pl.lit("duplicate_other_village"))
        .otherwise(pl.lit("duplicate_in_village"))
    )
    lain = pl.col("related_record")
    message = (
        pl.when(other_village)
        .then(render_message("duplicate_other_village", lain=lain))
        .otherwise(render_message("duplicate_in_village", lain=lain))
    )
    return _finding_rows(rows.sort("_row"), code, message)


def possible_duplicate_issues(sources: pl.DataFrame, pairs: pl.DataFrame | None) -> pl.DataFrame:
    """Pairs left for review (not merged): an issue on both rows, naming the other one."""
    needed = ("decision", "match_probability") + tuple(f"{c}_{s}" for s in "lr" for c in LINEAGE)
    if not _has(sources, "person_id", *LINEAGE) or not _has(pairs, *needed):
        return _empty()
    review = pairs.filter(pl.col("decision") == "review")
    if review.is_empty():
        return _empty()
    records = _records(sources)
    sides = []
    for this, that in (("l", "r"), ("r", "l")):
        pair_side = review.select(
            *[pl.col(f"{c}_{this}").alias(c) for c in LINEAGE],
            *[pl.col(f"{c}_{that}").alias(f"{c}_o") for c in LINEAGE],
            (pl.col("match_probability") * 100).round(0).cast(pl.Int64).alias("_persen"),
        )
        sides.append(pair_side)
    both = pl.concat(sides)
    other = records.select(
        *[pl.col(c).alias(f"{c}_o") for c in LINEAGE],
        pl.col("desa_nama").alias("desa_nama_o"),
        pl.col("nama").alias("nama_o"),
        pl.col("person_id").alias("person_id_o"),
    )
    rows = (
        both.join(records, on=LINEAGE, how="inner")
        .join(other, on=[f"{c}_o" for c in LINEAGE], how="inner")
        .filter(pl.col("person_id") != pl.col("person_id_o"))
        .with_columns(place_expr("_o").alias("_place_o"))
        .sort("_row", "village_o", "source_file_o", "source_row_o")
    )
    if rows.is_empty():
        return _empty()
    per_row = rows.group_by("_row", maintain_order=True).agg(
        pl.first(*LINEAGE, "nik"),
        pl.col("_place_o").head(MAX_RELATED).str.join("; ").alias("related_record"),
        pl.col("village_o")
        .filter(pl.col("village_o") != pl.col("village"))
        .unique()
        .sort()
        .str.join(", ")
        .alias("related_village"),
        pl.col("_persen").max(),
    )
    per_row = per_row.with_columns(
        pl.when(pl.col("related_village") == "")
        .then(None)
        .otherwise(pl.col("related_village"))
        .alias("related_village"),
        mask_number_expr("nik").alias("value_masked"),
    )
    message = render_message(
        "possible_duplicate", lain=pl.col("related_record"), persen=pl.col("_persen")
    )
    return _finding_rows(per_row.sort("_row"), "possible_duplicate", message)


NOT_THIS_ROWS_NIK = (
    "Tanggal lahir/jenis kelamin di baris ini tidak cocok dengan NIK tersebut, sedangkan data "
    "lain cocok: kemungkinan besar NIK itu milik orang lain."
)
OWNER_UNCLEAR = (
    "Belum jelas NIK itu milik siapa (tanggal lahir/jenis kelamin tidak menunjukkannya)."
)
_FIT_COLUMNS = (
    "tanggal_lahir",
    "tanggal_lahir_from_nik",
    "nik_birth_date",
    "nik_sex",
    "jenis_kelamin",
)


def shared_nik_issues(sources: pl.DataFrame) -> pl.DataFrame:
    """ "NIK dipakai orang lain": rows whose valid NIK is also the NIK of a different person.

    The NIK's embedded birth date and sex point at its owner (`dtks.match.shared_nik`): when
    exactly one of the persons carrying it fits it, only the others' rows get the issue;
    when none or several fit, every row does. The issue names the other rows (village, file,
    row, name) and the NIK masked. Matching keeps such persons apart on purpose.
    """
    if not _has(sources, "person_id", "nik", *LINEAGE):
        return _empty()
    records = _records(_with_nik_fit(sources))
    if "nik_is_valid" in records.columns:
        records = records.filter(pl.col("nik_is_valid").fill_null(False))
    records = records.filter(
        pl.col("nik").is_not_null() & (pl.col("person_id").n_unique().over("nik") > 1)
    )
    if records.is_empty():
        return _empty()
    records = records.with_columns(
        pl.col("_fit").any().over("nik", "person_id").alias("_person_fits")
    ).with_columns(
        pl.col("person_id").filter(pl.col("_person_fits")).n_unique().over("nik").alias("_owners")
    )
    flagged = (pl.col("_owners") != 1) | ~pl.col("_person_fits")
    pairs = _self_pairs(records, "nik").filter(pl.col("person_id") != pl.col("person_id_o"))
    related = _related_per_row(pairs)
    rows = (
        records.filter(flagged)
        .join(related, on="_row")
        .with_columns(mask_number_expr("nik").alias("value_masked"))
    )
    siapa = (
        pl.when(pl.col("_owners") == 1)
        .then(pl.lit(NOT_THIS_ROWS_NIK))
        .otherwise(pl.lit(OWNER_UNCLEAR))
    )
    message = render_message(
        "nik_shared", nilai=pl.col("value_masked"), lain=pl.col("related_record"), siapa=siapa
    )
    return _finding_rows(rows.sort("_row"), "nik_shared", message)


def _with_nik_fit(sources: pl.DataFrame) -> pl.DataFrame:
    """``sources`` with ``_fit``: the row's typed birth date and sex fit its NIK (False when
    the columns to tell are missing)."""
    if not set(_FIT_COLUMNS) <= set(sources.columns):
        return sources.with_columns(pl.lit(False).alias("_fit"))
    from dtks.match.shared_nik import nik_fits_row_expr

    return sources.with_columns(nik_fits_row_expr().alias("_fit"))


def household_head_issues(sources: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """KK families (as reconciled) without a head, or with more than one.

    No head: one issue per village the family is listed in, on its first row there.
    Several heads: one issue on every row of every head, naming the other heads.
    """
    if not _has(sources, "person_id", *LINEAGE) or not _has(
        persons, "person_id", "no_kk", "hubungan_keluarga"
    ):
        return _empty()
    members = household_members(persons).with_columns(
        (pl.col("hubungan_keluarga") == HEAD_OF_FAMILY).fill_null(False).alias("_is_head")
    )
    members = members.with_columns(
        pl.col("_is_head").sum().over("household_key").alias("_count_heads")
    ).select("person_id", "household_key", "no_kk", "_is_head", "_count_heads")
    rows = (
        _records(sources)
        .join(members, on="person_id", how="inner")
        .with_columns(mask_number_expr("no_kk").alias("value_masked"))
    )
    no_head = (
        rows.filter(pl.col("_count_heads") == 0)
        .sort("_row")
        .group_by("household_key", "village", maintain_order=True)
        .agg(pl.all().first(), pl.len().alias("_members_here"))
        .with_columns(
            pl.lit(None, pl.String).alias("related_village"),
            pl.lit(None, pl.String).alias("related_record"),
        )
    )
    no_head_issues = _finding_rows(
        no_head.sort("_row"),
        "kk_no_head",
        render_message("kk_no_head", nilai=pl.col("value_masked"), jumlah=pl.col("_members_here")),
    )
    heads = rows.filter(pl.col("_is_head") & (pl.col("_count_heads") > 1))
    if heads.is_empty():
        return no_head_issues
    head_pairs = _self_pairs(heads.drop("no_kk", "value_masked"), "household_key").filter(
        pl.col("person_id") != pl.col("person_id_o")
    )
    related = _related_per_row(head_pairs)
    two = heads.join(related, on="_row")
    two_heads_issues = _finding_rows(
        two.sort("_row"),
        "kk_two_heads",
        render_message(
            "kk_two_heads",
            nilai=pl.col("value_masked"),
            jumlah=pl.col("_count_heads"),
            lain=pl.col("related_record"),
        ),
    )
    return pl.concat([no_head_issues, two_heads_issues])


def cross_record_issues(
    sources: pl.DataFrame | None, persons: pl.DataFrame | None, pairs: pl.DataFrame | None
) -> pl.DataFrame:
    """Every cross-record finding, in a stable order (village, file, sheet, row, code)."""
    if sources is None or persons is None:
        return _empty()
    parts = [
        duplicate_issues(sources),
        possible_duplicate_issues(sources, pairs),
        shared_nik_issues(sources),
        household_head_issues(sources, persons),
    ]
    return pl.concat(parts).sort(*LINEAGE, "code", maintain_order=True)
