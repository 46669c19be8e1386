"""Clustering: components of merged pairs; a cannot-link splits a component at its weakest edge."""

from __future__ import annotations

import numpy as np
import pytest

from dtks.match.clustering import cluster_labels, connected_components


def _arr(values: list) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


@pytest.mark.parametrize(
    ("description", "n", "edges", "cannot", "expected"),
    [
        ("no edges: every row alone", 3, [], [], [0, 1, 2]),
        ("chain joins", 4, [(0, 1, 5.0), (1, 2, 5.0)], [], [0, 0, 0, 3]),
        ("label is the smallest row", 3, [(2, 1, 5.0)], [], [0, 1, 1]),
        (
            "cannot-link splits at the weakest edge",
            3,
            [(0, 1, 9.0), (1, 2, 3.0)],
            [(0, 2)],
            [0, 0, 2],
        ),
        ("weakest edge may be the first one", 3, [(0, 1, 3.0), (1, 2, 9.0)], [(0, 2)], [0, 1, 1]),
        (
            "must-link (inf) beats a strong edge",
            3,
            [(0, 1, 20.0), (1, 2, np.inf)],
            [(0, 2)],
            [0, 1, 1],
        ),
        ("direct cannot-link on an edge", 2, [(0, 1, 50.0)], [(0, 1)], [0, 1]),
        (
            "cannot-link across components changes nothing",
            4,
            [(0, 1, 1.0), (2, 3, 1.0)],
            [(0, 3)],
            [0, 0, 2, 2],
        ),
    ],
)
def test_cluster_labels(
    description: str, n: int, edges: list, cannot: list, expected: list
) -> None:
    left = _arr([e[0] for e in edges])
    right = _arr([e[1] for e in edges])
    weight = np.asarray([e[2] for e in edges], dtype=np.float64)
    labels = cluster_labels(
        n, left, right, weight, _arr([c[0] for c in cannot]), _arr([c[1] for c in cannot])
    )
    assert labels.tolist() == expected, description


def test_connected_components_long_chain() -> None:
    n = 10_000
    labels = connected_components(n, np.arange(n - 1)[::-1], np.arange(1, n)[::-1])
    assert set(labels.tolist()) == {0}
