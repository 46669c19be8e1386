"""The UI charts are small PNGs of counts, render for empty and one-run inputs, and a chart
that fails never fails the run."""

from __future__ import annotations

import base64
import logging
import struct
from dataclasses import fields
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from assets.metadata import chart_metadata, png_markdown
from dtks.charts import (
    RunDuplicateCounts,
    VillageIssueCounts,
    duplicates_over_time_png,
    issues_per_village_png,
    published_run_counts,
    village_issue_counts,
)
from dtks.publish.run_history import RUN_SCHEMA
from dtks.region import DEFAULT_KECAMATAN_KODE, load_kecamatan

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 100_000
NIK = "3528114506890001"
START = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
DESA = load_kecamatan(DEFAULT_KECAMATAN_KODE).desa


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png.startswith(PNG_SIGNATURE)
    return struct.unpack(">II", png[16:24])


def run_row(day: int, outcome: str = "published", **counts: int) -> dict:
    row = {c: 0 for c, t in RUN_SCHEMA.items() if t == pl.Int64()}
    row |= {"run_id": f"run-{day}", "started_at": START + timedelta(days=day), "outcome": outcome}
    row |= {"rows_accepted": 1_000 + day, "count_persons": 950, **counts}
    return row


def history(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=RUN_SCHEMA)


VILLAGES = [
    VillageIssueCounts(d.nama, 10 * i, 25 * i, 3 * i, 7 * i, 2 * i) for i, d in enumerate(DESA)
]
RUNS = published_run_counts(
    history(
        [run_row(d, count_persons_merged=d % 4, count_pairs_to_review=40 - d) for d in range(30)]
    )
)

CHARTS = [
    ("issues_per_village_with_status", lambda: issues_per_village_png(VILLAGES)),
    (
        "issues_per_village_without_status",
        lambda: issues_per_village_png([VillageIssueCounts(v.desa_nama, 1, 2) for v in VILLAGES]),
    ),
    ("issues_per_village_no_villages", lambda: issues_per_village_png([])),
    (
        "issues_per_village_all_zero",
        lambda: issues_per_village_png([VillageIssueCounts("A", 0, 0)]),
    ),
    ("duplicates_over_time_many_runs", lambda: duplicates_over_time_png(RUNS)),
    ("duplicates_over_time_one_run", lambda: duplicates_over_time_png(RUNS[:1])),
    ("duplicates_over_time_no_run", lambda: duplicates_over_time_png([])),
]


@pytest.mark.parametrize(("case", "render"), CHARTS, ids=[c for c, _ in CHARTS])
def test_every_chart_is_a_small_800_by_400_png(case: str, render) -> None:  # noqa: ANN001
    png = render()
    assert png_size(png) == (800, 400), case
    assert len(png) < MAX_PNG_BYTES, case


VILLAGE_FRAMES = [
    (
        "fix list rows: status counts kept, names from the region table",
        pl.DataFrame(
            {
                "village": ["kapong"],
                "desa_nama": ["Kapong"],
                "rows_read": [50],
                "count_error": [3],
                "count_warning": [4],
                "count_new": [1],
                "count_still_open": [6],
                "count_fixed": [2],
                "nik": [NIK],
            }
        ),
        VillageIssueCounts("Kapong", 3, 4, 1, 6, 2),
    ),
    (
        "published village_status: plural count names, no status counts",
        pl.DataFrame(
            {
                "village": ["kapong"],
                "desa_nama": ["Kapong"],
                "count_errors": [3],
                "count_warnings": [None],
            }
        ),
        VillageIssueCounts("Kapong", 3, 0),
    ),
    (
        "no region name: the folder name",
        pl.DataFrame({"village": ["kapong"], "count_error": [0], "count_warning": [1]}),
        VillageIssueCounts("kapong", 0, 1),
    ),
]


@pytest.mark.parametrize(
    ("case", "frame", "expected"), VILLAGE_FRAMES, ids=[c for c, _, _ in VILLAGE_FRAMES]
)
def test_village_issue_counts_take_counts_and_names_only(
    case: str, frame: pl.DataFrame, expected: VillageIssueCounts
) -> None:
    (counts,) = village_issue_counts(frame)
    assert counts == expected, case
    assert NIK not in repr(counts)


def test_chart_inputs_hold_names_times_and_counts_only() -> None:
    """No field can carry a NIK, KK or mother's name into a picture."""
    assert {f.name for f in fields(VillageIssueCounts)} == {
        "desa_nama",
        "count_error",
        "count_warning",
        "count_new",
        "count_still_open",
        "count_fixed",
    }
    assert {f.name for f in fields(RunDuplicateCounts)} == {
        "started_at",
        "count_duplicate_rows",
        "count_persons_merged",
        "count_pairs_to_review",
        "count_persons",
    }


def test_published_run_counts_keep_the_latest_published_runs_oldest_first() -> None:
    rows = [
        run_row(3, count_persons_merged=5, count_pairs_to_review=7),
        run_row(1),
        run_row(2, outcome="failed: row accounting failed"),
        run_row(4, outcome="blocked: the review workbook could not be read"),
        run_row(0, rows_accepted=900),  # fewer accepted rows than persons: no negative count
    ]
    runs = published_run_counts(history(rows), max_runs=2)
    assert [r.started_at for r in runs] == [START + timedelta(days=1), START + timedelta(days=3)]
    assert runs[-1] == RunDuplicateCounts(START + timedelta(days=3), 53, 5, 7, 950)
    assert published_run_counts(history(rows))[0].count_duplicate_rows == 0
    assert published_run_counts(None) == []
    assert published_run_counts(history([])) == []


def test_png_markdown_embeds_the_image_as_a_data_url() -> None:
    png = issues_per_village_png(VILLAGES[:2])
    text = png_markdown(png, alt="issues").value
    prefix = "![issues](data:image/png;base64,"
    assert text.startswith(prefix) and text.endswith(")")
    assert base64.b64decode(text[len(prefix) : -1]) == png


def test_a_chart_that_fails_is_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> bytes:
        raise ValueError("no font")

    log = logging.getLogger("dtks.test_charts")
    with caplog.at_level(logging.WARNING, logger=log.name):
        entries = chart_metadata(
            log, {"broken_chart": broken, "runs_chart": lambda: duplicates_over_time_png(RUNS)}
        )
    assert list(entries) == ["runs_chart"]
    assert "broken_chart" in caplog.text and "no font" in caplog.text
