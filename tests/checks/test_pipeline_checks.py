"""Real Dagster runs: the suites run as asset checks, data docs and fix lists are written with
personal data masked, and a blocking failure stops the publish and leaves the published file
byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import polars as pl
import pytest

from assets.resources import DtksSettings
from dtks.publish.paths import published_paths
from pipelines.definitions import build_definitions
from pipelines.jobs import all_villages_tags

VILLAGE_TO_BREAK = "kapong"
BLOCKING = {
    "person_id_is_unique",
    "no_person_crosses_the_safety_line",
    "rows_are_accounted_for",
    "village_row_count_did_not_drop",
}


@dataclass
class Run:
    dirs: dict[str, Path]
    result: dg.ExecuteInProcessResult
    instance: dg.DagsterInstance

    def checks(self) -> dict[str, dg.AssetCheckEvaluation]:
        return {e.check_name: e for e in self.result.get_asset_check_evaluations()}

    def event_text(self) -> str:
        """Everything the run wrote to Dagster: events with their metadata, and log lines."""
        logs = self.instance.all_logs(self.result.run_id)
        return "\n".join(f"{entry.user_message}\n{entry.dagster_event!r}" for entry in logs)


def reconcile(dirs: dict[str, Path]) -> Run:
    settings = DtksSettings(
        raw_dir=str(dirs["raw"]),
        curated_dir=str(dirs["curated"]),
        work_dir=str(dirs["work"]),
        review_dir=str(dirs["review"]),
    )
    instance = dg.DagsterInstance.ephemeral()
    job = build_definitions(settings).resolve_job_def("reconcile_kecamatan")
    result = job.execute_in_process(
        instance=instance, tags=all_villages_tags(), raise_on_error=False
    )
    return Run(dirs, result, instance)


def folders(root: Path) -> dict[str, Path]:
    return {name: root / name for name in ("raw", "work", "curated", "review")}


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, synthetic_exports: tuple[Path, Path]
) -> Run:
    """The first run, under umask 022 (a common default): what it writes about people must
    be private because the product makes it so, not because the caller's umask did."""
    dirs = folders(tmp_path_factory.mktemp("first"))
    shutil.copytree(synthetic_exports[0], dirs["raw"])
    umask = os.umask(0o022)
    try:
        return reconcile(dirs)
    finally:
        os.umask(umask)


