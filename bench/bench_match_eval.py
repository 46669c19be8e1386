"""Bench helpers: pairwise precision / recall / F1 of a clustering against ground truth, overall and per defect."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

LINEAGE = ["source_file", "source_sheet", "source_row"]


@dataclass(frozen=True)
class Scores:
    """Pairwise scores: pairs both in one predicted and one true cluster count as true positives."""

    precision: float
    recall: float
    f1: float
    count_true_pairs: int
    count_predicted_pairs: int
    count_true_positive: int
    count_true_clusters: int
    count_predicted_clusters: int

    def line(self, name: str) -> str:
        return (
            f"{name:<34} P={self.precision:.4f} R={self.recall:.4f} F1={self.f1:.4f} "
            f"pairs true={self.count_true_pairs} pred={self.count_predicted_pairs} "
            f"clusters true={self.count_true_clusters} pred={self.count_predicted_clusters}"
        )


def _within_pairs(frame: pl.DataFrame, cluster: str) -> pl.DataFrame:
    """All row pairs (a < b) that share ``cluster``."""
    rows = frame.select("rid", cluster)
    return (
        rows.join(rows, on=cluster, suffix="_b")
        .filter(pl.col("rid") < pl.col("rid_b"))
        .select(pl.col("rid").alias("a"), pl.col("rid_b").alias("b"))
    )


def labelled(
    clusters: pl.DataFrame, truth: pl.DataFrame, cluster: str = "cluster_id"
) -> pl.DataFrame:
    """Predicted clusters joined to the truth on lineage: rid, cluster, true_person_id, defects."""
    truth = truth.select(*LINEAGE, "true_person_id", "defects").with_columns(
        pl.col("source_sheet").fill_null("")
    )
    frame = clusters.select(*LINEAGE, cluster).with_columns(pl.col("source_sheet").fill_null(""))
    joined = frame.join(truth, on=LINEAGE, how="left")
    missing = joined["true_person_id"].null_count()
    if missing:
        raise ValueError(f"{missing} clean rows have no ground truth: lineage does not line up")
    return joined.with_row_index("rid")


def score(
    frame: pl.DataFrame, cluster: str = "cluster_id", rows: pl.Series | None = None
) -> Scores:
    """Pairwise scores; with ``rows`` (rids) only pairs touching one of those rows count."""
    truth_pairs = _within_pairs(frame, "true_person_id")
    predicted = _within_pairs(frame, cluster)
    if rows is not None:
        keep = pl.col("a").is_in(rows.implode()) | pl.col("b").is_in(rows.implode())
        truth_pairs, predicted = truth_pairs.filter(keep), predicted.filter(keep)
    tp = truth_pairs.join(predicted, on=["a", "b"]).height
    precision = tp / predicted.height if predicted.height else 1.0
    recall = tp / truth_pairs.height if truth_pairs.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(
        precision,
        recall,
        f1,
        truth_pairs.height,
        predicted.height,
        tp,
        frame["true_person_id"].n_unique(),
        frame[cluster].n_unique(),
    )


def per_defect(frame: pl.DataFrame, cluster: str = "cluster_id") -> dict[str, Scores]:
    """Scores restricted to pairs touching a row that carries each cross-record defect."""
    result = {}
    defects = frame["defects"].explode().drop_nulls().unique().sort().to_list()
    for defect in defects:
        rows = frame.filter(pl.col("defects").list.contains(defect))["rid"]
        scores = score(frame, cluster, rows)
        if scores.count_true_pairs or scores.count_predicted_pairs:
            result[defect] = scores
    return result
