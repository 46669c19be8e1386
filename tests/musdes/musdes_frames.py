"""Small registry and register frames for the musdes tests, cleaned by the real cleaner."""

from __future__ import annotations

import polars as pl

from dtks.clean import clean_rows
from dtks.ingest import RAW_ROWS_SCHEMA, REGISTER_ROWS_SCHEMA
from dtks.region import load_kecamatan

KECAMATAN = load_kecamatan()


def raw_rows(rows: list[dict], source_file: str, schema: dict = RAW_ROWS_SCHEMA) -> pl.DataFrame:
    """Raw rows (or register rows) from dicts of canonical columns, numbered from row 2."""
    records = []
    for number, row in enumerate(rows, start=2):
        record = dict.fromkeys(schema)
        record.update(
            source_file=source_file,
            source_sheet="",
            source_row=number,
            row_kind="data",
            nik_was_numeric=False,
            no_kk_was_numeric=False,
        )
        record.update(row)
        records.append(record)
    return pl.DataFrame(records, schema=schema, orient="row")


def registry(rows: list[dict], village: str = "kapong") -> tuple[pl.DataFrame, pl.DataFrame]:
    """(persons, sources): each row is its own person (`person_id` given in the row as "pid")."""
    ids = [r.pop("pid") for r in rows]
    households = [r.pop("hid", "H-1") for r in rows]
    cleaned = clean_rows(raw_rows(rows, f"{village}/dtks.csv"), KECAMATAN, village).clean
    sources = cleaned.with_columns(
        pl.Series("person_id", ids), pl.lit("R").alias("record_key")
    ).with_columns(
        (pl.lit("R-") + pl.col("person_id")).alias("record_key"),
        pl.Series("_hid", households),
    )
    persons = sources.select(
        "person_id",
        pl.col("_hid").alias("household_id"),
        "village",
        "nik",
        "nik_is_valid",
        "nik_possibly_truncated",
        pl.lit(False).alias("nik_shared_with_other_person"),
        "no_kk",
        "nama",
        "dusun",
        "rt",
        "rw",
        "pkh",
        "bpnt",
        "pbi_jk",
        "bst",
        pl.col("keterangan_kode").eq("MENINGGAL").fill_null(False).alias("is_deceased"),
        pl.col("keterangan_kode").eq("PINDAH").fill_null(False).alias("is_moved"),
    )
    return persons, sources.drop("_hid")


def register(rows: list[dict], village: str = "kapong") -> pl.DataFrame:
    """Register raw rows (with `status_dasar_text` and `village`)."""
    frame = raw_rows(rows, f"{village}/penduduk.xlsx", REGISTER_ROWS_SCHEMA)
    return frame.with_columns(pl.lit(village).alias("village"))
