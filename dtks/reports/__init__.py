"""Fix lists for village operators and the camat's summary, as Excel workbooks.

    >>> import tempfile
    >>> from datetime import UTC
    >>> from dtks.quality.validation import VALIDATION_ISSUE_SCHEMA
    >>> from dtks.region import load_kecamatan
    >>> issues = pl.DataFrame([{"village": "kapong", "source_file": "kapong/a.csv",
    ...     "source_sheet": "", "source_row": 2, "column": "nik", "code": "nik_missing",
    ...     "severity": "error", "status": "new",
    ...     "message": "File kapong/a.csv, baris 2: Isi NIK sesuai KTP."}],
    ...     schema=VALIDATION_ISSUE_SCHEMA)
    >>> accounting = pl.DataFrame({"village": ["kapong"], "rows_read": [40],
    ...                            "rows_accepted": [40], "rows_rejected": [0]})
    >>> written = write_reports(Path(tempfile.mkdtemp()), load_kecamatan("35.28.11"), issues,
    ...                         accounting, datetime(2026, 11, 30, tzinfo=UTC))
    >>> len(written.fix_lists), written.fix_lists["kapong"].name, written.summary.name
    (13, 'kapong.xlsx', 'ringkasan-kecamatan.xlsx')
    >>> kapong = written.villages.filter(pl.col("village") == "kapong")
    >>> kapong.select("count_error", "count_warning", "count_new").row(0)
    (1, 0, 1)

`issues` is the published `validation_issues` (with `status`); every string is written as
text (never a formula), NIK and KK only masked, mothers' names not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from dtks.region import Kecamatan
from dtks.reports.desil import desil_fix_rows
from dtks.reports.fix_list import VillageInfo, code_kinds, write_fix_list
from dtks.reports.summary import SUMMARY_FILE, write_kecamatan_summary

__all__ = ["SUMMARY_FILE", "ReportsWritten", "write_reports"]


@dataclass(frozen=True)
class ReportsWritten:
    """Paths written and one row of counts per village."""

    fix_lists: dict[str, Path]
    summary: Path
    villages: pl.DataFrame


@dataclass(frozen=True)
class FixListJob:
    """What one village's fix list is written from, but for its issues."""

    path: Path
    village: VillageInfo
    accounting: dict[str, Any] | None
    generated_at: datetime
    file_rows: dict[str, int] | None = None  # rows read per source file of the village
    desil_rows: pl.DataFrame | None = None  # the village's desil ranking rows to fix


def write_reports(
    reports_dir: Path,
    kecamatan: Kecamatan,
    issues: pl.DataFrame,
    accounting: pl.DataFrame,
    generated_at: datetime,
    source_files: pl.DataFrame | None = None,
    desil_rows: pl.DataFrame | None = None,
    desil_distribution: pl.DataFrame | None = None,
    review_note: str | None = None,
) -> ReportsWritten:
    """A fix list for every village of the kecamatan (also those without problems or
    without an export) and the kecamatan summary.

    `accounting`: `dtks.quality.accounting.row_accounting(...)` (village, rows_read, rows_accepted,
    rows_rejected); `source_files`: the store's `source_files` (`source_file`, `rows_read`),
    so that a defect on nearly every row of a file is told once, first. `desil_rows` (the
    store's `desil_rows`) and `desil_distribution` (`dtks.stages.desil.desil_distribution`)
    add the desil sheets: ranking rows to fix per village, families per desil for the camat.
    `review_note` (the clerks' review queue and its workload) is one line of the summary.
    """
    per_village = {r["village"]: r for r in accounting.iter_rows(named=True)}
    file_rows = _rows_per_file(source_files)
    jobs = [
        FixListJob(
            path=reports_dir / f"{desa.slug}.xlsx",
            village=VillageInfo(desa.slug, desa.kode, desa.nama, kecamatan.nama),
            accounting=per_village.get(desa.slug),
            generated_at=generated_at,
            file_rows=file_rows.get(desa.slug),
            desil_rows=desil_fix_rows(desil_rows, desa.slug),
        )
        for desa in kecamatan.desa
    ]
    counts = write_fix_lists(jobs, issues)
    duplicates = _open_duplicates_other_village(issues)
    villages = pl.DataFrame(
        [
            _village_line(job, job_counts, duplicates.get(job.village.slug, 0))
            for job, job_counts in zip(jobs, counts, strict=True)
        ]
    )
    summary = write_kecamatan_summary(
        reports_dir / SUMMARY_FILE,
        kecamatan.nama,
        villages,
        _open_by_kind(issues, kecamatan),
        generated_at,
        desil_distribution,
        review_note,
    )
    return ReportsWritten({job.village.slug: job.path for job in jobs}, summary, villages)


