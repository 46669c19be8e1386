"""Real Dagster runs over generated exports, desil lists and population registers with their
truth: the registers add no person and every register row is accounted for; families to propose
and deceased or moved persons still listed are found (precision >= 0.99, recall >= 0.98); every
item rests on source rows; nothing personal leaves unmasked; and the statuses an operator
writes in the workbook survive a new export."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster_runs import published, run_reconciliation
from python_calamine import CalamineWorkbook

from dtks.musdes.evaluation import fill_statuses, score_deceased_moved, score_proposals
from dtks.musdes.facts import musdes_facts
from dtks.synth import generate
from dtks.synth.desil import DesilOptions
from dtks.synth.register import RegisterOptions, register_truth_path

SIXTEEN_DIGITS = re.compile(r"\d{16}")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("musdes_run")
    dirs = {name: root / name for name in ("raw", "work", "curated", "review")}
    dirs["truth"] = root / "truth.parquet"
    generate(
        600,
        seed=17,
        out_dir=dirs["raw"],
        truth_path=dirs["truth"],
        desil=DesilOptions(),
        register=RegisterOptions(rates={"new_family": 0.08}),
    )
    assert run_reconciliation(dirs).success
    return dirs


def frame(dirs: dict[str, Path], sql: str) -> pl.DataFrame:
    con = duckdb.connect(str(dirs["curated"] / "kecamatan.duckdb"), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def test_registers_add_no_person_and_every_register_row_is_accounted(run) -> None:
    truth = pl.read_parquet(run["truth"])
    accepted = published(run, "SELECT count(*) FROM person_sources")[0][0]
    rejected = published(run, "SELECT count(*) FROM rejected_rows")[0][0]
    assert accepted + rejected == truth.height  # the exports' rows only
    kinds = dict(published(run, "SELECT file_kind, count(*) FROM source_files GROUP BY 1"))
    assert kinds["population_register"] == 13
    read = published(run, "SELECT sum(register_rows_read) FROM source_files")[0][0]
    assert read == published(run, "SELECT count(*) FROM register_rows")[0][0]
    assert read == pl.read_parquet(register_truth_path(run["truth"])).height


def test_families_to_propose_and_deceased_or_moved_persons_are_found(run) -> None:
    items = frame(run, "SELECT * FROM deliberation_items")
    sources = frame(run, "SELECT * FROM person_sources")
    register_truth = pl.read_parquet(register_truth_path(run["truth"]))
    proposals = score_proposals(items, register_truth)
    removals = score_deceased_moved(items, sources, pl.read_parquet(run["truth"]), register_truth)
    assert proposals.positives >= 10 and removals.positives >= 10
    assert proposals.precision >= 0.99 and proposals.recall >= 0.98, proposals.as_dict()
    assert removals.precision >= 0.99 and removals.recall >= 0.98, removals.as_dict()


def test_every_item_rests_on_accounted_rows_and_shows_no_number_in_full(run) -> None:
    facts = musdes_facts(
        frame(run, "SELECT * FROM deliberation_items"),
        frame(run, "SELECT * FROM register_rows"),
        frame(run, "SELECT * FROM person_sources"),
        frame(run, "SELECT * FROM source_files"),
    )
    items = facts.filter(pl.col("kind") == "item")
    assert items.height and (items["count_source_rows"] >= 1).all()
    assert (items["count_rows_traced"] == items["count_source_rows"]).all()
    masked = duckdb.connect(
        str(run["curated"] / "tersamar" / "kecamatan_masked.duckdb"), read_only=True
    )
    try:
        text = masked.sql("SELECT * FROM deliberation_items").pl()
        register = masked.sql("SELECT nik, no_kk, family_key FROM register_rows").pl()
    finally:
        masked.close()
    assert not any(SIXTEEN_DIGITS.search(str(v)) for row in text.iter_rows() for v in row)
    assert not any(SIXTEEN_DIGITS.search(str(v)) for row in register.iter_rows() for v in row)
    book = CalamineWorkbook.from_path(str(run["curated"] / "reports" / "musdes" / "kapong.xlsx"))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            assert not any(SIXTEEN_DIGITS.search(str(v)) for v in row), name


def test_statuses_are_kept_across_a_new_export_and_counted(run) -> None:
    workbook = run["curated"] / "reports" / "musdes" / "kapong.xlsx"
    given = fill_statuses(workbook, ["diterima", "selesai", "ditolak"])
    assert len(given) >= 3
    # the next export: the operator replaces the village's files by a new download
    village = run["raw"] / "kapong"
    (village / "arsip").mkdir()
    for path in sorted(p for p in village.iterdir() if p.is_file() and "penduduk" not in p.name):
        shutil.copy(path, village / f"baru_{path.name}")
        path.rename(village / "arsip" / path.name)
    assert run_reconciliation(run).success
    kept = dict(
        published(
            run,
            "SELECT item_id, status FROM deliberation_items WHERE village = 'kapong' "
            "AND status <> 'belum'",
        )
    )
    assert kept == given
    sources = published(
        run,
        "SELECT count(*) FROM deliberation_items WHERE village = 'kapong' AND is_current "
        "AND source_rows LIKE '%kapong/baru_%'",
    )[0][0]
    assert sources > 0  # the items now rest on the new files
    counts = frame(run, "SELECT * FROM deliberation_per_village WHERE village = 'kapong'")
    for status in ("diterima", "selesai", "ditolak"):
        assert counts[status].sum() == sum(s == status for s in given.values())
    rows = CalamineWorkbook.from_path(str(run["curated"] / "reports" / "musdes" / "kapong.xlsx"))
    cover = rows.get_sheet_by_name("Berita Acara").to_python()
    header = next(r for r in cover if "Jumlah" in r)
    accepted = header.index("Diterima")
    assert sum(
        int(r[accepted] or 0)
        for r in cover[cover.index(header) + 1 :]
        if isinstance(r[accepted], float)
    ) == sum(s == "diterima" for s in given.values())
