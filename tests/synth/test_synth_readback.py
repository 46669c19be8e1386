"""Every truth row sits at its stated row in the written files, and no other non-empty row does."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from dtks.columns import canonical_column
from dtks.synth import generate
from dtks.synth.truth import written_text


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pl.DataFrame, dict]:
    root = tmp_path_factory.mktemp("readback")
    summary = generate(
        2500,
        seed=11,
        out_dir=root / "raw",
        truth_path=root / "truth.parquet",
        xlsx_share=0.5,
        rates={
            "title_rows": 0.5,
            "blank_rows": 0.5,
            "totals_row": 0.5,
            "signature_block": 0.5,
            "note_line": 0.5,
            "repeated_header": 0.3,
            "csv_cp1252": 0.5,
        },
    )
    files = {f["path"]: f for f in summary.files}
    return root / "raw", pl.read_parquet(root / "truth.parquet"), files


def read_sheets(raw: Path, info: dict) -> dict[str, list[list[object]]]:
    """Rows of every sheet of a file as lists of cell values (CSV cells as text)."""
    path = raw / info["path"]
    if info["format"] == "csv":
        with path.open(encoding=info["encoding"], newline="") as handle:
            return {"": list(csv.reader(handle, delimiter=info["delimiter"]))}
    workbook = CalamineWorkbook.from_path(str(path))
    return {
        name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in workbook.sheet_names
    }


def non_empty_rows(rows: list[list[object]]) -> list[int]:
    return [i + 1 for i, row in enumerate(rows) if any(written_text(c) is not None for c in row)]


def test_every_file_in_the_truth_exists_and_every_data_sheet_has_rows(sample) -> None:
    raw, truth, files = sample
    assert set(truth.get_column("source_file").unique()) <= set(files)
    for path in files:
        assert (raw / path).is_file()


def test_truth_rows_are_exactly_the_non_empty_rows_below_each_header(sample) -> None:
    raw, truth, files = sample
    for (path, sheet), group in truth.group_by(
        ["source_file", "source_sheet"], maintain_order=True
    ):
        rows = read_sheets(raw, files[path])[sheet]
        header_row = group.get_column("source_row").min() - 1
        header = [canonical_column(str(c)) for c in rows[header_row - 1]]
        assert {"nik", "nama", "no_kk"} <= set(header), (path, sheet)
        below = [r for r in non_empty_rows(rows) if r > header_row]
        assert below == sorted(group.get_column("source_row").to_list()), (path, sheet)


def test_nik_and_name_of_each_data_row_sit_at_the_stated_row(sample) -> None:
    raw, truth, files = sample
    checked = 0
    for (path, sheet), group in truth.group_by(
        ["source_file", "source_sheet"], maintain_order=True
    ):
        rows = read_sheets(raw, files[path])[sheet]
        header_row = group.get_column("source_row").min() - 1
        columns = {
            canonical_column(str(h)): i for i, h in enumerate(rows[header_row - 1]) if h != ""
        }
        for record in group.iter_rows(named=True):
            cells = rows[record["source_row"] - 1]
            cells = cells + [""] * (len(rows[header_row - 1]) - len(cells))
            if record["row_kind"] != "data":
                first = next(t for t in map(written_text, cells) if t is not None)
                assert first == record["cell_text"], (path, sheet, record["source_row"])
                continue
            nik_cell = cells[columns["nik"]]
            assert written_text(nik_cell) == record["nik_written"], (path, record["source_row"])
            assert isinstance(nik_cell, float) == record["nik_written_is_number"]
            assert written_text(cells[columns["nama"]]) == record["nama_written"]
            assert written_text(cells[columns["no_kk"]]) == record["no_kk_written"]
            checked += 1
    assert checked == truth.filter(pl.col("row_kind") == "data").height


def test_cp1252_files_hold_non_ascii_text(sample) -> None:
    raw, _, files = sample
    encoded = [f for f in files.values() if f["encoding"] == "cp1252"]
    assert encoded
    assert any(any(b > 127 for b in (raw / f["path"]).read_bytes()) for f in encoded)
