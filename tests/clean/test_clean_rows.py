"""clean_rows as a whole: every row accounted for, schemas, messages, and the issue catalogue."""

from __future__ import annotations

import re

import polars as pl
import pytest
from clean_cases import (
    KK_OK,
    NIK_WOMAN_1980,
    REFERENCE,
    SHEET,
    SOURCE_FILE,
    VILLAGE,
    clean,
    kecamatan,
    raw_frame,
)

from dtks.clean import (
    CLEAN_SCHEMA,
    ISSUE_CATALOGUE,
    ISSUE_SCHEMA,
    ISSUE_TYPES,
    REJECTED_SCHEMA,
    catalogue_frame,
    clean_rows,
)
from dtks.clean.issues import REJECTION_REASONS

# One row per defect class of DESIGN.md section 2 (and then some): together they must raise
# every code in the catalogue.
DEFECT_ROWS: list[dict] = [
    {"nik": None},
    {"nik": "35281145O8800001"},
    {"nik": "352811450880001"},
    {"nik": "3.52811E+15", "nik_was_numeric": True},
    {"nik": "3528114508800010", "nik_was_numeric": True},
    {"nik": "9928114508800001"},
    {"nik": "3528054508800001"},
    {"nik": "3528113208800001"},
    {"nik": "3528114508800000"},
    {"nik": KK_OK, "no_kk": KK_OK},
    {"nik": NIK_WOMAN_1980, "tanggal_lahir": "12-08-1985", "jenis_kelamin": "L"},
    {"no_kk": None},
    {"no_kk": "3528110101I00003"},
    {"no_kk": "35281101011000"},
    {"no_kk": "3.52811E+15"},
    {"no_kk": "3528110101100010", "no_kk_was_numeric": True},
    {"no_kk": "0028110101100003"},
    {"no_kk": "3528050101100003"},
    {"no_kk": "3528113102100003"},
    {"no_kk": "3528110101100000"},
    {"tanggal_lahir": None},
    {"tanggal_lahir": "kemarin"},
    {"tanggal_lahir": "31-02-1980"},
    {"tanggal_lahir": "01-01-2030"},
    {"tanggal_lahir": "12/25/1980"},
    {"tanggal_lahir": "05-08-80"},
    {"tanggal_lahir": "01-07-1965"},
    {"tanggal_update": "kemarin"},
    {"jenis_kelamin": None},
    {"jenis_kelamin": "X"},
    {"hubungan_keluarga": None},
    {"hubungan_keluarga": "TETANGGA"},
    {"hubungan_keluarga": "2", "jenis_kelamin": None},
    {"status_kawin": "PROSES"},
    {"padan_dukcapil": "PROSES"},
    {"pkh": "?", "bpnt": "?", "pbi_jk": "?", "bst": "?"},
    {"keterangan": "meninggal"},
    {"keterangan": "pindah"},
    {"keterangan": "double"},
    {"keterangan": "tidak ditemukan"},
    {"nama": None},
    {"nama": "123"},
    {"nama": "MOH. ALI"},
    {"nama": "H. ABDUL KARIM"},
    {"nama": "AHMAD 2"},
    {"nama": "محمد علي"},
    {"nama_ibu_kandung": None},
    {"desa": "Bangsereh"},
    {"desa": "Kota Baru"},
    {"rt": "-1"},
    {"rw": "1000"},
]


def _complete(row: dict) -> dict:
    """A defect row on top of an otherwise clean person, so each row shows its own defect."""
    base = {
        "nik": NIK_WOMAN_1980,
        "no_kk": KK_OK,
        "nama": "SITI AMINAH",
        "tanggal_lahir": "05-08-1980",
        "jenis_kelamin": "P",
        "hubungan_keluarga": "ISTRI",
        "nama_ibu_kandung": "FATIMAH",
        "desa": "Kapong",
        "rt": "001",
        "rw": "002",
    }
    return {**base, **row}


def test_clean_row_has_no_issues():
    result = clean([_complete({})])
    assert result.issues.height == 0, result.issues.get_column("code").to_list()


def test_every_catalogue_code_is_produced():
    result = clean([_complete(row) for row in DEFECT_ROWS])
    produced = set(result.issues.get_column("code").to_list())
    assert produced == set(ISSUE_CATALOGUE), set(ISSUE_CATALOGUE) - produced


def test_every_row_ends_in_exactly_one_of_clean_or_rejected():
    rows = [_complete(row) for row in DEFECT_ROWS] + [
        {"row_kind": "totals", "nama": "JUMLAH", "nik": None},
        {"row_kind": "signature", "nama": "Kepala Desa Kapong"},
        {"row_kind": "note", "nama": None},
        {"row_kind": "repeated_header", "nama": "NAMA"},
        {"row_kind": "something_else", "nama": "X"},
        {"row_kind": "data", "nama": None},
    ]
    raw = raw_frame(rows)
    result = clean_rows(raw, kecamatan(), VILLAGE, reference_date=REFERENCE)
    key = ["source_file", "source_sheet", "source_row"]
    clean_keys = set(result.clean.select(key).rows())
    rejected_keys = set(result.rejected.select(key).rows())
    assert clean_keys.isdisjoint(rejected_keys)
    assert clean_keys | rejected_keys == set(raw.select(key).rows())
    assert result.clean.height + result.rejected.height == raw.height


