"""Frames the expectation suites validate: derived facts, never raw NIK, KK or mother's name.

Validation reports (GX results, data docs, Dagster metadata) show unexpected values
verbatim, so the suites never see a personal value: a NIK becomes its *shape* (digits as
9, letters as A: ``"9999999999999999"``, ``"9.99999A+99"``) and its masked form, a birth
date becomes an age, a mother's name its initials.

    >>> from dtks.clean import clean_rows
    >>> from dtks.region import load_kecamatan
    >>> raw = pl.DataFrame({"source_file": ["kapong/a.csv"] * 2, "source_sheet": ["", ""],
    ...     "source_row": [2, 3], "row_kind": ["data", "data"], "nama": ["SITI", "ALI"],
    ...     "nik": ["3528114506890001", "3.52811E+15"], "nik_was_numeric": [False, True]})
    >>> clean = clean_rows(raw, load_kecamatan("35.28.11"), "kapong").clean
    >>> facts = clean_row_facts(clean, reference=date(2026, 11, 30))
    >>> facts.columns[:6]
    ['village', 'source_file', 'source_sheet', 'source_row', 'nik_masked', 'nik_shape']
    >>> facts.select("nik_masked", "nik_shape").rows()  # no NIK in full, ever
    [('352811********01', '9999999999999999'), ('3.5281***15', '9.99999A+99')]
"""

from __future__ import annotations

from datetime import date

import polars as pl

from dtks.columns import LINEAGE_COLUMNS as LINEAGE
from dtks.privacy import mask_number_expr
from dtks.quality.accounting import row_accounting
from dtks.quality.drift import village_drift

HEAD_OF_FAMILY = "KEPALA KELUARGA"
_SPACES_AND_QUOTES = "[\\s\u00a0'`\u2018\u2019\"]+"

CLEAN_ROW_FACTS_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "nik_masked": pl.String(),
    "nik_shape": pl.String(),
    "nik_is_valid": pl.Boolean(),
    "nik_matches_birth_date": pl.Boolean(),
    "nik_matches_sex": pl.Boolean(),
    "no_kk_masked": pl.String(),
    "no_kk_shape": pl.String(),
    "no_kk_is_valid": pl.Boolean(),
    "age_years": pl.Int64(),
    "jenis_kelamin": pl.String(),
    "hubungan_keluarga": pl.String(),
    "status_kawin": pl.String(),
    "keterangan_kode": pl.String(),
    "rt": pl.String(),
    "rw": pl.String(),
    "nama_ibu_masked": pl.String(),
}


def shape_expr(column: str | pl.Expr) -> pl.Expr:
    """The written form with every digit as 9 and every letter as A: safe to show anywhere.

    "3528114506890001" -> "9999999999999999"; "3,52811E+15" -> "9,99999A+99"; "" -> null.
    Plain 16-digit values (nearly all) skip the regular expressions.
    """
    col = pl.col(column) if isinstance(column, str) else column
    plain = col.str.contains(r"^\d{16}$")
    odd = pl.when(~plain).then(col).str.replace_all(_SPACES_AND_QUOTES, "")
    digits = list("0123456789")  # replace_many: far faster than a regex over a big column
    shape = odd.str.replace_many(digits, ["9"] * 10).str.replace_all(r"\p{L}", "A")
    return pl.when(plain).then(pl.lit("9" * 16)).when(odd == "").then(None).otherwise(shape)


def _number_facts(column: str) -> list[pl.Expr]:
    """Masked and shape forms of a NIK or KK: the normalised number when there is one."""
    best = pl.coalesce(pl.col(column), pl.col(f"{column}_as_written"))
    return [
        mask_number_expr(best).alias(f"{column}_masked"),
        shape_expr(best).alias(f"{column}_shape"),
    ]


def age_years_expr(born: str | pl.Expr, reference: date) -> pl.Expr:
    """Completed years between a birth date and `reference` (negative for future dates)."""
    col = pl.col(born) if isinstance(born, str) else born
    before_birthday = (col.dt.month() > reference.month) | (
        (col.dt.month() == reference.month) & (col.dt.day() > reference.day)
    )
    return (pl.lit(reference.year) - col.dt.year()).cast(pl.Int64) - before_birthday.cast(pl.Int64)


