r"""Small PNG charts of counts for the Dagster UI: issues per village, duplicates over time.

The renderers take counts only (village names, run times and integers), so no personal data
can reach a picture. The adapters pick those counts out of the frames the stages already
have, by column name:

    >>> villages = pl.DataFrame({"village": ["kapong", "blaban"],  # the fix lists' counts
    ...     "desa_nama": ["Kapong", "Blaban"], "count_error": [12, 0], "count_warning": [30, 4]})
    >>> village_issue_counts(villages)[0]
    VillageIssueCounts(desa_nama='Kapong', count_error=12, count_warning=30, count_new=None, count_still_open=None, count_fixed=None)
    >>> issues_per_village_png(village_issue_counts(villages))[:4]
    b'\x89PNG'
    >>> history = pl.DataFrame({"outcome": ["published", "failed"],  # the runs table
    ...     "started_at": [datetime(2026, 11, 29, 18), datetime(2026, 11, 30, 18)],
    ...     "rows_accepted": [1000, 990], "count_persons": [950, 960],
    ...     "count_persons_merged": [3, 0], "count_pairs_to_review": [12, 0]})
    >>> [run.count_duplicate_rows for run in published_run_counts(history)]  # failed run left out
    [50]
    >>> duplicates_over_time_png(published_run_counts(history))[:4]
    b'\x89PNG'

matplotlib is imported inside the renderers (it takes a second), and only its Agg canvas
is used: no display, no pyplot state shared between runs.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import polars as pl

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LOCAL_TIME = ZoneInfo("Asia/Jakarta")
WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 100  # 800 x 400 px
MAX_RUNS = 60  # the most recent published runs shown over time
MAX_TICK_LABELS = 8
PUBLISHED = "published"

ERROR, WARNING = "#c0392b", "#f0a030"
NEW, STILL_OPEN, FIXED = "#8e44ad", "#7f8c8d", "#27ae60"
DUPLICATES, MERGED, TO_REVIEW, PERSONS = "#2c7fb8", "#27ae60", "#e67e22", "#555555"


@dataclass(frozen=True)
class VillageIssueCounts:
    """Open issues of one village; the status counts are None when not known."""

    desa_nama: str
    count_error: int
    count_warning: int
    count_new: int | None = None
    count_still_open: int | None = None
    count_fixed: int | None = None

    @property
    def has_status(self) -> bool:
        return None not in (self.count_new, self.count_still_open, self.count_fixed)


@dataclass(frozen=True)
class RunDuplicateCounts:
    """The duplicate counts of one published run (a row of the `runs` table)."""

    started_at: datetime
    count_duplicate_rows: int  # accepted rows that are another row of the same person
    count_persons_merged: int  # ids merged into another since the previous publish
    count_pairs_to_review: int
    count_persons: int


def village_issue_counts(villages: pl.DataFrame) -> list[VillageIssueCounts]:
    """Counts per village from the fix lists' village rows (`count_error`, `count_warning`,
    `count_new`, `count_still_open`, `count_fixed`) or the published `village_status`
    (`count_errors`, `count_warnings`), in the frame's order. Names from `desa_nama`
    (the region table), else the folder name."""
    if villages.is_empty():
        return []
    columns = villages.columns

    def counts(*names: str) -> pl.Expr:
        name = next((n for n in names if n in columns), None)
        return pl.col(name).fill_null(0).cast(pl.Int64) if name else pl.lit(None, pl.Int64)

    name = pl.col("desa_nama") if "desa_nama" in columns else pl.lit(None, pl.String)
    rows = villages.select(
        pl.coalesce(name, pl.col("village")).alias("desa_nama"),
        counts("count_error", "count_errors").alias("count_error"),
        counts("count_warning", "count_warnings").alias("count_warning"),
        counts("count_new").alias("count_new"),
        counts("count_still_open").alias("count_still_open"),
        counts("count_fixed").alias("count_fixed"),
    )
    return [VillageIssueCounts(**row) for row in rows.iter_rows(named=True)]


def published_run_counts(
    history: pl.DataFrame | None, max_runs: int = MAX_RUNS
) -> list[RunDuplicateCounts]:
    """The last `max_runs` published runs of a run history (`dtks.publish.run_history.RUN_SCHEMA`),
    oldest first. Failed or blocked runs published nothing and are left out."""
    if history is None or history.is_empty():
        return []
    rows = (
        history.filter(pl.col("outcome") == PUBLISHED)
        .sort("started_at")
        .tail(max_runs)
        .select(
            "started_at",
            (pl.col("rows_accepted") - pl.col("count_persons"))
            .clip(lower_bound=0)
            .fill_null(0)
            .alias("count_duplicate_rows"),
            *(
                pl.col(c).fill_null(0)
                for c in ("count_persons_merged", "count_pairs_to_review", "count_persons")
            ),
        )
    )
    return [RunDuplicateCounts(**row) for row in rows.iter_rows(named=True)]


def issues_per_village_png(villages: Sequence[VillageIssueCounts]) -> bytes:
    """Horizontal stacked bars, one per village: open errors and warnings, and beside them
    (when known) new / still open / fixed since the previous run."""
    fig = _figure()
    if not villages:
        return _empty(fig, "Belum ada desa untuk ditampilkan")
    with_status = all(v.has_status for v in villages)
    axes = fig.subplots(1, 2, sharey=True) if with_status else [fig.subplots()]
    names = [v.desa_nama for v in villages]
    _stacked(
        axes[0],
        names,
        {
            "Kesalahan": ([v.count_error for v in villages], ERROR),
            "Peringatan": ([v.count_warning for v in villages], WARNING),
        },
        "Masalah terbuka per desa",
    )
    if with_status:
        _stacked(
            axes[1],
            names,
            {
                "Baru": ([v.count_new or 0 for v in villages], NEW),
                "Masih ada": ([v.count_still_open or 0 for v in villages], STILL_OPEN),
                "Sudah diperbaiki": ([v.count_fixed or 0 for v in villages], FIXED),
            },
            "Dibanding run sebelumnya",
        )
    axes[0].invert_yaxis()  # villages top to bottom in the region table's order
    return _png(fig)


def duplicates_over_time_png(runs: Sequence[RunDuplicateCounts]) -> bytes:
    """Lines across published runs: rows that duplicate a person (above); ids merged since
    the previous publish and pairs waiting for a clerk (below). Persons of the latest run in
    the title."""
    fig = _figure()
    if not runs:
        return _empty(fig, "Belum ada run yang dipublikasikan")
    rows_ax, work_ax = fig.subplots(2, 1, sharex=True)
    fig.suptitle(
        "Data ganda per run yang dipublikasikan "
        f"(orang di run terakhir: {_thousands(runs[-1].count_persons)})",
        fontsize=10,
    )
    x = list(range(len(runs)))
    panels = {
        rows_ax: {
            "Baris ganda (diterima - orang)": ([r.count_duplicate_rows for r in runs], DUPLICATES)
        },
        work_ax: {
            "ID digabung": ([r.count_persons_merged for r in runs], MERGED),
            "Pasangan menunggu pemeriksaan": ([r.count_pairs_to_review for r in runs], TO_REVIEW),
        },
    }
    for ax, series in panels.items():
        for label, (values, color) in series.items():
            ax.plot(x, values, label=label, color=color, marker="o", ms=3)
            ax.annotate(  # the latest count, where the eye ends
                _thousands(values[-1]),
                (x[-1], values[-1]),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color=color,
            )
        ax.set_ylim(bottom=0, top=max(1, *(max(v) for v, _ in series.values())) * 1.15)
        ax.yaxis.get_major_locator().set_params(integer=True)
        _tidy(ax)
    fig.legend(fontsize=7, loc="outside lower center", ncol=3, frameon=False)
    ticks = x[:: max(1, -(-len(x) // MAX_TICK_LABELS))]
    work_ax.set_xticks(ticks, [_run_label(runs[i].started_at) for i in ticks])
    work_ax.set_xlim(-0.5, len(x) - 0.5)
    return _png(fig)


def _figure() -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # render with Agg explicitly: no display needed
    return fig


def _stacked(ax, names: list[str], parts: dict[str, tuple[list[int], str]], title: str) -> None:  # noqa: ANN001
    rows = list(range(len(names)))  # positions, not names: two desa may share a name
    left = [0] * len(names)
    for label, (values, color) in parts.items():
        ax.barh(rows, values, left=left, label=label, color=color, height=0.7)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for y, total in enumerate(left):
        if total:
            ax.annotate(
                _thousands(total),
                (total, y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7,
            )
    ax.set_yticks(rows, names)
    ax.set_title(title, fontsize=10)
    ax.margins(x=0.12)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, frameon=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    _tidy(ax)


def _tidy(ax) -> None:  # noqa: ANN001
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)


def _thousands(count: int) -> str:
    return f"{count:,}".replace(",", ".")  # Indonesian digit grouping: 12.345


def _run_label(started_at: datetime) -> str:
    if started_at.tzinfo is None:
        return started_at.strftime("%d-%m %H:%M")
    return started_at.astimezone(LOCAL_TIME).strftime("%d-%m %H:%M")


def _empty(fig: Figure, message: str) -> bytes:
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color=PERSONS)
    return _png(fig)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def desil_per_village_png(distribution: pl.DataFrame) -> bytes:
    """Horizontal stacked bars, one per village: registry families per DTSEN desil (1 = poorest
    tenth, 10 = richest) and those with no desil. `distribution`: village, desil ("1".."10" or
    "-"), families (see `dtks.stages.desil.desil_distribution`)."""
    fig = _figure()
    if distribution.is_empty():
        return _empty(fig, "Belum ada keluarga untuk ditampilkan")
    villages = distribution["village"].unique(maintain_order=True).to_list()
    counts = {
        (v, d): n for v, d, n in distribution.select("village", "desil", "families").iter_rows()
    }
    from matplotlib import colormaps

    ramp = colormaps["RdYlGn"]
    parts = {
        f"Desil {d}": ([counts.get((v, str(d)), 0) for v in villages], ramp((d - 1) / 9))
        for d in range(1, 11)
    }
    parts["Tanpa desil"] = ([counts.get((v, "-"), 0) for v in villages], "#bbbbbb")
    ax = fig.subplots()
    _stacked(ax, villages, parts, "Keluarga per desil DTSEN per desa")
    ax.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=6, frameon=False)
    ax.invert_yaxis()
    return _png(fig)
