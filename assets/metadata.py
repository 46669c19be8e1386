"""Small helpers that turn stage results into Dagster metadata (tables as markdown)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
