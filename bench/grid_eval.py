"""Bench helpers: what the grid report measures on one published run against its ground truth.

Everything is computed over the rows the run accepted (`person_sources`), for our clusters
(`person_id`) and for Splink's on the same rows. Pair counts come from cluster sizes, so a
giant cluster costs no memory; pairs left for review are not merged (they are not in the
same `person_id`), so they count as not merged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from dtks.privacy import mask_number

LINEAGE = ["source_file", "source_sheet", "source_row"]
EXAMPLES_PER_CLASS = 3
MAX_CLUSTER_ENUMERATED = 400  # false merges in bigger clusters are counted, not listed


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    true_positive_pairs: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def _pairs(sizes: pl.Expr) -> pl.Expr:
    return (sizes * (sizes - 1) // 2).sum()


def pair_scores(frame: pl.DataFrame, cluster: str) -> PairScores:
    """Pairwise precision / recall / F1 of `cluster` against `true_person_id`."""
    true_pairs = frame.group_by("true_person_id").len().select(_pairs(pl.col("len"))).item()
    predicted = frame.group_by(cluster).len().select(_pairs(pl.col("len"))).item()
    hits = frame.group_by(cluster, "true_person_id").len().select(_pairs(pl.col("len"))).item()
    precision = hits / predicted if predicted else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, true_pairs, predicted, hits)


def cluster_purity(frame: pl.DataFrame, cluster: str) -> dict[str, int]:
    """Persons holding several true people; true people split over several ids."""
    mixed = frame.group_by(cluster).agg(pl.col("true_person_id").n_unique().alias("n"))
    split = frame.group_by("true_person_id").agg(pl.col(cluster).n_unique().alias("n"))
    return {
        "persons": mixed.height,
        "persons_with_several_true_people": mixed.filter(pl.col("n") > 1).height,
        "true_people": split.height,
        "true_people_split": split.filter(pl.col("n") > 1).height,
    }


def labelled_rows(truth: pl.DataFrame, sources: pl.DataFrame) -> pl.DataFrame:
    """Accepted rows (person_sources) with their truth: one row per accepted source row."""
    truth = truth.filter(pl.col("row_kind") == "data").with_columns(
        pl.col("source_sheet").fill_null("")
    )
    sources = sources.with_columns(pl.col("source_sheet").fill_null(""))
    joined = sources.join(
        truth.select(
            *LINEAGE,
            "true_person_id",
            pl.col("nik").alias("true_nik"),
            pl.col("tanggal_lahir").alias("true_tanggal_lahir"),
            pl.col("jenis_kelamin").alias("true_jenis_kelamin"),
            "nik_written",
            "jenis_kelamin_written",
            "defects",
        ),
        on=LINEAGE,
        how="left",
    )
    missing = joined["true_person_id"].null_count()
    if missing:
        raise ValueError(f"{missing} accepted rows have no ground truth: lineage does not line up")
    return joined.with_row_index("rid")


def golden_accuracy(rows: pl.DataFrame, persons: pl.DataFrame) -> dict[str, dict[str, float]]:
    """NIK, birth date and sex of each true person's main record (the person_id holding most
    of their rows) against the truth.

    NIK counts true people whose NIK is recoverable (written untruncated on one of their
    rows); birth date those with a true date whose NIK or written date determines it; sex
    those with a true sex whose NIK or written sex determines it.
    """
    digits = pl.col("nik_written").str.replace_all(r"[^0-9]", "")
    nik_shown = (
        (digits == pl.col("true_nik")) & ~pl.col("nik_written").str.contains("[Ee]")
    ).fill_null(False)
    date_undetermined = pl.col("defects").list.set_intersection(["date_impossible", "date_swapped"])
    per_row = rows.with_columns(
        nik_shown.alias("_nik"),
        (nik_shown | (date_undetermined.list.len() == 0)).alias("_date"),
        (nik_shown | pl.col("jenis_kelamin_written").is_not_null()).alias("_sex"),
    )
    main = (
        per_row.group_by("true_person_id", "person_id")
        .len()
        .sort("len", "person_id", descending=[True, False])
        .unique("true_person_id", keep="first")
        .select("true_person_id", "person_id")
    )
    people = (
        per_row.group_by("true_person_id")
        .agg(
            pl.col("true_nik").first(),
            pl.col("true_tanggal_lahir").first(),
            pl.col("true_jenis_kelamin").first(),
            pl.col("_nik").any(),
            pl.col("_date").any(),
            pl.col("_sex").any(),
        )
        .join(main, on="true_person_id")
        .join(
            persons.select(
                "person_id",
                pl.col("nik").alias("got_nik"),
                pl.col("tanggal_lahir").alias("got_tanggal_lahir"),
                pl.col("jenis_kelamin").alias("got_jenis_kelamin"),
            ),
            on="person_id",
            how="left",
        )
    )
    result = {}
    for name, flag in (("nik", "_nik"), ("tanggal_lahir", "_date"), ("jenis_kelamin", "_sex")):
        counted = people.filter(pl.col(flag) & pl.col(f"true_{name}").is_not_null())
        right = counted.filter(pl.col(f"got_{name}") == pl.col(f"true_{name}")).height
        result[name] = {
            "people": counted.height,
            "right": right,
            "accuracy": right / counted.height if counted.height else None,
        }
    return result


@dataclass
class ErrorBreakdown:
    """Our false merges and misses per defect class, each with a few masked example pairs."""

    false_merges: dict[str, int] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)
    false_merge_examples: dict[str, list[str]] = field(default_factory=dict)
    miss_examples: dict[str, list[str]] = field(default_factory=dict)
    false_merges_in_giant_clusters: int = 0


def _describe(row: dict) -> str:
    born = row["tanggal_lahir"]
    return (
        f"{row['source_file']}:{row['source_row']} {row['nama'] or '-'} "
        f"{born.isoformat() if born else '-'} NIK {mask_number(row['nik']) or '-'} "
        f"IDDTKS {row['iddtks'] or '-'}"
    )


def _classes(left: dict, right: dict) -> list[str]:
    """Defect classes of a pair: the truth's defects on either row, and what they share."""
    classes = sorted(set(left["defects"]) | set(right["defects"]))
    for column in ("iddtks", "nik", "no_kk"):
        if left[column] is not None and left[column] == right[column]:
            classes.append(f"same {column}")
    return classes or ["(none)"]


