"""Places: the row's village from its folder, the DESA column resolved against the region table, RT/RW."""

from __future__ import annotations

import pytest
from clean_cases import clean_one, codes_of, issue, kecamatan

from dtks.clean.places import resolve_desa

KAPONG = "35.28.11.2007"


@pytest.mark.parametrize(
    ("description", "written", "kode"),
    [
        ("official name", "Kapong", KAPONG),
        ("upper case", "KAPONG", KAPONG),
        ("DESA prefix", "Desa Kapong", KAPONG),
        ("DS. prefix", "Ds. Kapong", KAPONG),
        ("listed variant", "Kapung", KAPONG),
        ("typo (fuzzy)", "Kapnog", None),
        ("typo (fuzzy), longer name", "Pangeremn", "35.28.11.2002"),
        ("variant of another village", "Bangsereh", "35.28.11.2003"),
        ("joined words", "BATUBINTANG", "35.28.11.2009"),
        ("variant with extra h", "Lesong Dajah", "35.28.11.2008"),
        ("short code", "2007", KAPONG),
        ("full code", "35.28.11.2007", KAPONG),
        ("kecamatan name is not a village", "Batumarmar", None),
        ("unknown", "Jakarta", None),
    ],
)
def test_desa_is_resolved(description, written, kode):
    assert resolve_desa([written], kecamatan()).get(written) == kode, description


@pytest.mark.parametrize(
    ("description", "written", "tertulis", "code"),
    [
        ("own village", "KAPONG", KAPONG, None),
        ("empty", None, None, None),
        ("other village is flagged, not moved", "Bangsereh", "35.28.11.2003", "desa_lain"),
        ("unresolvable", "Kota Baru", None, "desa_unknown"),
    ],
)
def test_desa_column_issues(description, written, tertulis, code):
    row, result = clean_one(desa=written)
    assert (row["desa_kode"], row["desa_nama"]) == (KAPONG, "Kapong")
    assert row["desa_as_written"] == written
    assert row["desa_tertulis_kode"] == tertulis, description
    assert codes_of(result, "desa") == ({code} if code else set())


def test_desa_lain_names_the_other_village():
    _, result = clean_one(desa="Bangsereh")
    found = issue(result, "desa_lain")
    assert found["suggested_value"] == "Bangserreh (35.28.11.2003)"
    assert found["severity"] == "warning"


def test_unknown_village_folder_is_an_error():
    from clean_cases import REFERENCE, raw_frame

    from dtks.clean import clean_rows

    with pytest.raises(KeyError):
        clean_rows(raw_frame([{}]), kecamatan(), "not-a-village", reference_date=REFERENCE)


@pytest.mark.parametrize("column", ["rt", "rw"])
@pytest.mark.parametrize(
    ("description", "written", "expected", "flagged"),
    [
        ("one digit", "1", "001", False),
        ("two digits", "02", "002", False),
        ("three digits", "003", "003", False),
        ("with prefix", "RT 02", "002", False),
        ("with prefix and dot", "RW.4", "004", False),
        ("numeric cell", "5.0", "005", False),
        ("999", "999", "999", False),
        ("empty", None, None, False),
        ("zero", "0", None, True),
        ("negative", "-1", None, True),
        ("over 999", "1000", None, True),
        ("text", "abc", None, True),
        ("RT/RW in one cell", "02/03", None, True),
    ],
)
def test_rt_rw_are_three_digits(column, description, written, expected, flagged):
    row, result = clean_one(**{column: written})
    assert row[column] == expected, description
    assert codes_of(result, column) == ({f"{column}_invalid"} if flagged else set())