@pytest.fixture(scope="module")
def blocked_run(first_run: Run, tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, str, str]:
    """A second run after one village's export disappeared: its rows drop by 100 %."""
    dirs = folders(tmp_path_factory.mktemp("blocked"))
    for name in ("raw", "work", "curated"):
        shutil.copytree(first_run.dirs[name], dirs[name])
    for export in (dirs["raw"] / VILLAGE_TO_BREAK).glob("*.*"):
        export.unlink()
    published = published_paths(dirs["curated"])[0]
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    run = reconcile(dirs)
    return run, before, hashlib.sha256(published.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def secrets(synthetic_exports: tuple[Path, Path]) -> tuple[set[str], set[str]]:
    """Every full NIK and KK number (as written and as meant) and mother's name of the input."""
    truth = pl.read_parquet(synthetic_exports[1])
    numbers = set()
    for column in ("nik", "no_kk", "nik_written", "no_kk_written"):
        for value in truth[column].drop_nulls().to_list():
            text = value.strip().lstrip("'")
            if len(text) >= 9:
                numbers.add(text)
    names = set()
    for column in ("nama_ibu_kandung", "nama_ibu_kandung_written"):
        names |= {v.strip() for v in truth[column].drop_nulls().to_list() if v.strip()}
    return numbers, names


def leaks(text: str, secrets: tuple[set[str], set[str]]) -> list[str]:
    numbers, names = secrets
    found = [n for n in numbers if n in text]
    found += [n for n in names if re.search(rf"(?<![\w*]){re.escape(n)}(?![\w*])", text)]
    return found


def test_the_suites_run_as_checks_and_only_warn_about_operators_rows(first_run: Run) -> None:
    assert first_run.result.success
    checks = first_run.checks()
    assert {"nik_is_16_digits", "every_household_has_one_head", *BLOCKING} <= set(checks)
    assert all(checks[name].passed for name in BLOCKING)
    warned = [c for c in checks.values() if not c.passed]
    assert warned, "the synthetic exports carry planted defects"
    assert {c.severity for c in warned} == {dg.AssetCheckSeverity.WARN}
    drift = checks["village_row_count_did_not_drop"]
    assert drift.metadata["baseline"].value == "no baseline"
    nik = checks["nik_is_16_digits"]
    assert nik.metadata["rows_unexpected"].value > 0
    assert "nik_masked" in nik.metadata["examples_masked"].value


def test_data_docs_are_linked_and_mask_nik_kk_and_mothers_names(first_run: Run, secrets) -> None:
    docs = first_run.dirs["curated"] / "data_docs"
    linked = {Path(c.metadata["data_docs"].value) for c in first_run.checks().values()}
    assert linked == {
        docs / f"{s}.html"
        for s in ("clean_rows", "persons", "households", "villages", "desil", "musdes")
    }
    pages = sorted(docs.rglob("*.html"))  # GX's own site under gx/ too
    assert docs / "index.html" in pages
    assert any("/gx/persons/validations/" in page.as_posix() for page in pages)
    for page in pages:
        assert leaks(page.read_text(encoding="utf-8"), secrets) == [], page.name


def test_dagster_events_and_logs_hold_no_full_nik_kk_or_mothers_name(
    first_run: Run, secrets
) -> None:
    assert leaks(first_run.event_text(), secrets) == []


def test_every_village_gets_a_fix_list_without_formulas_or_full_numbers(
    first_run: Run, secrets
) -> None:
    reports = first_run.dirs["curated"] / "reports"
    files = sorted(reports.glob("*.xlsx"))
    assert len(files) == 14  # 13 villages + ringkasan-kecamatan.xlsx
    for path in files:
        book = openpyxl.load_workbook(path)
        formulas = [
            c.coordinate
            for s in book.worksheets
            for row in s.iter_rows()
            for c in row
            if c.data_type == "f"
        ]
        assert formulas == [], path.name
        with zipfile.ZipFile(path) as xlsx:
            content = "".join(xlsx.read(n).decode("utf-8", "replace") for n in xlsx.namelist())
        assert [n for n in secrets[0] if n in content] == [], path.name


def test_files_holding_personal_data_are_readable_by_no_other_user(first_run: Run) -> None:
    """The submission (full NIK and KK of everyone), the review workbook and the clerks'
    decisions, fix lists, data docs and both published files: 0640 or stricter, in folders
    0750 or stricter, also when the run started with umask 022."""
    curated, review = first_run.dirs["curated"], first_run.dirs["review"]
    files = [
        *sorted((curated / "submission").iterdir()),
        *sorted(p for p in (curated / "reports").rglob("*") if p.is_file()),  # musdes/ too
        *sorted(p for p in (curated / "data_docs").rglob("*") if p.is_file()),
        *published_paths(curated),
        *sorted(p for p in review.rglob("*") if p.is_file()),
        first_run.dirs["work"] / "store.duckdb",
    ]
    assert review / "review_queue.xlsx" in files
    assert curated / "reports" / "musdes" / "kapong.xlsx" in files
    assert any(p.suffix == ".csv" and "desa_" in p.name for p in files)
    too_open = [f"{p} {p.stat().st_mode & 0o777:o}" for p in files if p.stat().st_mode & 0o037]
    assert too_open == []
    folders = {p.parent for p in files}
    too_open = [f"{d} {d.stat().st_mode & 0o777:o}" for d in folders if d.stat().st_mode & 0o027]
    assert too_open == []


def fix_list_rows(curated: Path) -> list[dict]:
    """Every problem row of every village's fix list, as {header: value}."""
    rows = []
    for path in (curated / "reports").glob("*.xlsx"):
        if path.stem == "ringkasan-kecamatan":
            continue
        for sheet in openpyxl.load_workbook(path).worksheets[1:]:
            values = list(sheet.iter_rows(values_only=True))
            rows += [dict(zip(values[0], r, strict=True)) for r in values[1:]]
    return rows


def test_planted_defects_are_on_the_fix_lists(first_run: Run, synthetic_exports) -> None:
    truth = pl.read_parquet(synthetic_exports[1]).explode("defects")
    expected_problem = {
        "nik_missing": "NIK kosong",
        "deceased_listed": "Sudah meninggal tetapi masih terdaftar",
        "desa_other_village": "Kolom DESA berisi desa lain",
        "date_impossible": "Tanggal lahir tidak mungkin",
        "kk_two_heads": "KK dengan lebih dari satu kepala keluarga",
    }
    listed = {
        (r["File"], r["Baris"], r["Masalah"]) for r in fix_list_rows(first_run.dirs["curated"])
    }
    for defect, problem in expected_problem.items():
        planted = truth.filter(pl.col("defects") == defect)
        if defect == "kk_two_heads":  # the second head is the planted row
            planted = planted.filter(pl.col("hubungan_keluarga_written").str.contains("KEPALA"))
        assert planted.height > 0, defect
        missing = [
            (f, r)
            for f, r in planted.select("source_file", "source_row").rows()
            if (f, r, problem) not in listed
        ]
        assert missing == [], defect


def test_duplicates_across_villages_name_the_other_village(first_run: Run) -> None:
    con = duckdb.connect(str(first_run.dirs["work"] / "store.duckdb"), read_only=True)
    try:
        sources = con.sql(
            "SELECT person_id, village, source_file, source_row FROM reconciled_sources"
        ).pl()
    finally:
        con.close()
    spread = sources.filter(pl.col("village").n_unique().over("person_id") > 1)
    assert spread.height > 0
    by_row = {
        (r["File"], r["Baris"]): set(r["Desa lain"].split(", "))
        for r in fix_list_rows(first_run.dirs["curated"])
        if r["Masalah"] == "Orang yang sama terdaftar juga di desa lain"
    }
    for person_id, village, source_file, source_row in spread.rows():
        others = set(
            spread.filter((pl.col("person_id") == person_id) & (pl.col("village") != village))[
                "village"
            ]
        )
        assert by_row[(source_file, source_row)] == others


def test_a_blocking_failure_stops_the_publish_and_keeps_the_file_byte_for_byte(blocked_run) -> None:
    run, before, after = blocked_run
    assert not run.result.success
    assert after == before
    drift = run.checks()["village_row_count_did_not_drop"]
    assert not drift.passed and drift.severity == dg.AssetCheckSeverity.ERROR
    assert VILLAGE_TO_BREAK in drift.description
    assert run.result.asset_materializations_for_node("kecamatan_dataset") == []
    assert run.result.asset_materializations_for_node("village_fix_lists") == []
    failures = [e for e in run.result.all_events if e.is_step_failure]
    # the guard is kecamatan_dataset's own check: its step fails before any file is swapped
    assert [e.step_key for e in failures] == ["kecamatan_dataset"]
    assert drift.asset_key == dg.AssetKey("kecamatan_dataset")
    assert "village_row_count_did_not_drop" in failures[0].step_failure_data.error.message
