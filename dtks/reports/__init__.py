"""Fix lists for village operators and the camat's summary, as Excel workbooks.

    >>> write_reports(curated / "reports", kecamatan, issues, accounting, now)

`issues` is the published `validation_issues` (with `status`); every string is written as
text (never a formula), NIK and KK only masked, mothers' names not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from dtks.region import Kecamatan
from dtks.reports.fix_list import VillageInfo, fix_list_rows, write_fix_list
from dtks.reports.summary import SUMMARY_FILE, write_kecamatan_summary

__all__ = ["SUMMARY_FILE", "ReportsWritten", "write_reports"]


@dataclass(frozen=True)
class ReportsWritten:
    """Paths written and one row of counts per village."""

    fix_lists: dict[str, Path]
    summary: Path
    villages: pl.DataFrame


def write_reports(
    reports_dir: Path,
    kecamatan: Kecamatan,
    issues: pl.DataFrame,
    accounting: pl.DataFrame,
    generated_at: datetime,
) -> ReportsWritten:
    """A fix list for every village of the kecamatan (also those without problems or
    without an export) and the kecamatan summary.

    `accounting`: `dtks.accounting.row_accounting(...)` (village, rows_read, rows_accepted,
    rows_rejected).
    """
    per_village = {r["village"]: r for r in accounting.iter_rows(named=True)}
    paths: dict[str, Path] = {}
    lines = []
    for desa in kecamatan.desa:
        mine = issues.filter(pl.col("village") == desa.slug)
        info = VillageInfo(desa.slug, desa.kode, desa.nama, kecamatan.nama)
        path = reports_dir / f"{desa.slug}.xlsx"
        counts = write_fix_list(path, info, mine, per_village.get(desa.slug), generated_at)
        paths[desa.slug] = path
        rows = per_village.get(desa.slug, {})
        lines.append(
            {
                "village": desa.slug,
                "desa_kode": desa.kode,
                "desa_nama": desa.nama,
                "export": "ada" if rows.get("rows_read") else "tidak ada export",
                "rows_read": int(rows.get("rows_read") or 0),
                "rows_accepted": int(rows.get("rows_accepted") or 0),
                "rows_rejected": int(rows.get("rows_rejected") or 0),
                **counts,
                "count_duplicate_other_village": mine.filter(
                    (pl.col("code") == "duplicate_other_village") & (pl.col("status") != "fixed")
                ).height,
                "fix_list": path.name,
            }
        )
    villages = pl.DataFrame(lines)
    summary = write_kecamatan_summary(
        reports_dir / SUMMARY_FILE,
        kecamatan.nama,
        villages,
        _open_by_kind(issues, kecamatan),
        generated_at,
    )
    return ReportsWritten(paths, summary, villages)


def _open_by_kind(issues: pl.DataFrame, kecamatan: Kecamatan) -> pl.DataFrame:
    names = pl.DataFrame(
        {"village": kecamatan.slugs, "desa_nama": [d.nama for d in kecamatan.desa]}
    )
    rows = fix_list_rows(issues.filter(pl.col("status") != "fixed"))
    if rows.is_empty():
        return pl.DataFrame(
            schema={"desa_nama": pl.String, "kind": pl.String, "count_open": pl.Int64}
        )
    return (
        rows.group_by("village", "kind")
        .agg(pl.len().cast(pl.Int64).alias("count_open"))
        .join(names, on="village", how="inner")
        .select("desa_nama", "kind", "count_open")
    )