def write_fix_lists(jobs: list[FixListJob], issues: pl.DataFrame) -> list[dict[str, int]]:
    """Write the fix lists; returns each job's counts, in the order of `jobs`."""
    by_village = issues.partition_by("village", as_dict=True, maintain_order=True)
    return [
        write_fix_list(
            job.path,
            job.village,
            by_village.get((job.village.slug,), issues.clear()),
            job.accounting,
            job.generated_at,
            job.file_rows,
            job.desil_rows,
        )
        for job in jobs
    ]


def _rows_per_file(source_files: pl.DataFrame | None) -> dict[str, dict[str, int]]:
    """Rows read per file, by village (its `village` column, else the file's folder)."""
    if source_files is None or source_files.is_empty():
        return {}
    folder = pl.col("source_file").str.split("/").list.first()
    files = source_files.select(
        (pl.col("village") if "village" in source_files.columns else folder).alias("village"),
        "source_file",
        pl.col("rows_read").fill_null(0).cast(pl.Int64),
    )
    per_village: dict[str, dict[str, int]] = {}
    for village, source_file, rows_read in files.iter_rows():
        per_village.setdefault(village, {})[source_file] = rows_read
    return per_village


def _village_line(job: FixListJob, counts: dict[str, int], duplicates: int) -> dict[str, Any]:
    """The camat's summary line of one village."""
    rows = job.accounting or {}
    return {
        "village": job.village.slug,
        "desa_kode": job.village.kode,
        "desa_nama": job.village.nama,
        "export": "ada" if rows.get("rows_read") else "tidak ada export",
        "rows_read": int(rows.get("rows_read") or 0),
        "rows_accepted": int(rows.get("rows_accepted") or 0),
        "rows_rejected": int(rows.get("rows_rejected") or 0),
        **counts,
        "count_duplicate_other_village": duplicates,
        "fix_list": job.path.name,
    }


def _open_duplicates_other_village(issues: pl.DataFrame) -> dict[str, int]:
    """Per village: open problems of a person registered in another village too."""
    open_duplicates = issues.filter(
        (pl.col("code") == "duplicate_other_village") & (pl.col("status") != "fixed")
    )
    return dict(open_duplicates.group_by("village").len().iter_rows())


def _open_by_kind(issues: pl.DataFrame, kecamatan: Kecamatan) -> pl.DataFrame:
    """Open problems per village and kind (`desa_nama`, `kind`, `count_open`)."""
    names = pl.DataFrame(
        {"village": kecamatan.slugs, "desa_nama": [d.nama for d in kecamatan.desa]}
    )
    by_code = (
        issues.filter(pl.col("status") != "fixed")
        .group_by("village", "code")
        .agg(pl.len().cast(pl.Int64).alias("count_open"))
    )
    kinds = code_kinds(by_code["code"].unique().to_list())
    return (
        by_code.join(kinds, on="code", how="inner")
        .group_by("village", "kind")
        .agg(pl.col("count_open").sum())
        .join(names, on="village", how="inner")
        .select("desa_nama", "kind", "count_open")
    )
