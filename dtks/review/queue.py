"""The review queue: pairs a clerk must decide, both records side by side, evidence in words.

Built from a `dtks.match.MatchResult` and the clean rows it was computed from. Personal data
is shown only as much as a clerk needs to decide: the NIK masked (`dtks.privacy.mask_number`)
and the mother's name as initials (`dtks.privacy.mask_name`).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from dtks.match import MERGED, REVIEW, MatchResult
from dtks.match.queue_limit import REVIEW_RANK
from dtks.privacy import mask_name_expr, mask_number_expr
from dtks.review.layout import KIND_CONFIRM, KIND_REVIEW

# What a clerk is told when no hard rule sent the pair to review.
REASON_SCORE = "skor di antara batas gabung dan batas beda: sistem tidak yakin"
REASON_CONFIRM = "digabung sistem dengan NIK berbeda sedikit: pastikan orang yang sama"

QUEUE_SCHEMA: dict[str, pl.DataType] = {
    "jenis": pl.String(),
    "record_key_l": pl.String(),
    "record_key_r": pl.String(),
    "skor_persen": pl.Float64(),
    "alasan": pl.String(),
    **{
        f"{name}_{side}": pl.String()
        for side in ("a", "b")
        for name in (
            "nama",
            "tanggal_lahir",
            "ibu",
            "nik",
            "iddtks",
            "hubungan",
            "desa",
            "asal",
            "village",
        )
    },
    "bukti_cocok": pl.String(),
    "bukti_beda": pl.String(),
    "keputusan": pl.String(),
    "catatan": pl.String(),
    "pesan": pl.String(),
}

NOTES_SCHEMA: dict[str, pl.DataType] = {
    "record_key_l": pl.String(),
    "record_key_r": pl.String(),
    "keputusan": pl.String(),
    "catatan": pl.String(),
    "pesan": pl.String(),
}


def empty_queue() -> pl.DataFrame:
    return pl.DataFrame(schema=QUEUE_SCHEMA)


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String) if column else pl.lit(None, pl.String)


def record_display(clean: pl.DataFrame) -> pl.DataFrame:
    """Per clean row (in order), what the workbook shows of it; masked where personal."""

    def has(column: str) -> pl.Expr:
        if column in clean.columns:
            return pl.col(column)
        return pl.lit(None, dtype=pl.String)

    sheet = has("source_sheet").cast(pl.String).fill_null("")
    return clean.select(
        has("nama").cast(pl.String).alias("nama"),
        pl.coalesce(
            has("tanggal_lahir").cast(pl.Date).dt.strftime("%d-%m-%Y"),
            has("tanggal_lahir_as_written").cast(pl.String),
        ).alias("tanggal_lahir"),
        mask_name_expr(has("nama_ibu_kandung").cast(pl.String)).alias("ibu"),
        mask_number_expr(
            pl.coalesce(has("nik").cast(pl.String), has("nik_as_written").cast(pl.String))
        ).alias("nik"),
        has("iddtks").cast(pl.String).alias("iddtks"),
        has("hubungan_keluarga").cast(pl.String).alias("hubungan"),
        pl.coalesce(has("desa_nama").cast(pl.String), has("village").cast(pl.String)).alias("desa"),
        pl.concat_str(
            [
                has("source_file").cast(pl.String).fill_null(""),
                pl.when(sheet != "").then(pl.lit(", sheet ") + sheet).otherwise(pl.lit("")),
                pl.lit(", baris "),
                has("source_row").cast(pl.String).fill_null("?"),
            ]
        ).alias("asal"),
        has("village").cast(pl.String).alias("village"),
    )


def evidence_in_words(pairs: pl.DataFrame, levels: pl.DataFrame) -> pl.DataFrame:
    """``bukti_cocok`` / ``bukti_beda``: labels of the levels that agree / differ, per pair.

    A level agrees when it added weight or is an equality (a very common equal value adds
    little, but it is not a difference).

    A level's words are its ``label_id`` (Bahasa Indonesia) from ``levels`` (the legend in
    `MatchResult.levels`), else its ``label``; null levels (a value missing) say nothing.
    """
    label_column = "label_id" if "label_id" in levels.columns else "label"
    legend = levels.with_columns(
        pl.when(pl.col(label_column).fill_null("") != "")
        .then(pl.col(label_column))
        .otherwise(pl.col("label"))
        .alias("words")
    )
    comparisons = pairs.get_column("evidence").struct.fields
    evidence = pairs.get_column("evidence").struct.unnest()
    weights = pairs.get_column("evidence_weights").struct.unnest()
    words, against = [], []
    for name in comparisons:
        mapping = dict(
            legend.filter(pl.col("comparison") == name).select("code", "words").iter_rows()
        )
        said = (
            evidence.get_column(name)
            .cast(pl.String)
            .replace_strict(mapping, default=None, return_dtype=pl.String)
        )
        code = evidence.get_column(name).cast(pl.String)
        agrees = (weights.get_column(name) > 0) | code.is_in(["exact", "exact_placeholder"])
        differs = ~agrees & (code != "null")
        words.append(pl.when(pl.lit(agrees)).then(pl.lit(said)).otherwise(None))
        against.append(pl.when(pl.lit(differs)).then(pl.lit(said)).otherwise(None))

    def joined(parts: list[pl.Expr], name: str) -> pl.Expr:
        text = pl.concat_list(parts).list.drop_nulls().list.join("; ")
        return pl.when(text != "").then(text).alias(name)

    return pairs.select(joined(words, "bukti_cocok"), joined(against, "bukti_beda"))


def queue_pairs(result: MatchResult) -> pl.DataFrame:
    """The pairs a clerk must see: decision review, and merged pairs flagged for confirmation.

    Pairs a clerk already decided (``decided_by == "review"``) are left out, and so are pairs
    whose two rows share one record key (the same record listed twice: a decision keyed by
    record keys could not tell them apart).
    """
    pairs = result.pairs
    to_review = pl.col("decision") == REVIEW
    to_confirm = (pl.col("decision") == MERGED) & pl.col("needs_confirmation")
    return pairs.filter(
        (to_review | to_confirm)
        & (pl.col("decided_by") != "review")
        & (pl.col("record_key_l") != pl.col("record_key_r"))
    ).with_columns(
        pl.when(to_review).then(pl.lit(KIND_REVIEW)).otherwise(pl.lit(KIND_CONFIRM)).alias("jenis")
    )


def build_review_queue(
    result: MatchResult,
    clean: pl.DataFrame,
    rule_labels: Mapping[str, str] | None = None,
    notes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per pair to decide (`QUEUE_SCHEMA`), in the matcher's ``review_rank`` order
    (the pairs whose answer changes most first, `dtks.match.queue_limit`), then by kind,
    village and score.

    ``clean`` must be the frame `find_duplicates` was given (``row_id`` i is its row i).
    ``rule_labels`` names the hard rules for clerks (`HardRule.label_id`); ``notes`` carries
    what clerks wrote on undecided pairs earlier (``catatan``, an unreadable ``keputusan``,
    and the ``pesan`` about it) into the new queue, keyed by record keys.
    """
    pairs = queue_pairs(result)
    if pairs.is_empty():
        return empty_queue()
    display = record_display(clean)
    sides = [
        display.select(pl.all().gather(pairs[f"row_id_{side}"]).name.suffix(f"_{name}"))
        for side, name in (("l", "a"), ("r", "b"))
    ]
    labels = dict(rule_labels or {})
    reason = (
        pl.col("hard_rule")
        .replace_strict(labels, default=None, return_dtype=pl.String)
        .fill_null(pl.col("hard_rule"))
    )
    rank = pl.col(REVIEW_RANK) if REVIEW_RANK in pairs.columns else pl.lit(None, pl.UInt32)
    body = pairs.select(
        rank.alias(REVIEW_RANK),
        "jenis",
        "record_key_l",
        "record_key_r",
        (pl.col("match_probability") * 100).round(1).alias("skor_persen"),
        pl.when(pl.col("hard_rule").is_not_null())
        .then(reason)
        .when(pl.col("jenis") == KIND_REVIEW)
        .then(pl.lit(REASON_SCORE))
        .otherwise(pl.lit(REASON_CONFIRM))
        .alias("alasan"),
    )
    queue = pl.concat(
        [body, *sides, evidence_in_words(pairs, result.levels)], how="horizontal"
    ).with_columns(
        pl.lit(None, pl.String).alias("keputusan"),
        pl.lit(None, pl.String).alias("catatan"),
        pl.lit(None, pl.String).alias("pesan"),
    )
    pair = [
        pl.min_horizontal("record_key_l", "record_key_r").alias("key_low"),
        pl.max_horizontal("record_key_l", "record_key_r").alias("key_high"),
    ]
    queue = queue.with_columns(pair)
    if notes is not None and notes.height:
        carried = (
            notes.select(*NOTES_SCHEMA)
            .rename({"record_key_l": "key_low", "record_key_r": "key_high"})
            .unique(["key_low", "key_high"], keep="last")
        )
        queue = queue.drop("keputusan", "catatan", "pesan").join(
            carried, on=["key_low", "key_high"], how="left"
        )
    return (
        queue.unique(["key_low", "key_high"], keep="first", maintain_order=True)
        .sort(
            pl.col(REVIEW_RANK),
            pl.col("jenis"),
            pl.col("village_a"),
            pl.col("skor_persen"),
            "record_key_l",
            "record_key_r",
            descending=[False, False, False, True, False, False],
            nulls_last=True,
        )
        .select([pl.col(name).cast(dtype) for name, dtype in QUEUE_SCHEMA.items()])
    )
