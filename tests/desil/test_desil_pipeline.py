"""A real Dagster run over generated exports with desil lists and their truth: the lists add no
person, every ranking row is accounted for, the right desil reaches the right family and no
family gets another family's desil; lists in _kecamatan/ are read, exports there refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dagster_runs import published, run_reconciliation

from dtks.desil.evaluation import evaluate_desil, misplaced_persons
from dtks.synth import generate
from dtks.synth.desil import DesilOptions, desil_truth_path

# Measured on this generation (seed 5, 3000 people), 4 December 2026: 837 of 844 ranked
# families right (99.2 %), 837 of the 838 the reconciled registry holds (99.9 %), 0 wrong, no
# person misplaced (the committed sample: 99.5 % and 99.9 %). The 6 others are folded: their
# only member is one person with another family (listed in two villages under two KKs), so
# their row is flagged.
FLOOR_RIGHT = 0.985
FLOOR_RIGHT_HELD = 0.995


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("desil_run")
    dirs = {name: root / name for name in ("raw", "work", "curated", "review")}
    truth = root / "truth.parquet"
    options = DesilOptions(
        older_lists=("kapong",), member_lists=("blaban",), xlsx_villages=("kapong", "tamberu")
    )
    generate(3000, seed=5, out_dir=dirs["raw"], truth_path=truth, desil=options)
    # a list covering the kecamatan, and an export put there by mistake
    (dirs["raw"] / "_kecamatan").mkdir()
    shutil.copy(
        dirs["raw"] / "bangserreh" / "Pemeringkatan Desil Bangserreh 2026-07.csv",
        dirs["raw"] / "_kecamatan" / "Desil Bangserreh Juli 2026.csv",
    )
    export = next(p for p in (dirs["raw"] / "kapong").iterdir() if p.name.startswith("DATA"))
    shutil.copy(export, dirs["raw"] / "_kecamatan" / export.name)
    dirs["truth"] = truth
    result = run_reconciliation(dirs)
    assert result.success
    return dirs


def test_lists_add_no_person_and_every_ranking_row_is_accounted(run) -> None:
    truth = pl.read_parquet(run["truth"])
    data_rows = truth.filter(pl.col("row_kind") == "data").height
    accepted = published(run, "SELECT count(*) FROM person_sources")[0][0]
    rejected = published(run, "SELECT count(*) FROM rejected_rows")[0][0]
    assert accepted + rejected == truth.height  # the exports' rows only
    assert accepted <= data_rows
    read = published(
        run,
        "SELECT sum(desil_rows_read) FROM source_files WHERE file_kind = 'desil_list'",
    )[0][0]
    assert read == published(run, "SELECT count(*) FROM desil_rows")[0][0]
    kinds = dict(published(run, "SELECT file_kind, count(*) FROM source_files GROUP BY 1"))
    assert kinds["desil_list"] == 15  # 13 villages, kapong twice, one in _kecamatan/
    refused = published(
        run,
        "SELECT error_code, error_message FROM source_files WHERE village = '_kecamatan' "
        "AND status = 'error'",
    )
    assert [r[0] for r in refused] == ["registry_in_kecamatan_folder"]
    assert "pindahkan file ini ke folder desanya" in refused[0][1]
    statuses = dict(published(run, "SELECT status, count(*) FROM desil_rows GROUP BY 1"))
    assert set(statuses) <= {"cocok", "konflik", "tidak_cocok", "ditolak", "bukan_data"}


def test_the_right_desil_reaches_the_right_family_and_never_another(run) -> None:
    con = duckdb.connect(str(run["curated"] / "kecamatan.duckdb"), read_only=True)
    try:

        def frame(sql: str) -> pl.DataFrame:
            return con.sql(sql).pl()

        desil_rows = frame("SELECT * FROM desil_rows WHERE village <> '_kecamatan'")
        households = frame("SELECT * FROM households")
        persons = frame("SELECT person_id, household_id FROM persons")
        sources = frame(
            "SELECT person_id, source_file, source_sheet, source_row FROM person_sources"
        )
    finally:
        con.close()
    truth = pl.read_parquet(run["truth"])
    desil_truth = pl.read_parquet(desil_truth_path(run["truth"]))
    score = evaluate_desil(desil_rows, households, persons, households, sources, truth, desil_truth)
    assert score["wrong_family_rows"] == 0
    assert score["absent_family_rows_matched"] == 0
    assert score["share_right"] >= FLOOR_RIGHT, score
    assert score["share_right_held"] >= FLOOR_RIGHT_HELD, score
    # no KK completed into the wrong family, by the listing or by the ranking list
    assert misplaced_persons(persons, sources, truth, households) == 0
    # the older kapong list is history: the newest wins, changes are reported
    changed = published(run, "SELECT count(*) FROM households WHERE desil_changed")[0][0]
    assert changed > 0
    assert published(run, "SELECT count(*) FROM families_not_ranked")[0][0] > 0
    by_desil = published(run, "SELECT sum(count_families) FROM families_by_desil")[0][0]
    assert by_desil == len(households)


def test_kk_splits_and_absent_families_are_flagged_not_given(run) -> None:
    desil_truth = pl.read_parquet(desil_truth_path(run["truth"]))
    con = duckdb.connect(str(run["curated"] / "kecamatan.duckdb"), read_only=True)
    try:
        rows = con.sql(
            "SELECT source_file, source_sheet, source_row, status, reason FROM desil_rows"
        ).pl()
    finally:
        con.close()
    lineage = ["source_file", "source_sheet", "source_row"]
    joined = desil_truth.join(rows, on=lineage)
    splits = joined.filter(pl.col("defects").list.contains("kk_split"))
    assert splits.height > 0 and (splits["status"] != "cocok").all()
    # the child's NIK, when trusted in the exports, tells the split; otherwise nothing matches
    # (or the child is listed under two KKs, or heads a family another row ranks: dua_desil)
    assert set(splits["reason"]) <= {
        "kk_pecah",
        "tidak_cocok",
        "dua_desil",
        "nik_di_dua_kk",
        "kk_tidak_pasti",
    }
    assert splits.filter(pl.col("reason") == "kk_pecah").height >= 0.6 * splits.height
    absent = joined.filter(pl.col("defects").list.contains("absent_family"))
    assert absent.height > 0 and (absent["status"] == "tidak_cocok").all()


def test_fix_lists_and_the_camat_summary_carry_the_desil_sheets(run) -> None:
    import openpyxl

    reports = run["curated"] / "reports"
    flagged = dict(
        published(
            run,
            "SELECT village, count(*) FROM desil_rows "
            "WHERE status IN ('konflik', 'tidak_cocok', 'ditolak') GROUP BY 1",
        )
    )
    assert flagged
    for village, count in flagged.items():
        if village == "_kecamatan":
            continue
        sheet = openpyxl.load_workbook(reports / f"{village}.xlsx")["Desil"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:4] == ("No", "File daftar desil", "Baris", "Nomor KK")
        assert len(rows) - 1 == count
        for row in rows[1:]:
            assert row[4] is None or "*" in row[4]  # NIK masked
            assert row[8]  # the problem in words
    summary = openpyxl.load_workbook(reports / "ringkasan-kecamatan.xlsx")["Desil"]
    assert summary._charts  # the chart of families per desil per village
    header = [c.value for c in summary[3]]
    assert header[:3] == ["Desa", "Desil 1", "Desil 2"] and header[-1] == "Tanpa desil"
    total = sum(
        sum(v for v in row[1:] if isinstance(v, int))
        for row in summary.iter_rows(min_row=4, max_row=16, values_only=True)
    )
    assert total == published(run, "SELECT count(*) FROM households")[0][0]
