"""Birth dates: every written form, two-digit years, swaps, impossible, future and placeholder dates."""

from __future__ import annotations

from datetime import date

import pytest
from clean_cases import NIK_WOMAN_1980, clean_one, codes_of, issue

DATE_ISSUES = {
    "tanggal_lahir_missing",
    "tanggal_lahir_unreadable",
    "tanggal_lahir_impossible",
    "tanggal_lahir_future",
    "tanggal_lahir_day_month_swapped",
    "tanggal_lahir_two_digit_year",
    "tanggal_lahir_placeholder",
}
AUG_5_1980 = date(1980, 8, 5)
SERIAL_AUG_5_1980 = str((AUG_5_1980 - date(1899, 12, 30)).days)


@pytest.mark.parametrize(
    ("description", "written", "expected", "codes"),
    [
        ("dd-mm-yyyy", "05-08-1980", AUG_5_1980, set()),
        ("dd/mm/yyyy", "05/08/1980", AUG_5_1980, set()),
        ("dd.mm.yyyy", "05.08.1980", AUG_5_1980, set()),
        ("d-m-yyyy", "5-8-1980", AUG_5_1980, set()),
        ("dd mm yyyy", "05 08 1980", AUG_5_1980, set()),
        ("yyyy-mm-dd", "1980-08-05", AUG_5_1980, set()),
        ("yyyy-mm-dd with time", "1980-08-05 00:00:00", AUG_5_1980, set()),
        ("ddmmyyyy", "05081980", AUG_5_1980, set()),
        ("yyyymmdd", "19800805", AUG_5_1980, set()),
        ("Indonesian month", "5 Agustus 1980", AUG_5_1980, set()),
        ("Indonesian abbreviation Agt", "5 Agt 1980", AUG_5_1980, set()),
        ("Indonesian abbreviation Ags", "05-Ags-1980", AUG_5_1980, set()),
        ("Indonesian abbreviation Agu", "5 agu 1980", AUG_5_1980, set()),
        ("Mei", "17 Mei 1975", date(1975, 5, 17), set()),
        ("Okt", "1 Okt. 1990", date(1990, 10, 1), set()),
        ("Des", "24 Des 1966", date(1966, 12, 24), set()),
        ("English month", "5 August 1980", AUG_5_1980, set()),
        ("English month first", "August 5, 1980", AUG_5_1980, set()),
        ("Excel serial", SERIAL_AUG_5_1980, AUG_5_1980, set()),
        ("Excel serial as float text", SERIAL_AUG_5_1980 + ".0", AUG_5_1980, set()),
        ("two-digit year, last century", "05-08-80", AUG_5_1980, {"tanggal_lahir_two_digit_year"}),
        (
            "two-digit year, this century",
            "05-08-15",
            date(2015, 8, 5),
            {"tanggal_lahir_two_digit_year"},
        ),
        (
            "mm/dd/yyyy: day > 12 in month place",
            "12/25/1980",
            date(1980, 12, 25),
            {"tanggal_lahir_day_month_swapped"},
        ),
        ("31 February", "31-02-1980", None, {"tanggal_lahir_impossible"}),
        ("all zeros", "00-00-0000", None, {"tanggal_lahir_impossible"}),
        ("month 13 and day 13", "13-13-1980", None, {"tanggal_lahir_impossible"}),
        ("older than 120 years", "05-08-1850", None, {"tanggal_lahir_impossible"}),
        ("year 3000", "05-08-3000", None, {"tanggal_lahir_future"}),
        ("next year", "05-08-2026", None, {"tanggal_lahir_future"}),
        ("unreadable text", "kemarin sore", None, {"tanggal_lahir_unreadable"}),
        ("unknown month name", "5 Foo 1980", None, {"tanggal_lahir_unreadable"}),
        ("year only", "1980", None, {"tanggal_lahir_unreadable"}),
        ("empty", None, None, {"tanggal_lahir_missing"}),
        ("dash", "-", None, {"tanggal_lahir_missing"}),
        ("placeholder 01-01", "01-01-1960", date(1960, 1, 1), {"tanggal_lahir_placeholder"}),
        ("placeholder 31-12", "31-12-1970", date(1970, 12, 31), {"tanggal_lahir_placeholder"}),
        ("placeholder 01-07", "01-07-1965", date(1965, 7, 1), {"tanggal_lahir_placeholder"}),
    ],
)
def test_birth_date_is_read(description, written, expected, codes):
    row, result = clean_one(tanggal_lahir=written)
    assert row["tanggal_lahir"] == expected, description
    assert row["tanggal_lahir_as_written"] == written
    assert codes_of(result) & DATE_ISSUES == codes, description


