"""Clustering: connected components of merged pairs, with must-link and cannot-link constraints.

Merged pairs and must-links are edges; a component is a person. When a cannot-link pair ends
up in one component (A=B and B=C merged, but A and C are two people), that component is
rebuilt greedily from its strongest edge down, refusing any edge that would join a cannot-link
pair: the component splits at its weakest edges. Must-links weigh +inf, so they are kept first.

>>> import numpy as np
>>> cluster_labels(4, np.array([0, 1]), np.array([1, 2]), np.array([9.0, 3.0]),
...                np.array([0]), np.array([2])).tolist()
[0, 0, 2, 3]
"""

from __future__ import annotations

import numpy as np


def connected_components(count_nodes: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Label of every node = smallest node id of its component (vectorised hooking + pointer jumping)."""
    labels = np.arange(count_nodes, dtype=np.int64)
    if len(left) == 0:
        return labels
    left = left.astype(np.int64)
    right = right.astype(np.int64)
    while True:
        lu, lv = labels[left], labels[right]
        differ = lu != lv
        if not differ.any():
            return labels
        lu, lv = lu[differ], lv[differ]
        low = np.minimum(lu, lv)
        np.minimum.at(labels, lu, low)
        np.minimum.at(labels, lv, low)
        while True:  # pointer jumping until every node points at a root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped


class _UnionFind:
    """Union-find over arbitrary ints that refuses unions joining a cannot-link pair."""

    def __init__(self, cannot: dict[int, set[int]]) -> None:
        self.parent: dict[int, int] = {}
        self.forbidden: dict[int, set[int]] = {k: set(v) for k, v in cannot.items()}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        """Join the sets of a and b unless that puts a cannot-link pair together; True if joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        fa, fb = self.forbidden.get(ra, set()), self.forbidden.get(rb, set())
        if any(self.find(x) == rb for x in fa) or any(self.find(x) == ra for x in fb):
            return False
        if ra > rb:
            ra, rb = rb, ra
            fa, fb = fb, fa
        self.parent[rb] = ra
        if fb:
            self.forbidden[ra] = fa | fb
        return True


def cluster_labels(
    count_nodes: int,
    left: np.ndarray,
    right: np.ndarray,
    weight: np.ndarray,
    cannot_left: np.ndarray,
    cannot_right: np.ndarray,
) -> np.ndarray:
    """Cluster label per node (smallest node id of the cluster) honouring cannot-links.

    Edges ``left[i]-right[i]`` of ``weight[i]`` (use ``np.inf`` for must-links) are joined
    into components; a component holding a cannot-link pair is rebuilt from its strongest
    edge down, skipping edges that would join the pair.
    """
    labels = connected_components(count_nodes, left, right)
    if len(cannot_left) == 0:
        return labels
    cannot_left = cannot_left.astype(np.int64)
    cannot_right = cannot_right.astype(np.int64)
    clash = labels[cannot_left] == labels[cannot_right]
    if not clash.any():
        return labels
    bad_components = np.unique(labels[cannot_left[clash]])
    in_bad_edge = np.isin(labels[left.astype(np.int64)], bad_components)
    in_bad_cannot = np.isin(labels[cannot_left], bad_components)
    cannot: dict[int, set[int]] = {}
    for a, b in zip(
        cannot_left[in_bad_cannot].tolist(), cannot_right[in_bad_cannot].tolist(), strict=True
    ):
        cannot.setdefault(a, set()).add(b)
        cannot.setdefault(b, set()).add(a)
    edge_left = left[in_bad_edge].astype(np.int64)
    edge_right = right[in_bad_edge].astype(np.int64)
    order = np.lexsort((edge_right, edge_left, -weight[in_bad_edge]))  # strongest first, stable
    forest = _UnionFind(cannot)
    for a, b in zip(edge_left[order].tolist(), edge_right[order].tolist(), strict=True):
        forest.union(a, b)
    nodes = np.flatnonzero(np.isin(labels, bad_components))
    roots = np.fromiter((forest.find(int(x)) for x in nodes), dtype=np.int64, count=len(nodes))
    labels = labels.copy()
    labels[nodes] = roots
    # Roots are the smallest node that won each union; normalise to the smallest member.
    return connected_components(count_nodes, np.arange(count_nodes), labels)
