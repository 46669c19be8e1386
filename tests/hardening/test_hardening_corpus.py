"""Every bad input of the corpus is read to the end and reported with its code and a clear message."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from corpus_cases import CASES, VILLAGE, Case, Read, Refused, RowFlagged, Warned

from dtks.clean import ISSUE_TYPES, clean_rows
from dtks.ingest import (
    RAW_ROWS_SCHEMA,
    ErrorCode,
    ExportRead,
    read_export,
    survey_village_folder,
)
from dtks.ingest.errors import _MESSAGES, display_text
from dtks.region import load_kecamatan

REFERENCE = date(2025, 6, 1)
# Every message must tell the operator what to do: one of these instructions appears in it.
INSTRUCTIONS = (
    "Ekspor ulang",
    "Simpan",
    "simpan",
    "Salin",
    "salin ulang",
    "Hapus",
    "hapus",
    "Pastikan",
    "Buka",
    "jalankan ulang",
    "Laporkan",
    "Isi",
    "Periksa",
    "periksa",
    "Ganti",
    "ganti",
    "Perbaiki",
    "perbaiki",
    "Tulis",
    "Ketik",
    "Cocokkan",
    "Gunakan",
    "Nonaktifkan",
    "Usulkan",
    "Lakukan",
    "pindahkan",
    "urus",
)


def place(case: Case, raw: Path) -> Path:
    """Write the case's file into `raw/<village>/` and return its path."""
    path = raw / VILLAGE / case.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    case.write(path)
    return path


def clean(read: ExportRead):
    return clean_rows(read.rows, load_kecamatan(), VILLAGE, reference_date=REFERENCE)


def test_the_corpus_has_at_least_forty_cases_each_with_a_code() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert len({c.file_name for c in CASES}) == len(CASES)
    assert all(c.code for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_bad_input_is_reported_with_its_code(tmp_path: Path, case: Case) -> None:
    path = place(case, tmp_path)
    read = read_export(path, tmp_path)
    assert dict(read.rows.schema) == RAW_ROWS_SCHEMA
    assert read.rows_read == read.rows.height
    where = display_text(f"{VILLAGE}/{case.file_name}")
    expect = case.expect
    if isinstance(expect, Refused):
        assert (read.status, read.error_code) == ("error", expect.code.value), read.error_message
        _says(read.error_message, where, *expect.mentions)
        assert read.rows.height == 0
    elif isinstance(expect, Warned):
        assert read.status == "ok", read.error_message
        assert expect.code.value in read.warning_codes, read.warnings
        message = read.warnings[read.warning_codes.index(expect.code.value)]
        _says(message, where, *expect.mentions)
        assert read.rows_read == expect.rows_read
    elif isinstance(expect, Read):
        assert read.status == "ok", read.error_message
        assert read.rows_read == expect.rows_read
        assert clean(read).rejected.height == 0
    else:
        _row_is_flagged(read, expect, where)


def _row_is_flagged(read: ExportRead, expect: RowFlagged, where: str) -> None:
    assert read.status == "ok", read.error_message
    result = clean(read)
    assert result.clean.height + result.rejected.height == read.rows_read  # nothing lost
    if expect.rejected:
        found = result.rejected.filter(pl.col("source_row") == expect.source_row)
        assert found["reason_code"].to_list() == [expect.code], result.rejected
        assert found["reason"].item()
        return
    found = result.issues.filter(
        (pl.col("source_row") == expect.source_row) & (pl.col("code") == expect.code)
    )
    assert found.height == 1, result.issues.select("source_row", "code", "message")
    location = f"File {where}" + (f", lembar {expect.sheet}" if expect.sheet else "")
    _says(found["message"].item(), f"{location}, baris {expect.source_row}:", *expect.mentions)


def _says(message: str | None, *parts: str) -> None:
    assert message, "no message"
    for part in parts:
        assert part in message, f"{part!r} not in {message!r}"
    assert any(word in message for word in INSTRUCTIONS), f"says nothing to do: {message!r}"


def test_every_file_error_message_names_the_file_and_says_what_to_do() -> None:
    assert set(_MESSAGES) == set(ErrorCode)
    for code, template in _MESSAGES.items():
        assert "{file}" in template, code
        assert any(word in template for word in INSTRUCTIONS), code


def test_every_row_issue_message_says_what_to_do() -> None:
    for issue in ISSUE_TYPES:
        assert any(word in issue.template for word in INSTRUCTIONS), issue.code


@pytest.fixture(scope="module")
def corpus_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One village folder holding every case that is not a large generated file."""
    raw = tmp_path_factory.mktemp("corpus") / "raw"
    for case in CASES:
        if not case.large:
            place(case, raw)
    return raw


def test_one_folder_with_the_whole_corpus_gives_every_file_its_outcome(corpus_folder: Path) -> None:
    folder = survey_village_folder(corpus_folder, VILLAGE)
    refused = {f.path.name: f.code for f in folder.refused}
    reads = {p.name: read_export(p, corpus_folder) for p in folder.exports}
    for case in CASES:
        if case.large:
            continue
        if not case.regular:  # never opened: not even listed as an export
            assert refused.get(case.file_name) == case.expect.code, case.id
            continue
        read = reads[case.file_name]
        if isinstance(case.expect, Refused):
            assert read.error_code == case.expect.code.value, case.id
        else:
            assert read.status == "ok", (case.id, read.error_message)
    readable = [r for r in reads.values() if r.status == "ok"]
    assert sum(r.rows_read for r in readable) > 300


def test_formula_like_text_is_kept_verbatim_and_never_evaluated(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.file_name == "rumus.csv")
    read = read_export(place(case, tmp_path), tmp_path)
    names = read.rows["nama"].to_list()
    assert names[:3] == [
        '=HYPERLINK("http://contoh.invalid","klik")',
        "@SUM(A1:A2)",
        "+CMD|' /C calc'!A0",
    ]
    assert read.rows["alamat"].to_list() == ["=1+1", "DSN LAOK", "-DSN DAJA", "+62 812 0000"]


def test_a_nik_written_with_thousand_separators_is_read_as_its_16_digits(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.file_name == "nik_titik.csv")
    result = clean(read_export(place(case, tmp_path), tmp_path))
    assert result.clean["nik"].to_list() == ["3528114506890001", "3528110101900010"]
    first_row_codes = result.issues.filter(pl.col("source_row") == 2)["code"].to_list()
    assert not [c for c in first_row_codes if c.startswith("nik_")]


def test_a_totals_row_with_a_nik_like_number_is_not_a_person(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.file_name == "jumlah.csv")
    read = read_export(place(case, tmp_path), tmp_path)
    assert read.rows["row_kind"].to_list() == ["data", "data", "totals"]


def test_hostile_cell_values_round_trip_as_data(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.file_name == "sql.csv")
    read = read_export(place(case, tmp_path), tmp_path)
    assert read.rows["nama"].to_list() == ["'; DROP TABLE raw_rows; --"]
    assert read.rows["alamat"].to_list() == ["Robert'); DROP TABLE persons;--"]


def test_a_right_to_left_override_never_reaches_a_message(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.file_name == "rlo.csv")
    result = clean(read_export(place(case, tmp_path), tmp_path))
    assert result.clean["nama"].to_list() == ["SITI HANIMA"]
    assert not result.issues["message"].str.contains("\u202e").any()