def _agrees(left: str, right: str) -> pl.Expr:
    """True/False when both values are known, null otherwise (nothing to compare)."""
    both = pl.col(left).is_not_null() & pl.col(right).is_not_null()
    return pl.when(both).then(pl.col(left) == pl.col(right))


def _known_only(number: str, flag: str) -> pl.Expr:
    """A validity flag only where a 16-digit number was read (null otherwise: other checks
    report missing and malformed numbers)."""
    return pl.when(pl.col(number).is_not_null()).then(pl.col(flag)).alias(flag)


def clean_row_facts(clean: pl.DataFrame, reference: date) -> pl.DataFrame:
    """One row per clean row: lineage plus what the `clean_rows` suite checks."""
    if clean.is_empty():
        return pl.DataFrame(schema=CLEAN_ROW_FACTS_SCHEMA)
    return clean.select(
        *LINEAGE,
        *_number_facts("nik"),
        _known_only("nik", "nik_is_valid"),
        _agrees("nik_birth_date", "tanggal_lahir").alias("nik_matches_birth_date"),
        _agrees("nik_sex", "jenis_kelamin").alias("nik_matches_sex"),
        *_number_facts("no_kk"),
        _known_only("no_kk", "no_kk_is_valid"),
        age_years_expr("tanggal_lahir", reference).alias("age_years"),
        "jenis_kelamin",
        "hubungan_keluarga",
        "status_kawin",
        "keterangan_kode",
        "rt",
        "rw",
        # the initial only: the suite checks that the name is filled, nothing more
        (pl.col("nama_ibu_kandung").str.slice(0, 1) + pl.lit("***")).alias("nama_ibu_masked"),
    ).cast(CLEAN_ROW_FACTS_SCHEMA)


PERSON_FACTS_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.String(),
    "villages": pl.String(),
    "nik_masked": pl.String(),
    "count_persons_with_nik": pl.Int64(),
    "count_pairs_across_safety_line": pl.Int64(),
    "rows_across_safety_line": pl.String(),
}
MAX_ROWS_NAMED = 3  # pairs named per person in `rows_across_safety_line`; the rest are counted
_DIFFER_WORDS = {
    "differ_nama": "nama",
    "differ_tgl": "tanggal lahir",
    "differ_sex": "jenis kelamin",
}


def safety_line_facts(sources: pl.DataFrame) -> pl.DataFrame:
    """Per person whose rows cross the safety line (`dtks.match.safety`): how many pairs, and
    the first few named by file and row with what differs (no personal value).

    ``sources``: `reconciled_sources` (clean rows with ``person_id``).
    """
    schema = {
        "person_id": pl.String(),
        "count_pairs_across_safety_line": pl.Int64(),
        "rows_across_safety_line": pl.String(),
    }
    needed = {"person_id", "source_file", "source_row"}
    if sources.is_empty() or not needed <= set(sources.columns):
        return pl.DataFrame(schema=schema)
    from dtks.match.safety import crossing_pairs  # the matcher's own definition of the line

    kept = [c for c in sources.columns if c in _SAFETY_INPUTS or c in needed]
    pairs = crossing_pairs(sources.select(kept), "person_id", keep=["source_file", "source_row"])
    if pairs.is_empty():
        return pl.DataFrame(schema=schema)
    what = pl.concat_str(
        [pl.when(pl.col(c)).then(pl.lit(word)) for c, word in _DIFFER_WORDS.items()],
        separator=", ",
        ignore_nulls=True,
    )
    named = pl.format(
        "{} baris {} ~ {} baris {} (beda: {})",
        "source_file_l",
        "source_row_l",
        "source_file_r",
        "source_row_r",
        what,
    )
    return (
        pairs.sort("person_id_l", "source_file_l", "source_row_l", "source_file_r", "source_row_r")
        .group_by(pl.col("person_id_l").alias("person_id"), maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("count_pairs_across_safety_line"),
            named.head(MAX_ROWS_NAMED).str.join("; ").alias("rows_across_safety_line"),
        )
        .cast(schema)
    )