@pytest.mark.parametrize(
    ("description", "written", "placeholder"),
    [
        ("01-01", "01-01-1960", True),
        ("31-12", "31-12-1970", True),
        ("01-07", "01-07-1965", True),
        ("ordinary date", "05-08-1980", False),
        ("unreadable", "x", False),
    ],
)
def test_placeholder_dates_are_marked(description, written, placeholder):
    row, _ = clean_one(tanggal_lahir=written)
    assert row["tanggal_lahir_is_placeholder"] is placeholder, description


def test_impossible_date_is_not_guessed_from_its_text_but_the_nik_date_is_used():
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="31-02-1980")
    assert row["tanggal_lahir"] == AUG_5_1980
    assert row["tanggal_lahir_from_nik"] is True
    found = issue(result, "tanggal_lahir_impossible")
    assert found["severity"] == "error"
    assert found["suggested_value"] == "05-08-1980"


def test_impossible_date_without_a_nik_stays_empty():
    row, result = clean_one(nik=None, tanggal_lahir="31-02-1980")
    assert row["tanggal_lahir"] is None
    assert row["tanggal_lahir_from_nik"] is False
    assert "tanggal_lahir_impossible" in codes_of(result)


def test_missing_date_takes_the_nik_date_and_is_still_reported():
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir=None)
    assert row["tanggal_lahir"] == AUG_5_1980
    assert row["tanggal_lahir_from_nik"] is True
    assert "tanggal_lahir_missing" in codes_of(result)


@pytest.mark.parametrize(
    ("description", "written"),
    [
        ("numeric, both orders possible", "08-05-1980"),
        ("Indonesian month name", "8 Mei 1980"),
        ("Excel date cell read under the other locale", "1980-05-08"),
    ],
)
def test_nik_date_resolves_a_day_month_swap_in_any_written_form(description, written):
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir=written)
    assert row["tanggal_lahir"] == AUG_5_1980, description
    assert "tanggal_lahir_day_month_swapped" in codes_of(result), description
    assert "nik_date_mismatch" not in codes_of(result), description


def test_two_digit_typed_year_and_nik_agree():
    row, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="5/8/80")
    assert row["tanggal_lahir"] == row["nik_birth_date"] == AUG_5_1980
    assert issue(result, "tanggal_lahir_two_digit_year")["suggested_value"] == "05-08-1980"


def test_placeholder_date_suggests_the_nik_date_when_it_differs():
    _, result = clean_one(nik=NIK_WOMAN_1980, tanggal_lahir="01-01-1980")
    assert issue(result, "tanggal_lahir_placeholder")["suggested_value"] == "05-08-1980"
    assert "nik_date_mismatch" in codes_of(result)


@pytest.mark.parametrize(
    ("description", "written", "expected", "flagged"),
    [
        ("dd-mm-yyyy", "01-03-2024", date(2024, 3, 1), False),
        ("iso", "2024-02-28", date(2024, 2, 28), False),
        ("empty", None, None, False),
        ("unreadable", "kemarin", None, True),
        ("impossible", "30-02-2024", None, True),
        ("future", "01-01-2030", None, True),
    ],
)
def test_update_date_is_read(description, written, expected, flagged):
    row, result = clean_one(tanggal_update=written)
    assert row["tanggal_update"] == expected, description
    assert ("tanggal_update_unreadable" in codes_of(result)) is flagged
