"""Files are read by threads ahead of the store writes (`dtks.stages.ingest.READ_AHEAD`): the
store must end up exactly as when every village is ingested on its own, file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dtks.stages import ingest as ingest_stage
from dtks.stages.ingest import ingest_village, ingest_villages

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw"
VILLAGES = ["ponjanan-barat", "bujur-timur", "bangserreh"]
SORT = "ORDER BY village, source_file, source_sheet, source_row"


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """Three sample villages; one also holds a broken workbook beside its export."""
    raw = tmp_path / "raw"
    for village in VILLAGES:
        shutil.copytree(SAMPLE / village, raw / village)
    (raw / "bujur-timur" / "rusak.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    return raw


def _stored(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {
        "raw_rows": con.execute(f"SELECT * FROM raw_rows {SORT}").fetchall(),  # noqa: S608
        "files": con.execute(
            "SELECT village, source_file, status, error_code, rows_read, file_hash "
            "FROM source_files ORDER BY village, source_file"
        ).fetchall(),
    }


@pytest.mark.parametrize("read_ahead", [1, 2, 3], ids=lambda n: f"read_ahead={n}")
def test_reading_ahead_stores_what_village_by_village_ingest_stores(
    raw: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_ahead: int
) -> None:
    one_by_one = duckdb.connect(str(tmp_path / "one.duckdb"))
    expected = [ingest_village(one_by_one, raw, village) for village in VILLAGES]
    monkeypatch.setattr(ingest_stage, "READ_AHEAD", read_ahead)
    together = duckdb.connect(str(tmp_path / "together.duckdb"))
    results = ingest_villages(together, raw, VILLAGES)

    assert results == expected  # files new / failed / rows read, per village, in order
    assert [r.village for r in results] == VILLAGES
    assert list(results[1].files_failed) == ["bujur-timur/rusak.xlsx"]
    assert sum(r.rows_read for r in results) > 0
    assert _stored(together) == _stored(one_by_one)


def test_a_second_run_reads_only_the_file_that_changed(raw: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "work.duckdb"))
    ingest_villages(con, raw, VILLAGES)
    (raw / "bujur-timur" / "rusak.xlsx").unlink()
    export = next((raw / "bangserreh").glob("*.csv"))
    export.write_bytes(export.read_bytes().replace(b"\n", b"\r\n"))
    first, second, third = ingest_villages(con, raw, VILLAGES)
    assert first.files_unchanged and not first.files_changed
    assert second.files_removed == ["bujur-timur/rusak.xlsx"] and not second.files_changed
    assert third.files_changed == [f"bangserreh/{export.name}"]
    assert third.rows_read > 0
