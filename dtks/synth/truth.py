"""The ground-truth table: one row per non-empty row written below a header, with true and written values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from dtks.synth.defects import Listing

TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "source_file": pl.String(),
    "source_sheet": pl.String(),
    "source_row": pl.Int64(),
    "village": pl.String(),
    "row_kind": pl.String(),  # data, totals, signature, note, repeated_header
    "cell_text": pl.String(),  # first non-empty cell of a non-data row
    "true_person_id": pl.String(),
    "true_household_id": pl.String(),
    "iddtks": pl.String(),
    "nik": pl.String(),
    "no_kk": pl.String(),
    "nama": pl.String(),
    "tanggal_lahir": pl.Date(),
    "tanggal_lahir_is_placeholder": pl.Boolean(),
    "jenis_kelamin": pl.String(),
    "nama_ibu_kandung": pl.String(),
    "tempat_lahir": pl.String(),
    "hubungan_keluarga": pl.String(),
    "desa_kode": pl.String(),
    "is_deceased": pl.Boolean(),
    "keterangan_kode": pl.String(),
    "nik_written": pl.String(),
    "nik_written_is_number": pl.Boolean(),
    "no_kk_written": pl.String(),
    "no_kk_written_is_number": pl.Boolean(),
    "nama_written": pl.String(),
    "nama_ibu_kandung_written": pl.String(),
    "tanggal_lahir_written": pl.String(),
    "tanggal_lahir_written_kind": pl.String(),  # text, date (Excel date cell), number (serial)
    "jenis_kelamin_written": pl.String(),
    "hubungan_keluarga_written": pl.String(),
    "desa_written": pl.String(),
    "keterangan_written": pl.String(),
    "defects": pl.List(pl.String()),
}


def written_text(cell: object) -> str | None:
    """A cell as text: numbers without a decimal part, dates as yyyy-mm-dd, empty as None."""
    if cell is None or cell == "":
        return None
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def _kind(cell: object) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, date):
        return "date"
    return "number" if isinstance(cell, int | float) else "text"


def data_row(
    listing: Listing,
    location: tuple[str, str, int],
    desa_kode: str,
    written: dict[str, object],
) -> tuple:
    """The truth of one data row; `written` maps canonical columns to the cells written."""
    person = listing.person
    nik, kk, born = written.get("nik"), written.get("no_kk"), written.get("tanggal_lahir")
    return (
        *location,
        listing.village,
        "data",
        None,
        person.person_id,
        listing.household.household_id,
        listing.iddtks,
        person.nik,
        listing.household.no_kk,
        person.nama,
        person.tanggal_lahir,
        person.is_placeholder_date,
        person.jenis_kelamin,
        person.nama_ibu_kandung,
        person.tempat_lahir,
        listing.hubungan,
        desa_kode,
        person.is_deceased,
        listing.keterangan,
        written_text(nik),
        isinstance(nik, int | float),
        written_text(kk),
        isinstance(kk, int | float),
        written_text(written.get("nama")),
        written_text(written.get("nama_ibu_kandung")),
        written_text(born),
        _kind(born),
        written_text(written.get("jenis_kelamin")),
        written_text(written.get("hubungan_keluarga")),
        written_text(written.get("desa")),
        written_text(written.get("keterangan")),
        list(listing.defects),
    )


_OTHER_PADDING = (None,) * (len(TRUTH_SCHEMA) - 6)


def other_row(
    location: tuple[str, str, int], village: str, kind: str, cells: Sequence[object]
) -> tuple:
    """The truth of a totals / signature / note / repeated-header row."""
    first = next((written_text(c) for c in cells if written_text(c) is not None), None)
    return (*location, village, kind, first, *_OTHER_PADDING[:-1], [])


def frame(rows: list[tuple]) -> pl.DataFrame:
    """Truth rows as a DataFrame with the truth schema."""
    return pl.DataFrame(rows, schema=TRUTH_SCHEMA, orient="row")
