"""NIK and Nomor KK: normalising, Excel damage, region, embedded date and sex, serial."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from clean_cases import KK_OK, NIK_WOMAN_1980, REFERENCE, clean_one, codes_of, issue

from dtks.clean.identifiers import kk_issue_date

NIK_ISSUES = {
    "nik_missing",
    "nik_bad_characters",
    "nik_wrong_length",
    "nik_scientific_truncated",
    "nik_possibly_truncated",
    "nik_bad_region",
    "nik_foreign_region",
    "nik_bad_date",
    "nik_serial_zero",
    "nik_equals_kk",
}


@pytest.mark.parametrize(
    ("description", "written", "was_numeric", "nik", "truncated", "code"),
    [
        ("plain 16 digits", NIK_WOMAN_1980, False, NIK_WOMAN_1980, False, None),
        ("leading apostrophe", "'" + NIK_WOMAN_1980, False, NIK_WOMAN_1980, False, None),
        ("spaces", "3528 1145 0880 0001", False, NIK_WOMAN_1980, False, None),
        ("dots", "3528.1145.0880.0001", False, NIK_WOMAN_1980, False, None),
        ("dashes", "352811-450880-0001", False, NIK_WOMAN_1980, False, None),
        ("scientific notation", "3.52811E+15", True, None, True, "nik_scientific_truncated"),
        ("scientific with comma", "3,52811E+15", False, None, True, "nik_scientific_truncated"),
        ("scientific lower case", "3.52811e+15", False, None, True, "nik_scientific_truncated"),
        ("scientific, all 16 digits", "3.528114508800001E+15", False, NIK_WOMAN_1980, False, None),
        (
            "numeric cell ending 0",
            "3528114508800010",
            True,
            "3528114508800010",
            True,
            "nik_possibly_truncated",
        ),
        ("numeric cell not ending 0", NIK_WOMAN_1980, True, NIK_WOMAN_1980, False, None),
        ("numeric cell as float text", NIK_WOMAN_1980 + ".0", True, NIK_WOMAN_1980, False, None),
        ("15 digits", "352811450880001", False, None, False, "nik_wrong_length"),
        ("17 digits", "35281145088000011", False, None, False, "nik_wrong_length"),
        ("letter O for zero", "35281145O8800001", False, None, False, "nik_bad_characters"),
        ("empty", None, False, None, False, "nik_missing"),
        ("dash placeholder", "-", False, None, False, "nik_missing"),
        ("zero placeholder", "0", False, None, False, "nik_missing"),
        ("written 'belum ada'", "BELUM ADA", False, None, False, "nik_missing"),
    ],
)
def test_nik_is_normalised(description, written, was_numeric, nik, truncated, code):
    row, result = clean_one(
        nik=written,
        nik_was_numeric=was_numeric,
        tanggal_lahir="05-08-1980",
        jenis_kelamin="P",
        no_kk=KK_OK,
    )
    assert row["nik"] == nik, description
    assert row["nik_as_written"] == written
    assert row["nik_possibly_truncated"] is truncated
    assert codes_of(result) & NIK_ISSUES == ({code} if code else set()), description


@pytest.mark.parametrize(
    ("description", "nik", "born", "sex", "local", "valid", "code"),
    [
        ("woman: day + 40", NIK_WOMAN_1980, date(1980, 8, 5), "P", True, True, None),
        ("man", "3528110508800001", date(1980, 8, 5), "L", True, True, None),
        (
            "issued in another kecamatan",
            "3528054508800001",
            date(1980, 8, 5),
            "P",
            False,
            True,
            "nik_foreign_region",
        ),
        (
            "issued in another province",
            "3171014508800001",
            date(1980, 8, 5),
            "P",
            False,
            True,
            "nik_foreign_region",
        ),
        (
            "province code that does not exist",
            "9928114508800001",
            date(1980, 8, 5),
            "P",
            False,
            False,
            "nik_bad_region",
        ),
        ("day 32", "3528113208800001", None, None, True, False, "nik_bad_date"),
        ("day 72 (woman, 32)", "3528117208800001", None, None, True, False, "nik_bad_date"),
        ("month 13", "3528114513800001", None, "P", True, False, "nik_bad_date"),
        ("30 February", "3528113002800001", None, "L", True, False, "nik_bad_date"),
        ("serial 0000", "3528114508800000", date(1980, 8, 5), "P", True, False, "nik_serial_zero"),
    ],
)
def test_nik_is_validated(description, nik, born, sex, local, valid, code):
    row, result = clean_one(nik=nik, no_kk=KK_OK)
    assert row["nik_birth_date"] == born, description
    assert row["nik_sex"] == sex
    assert row["nik_region_is_local"] is local
    assert row["nik_is_valid"] is valid
    assert codes_of(result) & NIK_ISSUES == ({code} if code else set()), description


@pytest.mark.parametrize(
    ("description", "nik", "typed", "born"),
    [
        ("typed year picks 1920 over 2020", "3528111508200001", "15-08-1920", date(1920, 8, 15)),
        ("no typed date: age 0-99 gives 2020", "3528111508200001", None, date(2020, 8, 15)),
        ("no typed date: age 0-99 gives 1930", "3528111508300001", None, date(1930, 8, 15)),
        ("typed year disagrees: age rule", "3528111508300001", "15-08-1985", date(1930, 8, 15)),
        (
            "this year but later in the year: last century",
            "3528111512250001",
            None,
            date(1925, 12, 15),
        ),
    ],
)
def test_nik_century_follows_typed_year_or_age(description, nik, typed, born):
    row, _ = clean_one(nik=nik, tanggal_lahir=typed)
    assert row["nik_birth_date"] == born, description


def test_nik_date_mismatch_names_both_dates():
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="12-08-1985", jenis_kelamin="P")
    found = issue(result, "nik_date_mismatch")
    assert row["tanggal_lahir"] == date(1985, 8, 12)
    assert (found["value_masked"], found["suggested_value"]) == ("12-08-1985", "05-08-1980")
    assert "12-08-1985" in found["message"] and "05-08-1980" in found["message"]
    assert found["severity"] == "warning"


def test_typed_date_with_day_and_month_swapped_is_read_through_the_nik():
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="08-05-1980", jenis_kelamin="P")
    assert row["tanggal_lahir"] == date(1980, 8, 5)
    found = issue(result, "tanggal_lahir_day_month_swapped")
    assert found["suggested_value"] == "05-08-1980"
    assert "nik_date_mismatch" not in codes_of(result)


def test_nik_sex_mismatch_names_both_values():
    _, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="05-08-1980", jenis_kelamin="L")
    found = issue(result, "nik_sex_mismatch")
    assert (found["value_masked"], found["suggested_value"]) == ("L", "P")
    assert found["column"] == "jenis_kelamin"


def test_nik_equal_to_kk_is_an_error():
    _, result = clean_one(nik=KK_OK, no_kk=KK_OK)
    assert issue(result, "nik_equals_kk")["severity"] == "error"


def test_row_without_nik_is_kept_and_flagged():
    row, result = clean_one(nik=None)
    assert row["nik"] is None and row["nik_is_valid"] is False
    assert "nik_missing" in codes_of(result)


def test_issue_values_never_show_a_whole_nik():
    niks = ["3528114508800010", "3528114508800000", "9928114508800001", "352811450880001"]
    for nik in [*niks, "3.5281145088E+15"]:
        _, result = clean_one(nik=nik, nik_was_numeric=True)
        for text in result.issues.select("value_masked", "message").rows():
            assert all(nik not in (t or "") and "45088" not in (t or "") for t in text)
    found = issue(clean_one(nik="3528114508800000")[1], "nik_serial_zero")
    assert found["value_masked"] == "352811********00"


KK_ISSUES = {
    "no_kk_missing",
    "no_kk_bad_characters",
    "no_kk_wrong_length",
    "no_kk_scientific_truncated",
    "no_kk_possibly_truncated",
    "no_kk_bad_region",
    "no_kk_foreign_region",
    "no_kk_bad_date",
    "no_kk_serial_zero",
}


@pytest.mark.parametrize(
    ("description", "written", "was_numeric", "no_kk", "valid", "truncated", "code"),
    [
        ("valid", KK_OK, False, KK_OK, True, False, None),
        ("apostrophe and spaces", "'3528 1101 0110 0003", False, KK_OK, True, False, None),
        ("missing", None, False, None, False, False, "no_kk_missing"),
        ("letters", "3528110101I00003", False, None, False, False, "no_kk_bad_characters"),
        ("short", "35281101011000", False, None, False, False, "no_kk_wrong_length"),
        (
            "scientific notation",
            "3.52811E+15",
            True,
            None,
            False,
            True,
            "no_kk_scientific_truncated",
        ),
        (
            "numeric ending 0",
            "3528110101100010",
            True,
            "3528110101100010",
            True,
            True,
            "no_kk_possibly_truncated",
        ),
        (
            "unknown province",
            "0028110101100003",
            False,
            "0028110101100003",
            False,
            False,
            "no_kk_bad_region",
        ),
        (
            "another kecamatan",
            "3528050101100003",
            False,
            "3528050101100003",
            True,
            False,
            "no_kk_foreign_region",
        ),
        (
            "issue date 31-02",
            "3528113102100003",
            False,
            "3528113102100003",
            False,
            False,
            "no_kk_bad_date",
        ),
        (
            "serial 0000",
            "3528110101100000",
            False,
            "3528110101100000",
            False,
            False,
            "no_kk_serial_zero",
        ),
    ],
)
def test_no_kk_is_normalised_and_validated(
    description, written, was_numeric, no_kk, valid, truncated, code
):
    row, result = clean_one(no_kk=written, no_kk_was_numeric=was_numeric)
    assert row["no_kk"] == no_kk, description
    assert row["no_kk_as_written"] == written
    assert row["no_kk_is_valid"] is valid
    assert row["no_kk_possibly_truncated"] is truncated
    assert codes_of(result) & KK_ISSUES == ({code} if code else set()), description


@pytest.mark.parametrize(
    ("description", "written", "issued"),
    [
        ("digits 7-12 as DDMMYY", KK_OK, date(2010, 1, 1)),
        ("issued this century", "3528111503190004", date(2019, 3, 15)),
        ("apostrophe and spaces", "'3528 1115 0319 0004", date(2019, 3, 15)),
        ("a year after the reference: last century", "3528110112990001", date(1999, 12, 1)),
        # as no_kk_is_valid reads it: a future date (no_kk_bad_date), not one of 1925
        ("the reference's year, later date: in the future, no date", "3528111512250001", None),
        ("31 February: no date", "3528113102100003", None),
        ("month 13: no date", "3528110113100003", None),
        ("cut by scientific notation: no number, no date", "3.52811E+15", None),
        ("missing", None, None),
    ],
)
def test_no_kk_issue_date_is_read_from_the_number(description, written, issued):
    row, _ = clean_one(no_kk=written)
    assert row["no_kk_issue_date"] == issued, description


def test_newer_kk_has_the_later_issue_date():
    """Of two KK numbers of one person, the issue date says which family is the current one."""
    frame = pl.DataFrame({"no_kk": ["3528110507150002", "3528112011230001"]})
    dates = frame.select(kk_issue_date("no_kk", REFERENCE)).to_series().to_list()
    assert dates == [date(2015, 7, 5), date(2023, 11, 20)]
    assert dates[1] > dates[0]
