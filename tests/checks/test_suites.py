"""Every expectation of every suite in expectations/ passes on a good frame and fails on a
frame with just its own defect; checks that protect analysts block, operators' findings warn."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from assets.checks import ASSET_CHECKS
from assets.gx_suites import Suite, check_outcomes, load_suite, validate
from assets.publish import kecamatan_dataset
from dtks.quality.facts import (
    CLEAN_ROW_FACTS_SCHEMA,
    HOUSEHOLD_FACTS_SCHEMA,
    PERSON_FACTS_SCHEMA,
    VILLAGE_COUNTS_SCHEMA,
)

SUITES = ("clean_rows", "persons", "households", "villages")
PARAMETERS = {"villages": {"max_drop_share": 0.2}}

GOOD_ROW: dict[str, dict[str, Any]] = {
    "clean_rows": {
        "village": "kapong",
        "source_file": "kapong/a.csv",
        "source_sheet": "",
        "source_row": 2,
        "nik_masked": "352811********01",
        "nik_shape": "9" * 16,
        "nik_is_valid": True,
        "nik_matches_birth_date": True,
        "nik_matches_sex": True,
        "no_kk_masked": "352811********07",
        "no_kk_shape": "9" * 16,
        "no_kk_is_valid": True,
        "age_years": 37,
        "jenis_kelamin": "P",
        "hubungan_keluarga": "ISTRI",
        "status_kawin": "KAWIN",
        "keterangan_kode": "MENINGGAL",
        "rt": "003",
        "rw": "001",
        "nama_ibu_masked": "S*** A*****",
    },
    "persons": {
        "person_id": "P-2",
        "villages": "kapong",
        "nik_masked": "352811********01",
        "count_persons_with_nik": 1,
        "count_pairs_across_safety_line": 0,
        "rows_across_safety_line": None,
    },
    "households": {
        "household_key": "H-2",
        "no_kk_masked": "352811********07",
        "villages": "kapong",
        "count_members": 3,
        "count_heads": 1,
    },
    "villages": {
        "village": "kapong",
        "rows_read": 40,
        "rows_accepted": 38,
        "rows_rejected": 2,
        "rows_accounted_for": 40,
        "rows_accepted_before": 40,
        "drop_share": 0.05,
    },
}
SCHEMAS = {
    "clean_rows": CLEAN_ROW_FACTS_SCHEMA,
    "persons": PERSON_FACTS_SCHEMA,
    "households": HOUSEHOLD_FACTS_SCHEMA,
    "villages": VILLAGE_COUNTS_SCHEMA,
}
FIRST_ROW_CHANGES: dict[str, dict[str, Any]] = {
    "persons": {"person_id": "P-1"},
    "households": {"household_key": "H-1"},
    "villages": {"village": "blaban"},
}

# (suite, expectation type, column) -> a value for the last row that breaks just that expectation
BAD_VALUES: dict[tuple[str, str, str], Any] = {
    ("clean_rows", "expect_column_values_to_match_regex", "nik_shape"): "9,99999A+99",
    ("clean_rows", "expect_column_values_to_be_in_set", "nik_is_valid"): False,
    ("clean_rows", "expect_column_values_to_match_regex", "no_kk_shape"): "999999999999999",
    ("clean_rows", "expect_column_values_to_be_in_set", "no_kk_is_valid"): False,
    ("clean_rows", "expect_column_values_to_be_in_set", "nik_matches_birth_date"): False,
    ("clean_rows", "expect_column_values_to_be_in_set", "nik_matches_sex"): False,
    ("clean_rows", "expect_column_values_to_be_between", "age_years"): 131,
    ("clean_rows", "expect_column_values_to_not_be_null", "nik_shape"): None,
    ("clean_rows", "expect_column_values_to_not_be_null", "no_kk_shape"): None,
    ("clean_rows", "expect_column_values_to_not_be_null", "age_years"): None,
    ("clean_rows", "expect_column_values_to_not_be_null", "jenis_kelamin"): None,
    ("clean_rows", "expect_column_values_to_not_be_null", "hubungan_keluarga"): None,
    ("clean_rows", "expect_column_values_to_not_be_null", "nama_ibu_masked"): None,
    ("clean_rows", "expect_column_values_to_be_in_set", "jenis_kelamin"): "X",
    ("clean_rows", "expect_column_values_to_be_in_set", "hubungan_keluarga"): "TETANGGA",
    ("clean_rows", "expect_column_values_to_be_in_set", "status_kawin"): "JANDA",
    ("clean_rows", "expect_column_values_to_be_in_set", "keterangan_kode"): "HILANG",
    ("clean_rows", "expect_column_values_to_match_regex", "rt"): "3",
    ("clean_rows", "expect_column_values_to_match_regex", "rw"): "0001",
    ("persons", "expect_column_values_to_not_be_null", "person_id"): None,
    ("persons", "expect_column_values_to_be_unique", "person_id"): "P-1",
    ("persons", "expect_column_values_to_be_between", "count_persons_with_nik"): 2,
    ("persons", "expect_column_values_to_be_between", "count_pairs_across_safety_line"): 1,
    ("households", "expect_column_values_to_be_between", "count_heads"): 0,
    ("villages", "expect_column_pair_values_to_be_equal", "rows_read"): 41,
    ("villages", "expect_column_values_to_be_between", "drop_share"): 0.25,
}


def expectation_key(suite: str, expectation: dict[str, Any]) -> tuple[str, str, str]:
    kwargs = expectation["kwargs"]
    return suite, expectation["type"], kwargs.get("column") or kwargs["column_A"]


def all_expectations() -> list[tuple[str, str, str]]:
    return [expectation_key(s, e) for s in SUITES for e in load_suite(s).body["expectations"]]


def frame(suite: str, last_row_changes: dict[str, Any] | None = None) -> pl.DataFrame:
    first = {**GOOD_ROW[suite], **FIRST_ROW_CHANGES.get(suite, {})}
    last = {**GOOD_ROW[suite], **(last_row_changes or {})}
    return pl.DataFrame([first, last], schema=SCHEMAS[suite])


def results_by_key(suite: Suite, result: Any) -> dict[tuple[str, str, str], bool]:
    found = {}
    for r in result.results:
        config = r.expectation_config
        found[expectation_key(suite.name, {"type": config.type, "kwargs": config.kwargs})] = (
            r.success
        )
    return found


@pytest.mark.parametrize("suite_name", SUITES)
def test_every_expectation_passes_on_a_good_frame(suite_name: str) -> None:
    suite = load_suite(suite_name)
    result = validate(suite, frame(suite_name), PARAMETERS.get(suite_name))
    assert results_by_key(suite, result) == dict.fromkeys(
        [k for k in all_expectations() if k[0] == suite_name], True
    )


@pytest.mark.parametrize("key", all_expectations(), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_each_expectation_fails_on_its_own_defect(key: tuple[str, str, str]) -> None:
    suite_name, _, column = key
    suite = load_suite(suite_name)
    bad = BAD_VALUES[key]
    bad_frame = frame(suite_name, {column: bad})
    result = validate(suite, bad_frame, PARAMETERS.get(suite_name))
    failing = {k for k, ok in results_by_key(suite, result).items() if not ok}
    assert failing == {key}
    # the failing check shows the offending row by its index columns
    (outcome,) = [o for o in check_outcomes(suite, result, bad_frame) if not o.passed]
    last_row = {
        c: "null" if v is None else str(v)
        for c, v in bad_frame.row(-1, named=True).items()
        if c in suite.index_columns
    }
    assert any(last_row.items() <= example.items() for example in outcome.examples)


def test_drift_share_is_a_parameter_and_no_baseline_passes() -> None:
    suite = load_suite("villages")
    dropped = frame("villages", {"drop_share": 0.5})
    outcome = {
        o.check.name: o
        for o in check_outcomes(suite, validate(suite, dropped, {"max_drop_share": 0.2}), dropped)
    }
    assert not outcome["village_row_count_did_not_drop"].passed
    assert outcome["village_row_count_did_not_drop"].examples[0]["village"] == "kapong"
    relaxed = check_outcomes(suite, validate(suite, dropped, {"max_drop_share": 0.6}), dropped)
    assert all(o.passed for o in relaxed)
    no_baseline = frame(
        "villages", {"drop_share": None, "rows_accepted_before": None}
    ).with_columns(pl.lit(None, pl.Float64).alias("drop_share"))
    assert all(
        o.passed
        for o in check_outcomes(
            suite, validate(suite, no_baseline, PARAMETERS["villages"]), no_baseline
        )
    )


def test_failing_checks_report_counts_and_masked_examples() -> None:
    suite = load_suite("clean_rows")
    bad = frame("clean_rows", {"nik_shape": "9,99999A+99", "nik_masked": "3,5281***15"})
    outcomes = {o.check.name: o for o in check_outcomes(suite, validate(suite, bad), bad)}
    nik = outcomes["nik_is_16_digits"]
    assert (nik.passed, nik.rows, nik.unexpected) == (False, 2, 1)
    assert nik.examples == [
        {
            "nik_shape": "9,99999A+99",
            "village": "kapong",
            "source_file": "kapong/a.csv",
            "source_sheet": "",
            "source_row": "2",
            "nik_masked": "3,5281***15",
        }
    ]


def test_blocking_checks_are_exactly_those_that_protect_analysts() -> None:
    specs = [spec for checks in ASSET_CHECKS for spec in checks.check_specs]
    specs += list(kecamatan_dataset.check_specs)
    blocking = {(s.asset_key.to_user_string(), s.name) for s in specs if s.blocking}
    assert blocking == {
        ("reconciled_persons", "person_id_is_unique"),
        ("reconciled_persons", "no_person_crosses_the_safety_line"),
        ("kecamatan_dataset", "rows_are_accounted_for"),
        ("kecamatan_dataset", "village_row_count_did_not_drop"),
    }
    warnings = {s.name for s in specs if not s.blocking}
    assert {
        "nik_is_16_digits",
        "every_household_has_one_head",
        "each_nik_belongs_to_one_person",
    } <= warnings
    for name in SUITES:
        for check in load_suite(name).checks:
            assert check.critical == check.blocking, check.name