_SAFETY_INPUTS = (
    "nama_key",
    "nama_gelar",
    "tanggal_lahir",
    "tanggal_lahir_from_nik",
    "tanggal_lahir_is_placeholder",
    "jenis_kelamin",
)


# The columns `safety_line_facts`, `person_facts` and `household_facts` (from persons) read:
# a caller may read just these from a wide table.
SAFETY_LINE_INPUTS = ("person_id", "source_file", "source_row", *_SAFETY_INPUTS)
PERSON_FACT_INPUTS = ("person_id", "villages", "nik", "nik_is_valid")
HOUSEHOLD_MEMBER_INPUTS = (
    "household_id",
    "no_kk",
    "no_kk_possibly_truncated",
    "villages",
    "hubungan_keluarga",
)


def person_facts(persons: pl.DataFrame, sources: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per reconciled person: its id, villages, masked NIK and how many persons share
    it, and (from ``sources``, its rows) the pairs of its rows that cross the safety line.

    `count_persons_with_nik` is null for persons without a valid NIK (nothing to share).
    """
    if persons.is_empty():
        return pl.DataFrame(schema=PERSON_FACTS_SCHEMA)
    crossings = safety_line_facts(sources if sources is not None else pl.DataFrame())
    valid_nik = pl.when(pl.col("nik_is_valid").fill_null(False)).then(pl.col("nik"))
    return (
        persons.with_columns(pl.col("person_id").cast(pl.String))
        .join(crossings, on="person_id", how="left", maintain_order="left")
        .with_columns(valid_nik.alias("_nik"))
        .with_columns(
            pl.when(pl.col("_nik").is_not_null())
            .then(pl.col("person_id").n_unique().over("_nik"))
            .alias("count_persons_with_nik")
        )
        .select(
            pl.col("person_id").cast(pl.String),
            "villages",
            mask_number_expr("nik").alias("nik_masked"),
            "count_persons_with_nik",
            pl.col("count_pairs_across_safety_line").fill_null(0),
            "rows_across_safety_line",
        )
        .cast(PERSON_FACTS_SCHEMA)
    )


HOUSEHOLD_FACTS_SCHEMA: dict[str, pl.DataType] = {
    "household_key": pl.String(),
    "no_kk_masked": pl.String(),
    "villages": pl.String(),
    "count_members": pl.Int64(),
    "count_heads": pl.Int64(),
}


def household_members(persons: pl.DataFrame) -> pl.DataFrame:
    """Persons with the household they belong to: `household_id` when reconciliation gives
    one, else the KK number on the person's (golden) record. Persons without a KK are left out.
    """
    if persons.is_empty():
        return persons.with_columns(pl.lit(None, pl.String).alias("household_key"))
    if "household_id" in persons.columns:
        key = pl.col("household_id").cast(pl.String)
    else:
        persons = _with_repaired_kk(persons)
        key = pl.col("_no_kk_family")
    return (
        persons.with_columns(key.alias("household_key"))
        .filter(pl.col("household_key").is_not_null())
        .drop("_no_kk_family", strict=False)
    )


def _with_repaired_kk(persons: pl.DataFrame) -> pl.DataFrame:
    """`_no_kk_family`: the KK number, except that a number Excel may have cut (stored as a
    number, last digit 0) is taken as the one family KK of the kecamatan that agrees with it
    on the first 15 digits, if there is exactly one. Otherwise a cut KK would split a family
    in two: one part without its head.
    """
    if "no_kk_possibly_truncated" not in persons.columns:
        return persons.with_columns(pl.col("no_kk").alias("_no_kk_family"))
    cut = pl.col("no_kk_possibly_truncated").fill_null(False)
    trusted = (
        persons.filter(~cut & pl.col("no_kk").is_not_null())
        .select(pl.col("no_kk").str.slice(0, 15).alias("_kk15"), pl.col("no_kk").alias("_kk_full"))
        .unique()
        .filter(pl.len().over("_kk15") == 1)
    )
    return (
        persons.with_columns(pl.col("no_kk").str.slice(0, 15).alias("_kk15"))
        .join(trusted, on="_kk15", how="left", maintain_order="left")
        .with_columns(
            pl.when(cut & pl.col("_kk_full").is_not_null())
            .then(pl.col("_kk_full"))
            .otherwise(pl.col("no_kk"))
            .alias("_no_kk_family")
        )
        .drop("_kk15", "_kk_full")
    )


RECONCILED_HOUSEHOLD_COLUMNS = ("household_id", "no_kk", "villages", "count_members", "count_heads")


def household_facts(persons: pl.DataFrame, households: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per household (KK family): masked KK, villages, members and heads of family.

    From the reconciled households when the reconcile stage built them (`households` with
    RECONCILED_HOUSEHOLD_COLUMNS), else derived from the persons' records.
    """
    if households is not None and set(RECONCILED_HOUSEHOLD_COLUMNS) <= set(households.columns):
        return households.select(
            pl.col("household_id").cast(pl.String).alias("household_key"),
            mask_number_expr("no_kk").alias("no_kk_masked"),
            "villages",
            "count_members",
            "count_heads",
        ).cast(HOUSEHOLD_FACTS_SCHEMA)
    members = household_members(persons)
    if members.is_empty():
        return pl.DataFrame(schema=HOUSEHOLD_FACTS_SCHEMA)
    return (
        members.group_by("household_key")
        .agg(
            mask_number_expr(pl.col("no_kk").drop_nulls().first()).alias("no_kk_masked"),
            pl.col("villages")
            .str.split(", ")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .str.join(", "),
            pl.len().cast(pl.Int64).alias("count_members"),
            (pl.col("hubungan_keluarga") == HEAD_OF_FAMILY)
            .sum()
            .cast(pl.Int64)
            .alias("count_heads"),
        )
        .with_columns(
            # the key itself may be a KK number: only its masked form leaves this frame
            pl.when(pl.col("household_key").str.contains(r"^\d{16}$"))
            .then(mask_number_expr("household_key"))
            .otherwise(pl.col("household_key"))
            .alias("household_key")
        )
        .sort("villages", "no_kk_masked")
        .cast(HOUSEHOLD_FACTS_SCHEMA)
    )


VILLAGE_COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "village": pl.String(),
    "rows_read": pl.Int64(),
    "rows_accepted": pl.Int64(),
    "rows_rejected": pl.Int64(),
    "rows_accounted_for": pl.Int64(),
    "rows_accepted_before": pl.Int64(),
    "drop_share": pl.Float64(),
}


def village_counts(
    source_files: pl.DataFrame,
    accepted: pl.DataFrame,
    rejected: pl.DataFrame,
    baseline: pl.DataFrame,
) -> pl.DataFrame:
    """Per village: row accounting (read = accepted + rejected) and the drop since the baseline.

    `accepted` and `rejected` need only a `village` column (one row per source row);
    `baseline` is `dtks.quality.drift.baseline_counts(...)`. A village that sent rows last
    time and none now appears with 0 accepted rows and a drop of 1.0.
    """
    if source_files.is_empty():
        source_files = pl.DataFrame(schema={"village": pl.String, "rows_read": pl.Int64})
    accounting = row_accounting(source_files, accepted, rejected)
    drift = village_drift(accounting.select("village", "rows_accepted"), baseline)
    return (
        accounting.join(drift.drop("rows_accepted"), on="village", how="full", coalesce=True)
        .with_columns(pl.col("rows_read", "rows_accepted", "rows_rejected").fill_null(0))
        .with_columns(
            (pl.col("rows_accepted") + pl.col("rows_rejected")).alias("rows_accounted_for")
        )
        .select(list(VILLAGE_COUNTS_SCHEMA))
        .cast(VILLAGE_COUNTS_SCHEMA)
        .sort("village")
    )
