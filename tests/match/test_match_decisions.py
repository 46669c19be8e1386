"""Review decisions: sama/beda become must-link/cannot-link keyed by record keys; conflicts err safe."""

from __future__ import annotations

import polars as pl
import pytest

from dtks.match import CANNOT_LINK, MUST_LINK, normalise_decisions


@pytest.mark.parametrize(
    ("description", "rows", "expected"),
    [
        ("sama is must-link", [("N-a", "N-b", "sama")], [("N-a", "N-b", MUST_LINK)]),
        (
            "BEDA is cannot-link, keys ordered",
            [("N-b", "N-a", " BEDA ")],
            [("N-a", "N-b", CANNOT_LINK)],
        ),
        ("blank decision ignored", [("N-a", "N-b", "")], []),
        ("self pair ignored", [("N-a", "N-a", "sama")], []),
        (
            "both ways: cannot-link wins",
            [("N-a", "N-b", "sama"), ("N-b", "N-a", "beda")],
            [("N-a", "N-b", CANNOT_LINK)],
        ),
    ],
)
def test_normalise_decisions(description: str, rows: list, expected: list) -> None:
    frame = pl.DataFrame(rows, schema=["record_key_l", "record_key_r", "decision"], orient="row")
    assert normalise_decisions(frame).rows() == expected, description


def test_missing_column_is_explained() -> None:
    with pytest.raises(ValueError, match="record_key_r"):
        normalise_decisions(pl.DataFrame({"record_key_l": ["a"], "decision": ["sama"]}))
