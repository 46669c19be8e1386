"""Small helpers that turn stage results into Dagster metadata (tables and charts as markdown)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dagster as dg


def markdown_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A markdown table of `rows` restricted to `columns`, for MetadataValue.md."""
    header = "| " + " | ".join(columns) + " |"
    rule = "| " + " | ".join("---" for _ in columns) + " |"
    body = ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join([header, rule, *body])


def run_trigger(tags: dict[str, str]) -> str:
    """How a run was started, from its Dagster tags: schedule, sensor or manual."""
    if "dagster/schedule_name" in tags:
        return "schedule"
    if "dagster/sensor_name" in tags:
        return "sensor"
    return "manual"


def png_markdown(png: bytes, alt: str = "grafik") -> dg.MetadataValue:
    """A PNG shown inline in the Dagster UI: markdown with the image as a base64 data URL,
    the way Dagster's tutorial attaches a matplotlib plot."""
    encoded = base64.b64encode(png).decode("ascii")
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{encoded})")


def chart_metadata(
    log: logging.Logger, charts: Mapping[str, Callable[[], bytes]]
) -> dict[str, dg.MetadataValue]:
    """The charts that rendered, by metadata key. A chart is a nicety: one that fails is
    logged as a warning and left out, and the run goes on."""
    rendered = {}
    for key, render in charts.items():
        try:
            rendered[key] = png_markdown(render(), alt=key)
        except Exception as error:  # any failure of a picture must not fail the run
            log.warning(f"grafik {key} tidak dibuat (run tetap jalan): {error!r}")
    return rendered