def _tally(pairs: list[tuple[dict, dict]], counts: dict, examples: dict) -> None:
    for left, right in pairs:
        for name in _classes(left, right):
            counts[name] = counts.get(name, 0) + 1
            shown = examples.setdefault(name, [])
            if len(shown) < EXAMPLES_PER_CLASS:
                shown.append(f"{_describe(left)}  <->  {_describe(right)}")


def error_breakdown(rows: pl.DataFrame, cluster: str = "person_id") -> ErrorBreakdown:
    """False merges (same `cluster`, different true people) and misses (same true person,
    different `cluster`), counted per defect class; a pair counts under each of its classes."""
    shown = ["rid", cluster, "true_person_id", "defects", "source_file", "source_row"]
    shown += ["nama", "tanggal_lahir", "nik", "iddtks", "no_kk"]
    table = rows.select(shown)
    result = ErrorBreakdown()
    mixed = (
        table.group_by(cluster)
        .agg(pl.col("true_person_id").n_unique().alias("n"), pl.len().alias("size"))
        .filter(pl.col("n") > 1)
    )
    small = mixed.filter(pl.col("size") <= MAX_CLUSTER_ENUMERATED)[cluster]
    for big in mixed.filter(pl.col("size") > MAX_CLUSTER_ENUMERATED).iter_rows(named=True):
        sizes = table.filter(pl.col(cluster) == big[cluster]).group_by("true_person_id").len()
        same = sizes.select(_pairs(pl.col("len"))).item()
        result.false_merges_in_giant_clusters += big["size"] * (big["size"] - 1) // 2 - same
    candidates = table.filter(pl.col(cluster).is_in(small.implode()))
    wrong = candidates.join(candidates, on=cluster, suffix="_r").filter(
        (pl.col("rid") < pl.col("rid_r")) & (pl.col("true_person_id") != pl.col("true_person_id_r"))
    )
    _tally(_split_pairs(wrong, shown), result.false_merges, result.false_merge_examples)
    missed = table.join(table, on="true_person_id", suffix="_r").filter(
        (pl.col("rid") < pl.col("rid_r")) & (pl.col(cluster) != pl.col(f"{cluster}_r"))
    )
    _tally(_split_pairs(missed, shown), result.misses, result.miss_examples)
    result.false_merges = dict(sorted(result.false_merges.items(), key=lambda kv: -kv[1]))
    result.misses = dict(sorted(result.misses.items(), key=lambda kv: -kv[1]))
    return result


def _split_pairs(pairs: pl.DataFrame, shown: list[str]) -> list[tuple[dict, dict]]:
    def side(record: dict, suffix: str) -> dict:
        return {c: record.get(f"{c}{suffix}", record.get(c)) for c in shown if c not in ("rid",)}

    return [(side(r, ""), side(r, "_r")) for r in pairs.iter_rows(named=True)]


