"""The match stage keeps the pairs someone may read, not the millions scored as different people."""

from __future__ import annotations

import polars as pl
import pytest

from dtks.match import MatchSettings
from dtks.stages.match import kept_pairs

SETTINGS = MatchSettings()  # review from probability 0.5, merge from 0.99


@pytest.mark.parametrize(
    ("case", "decision", "decided_by", "needs_confirmation", "probability", "kept"),
    [
        ("merged by score", "merged", "score", False, 0.999, True),
        ("waiting for a clerk", "review", "score", False, 0.7, True),
        ("merged, to be confirmed", "merged", "rule", True, 0.2, True),
        ("kept apart by a clerk", "distinct", "review", False, 0.01, True),
        ("likely, but kept apart by a safety rule", "distinct", "rule", False, 0.95, True),
        ("different by score", "distinct", "score", False, 0.3, False),
        ("different NIK, unlikely anyway", "distinct", "rule", False, 1e-9, False),
    ],
)
def test_a_pair_is_kept_when_someone_may_read_it(
    case: str,
    decision: str,
    decided_by: str,
    needs_confirmation: bool,
    probability: float,
    kept: bool,
) -> None:
    pair = pl.DataFrame(
        {
            "decision": [decision],
            "decided_by": [decided_by],
            "needs_confirmation": [needs_confirmation],
            "match_probability": [probability],
        }
    )
    assert kept_pairs(pair, SETTINGS).height == int(kept), case