@pytest.mark.parametrize(
    ("row_kind", "nama", "reason_code"),
    [
        ("totals", "JUMLAH", "totals"),
        ("signature", "Kepala Desa", "signature"),
        ("note", "Catatan: data per Januari", "note"),
        ("repeated_header", "NAMA", "repeated_header"),
        ("mystery", "X", "row_kind_unknown"),
        ("data", None, "nama_missing"),
        ("data", "0", "nama_no_letters"),
    ],
)
def test_rejected_rows_carry_a_reason(row_kind, nama, reason_code):
    result = clean([{"row_kind": row_kind, "nama": nama}])
    assert result.rejected.get_column("reason_code").to_list() == [reason_code]
    assert result.rejected.get_column("reason").to_list() == [REJECTION_REASONS[reason_code]]
    assert result.rejected.get_column("village").to_list() == [VILLAGE]


def test_non_person_rows_raise_no_issues():
    result = clean([{"row_kind": "totals", "nama": "JUMLAH", "nik": None}])
    assert result.issues.height == 0


def test_schemas_are_the_contract():
    result = clean([_complete(row) for row in DEFECT_ROWS[:5]])
    assert result.clean.schema == pl.Schema(CLEAN_SCHEMA)
    assert result.clean.columns[:4] == ["village", "source_file", "source_sheet", "source_row"]
    assert result.issues.schema == pl.Schema(ISSUE_SCHEMA)
    assert result.rejected.schema == pl.Schema(REJECTED_SCHEMA)


def test_lazy_input_and_missing_columns_are_accepted():
    raw = pl.LazyFrame(
        {
            "source_file": [SOURCE_FILE],
            "source_sheet": [SHEET],
            "source_row": [2],
            "row_kind": ["data"],
            "nama": ["SITI AMINAH"],
        }
    )
    result = clean_rows(raw, kecamatan(), VILLAGE, reference_date=REFERENCE)
    assert result.clean.height == 1
    assert result.clean.schema == pl.Schema(CLEAN_SCHEMA)


def test_messages_name_file_sheet_and_row():
    result = clean([_complete({"nik": None})])
    message = result.issues.row(0, named=True)["message"]
    assert message.startswith(f"File {SOURCE_FILE}, lembar {SHEET}, baris 2: ")
    csv = clean_rows(
        raw_frame([_complete({"nik": None, "source_sheet": ""})]),
        kecamatan(),
        VILLAGE,
        reference_date=REFERENCE,
    )
    assert csv.issues.row(0, named=True)["message"].startswith(f"File {SOURCE_FILE}, baris 2: ")


def test_issues_follow_row_order_and_severity_is_known():
    result = clean([_complete(row) for row in DEFECT_ROWS])
    rows = result.issues.get_column("source_row").to_list()
    assert rows == sorted(rows)
    assert set(result.issues.get_column("severity").to_list()) <= {"error", "warning"}
    for row in result.issues.iter_rows(named=True):
        assert ISSUE_CATALOGUE[row["code"]].severity == row["severity"]
        assert ISSUE_CATALOGUE[row["code"]].column == row["column"]
        assert "{" not in row["message"]


def test_output_is_deterministic():
    rows = [_complete(row) for row in DEFECT_ROWS]
    first, second = clean(rows), clean(rows)
    assert first.clean.equals(second.clean)
    assert first.issues.equals(second.issues)
    assert first.rejected.equals(second.rejected)


def test_catalogue_is_well_formed():
    codes = [t.code for t in ISSUE_TYPES]
    assert len(codes) == len(set(codes))
    known_columns = set(CLEAN_SCHEMA) | {"desa"}
    for issue_type in ISSUE_TYPES:
        assert re.fullmatch(r"[a-z_]+", issue_type.code)
        assert issue_type.severity in ("error", "warning")
        assert issue_type.column in known_columns, issue_type.code
        assert set(re.findall(r"\{(\w+)\}", issue_type.template)) <= {"nilai", "saran"}
    assert catalogue_frame().height == len(ISSUE_TYPES)


@pytest.mark.parametrize(
    ("description", "raw"),
    [
        ("no columns at all", pl.DataFrame()),
        ("contract columns, no rows", raw_frame([]).clear()),
    ],
)
def test_empty_input_gives_empty_outputs(description, raw):
    result = clean_rows(raw, kecamatan(), VILLAGE, reference_date=REFERENCE)
    assert (result.clean.height, result.issues.height, result.rejected.height) == (0, 0, 0)
    assert result.clean.schema == pl.Schema(CLEAN_SCHEMA), description