def read_published(curated: Path) -> tuple[pl.DataFrame, pl.DataFrame, int, pl.DataFrame]:
    """person_sources, persons (golden values), the review queue's size and the pairs decided
    by the score because the queue was full (``decided_by = 'queue_limit'``) of a published run."""
    con = duckdb.connect(str(curated / "kecamatan.duckdb"), read_only=True)
    try:
        sources = con.sql("SELECT * FROM person_sources").pl()
        persons = con.sql("SELECT person_id, nik, tanggal_lahir, jenis_kelamin FROM persons").pl()
        review = con.execute("SELECT count(*) FROM review_queue").fetchall()[0][0]
        sides = [f"{c}_{s}" for s in ("l", "r") for c in LINEAGE]
        over_limit = con.sql(
            f"SELECT {', '.join(sides)}, decision FROM match_pairs "  # noqa: S608 - fixed names
            "WHERE decided_by = 'queue_limit'"
        ).pl()
    finally:
        con.close()
    return sources, persons, int(review), over_limit


def over_limit_scores(truth: pl.DataFrame, over_limit: pl.DataFrame) -> dict[str, object]:
    """Pairs that would once have gone to review, decided by the score because the queue was
    full: how many were merged and how many of those are one true person (precision), how many
    were kept apart and how many of those are two true people."""
    people = truth.select(*LINEAGE, "true_person_id").with_columns(
        pl.col("source_sheet").fill_null("")
    )
    pairs = over_limit.with_columns(pl.col(f"source_sheet_{s}").fill_null("") for s in "lr")
    for side in ("l", "r"):
        pairs = pairs.join(
            people.rename({c: f"{c}_{side}" for c in [*LINEAGE, "true_person_id"]}),
            on=[f"{c}_{side}" for c in LINEAGE],
            how="left",
        )
    same = pl.col("true_person_id_l") == pl.col("true_person_id_r")
    merged = pairs.filter(pl.col("decision") == "merged")
    apart = pairs.filter(pl.col("decision") != "merged")
    right_merged = merged.filter(same).height
    right_apart = apart.filter(~same).height
    return {
        "merged": merged.height,
        "merged_precision": right_merged / merged.height if merged.height else None,
        "kept_apart": apart.height,
        "kept_apart_right": right_apart / apart.height if apart.height else None,
    }


def measure(truth: pl.DataFrame, curated: Path, with_splink: bool = True) -> dict[str, object]:
    """Every figure of the grid report for one published run (and Splink on its rows)."""
    sources, persons, review, over_limit = read_published(curated)
    rows = labelled_rows(truth, sources)
    data_rows = truth.filter(pl.col("row_kind") == "data").height
    ours = pair_scores(rows, "person_id")
    breakdown = error_breakdown(rows)
    result: dict[str, object] = {
        "rows_data": data_rows,
        "rows_accepted": rows.height,
        "true_people": rows["true_person_id"].n_unique(),
        "ours": ours.as_dict(),
        "ours_purity": cluster_purity(rows, "person_id"),
        "review_queue": review,
        "review_share": review / rows.height if rows.height else 0.0,
        "over_limit": over_limit_scores(truth, over_limit),
        "golden": golden_accuracy(rows, persons),
        "false_merges": breakdown.false_merges,
        "false_merges_in_giant_clusters": breakdown.false_merges_in_giant_clusters,
        "misses": breakdown.misses,
        "false_merge_examples": breakdown.false_merge_examples,
        "miss_examples": breakdown.miss_examples,
    }
    if with_splink:
        from grid_splink import THRESHOLD, run_splink

        numbered = rows.with_columns(pl.col("rid").cast(pl.Int64).alias("row_id"))
        chosen, sweep, timings = run_splink(numbered)

        def scored(clusters: pl.DataFrame) -> pl.DataFrame:
            return numbered.select("row_id", "true_person_id").join(clusters, on="row_id")

        at_threshold = scored(chosen)
        swept = {t: pair_scores(scored(c), "cluster_id") for t, c in sweep.items()}
        swept[THRESHOLD] = pair_scores(at_threshold, "cluster_id")
        best = max(swept, key=lambda t: swept[t].f1)
        result["splink"] = {
            "threshold": THRESHOLD,
            **pair_scores(at_threshold, "cluster_id").as_dict(),
            **cluster_purity(at_threshold, "cluster_id"),
            "best_threshold": best,
            "best_f1": swept[best].f1,
            **timings,
        }
    return result
